import type { ValueMapping } from '@grafana/data';
import type { QueryName } from '../queries';

export type PanelType = 'stat' | 'gauge' | 'timeseries' | 'table' | 'piechart' | 'bargauge';

/**
 * `money` is in the display currency: a fixed Grafana unit when the app configures one, else the unit
 * of the exporter's currency taken from the data (`chom_exporter_info`). The rest are Grafana unit ids.
 */
export type UnitKind = 'money' | 'percentunit' | 'bytes' | 'short' | 'd' | 'roi' | 'date';

export type ThresholdKind =
  'budget' | 'allocation' | 'utilisation' | 'headroom' | 'days' | 'margin' | 'roi' | 'priority';

export interface PanelTarget {
  refId: string;
  query: QueryName;
}

/** A value column of a table panel: the `Value #<refId>` of an instant table query, renamed. */
export interface TableColumn {
  refId: string;
  name: string;
  unit: UnitKind;
  thresholds?: ThresholdKind;
  /** Value mappings (e.g. a priority number shown as text). */
  mappings?: ValueMapping[];
}

/** A label column of a table panel, renamed and optionally mapped to readable text. */
export interface LabelColumn {
  label: string;
  name: string;
  mappings?: ValueMapping[];
}

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PanelSpec {
  key: string;
  title: string;
  description: string;
  type: PanelType;
  unit: UnitKind;
  targets: PanelTarget[];
  thresholds?: ThresholdKind;
  min?: number;
  max?: number;
  decimals?: number;
  /** What a stat/gauge shows when the query returns nothing. */
  noValue?: string;
  /**
   * Tables: the label columns, in order; the first is the row key the queries are joined on (every
   * query of a table returns one series per key). Other labels are hidden.
   */
  labelColumns?: LabelColumn[];
  /** Tables: the value columns, one per query. */
  columns?: TableColumn[];
  /** Column a table is sorted by initially (descending). */
  sortBy?: string;
  /** Sort ascending instead of descending. */
  sortAscending?: boolean;
  /** Legend entries drawn as dashed reference lines (budget, limits, projections). */
  dashed?: string[];
  /**
   * A projection panel: its time range runs from now to `ahead` (e.g. `31d`), whatever the page's
   * range, and its queries are pinned to its start (`@ start()`).
   */
  ahead?: string;
  gridPos: GridPos;
}

export interface PageSpec {
  key: 'cost-analysis' | 'capacity-planning';
  title: string;
  subTitle: string;
  dashboardUid: string;
  dashboardTitle: string;
  /** Whether the page has the tenant filter (only pages with per-tenant panels). */
  tenantFilter: boolean;
  panels: PanelSpec[];
}
