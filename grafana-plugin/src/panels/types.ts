import type { QueryName } from '../queries';

export type PanelType = 'stat' | 'gauge' | 'timeseries' | 'table' | 'piechart' | 'bargauge';

/** `money` becomes the display currency's Grafana unit; the rest are Grafana unit ids. */
export type UnitKind = 'money' | 'percentunit' | 'bytes' | 'short' | 'd' | 'roi';

export type ThresholdKind = 'budget' | 'allocation' | 'utilisation' | 'headroom' | 'days' | 'margin' | 'roi';

export interface PanelTarget {
  refId: string;
  query: QueryName;
}

/** A column of a table panel built from instant queries: `Value #<refId>` renamed and formatted. */
export interface TableColumn {
  refId: string;
  name: string;
  unit: UnitKind;
  thresholds?: ThresholdKind;
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
  /** Label columns to keep, in order, for tables (the rest of the labels are hidden). */
  labelColumns?: string[];
  /** Value columns for tables (merged from several instant queries). */
  columns?: TableColumn[];
  /** Column a table is sorted by initially (descending). */
  sortBy?: string;
  /** Sort ascending instead of descending. */
  sortAscending?: boolean;
  /** Legend entries drawn as dashed reference lines (budget, limits, projections). */
  dashed?: string[];
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
