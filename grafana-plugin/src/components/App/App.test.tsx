import React, { useLayoutEffect, useState } from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import { Route, Router, Routes } from 'react-router-dom';
import { locationUtil, type AppPluginMeta, type DataQueryRequest } from '@grafana/data';
import { LocationServiceProvider, locationService } from '@grafana/runtime';
import type { AppJsonData } from '../../config';
import {
  instantFrames,
  prometheusSettings,
  registerStandardTransformers,
  setBackend,
  setDatasources,
  setFakePanelPlugins,
  setPanelData,
  setPanelError,
  type RecordedRequest,
} from '../../testing/runtime';
import { testIds } from '../testIds';
import { App, type AppProps } from './App';

/** The first render of a page builds its scene and loads its panels: allow more than the default 1 s. */
const SLOW = { timeout: 8000 };

const NOW = new Date('2026-11-22T12:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

/** Grafana's router: react-router v6 driven by the runtime's locationService history (history v4 API). */
function GrafanaRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useLayoutEffect(() => history.listen((next: typeof location) => setLocation(next)), [history]);
  return (
    <LocationServiceProvider service={locationService}>
      <Router location={location} navigator={history as never}>
        {children}
      </Router>
    </LocationServiceProvider>
  );
}

function renderApp(path: string, jsonData: AppJsonData = {}) {
  locationService.push(path);
  const meta = {
    id: 'chom-finops-app',
    name: 'CHOM FinOps',
    type: 'app',
    enabled: true,
    jsonData,
  } as AppPluginMeta<AppJsonData>;
  // Only the props the app reads (the rest of AppRootProps is deprecated navigation plumbing).
  const props = { meta, basename: '/a/chom-finops-app', now: () => NOW } as unknown as AppProps;
  return render(
    <GrafanaRouter>
      <Routes>
        <Route path="/a/chom-finops-app/*" element={<App {...props} />} />
      </Routes>
    </GrafanaRouter>,
  );
}

let backendRequests: RecordedRequest[];
let queries: DataQueryRequest[];

const exporter = { job: 'chom-exporter', instance: 'exporter:9864' };

/** Answers the status and facts queries like Prometheus would for an exporter in the given state. */
function exporterAnswers(state: { up?: number; lastSuccess?: number; currency?: string }) {
  return (request: DataQueryRequest) =>
    request.targets.flatMap((target) => {
      switch (target.refId) {
        case 'up':
          return state.up === undefined
            ? []
            : instantFrames('up', [
                { labels: { __name__: 'chom_exporter_up', ...exporter }, value: state.up },
              ]);
        case 'lastSuccess':
          return state.lastSuccess === undefined
            ? []
            : instantFrames('lastSuccess', [
                {
                  labels: { __name__: 'chom_exporter_last_success_timestamp_seconds', ...exporter },
                  value: state.lastSuccess,
                },
              ]);
        case 'info':
          return state.currency
            ? instantFrames('info', [
                {
                  labels: {
                    __name__: 'chom_exporter_info',
                    ...exporter,
                    version: '0.1.0',
                    currency: state.currency,
                  },
                  value: 1,
                },
              ])
            : [];
        default:
          return [];
      }
    });
}

beforeAll(() => {
  registerStandardTransformers();
  setFakePanelPlugins();
});

beforeEach(() => {
  setDatasources([prometheusSettings('chom-prometheus', 'Prometheus')]);
  queries = setPanelData(exporterAnswers({ up: 1, lastSuccess: nowSeconds - 30, currency: 'EUR' }));
  backendRequests = setBackend(() => ({}));
});

describe('App', () => {
  it('redirects the app root to Cost analysis and renders its panels', async () => {
    renderApp('/a/chom-finops-app');
    await waitFor(() =>
      expect(locationService.getLocation().pathname).toBe('/a/chom-finops-app/cost-analysis'),
    );
    expect(await screen.findByText('Total monthly cost', undefined, SLOW)).toBeInTheDocument();
    expect(screen.getByText('Cost per tenant')).toBeInTheDocument();
    expect(screen.getByText('Optimization opportunities')).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.app.health)).not.toBeInTheDocument();
  });

  it("asks the configured datasource's own query API for the exporter's facts, never /api/ds/query", async () => {
    renderApp('/a/chom-finops-app/cost-analysis');
    await screen.findByText('Total monthly cost', undefined, SLOW);
    const facts = queries.find((r) => r.targets.some((t) => t.refId === 'info'))!;
    expect(facts.targets.map((t) => (t as { expr?: string }).expr)).toEqual([
      'chom_exporter_info',
      'chom_cost_budget_alert_threshold_ratio',
    ]);
    expect(facts.targets.every((t) => t.datasource?.uid === 'chom-prometheus')).toBe(true);
    expect(backendRequests.filter((r) => r.url.includes('/api/ds/query'))).toEqual([]);
  });

  it('routes to Capacity planning with the scaling recommendations', async () => {
    renderApp('/a/chom-finops-app/capacity-planning');
    expect(await screen.findByText('CPU utilisation', undefined, SLOW)).toBeInTheDocument();
    expect(screen.getByText('Scaling recommendations')).toBeInTheDocument();
    expect(screen.queryByText('Total monthly cost')).not.toBeInTheDocument();
  });

  it('explains that there is no Prometheus datasource instead of showing empty panels', async () => {
    setDatasources([]);
    renderApp('/a/chom-finops-app/cost-analysis');
    expect(await screen.findByTestId(testIds.app.noDatasource, undefined, SLOW)).toHaveTextContent(
      'No Prometheus datasource',
    );
    expect(screen.queryByText('Total monthly cost')).not.toBeInTheDocument();
    expect(queries).toEqual([]);
  });

  it('links to Grafana pages under the sub-path Grafana is served from', async () => {
    locationUtil.initialize({
      config: { appSubUrl: '/grafana' } as never,
      getTimeRangeForUrl: () => ({ from: 'now-7d', to: 'now' }),
      getVariablesUrlParams: () => ({}),
    });
    try {
      setDatasources([]);
      renderApp('/a/chom-finops-app/cost-analysis');
      await screen.findByTestId(testIds.app.noDatasource, undefined, SLOW);
      const hrefs = screen.getAllByRole('link').map((a) => a.getAttribute('href'));
      expect(hrefs).toEqual([
        '/grafana/connections/datasources/new',
        '/grafana/plugins/chom-finops-app?page=configuration',
      ]);
    } finally {
      locationUtil.initialize({
        config: { appSubUrl: '' } as never,
        getTimeRangeForUrl: () => ({ from: 'now-7d', to: 'now' }),
        getVariablesUrlParams: () => ({}),
      });
    }
  });

  it('falls back to another Prometheus datasource and says so', async () => {
    setDatasources([prometheusSettings('other-prom', 'Other Prometheus')]);
    renderApp('/a/chom-finops-app/cost-analysis', { datasourceUid: 'chom-prometheus' });
    expect(await screen.findByTestId(testIds.app.datasourceFallback, undefined, SLOW)).toHaveTextContent(
      'Other Prometheus',
    );
    await screen.findByText('Total monthly cost', undefined, SLOW);
  });

  it('says "no data yet" when Prometheus has no chom_exporter_up series', async () => {
    setPanelData(exporterAnswers({}));
    renderApp('/a/chom-finops-app/cost-analysis');
    const banner = await screen.findByTestId(testIds.app.health, undefined, SLOW);
    expect(banner).toHaveAttribute('data-status', 'no-data');
    expect(banner).toHaveTextContent('No data yet');
  });

  it('says the exporter is down when chom_exporter_up is 0', async () => {
    setPanelData(exporterAnswers({ up: 0, lastSuccess: nowSeconds - 30 }));
    renderApp('/a/chom-finops-app/capacity-planning');
    const banner = await screen.findByTestId(testIds.app.health, undefined, SLOW);
    expect(banner).toHaveAttribute('data-status', 'down');
    expect(banner).toHaveTextContent('Exporter down');
    expect(await screen.findByText('CPU utilisation', undefined, SLOW)).toBeInTheDocument();
  });

  it('reports a datasource error', async () => {
    setPanelError('Post "http://prometheus:9090/api/v1/query": dial tcp: connection refused');
    renderApp('/a/chom-finops-app/cost-analysis');
    const banner = await screen.findByTestId(testIds.app.health, undefined, SLOW);
    expect(banner).toHaveAttribute('data-status', 'error');
    expect(banner).toHaveTextContent('connection refused');
  });
});
