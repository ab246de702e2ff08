import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import { getFieldDisplayName, type DataQueryRequest } from '@grafana/data';
import {
  ConstantVariable,
  DataSourceVariable,
  EmbeddedScene,
  QueryVariable,
  SceneDataTransformer,
  SceneQueryRunner,
  SceneRefreshPicker,
  SceneTimePicker,
  SceneTimeRange,
  SceneVariableSet,
  VizPanel,
  VizPanelMenu,
  sceneGraph,
} from '@grafana/scenes';
import { backendFrames, frontendFrames, type PromApiResponse } from '../../test/grafana/prometheusFrames';
import { testIds } from '../components/testIds';
import { capacityPlanningPage } from '../panels/capacityPlanning';
import { costAnalysisPage } from '../panels/costAnalysis';
import type { PrometheusTarget } from '../panels/model';
import {
  prometheusSettings,
  registerStandardTransformers,
  setDatasources,
  setFakePanelPlugins,
  setPanelData,
} from '../testing/runtime';
import { buildPageScene, type SceneSettings } from './buildScene';

registerStandardTransformers();
setFakePanelPlugins();

const settings: SceneSettings = {
  datasourceUid: 'chom-prometheus',
  currency: 'EUR',
  budgetThresholds: [0.5, 0.75, 0.9, 1],
  tenantLimit: 25,
};
const NOW = new Date('2026-11-22T12:00:00Z');

const panelsOf = (scene: EmbeddedScene) =>
  sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel) as VizPanel[];

function runnerOf(panel: VizPanel): SceneQueryRunner {
  const data = panel.state.$data;
  return (data instanceof SceneDataTransformer ? data.state.$data : data) as SceneQueryRunner;
}

/**
 * The frames Grafana gives a panel for Prometheus answers shaped like the real series: each metric with
 * its own labels (`__name__`, `job` and `instance` on raw exporter series, only the grouping labels on
 * recording rules), converted like Grafana's Prometheus backend and @grafana/prometheus do.
 */
function prometheusAnswers(
  answers: (target: PrometheusTarget) => Array<{ metric: Record<string, string>; value: number }>,
) {
  return (request: DataQueryRequest) => {
    const targets = request.targets as unknown as PrometheusTarget[];
    const frames = targets.flatMap((target) => {
      const body: PromApiResponse = {
        status: 'success',
        data: {
          resultType: 'vector',
          result: answers(target).map((s) => ({
            metric: s.metric,
            value: [NOW.getTime() / 1000, String(s.value)] as [number, string],
          })),
        },
      };
      return backendFrames(target, body, 15_000);
    });
    return frontendFrames(frames, targets);
  };
}

function activate(scene: EmbeddedScene) {
  const deactivations = [scene.activate()];
  for (const object of sceneGraph.findAllObjects(scene, () => true)) {
    if (!object.isActive) {
      deactivations.push(object.activate());
    }
  }
  return () => deactivations.reverse().forEach((d) => d());
}

beforeEach(() => {
  setDatasources([prometheusSettings('chom-prometheus')], ['t1', 't2']);
  setPanelData(() => []);
});

describe('page scenes', () => {
  it.each([costAnalysisPage, capacityPlanningPage])(
    '$key: one panel per spec with its queries, through the datasource variable',
    (page) => {
      const scene = buildPageScene(page, settings);
      const panels = panelsOf(scene);
      expect(panels.map((p) => p.state.title)).toEqual(page.panels.map((p) => p.title));
      for (const [i, panel] of panels.entries()) {
        const spec = page.panels[i]!;
        expect(panel.state.pluginId).toBe(spec.type);
        const runner = runnerOf(panel);
        expect(runner.state.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        // The currency is known on the pages: no currency query.
        expect(runner.state.queries.map((q) => q.refId)).toEqual(spec.targets.map((t) => t.refId));
        expect(panel.state.$data instanceof SceneDataTransformer).toBe(spec.type === 'table');
      }
    },
  );

  it('has a time range in UTC, time and refresh pickers, the datasource variable and the tenant filter', () => {
    const scene = buildPageScene(costAnalysisPage, settings);
    const range = scene.state.$timeRange as SceneTimeRange;
    expect(range.state).toMatchObject({ from: 'now-7d', to: 'now', timeZone: 'utc' });
    expect(scene.state.controls!.some((c) => c instanceof SceneTimePicker)).toBe(true);
    expect(scene.state.controls!.some((c) => c instanceof SceneRefreshPicker)).toBe(true);
    const variables = (scene.state.$variables as SceneVariableSet).state.variables;
    const datasource = variables.find((v) => v.state.name === 'datasource') as DataSourceVariable;
    expect(datasource).toBeInstanceOf(DataSourceVariable);
    expect(datasource.state).toMatchObject({ pluginId: 'prometheus', value: 'chom-prometheus' });
    const tenant = variables.find((v) => v.state.name === 'tenant') as QueryVariable;
    expect(tenant.state).toMatchObject({ includeAll: true, allValue: '.*', isMulti: true });
    expect(tenant.state.definition).toBe('label_values(chom_tenant_info, tenant_id)');
    const limit = variables.find((v) => v.state.name === 'tenant_limit') as ConstantVariable;
    expect(limit.getValue()).toBe('25');
  });

  it('money is in the configured currency; scaling recommendations are a table panel', () => {
    const cost = panelsOf(buildPageScene(costAnalysisPage, settings));
    expect(cost.find((p) => p.state.title === 'Total monthly cost')!.state.fieldConfig.defaults.unit).toBe(
      'currencyEUR',
    );
    const capacity = panelsOf(buildPageScene(capacityPlanningPage, settings));
    const recommendations = capacity.find((p) => p.state.title === 'Scaling recommendations')!;
    expect(recommendations.state.pluginId).toBe('table');
  });

  it('every panel has a menu that opens it in its dashboard, where Grafana inspects it', () => {
    const scene = buildPageScene(costAnalysisPage, settings);
    const deactivate = activate(scene);
    try {
      const panel = panelsOf(scene).find((p) => p.state.title === 'Cost per tenant')!;
      const menu = panel.state.menu as VizPanelMenu;
      expect(menu.state.items!.map((i) => i.text)).toEqual(['View in dashboard', 'Inspect']);
    } finally {
      deactivate();
    }
  });

  it('projection panels look from now ahead and are refreshed with the page', async () => {
    const requests: DataQueryRequest[] = [];
    setPanelData(() => [], requests);
    const scene = buildPageScene(capacityPlanningPage, settings);
    const deactivate = activate(scene);
    try {
      const forecast = panelsOf(scene).find((p) => p.state.title === 'Storage forecast, next 90 days')!;
      const range = forecast.state.$timeRange as SceneTimeRange;
      expect(range.state).toMatchObject({ from: 'now', to: 'now+90d' });
      const days = (range.state.value.to.valueOf() - range.state.value.from.valueOf()) / 86_400_000;
      expect(days).toBeCloseTo(90, 3);
      const forecastRequests = () =>
        requests.filter((r) => r.targets.some((t) => (t as PrometheusTarget).expr.includes('@ start()')))
          .length;
      await waitFor(() => expect(forecastRequests()).toBeGreaterThan(0));
      const before = forecastRequests();
      (scene.state.$timeRange as SceneTimeRange).onRefresh();
      await waitFor(() => expect(forecastRequests()).toBeGreaterThan(before));
    } finally {
      deactivate();
    }
  });
});

describe('the exporter status banner', () => {
  it('follows the exporter on every refresh of the page, not only when the page opens', async () => {
    let up = 1;
    setPanelData(
      prometheusAnswers((target) => {
        if (target.refId === 'up') {
          return [
            {
              metric: { __name__: 'chom_exporter_up', job: 'chom-exporter', instance: 'exporter:9864' },
              value: up,
            },
          ];
        }
        if (target.refId === 'lastSuccess') {
          return [
            {
              metric: {
                __name__: 'chom_exporter_last_success_timestamp_seconds',
                job: 'chom-exporter',
                instance: 'exporter:9864',
              },
              value: NOW.getTime() / 1000 - 30,
            },
          ];
        }
        return [];
      }),
    );
    const scene = buildPageScene(costAnalysisPage, settings, () => NOW);
    render(<scene.Component model={scene} />);
    await screen.findByText('Total monthly cost', undefined, { timeout: 8000 });
    expect(screen.queryByTestId(testIds.app.health)).not.toBeInTheDocument();

    up = 0;
    (scene.state.$timeRange as SceneTimeRange).onRefresh();
    const banner = await screen.findByTestId(testIds.app.health, undefined, { timeout: 8000 });
    expect(banner).toHaveAttribute('data-status', 'down');

    up = 1;
    (scene.state.$timeRange as SceneTimeRange).onRefresh();
    await waitFor(() => expect(screen.queryByTestId(testIds.app.health)).not.toBeInTheDocument());
  });
});

describe('Cost per tenant in the scene', () => {
  it('joins the four queries into one row per tenant, whatever other labels each metric has', async () => {
    const requests: DataQueryRequest[] = [];
    const values: Record<string, Record<string, number>> = {
      A: { t1: 120, t2: 30 },
      B: { t1: 100, t2: 0 },
      C: { t1: -20, t2: -30 },
      D: { t1: 4, t2: 1 },
    };
    setPanelData(
      prometheusAnswers((target) =>
        Object.entries(values[target.refId] ?? {}).map(([tenant, value]) => ({
          // What the queries return: max by (tenant_id) (…) keeps tenant_id only; a raw series would
          // also carry __name__, job and instance.
          metric: { tenant_id: tenant },
          value,
        })),
      ),
      requests,
    );
    const scene = buildPageScene(costAnalysisPage, settings);
    const deactivate = activate(scene);
    try {
      const panel = panelsOf(scene).find((p) => p.state.title === 'Cost per tenant')!;
      const transformer = panel.state.$data as SceneDataTransformer;
      const table = await waitFor(
        () => {
          const frame = transformer.state.data?.series[0];
          expect(frame?.length).toBe(2);
          return frame!;
        },
        { timeout: 8000 },
      );
      expect(table.fields.map((f) => getFieldDisplayName(f, table))).toEqual([
        'Tenant',
        'Cost',
        'Revenue',
        'Margin',
        'Sites',
      ]);
      const rows = table.fields[0]!.values.map((tenant, i) => [
        tenant,
        ...table.fields.slice(1).map((f) => f.values[i]),
      ]);
      expect(rows.sort()).toEqual([
        ['t1', 120, 100, -20, 4],
        ['t2', 30, 0, -30, 1],
      ]);
      const request = requests.find((r) =>
        r.targets.some((t) => t.refId === 'D' && (t as PrometheusTarget).expr.includes('chom_tenant_sites')),
      )!;
      for (const target of request.targets as unknown as PrometheusTarget[]) {
        expect(target.expr).toContain(
          'topk($tenant_limit, max by (tenant_id) (chom:tenant_cost_monthly:sum_by_tenant',
        );
      }
    } finally {
      deactivate();
    }
  });
});
