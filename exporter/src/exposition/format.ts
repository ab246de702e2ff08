/**
 * The exporter's own exposition renderer: metric families (plain data) to the Prometheus text format
 * 0.0.4 and to OpenMetrics 1.0.0. Data metrics are rendered once per collection with it, the health
 * metrics on every scrape, the backfill's history with it too, so there is one way to write a sample.
 */

export type MetricType = 'gauge' | 'counter' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** appended to the family name: '' for gauges, '_total' for counters, '_bucket', '_sum', '_count'… */
  suffix: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  /** the name as the text format writes it (counters end in _total) */
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export type ExpositionFormat = 'text' | 'openmetrics';

export function contentTypeOf(format: ExpositionFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
}

/** Label values: backslash, double quote and line feed escaped (both formats). */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** HELP in the text format escapes backslash and line feed; OpenMetrics also the double quote. */
function escapeHelp(help: string, format: ExpositionFormat): string {
  const special = format === 'openmetrics' ? /[\\"\n]/g : /[\\\n]/g;
  return help.replace(special, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** A sample value as both formats write it: NaN, +Inf, -Inf or the shortest round-trip decimal. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

const NEEDS_ESCAPE = /[\\"\n]/;

/** `{a="1",b="2"}` in the labels' order ('' without labels); called once per sample, so kept lean. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  let out = '';
  for (const name in labels) {
    const value = labels[name] as string;
    out += `${out === '' ? '{' : ','}${name}="${NEEDS_ESCAPE.test(value) ? escapeLabelValue(value) : value}"`;
  }
  return out === '' ? '' : `${out}}`;
}

/** OpenMetrics writes a counter family without its _total; its samples keep it. */
function openMetricsName(family: MetricFamily): string {
  return family.type === 'counter' && family.name.endsWith('_total') ? family.name.slice(0, -6) : family.name;
}

/** The unit OpenMetrics states for a family whose name ends in a base unit (it must be a suffix). */
export function unitOf(name: string): string | undefined {
  const match = /_(seconds|bytes|ratio)$/.exec(name);
  return match?.[1];
}

const OPENMETRICS_TYPES: Record<MetricType, string> = {
  gauge: 'gauge',
  counter: 'counter',
  histogram: 'histogram',
  summary: 'summary',
  untyped: 'unknown',
};

/** The name a family is announced with in `format` (OpenMetrics drops a counter's _total). */
export function familyName(family: MetricFamily, format: ExpositionFormat): string {
  return format === 'openmetrics' ? openMetricsName(family) : family.name;
}

/** HELP and TYPE lines of a family (and UNIT in OpenMetrics when its name ends in a base unit). */
export function familyHeader(family: MetricFamily, format: ExpositionFormat): string {
  const name = familyName(family, format);
  const type = format === 'openmetrics' ? OPENMETRICS_TYPES[family.type] : family.type;
  let header = `# HELP ${name} ${escapeHelp(family.help, format)}\n# TYPE ${name} ${type}\n`;
  const unit = format === 'openmetrics' ? unitOf(name) : undefined;
  if (unit) header += `# UNIT ${name} ${unit}\n`;
  return header;
}

/** The full name of a sample of `family`: a counter's is its name with _total, others add their suffix. */
export function sampleName(family: MetricFamily, sample: Sample, format: ExpositionFormat): string {
  if (family.type !== 'counter') return `${family.name}${sample.suffix}`;
  return format === 'openmetrics' ? `${openMetricsName(family)}_total` : family.name;
}

/** One sample line, optionally with a timestamp in seconds (OpenMetrics backfill). */
export function sampleLine(
  name: string,
  labels: Readonly<Record<string, string>>,
  value: number,
  timestampSeconds?: string,
): string {
  const line = `${name}${formatLabels(labels)} ${formatValue(value)}`;
  return timestampSeconds === undefined ? `${line}\n` : `${line} ${timestampSeconds}\n`;
}

/** One family: its header, then its samples in the order given. */
export function renderFamily(family: MetricFamily, format: ExpositionFormat): string {
  let out = familyHeader(family, format);
  for (const s of family.samples) out += sampleLine(sampleName(family, s, format), s.labels, s.value);
  return out;
}

/** The families in the order given (without the OpenMetrics `# EOF`, which ends the whole body). */
export function renderFamilies(families: readonly MetricFamily[], format: ExpositionFormat): string {
  let out = '';
  for (const family of families) out += renderFamily(family, format);
  return out;
}

export const OPENMETRICS_EOF = '# EOF\n';

/**
 * Collects the samples of one family in first-set order; setting the same label set again replaces
 * its value (as a prom-client gauge does).
 */
export class FamilyBuilder {
  private readonly samples = new Map<string, Sample>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType = 'gauge',
  ) {}

  set(labels: Readonly<Record<string, string>>, value: number, suffix = ''): void {
    const key = `${suffix}${formatLabels(labels)}`;
    this.samples.set(key, { suffix, labels, value });
  }

  build(): MetricFamily {
    return { name: this.name, help: this.help, type: this.type, samples: [...this.samples.values()] };
  }
}

/** Sets one sample of a family (labels written in the order given; `suffix` as in Sample, default ''). */
export type SetSample = (labels: Readonly<Record<string, string>>, value: number, suffix?: string) => void;

/**
 * Where families are written: declared in the order they appear, each returning the setter of its
 * samples (the samples of several families may be set interleaved). A family declared `unique`
 * promises that no label set is set twice, so a sink may write its samples as they come; in the
 * others a repeated label set replaces its value (FamilyBuilder).
 */
export interface FamilySink {
  family(name: string, help: string, type: MetricType, unique: boolean): SetSample;
}

/** A sink that keeps the families as data (the backfill and tests read them). */
export class FamilyCollector implements FamilySink {
  private readonly builders: FamilyBuilder[] = [];

  family(name: string, help: string, type: MetricType): SetSample {
    const builder = new FamilyBuilder(name, help, type);
    this.builders.push(builder);
    return (labels, value, suffix) => builder.set(labels, value, suffix);
  }

  families(): MetricFamily[] {
    return this.builders.map((b) => b.build());
  }
}

/** The families of a prom-client registry (`registry.getMetricsAsJSON()`), for the same renderer. */
export function familiesFromPromClient(
  metrics: ReadonlyArray<{
    name: string;
    help: string;
    /** a string at run time ('gauge', 'counter'…), whatever prom-client's typings say */
    type: unknown;
    values: ReadonlyArray<{
      value: number;
      labels: Partial<Record<string, string | number>>;
      metricName?: string;
    }>;
  }>,
): MetricFamily[] {
  return metrics.map((m) => ({
    name: m.name,
    help: m.help,
    type: (['gauge', 'counter', 'histogram', 'summary'].includes(String(m.type))
      ? String(m.type)
      : 'untyped') as MetricType,
    samples: m.values.map((v) => ({
      suffix: v.metricName && v.metricName.startsWith(m.name) ? v.metricName.slice(m.name.length) : '',
      labels: Object.fromEntries(
        Object.entries(v.labels)
          .filter(([, l]) => l !== undefined)
          .map(([k, l]) => [k, typeof l === 'number' ? formatValue(l) : String(l)]),
      ),
      value: v.value,
    })),
  }));
}
