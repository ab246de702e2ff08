import { lastValueFrom } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import { QUERIES } from '../queries';
import { prometheusTarget } from '../panels/panelModel';

/** The refIds of the status query sent once when a page opens. */
export const FACT_REFS = {
  up: 'up',
  lastSuccess: 'lastSuccess',
  info: 'info',
  thresholds: 'thresholds',
} as const;

export interface ExporterFactsResult {
  up: number | null;
  lastSuccessSeconds: number | null;
  currency?: string;
  version?: string;
  budgetThresholds: number[];
  error?: string;
}

interface DsQueryFrame {
  schema?: { fields?: Array<{ name?: string; labels?: Record<string, string> }> };
  data?: { values?: unknown[][] };
}
interface DsQueryResult {
  status?: number;
  error?: string;
  frames?: DsQueryFrame[];
}
export interface DsQueryResponse {
  results?: Record<string, DsQueryResult>;
}

interface Sample {
  labels: Record<string, string>;
  value: number;
}

function samples(result: DsQueryResult | undefined): Sample[] {
  return (result?.frames ?? []).flatMap((frame) => {
    const fields = frame.schema?.fields ?? [];
    const values = frame.data?.values ?? [];
    return fields.flatMap((field, i) => {
      if (i === 0 || field.name === 'Time') {
        return [];
      }
      const column = values[i] ?? [];
      const value = Number(column[column.length - 1]);
      return Number.isFinite(value) ? [{ labels: field.labels ?? {}, value }] : [];
    });
  });
}

/** Reads the /api/ds/query answer of the status queries. */
export function parseExporterFacts(response: DsQueryResponse): ExporterFactsResult {
  const results = response.results ?? {};
  const error = Object.values(results).find((r) => r.error)?.error;
  const up = samples(results[FACT_REFS.up]);
  const lastSuccess = samples(results[FACT_REFS.lastSuccess]);
  const info = samples(results[FACT_REFS.info])[0];
  const thresholds = samples(results[FACT_REFS.thresholds])
    .map((s) => s.value)
    .filter((v) => v > 0);
  return {
    // Several exporters (replicas) may be scraped: the app is "up" when any of them is.
    up: up.length > 0 ? Math.max(...up.map((s) => s.value)) : null,
    lastSuccessSeconds: lastSuccess.length > 0 ? Math.max(...lastSuccess.map((s) => s.value)) : null,
    currency: info?.labels.currency,
    version: info?.labels.version,
    budgetThresholds: [...new Set(thresholds)].sort((a, b) => a - b),
    ...(error ? { error } : {}),
  };
}

/** Asks Grafana (POST /api/ds/query) for the exporter's health and facts. */
export async function fetchExporterFacts(datasourceUid: string): Promise<ExporterFactsResult> {
  const datasource = { type: 'prometheus', uid: datasourceUid };
  const query = (refId: string, q: (typeof QUERIES)[keyof typeof QUERIES]) => ({
    ...prometheusTarget(refId, q),
    datasource,
  });
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<DsQueryResponse>({
        url: '/api/ds/query',
        method: 'POST',
        data: {
          from: 'now-5m',
          to: 'now',
          queries: [
            query(FACT_REFS.up, QUERIES.exporterUp),
            query(FACT_REFS.lastSuccess, QUERIES.exporterLastSuccess),
            query(FACT_REFS.info, QUERIES.exporterInfo),
            query(FACT_REFS.thresholds, QUERIES.budgetAlertThresholds),
          ],
        },
        showErrorAlert: false,
      }),
    );
    return parseExporterFacts(response.data);
  } catch (e) {
    const err = e as { data?: { message?: string }; message?: string; statusText?: string };
    return {
      up: null,
      lastSuccessSeconds: null,
      budgetThresholds: [],
      error: err.data?.message ?? err.message ?? err.statusText ?? 'unknown error',
    };
  }
}
