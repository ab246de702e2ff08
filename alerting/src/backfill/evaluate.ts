import type { Rule } from '../rule-files';

/** Prometheus refuses a range query of more than 11,000 points per series; stay below. */
const MAX_POINTS = 10_000;

interface RangeResult {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

/** GET /api/v1/query_range; throws with Prometheus' error text. */
export async function queryRange(
  prometheusUrl: string,
  expr: string,
  start: number,
  end: number,
  stepSeconds: number,
  headers: Record<string, string> = {},
): Promise<RangeResult[]> {
  const params = new URLSearchParams({
    query: expr,
    start: String(start),
    end: String(end),
    step: String(stepSeconds),
  });
  const response = await fetch(`${prometheusUrl.replace(/\/$/, '')}/api/v1/query_range`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: params,
  });
  const body = (await response.json().catch(() => ({}))) as {
    status?: string;
    error?: string;
    data?: { result: RangeResult[] };
  };
  if (body.status !== 'success' || !body.data)
    throw new Error(`query_range failed (HTTP ${response.status}): ${body.error ?? 'no answer'}\n  ${expr}`);
  return body.data.result;
}

const escapeLabel = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The series name and labels a recording rule writes for one result series. */
export function recordedLabels(rule: Rule, metric: Record<string, string>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(metric)) if (name !== '__name__') labels[name] = value;
  for (const [name, value] of Object.entries(rule.labels ?? {})) {
    if (value === '') delete labels[name];
    else labels[name] = value;
  }
  return labels;
}

/**
 * What the recording rule would have recorded at every multiple of `stepSeconds` in [start, end]:
 * the rule's expression evaluated by Prometheus itself over the range (a range query evaluates the
 * expression at each step exactly as the rule manager does at each evaluation), as OpenMetrics
 * sample lines with timestamps in seconds. Series are written one after the other, each in time order.
 */
export async function recordedHistory(options: {
  prometheusUrl: string;
  rule: Rule;
  start: number;
  end: number;
  stepSeconds: number;
  headers?: Record<string, string>;
}): Promise<{ text: string; samples: number }> {
  const { rule, stepSeconds } = options;
  const name = rule.record as string;
  const first = Math.ceil(options.start / stepSeconds) * stepSeconds;
  // One recorded series can come from several result series (e.g. the branches of an `or` that keep
  // different metric names): their samples are merged in time order, as promtool requires.
  const series = new Map<string, Map<number, string>>();
  let samples = 0;
  for (let from = first; from <= options.end; from += MAX_POINTS * stepSeconds) {
    const to = Math.min(options.end, from + (MAX_POINTS - 1) * stepSeconds);
    const results = await queryRange(
      options.prometheusUrl,
      rule.expr,
      from,
      to,
      stepSeconds,
      options.headers,
    );
    for (const result of results) {
      const labels = Object.entries(recordedLabels(rule, result.metric))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      const key = labels ? `${name}{${labels}}` : name;
      const byTime = series.get(key) ?? new Map<number, string>();
      series.set(key, byTime);
      for (const [t, v] of result.values) {
        if (!byTime.has(Number(t))) {
          byTime.set(Number(t), `${key} ${v} ${t}`);
          samples++;
        }
      }
    }
  }
  const text = [...series.values()]
    .map((byTime) => {
      const lines = [...byTime.entries()].sort(([a], [b]) => a - b).map(([, line]) => line);
      return `${lines.join('\n')}\n`;
    })
    .join('');
  return { text: `# TYPE ${name} gauge\n${text}`, samples };
}
