/**
 * Builds the panels of a page spec with the typed PanelBuilders of @grafana/scenes. The same panels
 * are shown on the app pages and serialised into the bundled dashboards (src/dashboards/generate.ts).
 */
import {
  FieldMatcherID,
  rangeUtil,
  ThresholdsMode,
  type DataTransformerConfig,
  type ThresholdsConfig,
} from '@grafana/data';
import {
  PanelBuilders,
  SceneDataTransformer,
  SceneQueryRunner,
  SceneTimeRange,
  type VizPanel,
  type VizPanelBuilder,
} from '@grafana/scenes';
import {
  BarGaugeDisplayMode,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  GraphDrawStyle,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  SortOrder,
  TableCellDisplayMode,
  TableCellHeight,
  TooltipDisplayMode,
  VisibilityMode,
  VizOrientation,
} from '@grafana/schema';
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
function moneyFromData(spec: PanelSpec, ctx: DisplayContext): boolean {
  if (ctx.currency) {
    return false;
  }
  return spec.unit === 'money' || (spec.columns ?? []).some((c) => c.unit === 'money');
}

/** The queries of a panel, with the currency query for money panels that read it from the data. */
export function panelTargets(spec: PanelSpec, ctx: DisplayContext): PrometheusTarget[] {
  const targets = spec.targets.map((t) => prometheusTarget(t.refId, QUERIES[t.query]));
  return moneyFromData(spec, ctx) ? [...targets, prometheusTarget(CURRENCY_REF, QUERIES.currencyUnit)] : targets;
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

const REDUCE_LAST = { calcs: ['lastNotNull'], fields: '', values: false };

// VizPanelBuilder is generic over each panel's option types; past the type-specific options below,
// the common settings are the same for all.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyBuilder = VizPanelBuilder<any, any>;

function typedBuilder(spec: PanelSpec): AnyBuilder {
  switch (spec.type) {
    case 'stat':
      return PanelBuilders.stat()
        .setOption('reduceOptions', REDUCE_LAST)
        .setOption('colorMode', spec.thresholds ? BigValueColorMode.Value : BigValueColorMode.None)
        .setOption('graphMode', BigValueGraphMode.Area)
        .setOption('textMode', BigValueTextMode.ValueAndName)
        .setOption('justifyMode', BigValueJustifyMode.Auto)
        .setOption('orientation', VizOrientation.Auto);
    case 'gauge':
      return PanelBuilders.gauge()
        .setOption('reduceOptions', REDUCE_LAST)
        .setOption('showThresholdMarkers', true)
        .setOption('showThresholdLabels', false);
    case 'bargauge':
      return PanelBuilders.bargauge()
        .setOption('reduceOptions', REDUCE_LAST)
        .setOption('displayMode', BarGaugeDisplayMode.Gradient)
        .setOption('orientation', VizOrientation.Horizontal)
        .setOption('showUnfilled', true);
    case 'piechart':
      return (
        PanelBuilders.piechart()
          .setOption('reduceOptions', REDUCE_LAST)
          // PieChartType is not exported from @grafana/schema's root; 'donut' is its value.
          .setOption('pieType', 'donut' as never)
          .setOption('legend', {
            showLegend: true,
            displayMode: LegendDisplayMode.Table,
            placement: 'right',
            values: ['value', 'percent'] as never,
          })
          .setOption('tooltip', { mode: TooltipDisplayMode.Single, sort: SortOrder.None })
      );
    case 'timeseries':
      return PanelBuilders.timeseries()
        .setOption('legend', {
          showLegend: true,
          displayMode: LegendDisplayMode.List,
          placement: 'bottom',
          calcs: [],
        })
        .setOption('tooltip', { mode: TooltipDisplayMode.Multi, sort: SortOrder.None })
        .setCustomFieldConfig('drawStyle', GraphDrawStyle.Line)
        .setCustomFieldConfig('lineWidth', 2)
        .setCustomFieldConfig('fillOpacity', 10)
        .setCustomFieldConfig('showPoints', VisibilityMode.Never)
        .setCustomFieldConfig('spanNulls', true)
        .setCustomFieldConfig('thresholdsStyle', {
          mode: spec.thresholds ? GraphThresholdsStyleMode.Line : GraphThresholdsStyleMode.Off,
        });
    case 'table':
      return PanelBuilders.table()
        .setOption('showHeader', true)
        .setOption('cellHeight', TableCellHeight.Sm)
        .setOption('sortBy', spec.sortBy ? [{ displayName: spec.sortBy, desc: !spec.sortAscending }] : [])
        .setCustomFieldConfig('filterable', true)
        .setCustomFieldConfig('align', 'auto')
        .setCustomFieldConfig('cellOptions', { type: TableCellDisplayMode.Auto });
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The panel of a spec: queries, transformations, units, thresholds, options, overrides. */
export function buildVizPanel(spec: PanelSpec, ctx: DisplayContext): VizPanel {
  const builder = typedBuilder(spec)
    .setTitle(spec.title)
    .setDescription(spec.description)
    .setUnit(unitFor(spec.unit, ctx))
    .setColor({ mode: spec.thresholds ? 'thresholds' : 'palette-classic' });
  if (spec.thresholds) {
    builder.setThresholds(thresholdsFor(spec.thresholds, ctx));
  }
  if (spec.min !== undefined) {
    builder.setMin(spec.min);
  }
  if (spec.max !== undefined) {
    builder.setMax(spec.max);
  }
  if (spec.decimals !== undefined) {
    builder.setDecimals(spec.decimals);
  }
  if (spec.noValue) {
    builder.setNoValue(spec.noValue);
  }
  const fromData = moneyFromData(spec, ctx);
  builder.setOverrides((b) => {
    for (const label of spec.labelColumns ?? []) {
      if (label.mappings) {
        b.matchFieldsWithName(label.name).overrideMappings(label.mappings);
      }
    }
    for (const column of spec.columns ?? []) {
      // Money read from the data keeps the unit configFromData gives it (an override would win).
      const unit = column.unit === 'money' && fromData ? undefined : unitFor(column.unit, ctx);
      if (!unit && !column.mappings && !column.thresholds) {
        continue;
      }
      b.matchFieldsWithName(column.name);
      if (unit) {
        b.overrideUnit(unit);
      }
      if (column.mappings) {
        b.overrideMappings(column.mappings);
      }
      if (column.thresholds) {
        b.overrideThresholds(thresholdsFor(column.thresholds, ctx)).overrideCustomFieldConfig('cellOptions', {
          type: TableCellDisplayMode.ColorText,
        });
      }
    }
    if (spec.dashed && spec.dashed.length > 0) {
      b.matchFieldsWithNameByRegex(`.*(${spec.dashed.map(escapeRegExp).join('|')}).*`)
        .overrideCustomFieldConfig('lineStyle', { fill: 'dash', dash: [10, 10] })
        .overrideCustomFieldConfig('fillOpacity', 0);
    }
  });

  const queries = new SceneQueryRunner({
    datasource: DATASOURCE_VARIABLE_REF,
    queries: panelTargets(spec, ctx),
    maxDataPoints: 500,
  });
  const transformations = panelTransformations(spec, ctx);
  builder.setData(
    transformations.length > 0 ? new SceneDataTransformer({ $data: queries, transformations }) : queries,
  );
  if (spec.ahead) {
    const { from, to } = projectionTimeRange(spec.ahead);
    builder.setTimeRange(new SceneTimeRange({ from, to, timeZone: 'utc' }));
  }
  const panel = builder.build();
  panel.setState({ key: spec.key });
  return panel;
}
