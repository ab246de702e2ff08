/**
 * Builds the panels of a page spec with the typed PanelBuilders of @grafana/scenes. The same panels
 * are shown on the app pages and serialised into the bundled dashboards (src/dashboards/generate.ts).
 */
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
import {
  DATASOURCE_VARIABLE_REF,
  moneyFromData,
  panelTargets,
  panelTransformations,
  projectionTimeRange,
  thresholdsFor,
  unitFor,
  type DisplayContext,
} from './model';
import type { PanelSpec } from './types';

export { DATASOURCE_VARIABLE_REF, prometheusTarget, type DisplayContext } from './model';

const REDUCE_LAST = { calcs: ['lastNotNull'], fields: '', values: false };

// VizPanelBuilder is generic over each panel's option types; past the type-specific options below,
// the common settings are the same for all.
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
