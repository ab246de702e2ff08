import { from, lastValueFrom } from 'rxjs';
import {
  CoreApp,
  dateTime,
  FieldType,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
} from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { prometheusTarget } from '../panels/build';
import { QUERIES } from '../queries';
import { PLUGIN_ID } from '../constants';

/** The refIds of the facts query sent when a page opens. */
export const FACT_REFS = {
  info: 'info',
  thresholds: 'thresholds',
} as const;

export interface ExporterFactsResult {
  currency?: string;
  version?: string;
  budgetThresholds: number[];
  error?: string;
}

export interface Sample {
  refId?: string;
  labels: Record<string, string>;
  value: number;
}

/** The last value of every numeric field of the frames, with its labels (Prometheus instant results). */
export function samplesOf(frames: DataFrame[]): Sample[] {
  return frames.flatMap((frame) =>
    frame.fields
      .filter((f) => f.type === FieldType.number)
      .flatMap((field) => {
        const value = Number(field.values[field.values.length - 1]);
        return Number.isFinite(value) ? [{ refId: frame.refId, labels: field.labels ?? {}, value }] : [];
      }),
  );
}

/** Reads the exporter's currency, version and budget thresholds from the facts query's frames. */
export function parseExporterFacts(frames: DataFrame[]): ExporterFactsResult {
  const samples = samplesOf(frames);
  const info = samples.find((s) => s.refId === FACT_REFS.info);
  const thresholds = samples.filter((s) => s.refId === FACT_REFS.thresholds).map((s) => s.value);
  return {
    currency: info?.labels.currency,
    version: info?.labels.version,
    budgetThresholds: [...new Set(thresholds.filter((v) => v > 0))].sort((a, b) => a - b),
  };
}

function errorMessage(e: unknown): string {
  const err = e as { data?: { message?: string }; message?: string; statusText?: string };
  return err.data?.message ?? err.message ?? err.statusText ?? 'unknown error';
}

/**
 * Asks the Prometheus datasource (its own query API, as panels do) for what the exporter says about
 * itself: `chom_exporter_info` and `chom_cost_budget_alert_threshold_ratio`.
 */
export async function fetchExporterFacts(
  datasourceUid: string,
  now = new Date(),
): Promise<ExporterFactsResult> {
  try {
    const datasource = await getDataSourceSrv().get({ type: 'prometheus', uid: datasourceUid });
    const to = dateTime(now.getTime());
    const request: DataQueryRequest = {
      requestId: `${PLUGIN_ID}-exporter-facts`,
      app: CoreApp.Unknown,
      range: { from: dateTime(now.getTime() - 5 * 60_000), to, raw: { from: 'now-5m', to: 'now' } },
      interval: '15s',
      intervalMs: 15_000,
      maxDataPoints: 100,
      scopedVars: {},
      timezone: 'utc',
      startTime: now.getTime(),
      targets: [
        prometheusTarget(FACT_REFS.info, QUERIES.exporterInfo),
        prometheusTarget(FACT_REFS.thresholds, QUERIES.budgetAlertThresholds),
      ].map((t) => ({ ...t, datasource: { type: 'prometheus', uid: datasourceUid } })),
    };
    const response: DataQueryResponse = await lastValueFrom(from(datasource.query(request)));
    const error = response.errors?.[0];
    return { ...parseExporterFacts(response.data ?? []), ...(error ? { error: errorMessage(error) } : {}) };
  } catch (e) {
    return { budgetThresholds: [], error: errorMessage(e) };
  }
}
