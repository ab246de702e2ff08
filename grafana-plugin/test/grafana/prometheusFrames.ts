/**
 * What Grafana 12 makes of a Prometheus answer before a panel sees it, for tests that run a panel's
 * queries against a real Prometheus and its transformations with the real @grafana/data transformers.
 * It follows (read, not copied; docs/grafana-plugin.md lists them):
 *
 * - the Prometheus backend, `pkg/promlib/converter/prom.go` (`readMatrixOrVectorMulti`,
 *   `readTimeValuePair`): one frame per series, fields `Time` and `Value`, the series' labels (with
 *   `__name__`) on the `Value` field, `meta.custom.resultType`; scalars as one frame without labels;
 * - `pkg/promlib/querydata/response.go` (`parseResponse`, `addMetadataToMultiFrame`, `getName`): an
 *   empty result still gives one empty frame for the query; the time field's `config.interval` is the
 *   step; the value field's `displayNameFromDS` and the frame name are the legend (legendFormat with
 *   the labels filled in, else the series as `name{label="value", …}`, else the expression);
 * - `@grafana/prometheus` `result_transformer.ts` (`transformV2`, `transformDFToTable`): frames of
 *   table-format queries are grouped by refId into one table each: `Time`, one column per label (the
 *   labels of every series, each series' labels sorted, in order of appearance; missing values ''),
 *   then `Value #<refId>` when the response has more than one table-format query, else `Value`;
 *   other frames get `preferredVisualisationType: 'graph'`.
 */
import {
  FieldType,
  standardTransformers,
  standardTransformersRegistry,
  transformDataFrame,
  type DataFrame,
  type DataTransformerConfig,
  type Field,
} from '@grafana/data';
import { lastValueFrom } from 'rxjs';
import type { PrometheusTarget } from '../../src/panels/model';

type Sample = [number, string];
interface PromSeriesResult {
  metric: Record<string, string>;
  value?: Sample;
  values?: Sample[];
}
export interface PromApiResponse {
  status: 'success' | 'error';
  error?: string;
  data: { resultType: 'matrix' | 'vector' | 'scalar' | 'string'; result: PromSeriesResult[] | Sample };
}

/** Prometheus sample values are strings; "+Inf", "-Inf" and "NaN" included. */
function sampleValue(text: string): number {
  if (/^[+-]?inf(inity)?$/i.test(text)) {
    return text.startsWith('-') ? -Infinity : Infinity;
  }
  return parseFloat(text);
}

/** The series as Prometheus prints it: `name{a="1", b="2"}` (labels sorted), `{}` without labels. */
function seriesName(labels: Record<string, string>): string {
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`);
  if (pairs.length === 0) {
    return name || '{}';
  }
  return `${name}{${pairs.join(', ')}}`;
}

function legendOf(target: PrometheusTarget, labels: Record<string, string>): string {
  let legend = seriesName(labels);
  if (target.legendFormat) {
    legend = target.legendFormat.replace(/\{\{\s*(.+?)\s*\}\}/g, (_m, label: string) => labels[label] ?? '');
  }
  return legend === '{}' ? target.expr : legend;
}

/** The frames Grafana's Prometheus backend returns for one query's answer. */
export function backendFrames(target: PrometheusTarget, body: PromApiResponse, stepMs: number): DataFrame[] {
  if (body.status !== 'success') {
    throw new Error(`Prometheus answered ${body.status}: ${body.error}`);
  }
  const { resultType, result } = body.data;
  const series: PromSeriesResult[] =
    resultType === 'scalar' ? [{ metric: {}, value: result as Sample }] : (result as PromSeriesResult[]);
  if (series.length === 0) {
    return [{ refId: target.refId, name: undefined, fields: [], length: 0, meta: {} }];
  }
  return series.map((s) => {
    const samples = s.values ?? (s.value ? [s.value] : []);
    const legend = legendOf(target, s.metric);
    const time: Field = {
      name: 'Time',
      type: FieldType.time,
      config: { interval: stepMs },
      values: samples.map(([t]) => Math.round(t * 1000)),
    };
    const value: Field = {
      name: 'Value',
      type: FieldType.number,
      labels: resultType === 'scalar' ? {} : { ...s.metric },
      config: { displayNameFromDS: legend },
      values: samples.map(([, v]) => sampleValue(v)),
    };
    return {
      refId: target.refId,
      name: legend,
      fields: [time, value],
      length: samples.length,
      meta: { type: 'timeseries-multi', custom: { resultType } },
    } as DataFrame;
  });
}

/** `transformDFToTable`: the table-format frames of a response, one table per refId. */
function tablesOf(frames: DataFrame[]): DataFrame[] {
  if (frames.length === 0 || (frames.length === 1 && frames[0]!.length === 0)) {
    return frames;
  }
  const refIds = [...new Set(frames.map((f) => f.refId ?? ''))];
  return refIds.map((refId) => {
    const ofRef = frames.filter((f) => (f.refId ?? '') === refId);
    const labelNames: string[] = [];
    for (const frame of ofRef) {
      for (const label of Object.keys(frame.fields[1]?.labels ?? {}).sort()) {
        if (!labelNames.includes(label)) {
          labelNames.push(label);
        }
      }
    }
    const time: Field = { name: 'Time', type: FieldType.time, config: {}, values: [] };
    const labels: Field[] = labelNames.map((name) => ({
      name,
      type: FieldType.string,
      config: { filterable: true },
      values: [],
    }));
    const value: Field = {
      name: refIds.length > 1 ? `Value #${refId}` : 'Value',
      type: FieldType.number,
      config: {},
      values: [],
    };
    for (const frame of ofRef) {
      time.config.interval ??= frame.fields[0]?.config.interval;
      time.values.push(...(frame.fields[0]?.values ?? []));
      const frameLabels = frame.fields[1]?.labels ?? {};
      for (const v of frame.fields[1]?.values ?? []) {
        value.values.push(v);
        labels.forEach((field) => field.values.push(frameLabels[field.name] ?? ''));
      }
    }
    const rows = time.values.map((_t, i) => i).sort((a, b) => time.values[a] - time.values[b]);
    const sorted = (field: Field): Field => ({ ...field, values: rows.map((i) => field.values[i]) });
    return {
      refId,
      fields: [time, ...labels, value].map(sorted),
      meta: { ...ofRef[0]!.meta, preferredVisualisationType: 'rawPrometheus' },
      length: time.values.length,
    } as DataFrame;
  });
}

/** `transformV2`: table-format frames become tables, the others are drawn as graphs. */
export function frontendFrames(frames: DataFrame[], targets: PrometheusTarget[]): DataFrame[] {
  const isTable = (f: DataFrame) => targets.find((t) => t.refId === f.refId)?.format === 'table';
  const graphs = frames
    .filter((f) => !isTable(f))
    .map((f) => ({ ...f, meta: { ...f.meta, preferredVisualisationType: 'graph' as const } }));
  return [...graphs, ...tablesOf(frames.filter(isTable))];
}

export interface PanelQueryOptions {
  /** Range of the panel, Unix seconds. */
  from: number;
  to: number;
  maxDataPoints?: number;
  /** The datasource's minimum interval (scrape interval; provisioning sets timeInterval 30s). */
  minIntervalSeconds?: number;
  /** Values of the dashboard variables, substituted like Grafana's template service does. */
  variables?: Record<string, string>;
}

/** The step Grafana asks Prometheus for: the range over maxDataPoints, at least the minimum interval. */
export function stepSeconds(options: PanelQueryOptions): number {
  const range = options.to - options.from;
  return Math.max(Math.ceil(range / (options.maxDataPoints ?? 500)), options.minIntervalSeconds ?? 15);
}

function interpolate(expr: string, variables: Record<string, string>): string {
  // Longest names first, so that $tenant_limit is not read as $tenant followed by "_limit".
  const names = Object.keys(variables).sort((a, b) => b.length - a.length);
  return names.reduce(
    (out, name) => out.replace(new RegExp(`\\$\\{${name}\\}|\\$${name}\\b`, 'g'), variables[name]!),
    expr,
  );
}

/** Runs a panel's queries against Prometheus as one Grafana request would, and returns the frames the panel gets. */
export async function queryPanel(
  prometheusUrl: string,
  targets: PrometheusTarget[],
  options: PanelQueryOptions,
): Promise<DataFrame[]> {
  const step = stepSeconds(options);
  // The Prometheus backend aligns range queries to the step.
  const start = Math.floor(options.from / step) * step;
  const end = Math.floor(options.to / step) * step;
  const frames: DataFrame[] = [];
  for (const target of targets) {
    const expr = interpolate(target.expr, options.variables ?? {});
    const params = target.instant
      ? new URLSearchParams({ query: expr, time: String(options.to) })
      : new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) });
    const response = await fetch(
      `${prometheusUrl}/api/v1/${target.instant ? 'query' : 'query_range'}?${params}`,
    );
    frames.push(...backendFrames(target, (await response.json()) as PromApiResponse, step * 1000));
  }
  return frontendFrames(frames, targets);
}

let registered = false;

/** Grafana registers the standard transformations at boot; the tests register @grafana/data's. */
function registerTransformers() {
  if (registered) {
    return;
  }
  // Some transformations are exported under two names (seriesToColumns = joinByField): register each once.
  const unique = new Map(Object.values(standardTransformers).map((t) => [t.id, t]));
  standardTransformersRegistry.setInit(() =>
    [...unique.values()].map((transformation) => ({
      id: transformation.id,
      name: transformation.name,
      description: transformation.description,
      transformation,
      editor: () => null,
      imageDark: '',
      imageLight: '',
    })),
  );
  registered = true;
}

/** Applies a panel's transformations with the real @grafana/data transformers. */
export async function applyTransformations(
  frames: DataFrame[],
  transformations: DataTransformerConfig[],
): Promise<DataFrame[]> {
  registerTransformers();
  for (const t of transformations) {
    if (!standardTransformersRegistry.getIfExists(t.id)) {
      throw new Error(`transformation ${t.id} is not one of @grafana/data's`);
    }
  }
  return lastValueFrom(transformDataFrame(transformations, frames));
}
