import {
  FieldType,
  getFieldDisplayName,
  toDataFrame,
  type DataFrame,
  type DataQueryRequest,
} from '@grafana/data';
import {
  ConstantVariable,
  CustomVariable,
  DataSourceVariable,
  EmbeddedScene,
  QueryVariable,
  SceneDataTransformer,
  SceneQueryRunner,
  SceneRefreshPicker,
  SceneTimePicker,
  SceneVariableSet,
  VizPanel,
  sceneGraph,
} from '@grafana/scenes';
import { capacityPlanningPage } from '../panels/capacityPlanning';
import { costAnalysisPage } from '../panels/costAnalysis';
import { waitFor } from '@testing-library/react';
import {
  prometheusSettings,
  registerStandardTransformers,
  setDatasources,
  setFakePanelPlugins,
  setPanelData,
} from '../testing/runtime';

registerStandardTransformers();
setFakePanelPlugins();
import { buildPageScene, buildPanel, type SceneSettings } from './buildScene';
import { ScalingRecommendations } from './ScalingRecommendations';

const settings: SceneSettings = {
  datasourceUid: 'chom-prometheus',
  currency: 'EUR',
  budgetThresholds: [0.5, 0.75, 0.9, 1],
  tenantLimit: 25,
};

const panelsOf = (scene: EmbeddedScene) =>
  sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel) as VizPanel[];

function runnerOf(panel: VizPanel): SceneQueryRunner {
  const data = panel.state.$data;
  if (data instanceof SceneDataTransformer) {
    return data.state.$data as SceneQueryRunner;
  }
  return data as SceneQueryRunner;
}

describe('page scenes', () => {
  it.each([costAnalysisPage, capacityPlanningPage])(
    '$key: one panel per spec with its queries and units',
    (page) => {
      const scene = buildPageScene(page, settings);
      const panels = panelsOf(scene);
      expect(panels.map((p) => p.state.title)).toEqual(page.panels.map((p) => p.title));
      for (const [i, panel] of panels.entries()) {
        const spec = page.panels[i]!;
        expect(panel.state.pluginId).toBe(spec.type);
        const runner = runnerOf(panel);
        expect(runner.state.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(runner.state.queries.map((q) => q.refId)).toEqual(spec.targets.map((t) => t.refId));
        expect(panel.state.$data instanceof SceneDataTransformer).toBe(spec.type === 'table');
      }
    },
  );

  it('has a time range picker, refresh picker, a Prometheus datasource variable and the tenant filter', () => {
    const scene = buildPageScene(costAnalysisPage, settings);
    expect(scene.state.controls!.some((c) => c instanceof SceneTimePicker)).toBe(true);
    expect(scene.state.controls!.some((c) => c instanceof SceneRefreshPicker)).toBe(true);
    const variables = (scene.state.$variables as SceneVariableSet).state.variables;
    const datasource = variables.find((v) => v.state.name === 'datasource') as DataSourceVariable;
    expect(datasource).toBeInstanceOf(DataSourceVariable);
    expect(datasource.state.pluginId).toBe('prometheus');
    expect(datasource.state.value).toBe('chom-prometheus');
    const tenant = variables.find((v) => v.state.name === 'tenant') as QueryVariable;
    expect(tenant).toBeInstanceOf(QueryVariable);
    expect(tenant.state).toMatchObject({ includeAll: true, allValue: '.*', isMulti: true });
    expect(tenant.state.definition).toBe('label_values(chom_tenant_info, tenant_id)');
    const limit = variables.find((v) => v.state.name === 'tenant_limit') as ConstantVariable;
    expect(limit.getValue()).toBe('25');
  });

  it('capacity planning adds the scaling recommendations with their own queries', () => {
    const scene = buildPageScene(capacityPlanningPage, settings);
    const [recommendations] = sceneGraph.findAllObjects(scene, (o) => o instanceof ScalingRecommendations);
    expect(recommendations).toBeDefined();
    const runner = recommendations!.state.$data as SceneQueryRunner;
    expect(runner.state.queries.map((q) => (q as { expr?: string }).expr)).toEqual([
      'chom:capacity_used:ratio',
      'chom:capacity_days_until_limit:predict_linear',
      'chom:node_cpu_utilisation:ratio',
      'chom:node_memory_utilisation:ratio',
      'chom:node_filesystem_utilisation:ratio',
    ]);
  });
});

/** A Prometheus table-format frame: Time, the labels, and "Value #<refId>". */
function tableFrame(refId: string, rows: Array<[string, number]>, valueName = `Value #${refId}`): DataFrame {
  return toDataFrame({
    refId,
    fields: [
      { name: 'Time', type: FieldType.time, values: rows.map(() => 1_790_000_000_000) },
      { name: '__name__', type: FieldType.string, values: rows.map(() => 'x') },
      { name: 'job', type: FieldType.string, values: rows.map(() => 'chom-exporter') },
      { name: 'tenant_id', type: FieldType.string, values: rows.map((r) => r[0]) },
      { name: valueName, type: FieldType.number, values: rows.map((r) => r[1]) },
    ],
  });
}

describe('cost per tenant panel with data', () => {
  beforeEach(() => {
    setDatasources([prometheusSettings('chom-prometheus')]);
  });

  it('merges the four queries into one row per tenant with named columns, hiding other labels', async () => {
    const requests: DataQueryRequest[] = [];
    setPanelData(
      (request) =>
        request.targets.map((t) => {
          const values: Record<string, Array<[string, number]>> = {
            A: [
              ['t1', 120],
              ['t2', 30],
            ],
            B: [
              ['t1', 100],
              ['t2', 80],
            ],
            C: [
              ['t1', -20],
              ['t2', 50],
            ],
            D: [
              ['t1', 4],
              ['t2', 1],
            ],
          };
          return tableFrame(t.refId, values[t.refId]!);
        }),
      requests,
    );
    const spec = costAnalysisPage.panels.find((p) => p.key === 'cost-per-tenant')!;
    const panel = buildPanel(spec, settings);
    const scene = new EmbeddedScene({
      $variables: new SceneVariableSet({
        variables: [
          new DataSourceVariable({ name: 'datasource', pluginId: 'prometheus', value: 'chom-prometheus' }),
          new CustomVariable({
            name: 'tenant',
            query: 't1,t2',
            isMulti: true,
            includeAll: true,
            defaultToAll: true,
          }),
          new ConstantVariable({ name: 'tenant_limit', value: '25' }),
        ],
      }),
      body: panel,
    });
    const deactivate = scene.activate();
    const deactivatePanel = panel.activate();
    const transformer = panel.state.$data as SceneDataTransformer;
    const deactivateData = transformer.activate();
    try {
      const frames = await waitFor(
        () => {
          const series = transformer.state.data?.series ?? [];
          expect(series[0]?.fields.map((f) => getFieldDisplayName(f, series[0]!))).toContain('Cost');
          return series;
        },
        { timeout: 10000 },
      );
      expect(requests[0]!.targets.map((t) => (t as { expr?: string }).expr)).toContain(
        'topk($tenant_limit, chom:tenant_cost_monthly:sum_by_tenant{tenant_id=~"$tenant"})',
      );
      const table = frames[0]!;
      // organize renames through the display name (what the table header, sortBy and overrides use).
      expect(table.fields.map((f) => getFieldDisplayName(f, table))).toEqual([
        'tenant_id',
        'Cost',
        'Revenue',
        'Margin',
        'Sites',
      ]);
      const rows = table.fields[0]!.values.map((tenant, i) => [
        tenant,
        ...table.fields.slice(1).map((f) => f.values[i]),
      ]);
      expect(rows).toEqual([
        ['t1', 120, 100, -20, 4],
        ['t2', 30, 80, 50, 1],
      ]);
    } finally {
      deactivateData();
      deactivatePanel();
      deactivate();
    }
  });
});
