/** The report model: every figure a renderer prints, already computed. Renderers only lay it out. */

export type BudgetStatus = 'on_track' | 'at_risk' | 'over_budget' | 'no_budget';

export interface CategoryRow {
  readonly category: string;
  /** Accrued in the period. */
  readonly spend: number;
  readonly share: number;
  /** Monthly run-rate at the period end. */
  readonly runRate: number | null;
  readonly monthlyBudget: number | null;
}

export interface TenantRow {
  readonly tenantId: string;
  /** Average monthly run-rate allocated to the tenant over the period. */
  readonly cost: number;
  readonly previousCost: number | null;
  readonly change: number | null;
  readonly changeShare: number | null;
  readonly margin: number | null;
}

export interface AnomalyRow {
  readonly series: string;
  readonly maxAbsZ: number;
  readonly z: number;
  /** unix seconds */
  readonly at: number;
}

export interface AlertRow {
  readonly alertname: string;
  readonly severity: string;
  readonly detail: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly firingSeconds: number;
}

export interface CapacityRow {
  readonly resource: string;
  readonly usedShare: number | null;
  readonly headroomShare: number | null;
  readonly daysUntilFull: number | null;
  readonly used: number | null;
  readonly limit: number | null;
  readonly unit: string;
}

export interface OptimizationRow {
  /** the exporter's code: idle_server, orphaned_sites, negative_margin, … */
  readonly kind: string;
  /** readable name of the kind */
  readonly name: string;
  readonly resourceId: string;
  /** what the ID names: `server 17`, `tenant 42` */
  readonly resource: string;
  readonly priority: string;
  /** per month: a saving, or for negative_margin the shortfall */
  readonly monthly: number;
}

/** The largest rows, the total and the count of all of them. */
export interface OptimizationList {
  readonly rows: readonly OptimizationRow[];
  readonly total: number;
  readonly count: number;
}

export interface ReportModel {
  readonly reportName: string;
  readonly title: string;
  readonly color: string;
  readonly orientation: 'portrait' | 'landscape';
  readonly logoFile?: string;
  readonly period: {
    readonly key: string;
    readonly label: string;
    readonly start: string;
    readonly end: string;
  };
  readonly previousLabel: string;
  /** ISO instants */
  readonly generatedAt: string;
  readonly asOf: string;
  readonly complete: boolean;
  readonly timeZone: string;
  readonly currency: string;
  readonly locale: string;
  readonly tenantFilter: readonly string[] | null;
  readonly summary: {
    readonly spend: number;
    readonly previousSpend: number | null;
    readonly spendChangeShare: number | null;
    readonly monthlyBudget: number | null;
    readonly periodBudget: number | null;
    readonly budgetUsedShare: number | null;
    readonly monthElapsedShare: number;
    readonly forecast: number | null;
    readonly forecastVariance: number | null;
    readonly forecastVarianceShare: number | null;
    /** the exporter's own projection of the month (from the database's daily usage by weekday) */
    readonly projection: number | null;
    readonly status: BudgetStatus;
  };
  readonly categories: readonly CategoryRow[];
  readonly trend: {
    /** [unix seconds, cumulative spend in the period] */
    readonly spend: ReadonlyArray<readonly [number, number]>;
    /** [unix seconds, pro-rata budget] */
    readonly budgetPace: ReadonlyArray<readonly [number, number]>;
  };
  readonly tenants: { readonly rows: readonly TenantRow[]; readonly total: number; readonly count: number };
  readonly allocation: {
    readonly coverage: number | null;
    readonly target: number;
    readonly unallocated: ReadonlyArray<{
      readonly category: string;
      readonly cost: number;
      readonly coverage: number | null;
    }>;
    readonly unallocatedTotal: number;
  };
  readonly anomalies: { readonly threshold: number; readonly rows: readonly AnomalyRow[] };
  readonly alerts: readonly AlertRow[];
  readonly capacity: readonly CapacityRow[];
  /** opportunities whose value is a saving */
  readonly optimizations: OptimizationList & {
    /** negative_margin: tenants whose cost exceeds their revenue; a shortfall, not in the savings */
    readonly shortfalls: OptimizationList;
  };
  readonly freshness: {
    readonly lastSuccess: string | null;
    readonly ageSeconds: number | null;
    readonly stale: boolean;
    /** Share of hourly points of the period that had data. */
    readonly dataCoverage: number;
  };
  readonly warnings: readonly string[];
}
