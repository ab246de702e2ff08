/**
 * What a panel spec means in Grafana terms: its Prometheus queries, transformations, units and
 * thresholds. Pure functions of @grafana/data only, so that the query tests can run a panel's real
 * transformations on real Prometheus answers (test/queries.test.ts); src/panels/build.ts turns them
 * into scene panels.
 */
import {
  FieldMatcherID,
  rangeUtil,
  ThresholdsMode,
  type DataTransformerConfig,
  type ThresholdsConfig,
} from '@grafana/data';
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
  /**
   * ISO code money is shown in. Undefined: the exporter's, read by each money panel from
   * `chom_exporter_info` (the dashboards, which cannot know it in advance).
   */
  currency?: string;
  budgetThresholds: number[];
}

/** The datasource every query uses: the page's `$datasource` variable, never a fixed UID. */
export const DATASOURCE_VARIABLE_REF = { type: 'prometheus', uid: '${datasource}' };

/** The refId of the query that carries the exporter's currency unit to money panels. */
export const CURRENCY_REF = 'currency';

/** Money when the exporter's currency is not known (no chom_exporter_info series). */
const FALLBACK_MONEY_UNIT = 'currencyUSD';

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
      return ctx.currency ? currencyUnit(ctx.currency) : FALLBACK_MONEY_UNIT;
    case 'roi':
      return 'suffix:×';
    case 'date':
      return 'time:YYYY-MM-DD';
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
    case 'priority':
      return steps('green', [1, 'blue'], [2, 'orange'], [3, 'red']);
  }
}

/** Whether a panel shows money in the exporter's currency, read from the data. */
export function moneyFromData(spec: PanelSpec, ctx: DisplayContext): boolean {
  if (ctx.currency) {
    return false;
  }
  return spec.unit === 'money' || (spec.columns ?? []).some((c) => c.unit === 'money');
}

/** The queries of a panel, with the currency query for money panels that read it from the data. */
export function panelTargets(spec: PanelSpec, ctx: DisplayContext): PrometheusTarget[] {
  const targets = spec.targets.map((t) => prometheusTarget(t.refId, QUERIES[t.query]));
  return moneyFromData(spec, ctx)
    ? [...targets, prometheusTarget(CURRENCY_REF, QUERIES.currencyUnit)]
    : targets;
}

/**
 * Name of the value column of a Prometheus table-format query: `Value #<refId>` when the response has
 * more than one table-format query, else `Value` (@grafana/prometheus transformDFToTable).
 */
export function valueColumnName(refId: string, targets: PrometheusTarget[]): string {
  const tableRefIds = new Set(targets.filter((t) => t.format === 'table').map((t) => t.refId));
  return tableRefIds.size > 1 ? `Value #${refId}` : 'Value';
}

/**
 * Grafana's "Config from query results": the money fields take the unit the currency query returns
 * (its `unit` label); the currency frame itself is removed.
 */
function currencyFromData(applyTo: { id: string; options: unknown }): DataTransformerConfig {
  return {
    id: 'configFromData',
    options: {
      configRefId: CURRENCY_REF,
      // Fields without a mapping use the handler of their lower-cased name; the other fields of the
      // currency frame (Time, currency, Value) have none and are ignored.
      mappings: [{ fieldName: 'unit', handlerKey: 'unit', reducerId: 'lastNotNull' }],
      applyTo,
    },
  };
}

/**
 * The transformations of a panel. Tables: keep the label and value columns of every query (which
 * drops `__name__`, `job`, `instance`…), join the queries on the row key (the first label column),
 * then rename and order the columns.
 */
export function panelTransformations(spec: PanelSpec, ctx: DisplayContext): DataTransformerConfig[] {
  const targets = panelTargets(spec, ctx);
  const fromData = moneyFromData(spec, ctx);
  if (spec.type !== 'table') {
    return fromData ? [currencyFromData({ id: FieldMatcherID.byType, options: 'number' })] : [];
  }
  const columns = spec.columns ?? [];
  const labels = spec.labelColumns ?? [];
  const valueNames = columns.map((c) => valueColumnName(c.refId, targets));
  const keep = [...labels.map((l) => l.label), ...valueNames];
  const money = columns.flatMap((c, i) => (c.unit === 'money' ? [valueNames[i]!] : []));
  return [
    ...(fromData
      ? [currencyFromData({ id: FieldMatcherID.byNames, options: { mode: 'include', names: money } })]
      : []),
    { id: 'filterFieldsByName', options: { include: { names: keep } } },
    ...(spec.targets.length > 1 && labels[0]
      ? [{ id: 'joinByField', options: { byField: labels[0].label, mode: 'outer' } }]
      : []),
    {
      id: 'organize',
      options: {
        excludeByName: {},
        indexByName: Object.fromEntries(keep.map((name, i) => [name, i])),
        renameByName: {
          ...Object.fromEntries(labels.map((l) => [l.label, l.name])),
          ...Object.fromEntries(columns.map((c, i) => [valueNames[i], c.name])),
        },
      },
    },
  ];
}

/** The time range of a projection panel: from now to `ahead`, as Grafana reads a `timeFrom` of `+<ahead>`. */
export function projectionTimeRange(ahead: string) {
  const range = rangeUtil.describeTextRange(`+${ahead}`);
  return { from: range.from, to: range.to, display: range.display };
}
