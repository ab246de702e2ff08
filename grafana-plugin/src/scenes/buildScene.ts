import {
  ConstantVariable,
  DataSourceVariable,
  EmbeddedScene,
  QueryVariable,
  SceneControlsSpacer,
  SceneDataTransformer,
  SceneGridItem,
  SceneGridLayout,
  SceneQueryRunner,
  SceneRefreshPicker,
  SceneTimePicker,
  SceneTimeRange,
  SceneVariableSet,
  VariableValueSelectors,
  VizPanel,
  type SceneObject,
  type SceneVariable,
} from '@grafana/scenes';
import { VariableHide } from '@grafana/schema';
import type { DataTransformerConfig } from '@grafana/data';
import { RECOMMENDATIONS_GRID } from '../panels/capacityPlanning';
import {
  DATASOURCE_VARIABLE_REF,
  panelModel,
  prometheusTarget,
  type DisplayContext,
} from '../panels/panelModel';
import type { PageSpec, PanelSpec } from '../panels/types';
import { QUERIES, TENANT_QUERY } from '../queries';
import { ScalingRecommendations } from './ScalingRecommendations';
import { SIGNAL_REFS } from './signals';

export interface SceneSettings extends DisplayContext {
  datasourceUid: string;
  tenantLimit: number;
}

export function buildVariables(page: PageSpec, settings: SceneSettings): SceneVariable[] {
  const variables: SceneVariable[] = [
    new DataSourceVariable({
      name: 'datasource',
      label: 'Data source',
      pluginId: 'prometheus',
      value: settings.datasourceUid,
    }),
  ];
  if (page.tenantFilter) {
    variables.push(
      new QueryVariable({
        name: 'tenant',
        label: 'Tenant',
        datasource: DATASOURCE_VARIABLE_REF,
        query: { refId: 'tenants', query: TENANT_QUERY, qryType: 1 },
        definition: TENANT_QUERY,
        isMulti: true,
        includeAll: true,
        defaultToAll: true,
        allValue: '.*',
        refresh: 2,
        sort: 1,
      }),
      new ConstantVariable({
        name: 'tenant_limit',
        value: String(settings.tenantLimit),
        skipUrlSync: true,
        hide: VariableHide.hideVariable,
      }),
    );
  }
  return variables;
}

export function buildPanel(spec: PanelSpec, ctx: DisplayContext): VizPanel {
  const model = panelModel(spec, ctx);
  const queries = new SceneQueryRunner({
    datasource: DATASOURCE_VARIABLE_REF,
    queries: model.targets,
    maxDataPoints: 500,
  });
  return new VizPanel({
    key: spec.key,
    title: model.title,
    description: model.description,
    pluginId: model.pluginId,
    options: model.options,
    fieldConfig: model.fieldConfig as unknown as VizPanel['state']['fieldConfig'],
    $data:
      model.transformations.length > 0
        ? new SceneDataTransformer({
            $data: queries,
            transformations: model.transformations as DataTransformerConfig[],
          })
        : queries,
  });
}

/** The queries behind the scaling recommendations (refIds as SIGNAL_REFS). */
export function scalingRecommendationsQueries(): SceneQueryRunner {
  return new SceneQueryRunner({
    datasource: DATASOURCE_VARIABLE_REF,
    queries: [
      prometheusTarget(SIGNAL_REFS.capacityUsed, QUERIES.capacityUsedRatio),
      prometheusTarget(SIGNAL_REFS.daysUntilLimit, QUERIES.capacityDaysUntilLimit),
      prometheusTarget(SIGNAL_REFS.cpu, QUERIES.nodeCpu),
      prometheusTarget(SIGNAL_REFS.memory, QUERIES.nodeMemory),
      prometheusTarget(SIGNAL_REFS.filesystem, QUERIES.nodeFilesystem),
    ],
    maxDataPoints: 200,
  });
}

function gridItem(key: string, pos: { x: number; y: number; w: number; h: number }, body: SceneObject) {
  return new SceneGridItem({ key: `grid-${key}`, x: pos.x, y: pos.y, width: pos.w, height: pos.h, body });
}

/** The scene of one app page: time range, refresh, variables and the page's panels. */
export function buildPageScene(page: PageSpec, settings: SceneSettings, now?: () => Date): EmbeddedScene {
  const items = page.panels.map((spec) => gridItem(spec.key, spec.gridPos, buildPanel(spec, settings)));
  if (page.key === 'capacity-planning') {
    items.push(
      gridItem(
        'scaling-recommendations',
        RECOMMENDATIONS_GRID,
        new ScalingRecommendations({
          key: 'scaling-recommendations',
          title: 'Scaling recommendations',
          now,
          $data: scalingRecommendationsQueries(),
        }),
      ),
    );
  }
  return new EmbeddedScene({
    $timeRange: new SceneTimeRange({ from: 'now-7d', to: 'now' }),
    $variables: new SceneVariableSet({ variables: buildVariables(page, settings) }),
    controls: [
      new VariableValueSelectors({}),
      new SceneControlsSpacer(),
      new SceneTimePicker({ isOnCanvas: true }),
      new SceneRefreshPicker({
        isOnCanvas: true,
        refresh: '1m',
        intervals: ['30s', '1m', '5m', '15m', '1h'],
      }),
    ],
    body: new SceneGridLayout({ isDraggable: false, isResizable: false, isLazy: false, children: items }),
  });
}
