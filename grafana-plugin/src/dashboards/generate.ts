import { capacityPlanningPage } from '../panels/capacityPlanning';
import { costAnalysisPage } from '../panels/costAnalysis';
import { panelModel, type DisplayContext } from '../panels/panelModel';
import type { PageSpec } from '../panels/types';
import { QUERIES, TENANT_QUERY } from '../queries';
import { DEFAULT_BUDGET_THRESHOLDS } from '../constants';
import { DEFAULT_TENANT_LIMIT } from '../config';

/** Dashboards display money in USD (units cannot be variables); the app pages follow the configured currency. */
export const DASHBOARD_DISPLAY: DisplayContext = {
  currency: 'USD',
  budgetThresholds: DEFAULT_BUDGET_THRESHOLDS,
};

export const DASHBOARD_FILES: Record<string, PageSpec> = {
  'cost-analysis.json': costAnalysisPage,
  'capacity-planning.json': capacityPlanningPage,
};

function templating(page: PageSpec) {
  const list: Array<Record<string, unknown>> = [
    {
      name: 'datasource',
      label: 'Data source',
      type: 'datasource',
      query: 'prometheus',
      current: {},
      hide: 0,
      refresh: 1,
      regex: '',
      options: [],
    },
  ];
  if (page.tenantFilter) {
    list.push(
      {
        name: 'tenant',
        label: 'Tenant',
        type: 'query',
        datasource: { type: 'prometheus', uid: '${datasource}' },
        definition: TENANT_QUERY,
        query: { query: TENANT_QUERY, refId: 'tenants', qryType: 1 },
        includeAll: true,
        allValue: '.*',
        multi: true,
        current: { selected: true, text: ['All'], value: ['$__all'] },
        refresh: 2,
        sort: 1,
        hide: 0,
        regex: '',
        options: [],
      },
      {
        name: 'tenant_limit',
        type: 'constant',
        query: String(DEFAULT_TENANT_LIMIT),
        hide: 2,
        skipUrlSync: true,
      },
    );
  }
  return { list };
}

/** The exporter status panel every dashboard starts with (the app pages show a banner instead). */
function statusPanel(id: number, y: number) {
  return {
    id,
    type: 'stat',
    title: 'Exporter',
    description:
      'chom_exporter_up: 1 when the last collection succeeded. No value: the exporter is not scraped.',
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { x: 0, y, w: 24, h: 3 },
    targets: [
      {
        refId: 'A',
        expr: QUERIES.exporterUp.expr,
        instant: true,
        range: false,
        format: 'time_series',
        editorMode: 'code',
        datasource: { type: 'prometheus', uid: '${datasource}' },
      },
    ],
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'background',
      graphMode: 'none',
      textMode: 'value',
    },
    fieldConfig: {
      defaults: {
        noValue: 'No data yet: the CHOM exporter is not scraped',
        mappings: [
          { type: 'value', options: { '0': { text: 'Down: last collection failed', color: 'red' } } },
          { type: 'value', options: { '1': { text: 'Up', color: 'green' } } },
        ],
        color: { mode: 'fixed', fixedColor: 'blue' },
      },
      overrides: [],
    },
  };
}

export function dashboardFor(page: PageSpec, display: DashboardDisplay = DASHBOARD_DISPLAY) {
  const statusHeight = 3;
  const panels = [
    statusPanel(1, 0),
    ...page.panels.map((spec, i) => {
      const model = panelModel(spec, display);
      return {
        id: i + 2,
        type: model.pluginId,
        title: model.title,
        description: model.description,
        datasource: { type: 'prometheus', uid: '${datasource}' },
        gridPos: { ...spec.gridPos, y: spec.gridPos.y + statusHeight },
        targets: model.targets,
        options: model.options,
        fieldConfig: model.fieldConfig,
        transformations: model.transformations,
      };
    }),
  ];
  return {
    uid: page.dashboardUid,
    title: page.dashboardTitle,
    description: page.subTitle,
    tags: ['chom', 'finops'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 41,
    version: 1,
    refresh: '1m',
    time: { from: 'now-7d', to: 'now' },
    timepicker: {},
    timezone: 'utc',
    templating: templating(page),
    annotations: { list: [] },
    links: [
      {
        title: 'CHOM FinOps app',
        type: 'link',
        url: `/a/chom-finops-app/${page.key}`,
        icon: 'apps',
        targetBlank: false,
        asDropdown: false,
        includeVars: false,
        keepTime: true,
        tags: [],
      },
    ],
    panels,
  };
}

type DashboardDisplay = DisplayContext;

/** File name → dashboard JSON text, as committed in src/dashboards. */
export function generateDashboards(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(DASHBOARD_FILES).map(([file, page]) => [
      file,
      JSON.stringify(dashboardFor(page), null, 2) + '\n',
    ]),
  );
}
