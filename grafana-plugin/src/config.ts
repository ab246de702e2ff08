import { DEFAULT_BUDGET_THRESHOLDS, DEFAULT_DATASOURCE_UID } from './constants';
import { resolveCurrency } from './domain/currency';

/** What the app keeps in its plugin settings (`jsonData`). */
export interface AppJsonData {
  /** UID of the Prometheus datasource the pages query by default. */
  datasourceUid?: string;
  /** ISO 4217 code to display money in; empty means "as the exporter reports" (chom_exporter_info). */
  currency?: string;
  /** How many tenants the per-tenant tables show (the exporter's collection.tenant_limit by default). */
  tenantLimit?: number;
  /** Budget utilisation ratios where the gauges change colour; empty means the exporter's. */
  budgetThresholds?: number[];
}

export interface AppSettings {
  datasourceUid: string;
  currency: string;
  tenantLimit: number;
  /** Configured thresholds, sorted; empty when not configured (then the exporter's apply). */
  budgetThresholds: number[];
}

export const DEFAULT_TENANT_LIMIT = 50;

/** Fills defaults and drops values that cannot be used, so pages never see a half-valid config. */
export function resolveSettings(jsonData: AppJsonData | undefined | null): AppSettings {
  const data = jsonData ?? {};
  const thresholds = (data.budgetThresholds ?? []).filter((t) => Number.isFinite(t) && t > 0);
  const limit = Number(data.tenantLimit);
  return {
    datasourceUid: data.datasourceUid?.trim() || DEFAULT_DATASOURCE_UID,
    currency: normaliseCurrencyCode(data.currency) ?? '',
    tenantLimit: Number.isInteger(limit) && limit > 0 ? limit : DEFAULT_TENANT_LIMIT,
    budgetThresholds: [...thresholds].sort((a, b) => a - b),
  };
}

/** Upper-cases a three-letter currency code; anything else is not a code. */
export function normaliseCurrencyCode(code: string | undefined | null): string | undefined {
  const trimmed = code?.trim().toUpperCase();
  return trimmed && /^[A-Z]{3}$/.test(trimmed) ? trimmed : undefined;
}

/** Facts the exporter reports about itself (chom_exporter_info, chom_cost_budget_alert_threshold_ratio). */
export interface ExporterFacts {
  currency?: string;
  budgetThresholds: number[];
}

/** What the panels display with: configured values first, then the exporter's, then defaults. */
export function displaySettings(settings: AppSettings, facts: ExporterFacts) {
  return {
    currency: resolveCurrency(settings.currency || undefined, normaliseCurrencyCode(facts.currency)),
    budgetThresholds:
      settings.budgetThresholds.length > 0
        ? settings.budgetThresholds
        : facts.budgetThresholds.length > 0
          ? [...facts.budgetThresholds].sort((a, b) => a - b)
          : DEFAULT_BUDGET_THRESHOLDS,
  };
}
