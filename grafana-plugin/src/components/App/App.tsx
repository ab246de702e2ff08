import React, { useEffect, useMemo, useState } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { Alert, LinkButton, LoadingPlaceholder } from '@grafana/ui';
import { displaySettings, resolveSettings, type AppJsonData } from '../../config';
import { ROUTES } from '../../constants';
import { evaluateExporterHealth } from '../../domain/exporterHealth';
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
      <LinkButton href="/connections/datasources/new" icon="plus">
        Add a Prometheus datasource
      </LinkButton>{' '}
      <LinkButton href="/plugins/chom-finops-app" variant="secondary" icon="cog">
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
    fetchExporterFacts(datasourceUid).then((result) => {
      if (!cancelled) {
        setFacts(result);
      }
    });
    return () => {
      cancelled = true;
    };
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
  const health = evaluateExporterHealth({
    up: facts.up,
    lastSuccessSeconds: facts.lastSuccessSeconds,
    nowSeconds: (now ? now() : new Date()).getTime() / 1000,
    error: facts.error,
  });
  return (
    <>
      {health.status !== 'ok' && (
        <div data-testid={testIds.app.health} data-status={health.status}>
          <Alert severity={health.status === 'stale' ? 'warning' : 'error'} title={health.title}>
            {health.message}
          </Alert>
        </div>
      )}
      <scene.Component model={scene} />
    </>
  );
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
