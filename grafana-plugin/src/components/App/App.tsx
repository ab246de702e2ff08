import React, { useEffect, useMemo, useState } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { locationUtil, type AppRootProps } from '@grafana/data';
import { Alert, LinkButton, LoadingPlaceholder } from '@grafana/ui';
import { displaySettings, resolveSettings, type AppJsonData } from '../../config';
import { PLUGIN_ID, ROUTES } from '../../constants';
import { buildSceneApp } from '../../pages/sceneApp';
import { fetchExporterFacts, type ExporterFactsResult } from '../../scenes/exporterFacts';
import { testIds } from '../testIds';
import { chooseDatasource } from './datasource';

export interface AppProps extends AppRootProps<AppJsonData> {
  /** Clock, replaceable in tests. */
  now?: () => Date;
}

function NoDatasource({ configuredUid }: { configuredUid: string }) {
  return (
    <div data-testid={testIds.app.noDatasource}>
      <Alert severity="warning" title="No Prometheus datasource">
        The CHOM FinOps pages read Prometheus, and Grafana has no Prometheus datasource (the app is configured
        for the UID <code>{configuredUid}</code>). Add the Prometheus that scrapes the CHOM exporter, or
        provision it with <code>provisioning/datasources/prometheus.yml</code>.
      </Alert>
      {/* Plain links: the sub-path Grafana may be served under (root_url) must be prefixed. */}
      <LinkButton href={locationUtil.assureBaseUrl('/connections/datasources/new')} icon="plus">
        Add a Prometheus datasource
      </LinkButton>{' '}
      <LinkButton
        href={locationUtil.assureBaseUrl(`/plugins/${PLUGIN_ID}?page=configuration`)}
        variant="secondary"
        icon="cog"
      >
        App configuration
      </LinkButton>
    </div>
  );
}

function AppPages({ props, datasourceUid }: { props: AppProps; datasourceUid: string }) {
  const settings = resolveSettings(props.meta.jsonData);
  const [facts, setFacts] = useState<ExporterFactsResult | null>(null);

  useEffect(() => {
    let cancelled = false;
    fetchExporterFacts(datasourceUid, props.now?.()).then((result) => {
      if (!cancelled) {
        setFacts(result);
      }
    });
    return () => {
      cancelled = true;
    };
    // The clock is fixed per page load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [datasourceUid]);

  const display = facts ? displaySettings(settings, facts) : null;
  const sceneKey = display
    ? `${datasourceUid}|${display.currency}|${display.budgetThresholds.join(',')}`
    : '';
  const { now } = props;
  const tenantLimit = settings.tenantLimit;
  const scene = useMemo(
    () => (display ? buildSceneApp({ ...display, datasourceUid, tenantLimit }, now) : null),
    // The scene is rebuilt only when what it displays changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [sceneKey, tenantLimit],
  );

  if (!facts || !scene) {
    return (
      <div data-testid={testIds.app.loading}>
        <LoadingPlaceholder text="Checking the CHOM exporter…" />
      </div>
    );
  }
  // The exporter status banner is part of each page's scene (src/scenes/ExporterStatus.tsx).
  return <scene.Component model={scene} />;
}

export function App(props: AppProps) {
  const settings = resolveSettings(props.meta.jsonData);
  const choice = chooseDatasource(settings.datasourceUid);

  return (
    <Routes>
      <Route path="" element={<Navigate to={ROUTES.CostAnalysis} replace />} />
      <Route
        path="*"
        element={
          choice.datasource === null ? (
            <NoDatasource configuredUid={settings.datasourceUid} />
          ) : (
            <>
              {choice.fallback && (
                <div data-testid={testIds.app.datasourceFallback}>
                  <Alert severity="info" title="Configured datasource not found">
                    No Prometheus datasource has the UID <code>{settings.datasourceUid}</code>; the pages use{' '}
                    <b>{choice.datasource.name}</b> instead. Set the UID in the app configuration.
                  </Alert>
                </div>
              )}
              <AppPages props={props} datasourceUid={choice.datasource.uid} />
            </>
          )
        }
      />
    </Routes>
  );
}

export default App;
