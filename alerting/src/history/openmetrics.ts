import type { Sample } from './synthetic';

/** OpenMetrics text (gauges, timestamps in seconds) for promtool tsdb create-blocks-from openmetrics. */
export function toOpenMetrics(samples: Sample[]): string {
  const families = new Map<string, Map<string, Array<[number, number]>>>();
  for (const s of samples) {
    const series = families.get(s.name) ?? new Map<string, Array<[number, number]>>();
    families.set(s.name, series);
    const labels = Object.entries(s.labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
      .join(',');
    const key = labels ? `${s.name}{${labels}}` : s.name;
    const points = series.get(key) ?? [];
    series.set(key, points);
    points.push([s.t, s.value]);
  }
  const lines: string[] = [];
  for (const [name, series] of families) {
    lines.push(`# TYPE ${name} gauge`);
    for (const [key, points] of series) {
      points.sort((a, b) => a[0] - b[0]);
      for (const [t, v] of points) lines.push(`${key} ${v} ${t}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
