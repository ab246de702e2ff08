import crypto from 'node:crypto';
import { SceneDataTransformer, type SceneQueryRunner } from '@grafana/scenes';
import {
  DASHBOARD_TIME_ZONE,
  DEFAULT_BUDGET_THRESHOLDS,
  DEFAULT_DATASOURCE_UID,
  DEFAULT_TIME_RANGE,
  PLUGIN_BASE_URL,
} from '../constants';
import { DEFAULT_TENANT_LIMIT } from '../config';
import {
  buildVizPanel,
  DATASOURCE_VARIABLE_REF,
  prometheusTarget,
  type DisplayContext,
} from '../panels/build';
import { capacityPlanningPage } from '../panels/capacityPlanning';
import { costAnalysisPage } from '../panels/costAnalysis';
import type { PageSpec, PanelSpec } from '../panels/types';
import { QUERIES, TENANT_QUERY } from '../queries';
import { dashboardPanelId } from '../scenes/buildScene';

/**
 * Dashboards cannot know the exporter's currency in advance: money panels read it from
 * `chom_exporter_info` (configFromData). Budget gauges use the exporter's default thresholds.
 */
export const DASHBOARD_DISPLAY: DisplayContext = {
  currency: undefined,
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
      // The provisioned datasource (provisioning/datasources/prometheus.yml); Grafana falls back to the
      // default Prometheus datasource when there is none with this UID.
      current: { selected: true, text: 'Prometheus', value: DEFAULT_DATASOURCE_UID },
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
        datasource: DATASOURCE_VARIABLE_REF,
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
    datasource: DATASOURCE_VARIABLE_REF,
    gridPos: { x: 0, y, w: 24, h: 3 },
    targets: [prometheusTarget('A', QUERIES.exporterUp)],
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

const STATUS_HEIGHT = 3;

/** A page's panel as dashboard JSON: the scene panel the app page shows, serialised. */
export function dashboardPanel(page: PageSpec, spec: PanelSpec, display: DisplayContext = DASHBOARD_DISPLAY) {
  const panel = buildVizPanel(spec, display);
  const data = panel.state.$data;
  const runner = (data instanceof SceneDataTransformer ? data.state.$data : data) as SceneQueryRunner;
  return {
    id: dashboardPanelId(page, spec),
    type: panel.state.pluginId,
    title: panel.state.title,
    description: panel.state.description,
    datasource: DATASOURCE_VARIABLE_REF,
    gridPos: { ...spec.gridPos, y: spec.gridPos.y + STATUS_HEIGHT },
    // Projection panels: Grafana reads "+90d" as the range from now to 90 days ahead.
    ...(spec.ahead ? { timeFrom: `+${spec.ahead}` } : {}),
    targets: runner.state.queries,
    options: panel.state.options,
    fieldConfig: panel.state.fieldConfig,
    transformations: data instanceof SceneDataTransformer ? data.state.transformations : [],
  };
}

/** The dashboard JSON of a page, without its revision. */
export function dashboardFor(page: PageSpec, display: DisplayContext = DASHBOARD_DISPLAY) {
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
    time: DEFAULT_TIME_RANGE,
    timepicker: {},
    timezone: DASHBOARD_TIME_ZONE,
    templating: templating(page),
    annotations: { list: [] },
    links: [
      {
        title: 'CHOM FinOps app',
        type: 'link',
        url: `${PLUGIN_BASE_URL}/${page.key}`,
        icon: 'apps',
        targetBlank: false,
        asDropdown: false,
        includeVars: true,
        keepTime: true,
        tags: [],
      },
    ],
    panels: [statusPanel(1, 0), ...page.panels.map((spec) => dashboardPanel(page, spec, display))],
  };
}

export interface RevisionRecord {
  revision: number;
  /** sha256 of the dashboard JSON without its revision. */
  sha256: string;
}

export const contentHash = (dashboard: object) =>
  crypto.createHash('sha256').update(JSON.stringify(dashboard)).digest('hex');

/**
 * File name → dashboard JSON text, as committed in src/dashboards, and the revisions to record.
 * Grafana re-imports a plugin's dashboard when its `revision` differs from the imported one, so a
 * changed dashboard gets the next revision.
 */
export function generateDashboards(recorded: Record<string, RevisionRecord>) {
  const files: Record<string, string> = {};
  const revisions: Record<string, RevisionRecord> = {};
  for (const [file, page] of Object.entries(DASHBOARD_FILES)) {
    const dashboard = dashboardFor(page);
    const sha256 = contentHash(dashboard);
    const previous = recorded[file];
    const revision = !previous ? 1 : previous.sha256 === sha256 ? previous.revision : previous.revision + 1;
    revisions[file] = { revision, sha256 };
    files[file] = JSON.stringify({ ...dashboard, revision }, null, 2) + '\n';
  }
  return { files, revisions };
}
