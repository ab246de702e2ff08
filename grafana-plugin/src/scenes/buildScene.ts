import { urlUtil } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import {
  ConstantVariable,
  DataSourceVariable,
  EmbeddedScene,
  QueryVariable,
  SceneControlsSpacer,
  SceneFlexItem,
  SceneFlexLayout,
  SceneGridItem,
  SceneGridLayout,
  SceneRefreshPicker,
  SceneTimePicker,
  SceneTimeRange,
  SceneVariableSet,
  VariableValueSelectors,
  VizPanel,
  VizPanelMenu,
  sceneGraph,
  type SceneObject,
  type SceneVariable,
} from '@grafana/scenes';
import { VariableHide } from '@grafana/schema';
import { DEFAULT_TIME_RANGE, DASHBOARD_TIME_ZONE } from '../constants';
import { buildVizPanel, DATASOURCE_VARIABLE_REF, type DisplayContext } from '../panels/build';
import type { PageSpec, PanelSpec } from '../panels/types';
import { TENANT_QUERY } from '../queries';
import { ExporterStatus, exporterStatusQueries } from './ExporterStatus';

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

/** The id a spec's panel has in the page's dashboard (the exporter status panel is 1). */
export const dashboardPanelId = (page: PageSpec, spec: PanelSpec) => page.panels.indexOf(spec) + 2;

/**
 * The panel menu of an app page panel: the same panel in the bundled dashboard, where Grafana's
 * panel view, inspector (data, query, JSON) and Explore are, with the page's time range and variables.
 */
function panelMenu(page: PageSpec, spec: PanelSpec): VizPanelMenu {
  const menu = new VizPanelMenu({});
  menu.addActivationHandler(() => {
    const id = dashboardPanelId(page, spec);
    const url = (extra: Record<string, string>) => {
      const range = sceneGraph.getTimeRange(menu).state;
      const variables: Record<string, string> = {};
      for (const name of ['datasource', 'tenant']) {
        const variable = sceneGraph.lookupVariable(name, menu);
        if (variable) {
          variables[`var-${name}`] = String(variable.getValue());
        }
      }
      return urlUtil.renderUrl(`/d/${page.dashboardUid}`, {
        from: range.from,
        to: range.to,
        ...variables,
        viewPanel: `panel-${id}`,
        ...extra,
      });
    };
    menu.setState({
      items: [
        { text: 'View in dashboard', iconClassName: 'eye', onClick: () => locationService.push(url({})) },
        {
          text: 'Inspect',
          iconClassName: 'info-circle',
          onClick: () => locationService.push(url({ inspect: `panel-${id}` })),
        },
      ],
    });
  });
  return menu;
}

export function buildPanel(page: PageSpec, spec: PanelSpec, ctx: DisplayContext): VizPanel {
  const panel = buildVizPanel(spec, ctx);
  panel.setState({ menu: panelMenu(page, spec) });
  return panel;
}

/**
 * Projection panels have a time range of their own (now to their horizon): when the page's range is
 * refreshed (picker, refresh button or interval), they are refreshed too, so "now" moves with it.
 */
function refreshProjections(scene: SceneObject) {
  const subscription = sceneGraph.getTimeRange(scene).subscribeToState(() => {
    for (const panel of sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel) as VizPanel[]) {
      if (panel.state.$timeRange instanceof SceneTimeRange) {
        panel.state.$timeRange.onRefresh();
      }
    }
  });
  return () => subscription.unsubscribe();
}

function gridItem(spec: PanelSpec, body: SceneObject) {
  const { x, y, w, h } = spec.gridPos;
  return new SceneGridItem({ key: `grid-${spec.key}`, x, y, width: w, height: h, body });
}

/** The scene of one app page: time range, refresh, variables, the exporter status and the page's panels. */
export function buildPageScene(page: PageSpec, settings: SceneSettings, now?: () => Date): EmbeddedScene {
  const items = page.panels.map((spec) => gridItem(spec, buildPanel(page, spec, settings)));
  return new EmbeddedScene({
    $timeRange: new SceneTimeRange({ ...DEFAULT_TIME_RANGE, timeZone: DASHBOARD_TIME_ZONE }),
    $variables: new SceneVariableSet({ variables: buildVariables(page, settings) }),
    $behaviors: [refreshProjections],
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
    body: new SceneFlexLayout({
      direction: 'column',
      children: [
        new SceneFlexItem({
          ySizing: 'content',
          body: new ExporterStatus({ key: 'exporter-status', now, $data: exporterStatusQueries() }),
        }),
        new SceneFlexItem({
          body: new SceneGridLayout({
            isDraggable: false,
            isResizable: false,
            isLazy: false,
            children: items,
          }),
        }),
      ],
    }),
  });
}
