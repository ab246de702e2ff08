import { ThresholdsMode, type ThresholdsConfig } from '@grafana/data';
import { ALLOCATION_COVERAGE_TARGET } from '../constants';
import { budgetThresholdSteps } from '../domain/budget';
import { currencyUnit } from '../domain/currency';
import {
  PLAN_DAYS,
  PLAN_RATIO,
  REVIEW_DAYS,
  SCALE_NOW_DAYS,
  SCALE_NOW_RATIO,
} from '../domain/recommendations';
import { QUERIES, type PromQuery } from '../queries';
import type { PanelSpec, ThresholdKind, UnitKind } from './types';

/** What the panels need to know about the app settings and the exporter. */
export interface DisplayContext {
  currency: string;
  budgetThresholds: number[];
}

/** The datasource every query uses: the page's `$datasource` variable, never a fixed UID. */
export const DATASOURCE_VARIABLE_REF = { type: 'prometheus', uid: '${datasource}' };

export interface PrometheusTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
  instant: boolean;
  range: boolean;
  format: 'time_series' | 'table';
  editorMode: 'code';
  datasource: { type: string; uid: string };
}

/** Plain panel model (dashboard JSON shape), from which both the scenes and the dashboards are built. */
export interface PanelModelParts {
  pluginId: string;
  title: string;
  description: string;
  targets: PrometheusTarget[];
  options: Record<string, unknown>;
  fieldConfig: { defaults: Record<string, unknown>; overrides: Array<Record<string, unknown>> };
  transformations: Array<{ id: string; options: Record<string, unknown> }>;
}

export function prometheusTarget(refId: string, query: PromQuery): PrometheusTarget {
  const instant = query.instant === true;
  return {
    refId,
    expr: query.expr,
    ...(query.legendFormat ? { legendFormat: query.legendFormat } : {}),
    instant,
    range: !instant,
    format: query.format ?? 'time_series',
    editorMode: 'code',
    datasource: DATASOURCE_VARIABLE_REF,
  };
}

export function unitFor(kind: UnitKind, ctx: DisplayContext): string {
  switch (kind) {
    case 'money':
      return currencyUnit(ctx.currency);
    case 'roi':
      return 'suffix:×';
    default:
      return kind;
  }
}

function steps(base: string, ...rest: Array<[number, string]>): ThresholdsConfig {
  return {
    mode: ThresholdsMode.Absolute,
    steps: [{ value: -Infinity, color: base }, ...rest.map(([value, color]) => ({ value, color }))],
  };
}

export function thresholdsFor(kind: ThresholdKind, ctx: DisplayContext): ThresholdsConfig {
  switch (kind) {
    case 'budget':
      return budgetThresholdSteps(ctx.budgetThresholds);
    case 'allocation':
      return steps(
        'red',
        [Math.round((ALLOCATION_COVERAGE_TARGET - 0.2) * 100) / 100, 'orange'],
        [ALLOCATION_COVERAGE_TARGET, 'green'],
      );
    case 'utilisation':
      return steps('green', [PLAN_RATIO, 'orange'], [SCALE_NOW_RATIO, 'red']);
    case 'headroom':
      return steps('red', [1 - SCALE_NOW_RATIO, 'orange'], [1 - PLAN_RATIO, 'green']);
    case 'days':
      return steps('red', [SCALE_NOW_DAYS, 'orange'], [PLAN_DAYS, 'yellow'], [REVIEW_DAYS, 'green']);
    case 'margin':
      return steps('red', [0, 'green']);
    case 'roi':
      return steps('red', [1, 'green']);
  }
}

/** Name Grafana gives the value column of a Prometheus table-format query. */
export function valueColumnName(refId: string, targetCount: number): string {
  return targetCount > 1 ? `Value #${refId}` : 'Value';
}

const REDUCE_LAST = { calcs: ['lastNotNull'], fields: '', values: false };

function optionsFor(spec: PanelSpec): Record<string, unknown> {
  switch (spec.type) {
    case 'stat':
      return {
        reduceOptions: REDUCE_LAST,
        colorMode: spec.thresholds ? 'value' : 'none',
        graphMode: 'area',
        textMode: 'value_and_name',
        justifyMode: 'auto',
        orientation: 'auto',
      };
    case 'gauge':
      return { reduceOptions: REDUCE_LAST, showThresholdMarkers: true, showThresholdLabels: false };
    case 'bargauge':
      return {
        reduceOptions: REDUCE_LAST,
        displayMode: 'gradient',
        orientation: 'horizontal',
        showUnfilled: true,
      };
    case 'piechart':
      return {
        reduceOptions: REDUCE_LAST,
        pieType: 'donut',
        legend: { showLegend: true, displayMode: 'table', placement: 'right', values: ['value', 'percent'] },
        tooltip: { mode: 'single', sort: 'none' },
      };
    case 'timeseries':
      return {
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
        tooltip: { mode: 'multi', sort: 'none' },
      };
    case 'table':
      return {
        showHeader: true,
        cellHeight: 'sm',
        ...(spec.sortBy ? { sortBy: [{ displayName: spec.sortBy, desc: !spec.sortAscending }] } : {}),
      };
  }
}

function tableTransformations(spec: PanelSpec): PanelModelParts['transformations'] {
  const columns = spec.columns ?? [];
  const labels = spec.labelColumns ?? [];
  const valueNames = columns.map((c) => valueColumnName(c.refId, spec.targets.length));
  const keep = [...labels, ...valueNames];
  return [
    { id: 'merge', options: {} },
    { id: 'filterFieldsByName', options: { include: { names: keep } } },
    {
      id: 'organize',
      options: {
        excludeByName: {},
        indexByName: Object.fromEntries(keep.map((name, i) => [name, i])),
        renameByName: Object.fromEntries(columns.map((c, i) => [valueNames[i], c.name])),
      },
    },
  ];
}

function overridesFor(spec: PanelSpec, ctx: DisplayContext): PanelModelParts['fieldConfig']['overrides'] {
  const overrides: PanelModelParts['fieldConfig']['overrides'] = [];
  for (const column of spec.columns ?? []) {
    const properties: Array<{ id: string; value: unknown }> = [
      { id: 'unit', value: unitFor(column.unit, ctx) },
    ];
    if (column.thresholds) {
      properties.push(
        { id: 'thresholds', value: thresholdsFor(column.thresholds, ctx) },
        { id: 'custom.cellOptions', value: { type: 'color-text' } },
      );
    }
    overrides.push({ matcher: { id: 'byName', options: column.name }, properties });
  }
  if (spec.dashed && spec.dashed.length > 0) {
    const pattern = `.*(${spec.dashed.map((d) => d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')}).*`;
    overrides.push({
      matcher: { id: 'byRegexp', options: pattern },
      properties: [
        { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
        { id: 'custom.fillOpacity', value: 0 },
      ],
    });
  }
  return overrides;
}

function customFor(spec: PanelSpec): Record<string, unknown> | undefined {
  if (spec.type === 'timeseries') {
    return {
      drawStyle: 'line',
      lineWidth: 2,
      fillOpacity: 10,
      showPoints: 'never',
      spanNulls: true,
      thresholdsStyle: { mode: spec.thresholds ? 'line' : 'off' },
    };
  }
  if (spec.type === 'table') {
    return { filterable: true, align: 'auto', cellOptions: { type: 'auto' } };
  }
  return undefined;
}

/** The complete panel model of a spec: queries, units, thresholds, transformations, options. */
export function panelModel(spec: PanelSpec, ctx: DisplayContext): PanelModelParts {
  const custom = customFor(spec);
  const defaults: Record<string, unknown> = {
    unit: unitFor(spec.unit, ctx),
    ...(spec.thresholds ? { thresholds: thresholdsFor(spec.thresholds, ctx) } : {}),
    ...(spec.thresholds ? { color: { mode: 'thresholds' } } : { color: { mode: 'palette-classic' } }),
    ...(spec.min !== undefined ? { min: spec.min } : {}),
    ...(spec.max !== undefined ? { max: spec.max } : {}),
    ...(spec.decimals !== undefined ? { decimals: spec.decimals } : {}),
    ...(spec.noValue ? { noValue: spec.noValue } : {}),
    ...(custom ? { custom } : {}),
  };
  return {
    pluginId: spec.type,
    title: spec.title,
    description: spec.description,
    targets: spec.targets.map((t) => prometheusTarget(t.refId, QUERIES[t.query])),
    options: optionsFor(spec),
    fieldConfig: { defaults, overrides: overridesFor(spec, ctx) },
    transformations: spec.type === 'table' ? tableTransformations(spec) : [],
  };
}
