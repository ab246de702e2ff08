import type { Config } from '../config/schema';
import { createDataMetrics } from '../exposition/data-metrics';
import type { CostReport } from '../model';

/** Labels that make a series per tenant, per server or per opportunity (the high-cardinality ones). */
const DETAIL_LABELS = /[{,](tenant_id|server_id|resource_id)="/;

/** Whether a sample line of an exposition belongs to a per-tenant, per-server or per-opportunity series. */
export function isDetailSample(line: string): boolean {
  return DETAIL_LABELS.test(line);
}

/** Formats a label value for the exposition (backslash, double quote and newline escaped). */
function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * Renders the exporter's data metrics of `report` as they would have been scraped at `at`: every
 * sample carries the scrape's target labels (job, instance) and the timestamp in seconds, so
 * `promtool tsdb create-blocks-from openmetrics` writes them into the same series Prometheus fills by
 * scraping. Without `detail`, the per-tenant, per-server and per-opportunity series are left out.
 * The exporter's own health gauges say that a collection succeeded at that instant.
 */
export function createHistoryRenderer(config: Config, targetLabels: Record<string, string>) {
  const data = createDataMetrics(config);
  const extra = Object.entries(targetLabels)
    .map(([name, value]) => `${name}="${labelValue(value)}"`)
    .join(',');
  const withTarget = (line: string): string => {
    if (!extra) return line;
    const space = line.indexOf(' ');
    const brace = line.indexOf('{');
    if (brace >= 0 && brace < space) {
      const close = line.lastIndexOf('}');
      const inner = line.slice(brace + 1, close);
      return `${line.slice(0, brace)}{${inner ? `${inner},` : ''}${extra}${line.slice(close)}`;
    }
    return `${line.slice(0, space)}{${extra}}${line.slice(space)}`;
  };

  // HELP and TYPE are written the first time a family appears; later instants carry samples only.
  const described = new Set<string>();
  const health = [
    '# HELP chom_exporter_up Whether the last collection succeeded for every source (1) or not (0).',
    '# TYPE chom_exporter_up gauge',
    'chom_exporter_up 1',
    '# HELP chom_exporter_last_success_timestamp_seconds Unix time of the last collection where every source succeeded.',
    '# TYPE chom_exporter_last_success_timestamp_seconds gauge',
    'chom_exporter_last_success_timestamp_seconds $t',
  ];

  return async function render(report: CostReport, at: Date, detail: boolean): Promise<string> {
    data.publish(report);
    const seconds = String(at.getTime() / 1000);
    const out: string[] = [];
    const lines = (await data.registry.metrics()).split('\n').concat(health);
    for (const line of lines) {
      if (line === '') continue;
      if (line.startsWith('#')) {
        const key = line.slice(0, line.indexOf(' ', 7));
        if (!described.has(key)) {
          described.add(key);
          out.push(line);
        }
      } else if (detail || !isDetailSample(line)) {
        out.push(`${withTarget(line.replace('$t', seconds))} ${seconds}`);
      }
    }
    return `${out.join('\n')}\n`;
  };
}
