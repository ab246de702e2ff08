import type { Config } from '../config/schema';
import { createDataMetrics } from '../exposition/data-metrics';
import { FamilyBuilder, familyHeader, sampleLine, sampleName, type MetricFamily } from '../exposition/format';
import type { CostReport } from '../model';

/** Labels that make a series per tenant, per server or per opportunity (the high-cardinality ones). */
const DETAIL_LABEL_NAMES = ['tenant_id', 'server_id', 'resource_id'];

function isDetailLabels(labels: Readonly<Record<string, string>>): boolean {
  return DETAIL_LABEL_NAMES.some((name) => name in labels);
}

/** The exporter's health gauges as a successful collection at `seconds` leaves them. */
function healthFamilies(seconds: number): MetricFamily[] {
  const up = new FamilyBuilder(
    'chom_exporter_up',
    'Whether the last collection succeeded for every source (1) or not (0).',
  );
  up.set({}, 1);
  const lastSuccess = new FamilyBuilder(
    'chom_exporter_last_success_timestamp_seconds',
    'Unix time of the last collection where every source succeeded.',
  );
  lastSuccess.set({}, seconds);
  return [up.build(), lastSuccess.build()];
}

/**
 * Renders the exporter's data metrics of `report` as they would have been scraped at `at`, in
 * OpenMetrics with the exporter's renderer (exposition/format.ts): every sample carries the scrape's
 * target labels (job, instance) and the timestamp in seconds, so `promtool tsdb
 * create-blocks-from openmetrics` writes them into the same series Prometheus fills by scraping.
 * Without `detail`, the per-tenant, per-server and per-opportunity series are left out. The
 * exporter's own health gauges say that a collection succeeded at that instant.
 */
export function createHistoryRenderer(config: Config, targetLabels: Record<string, string>) {
  const data = createDataMetrics(config);
  // The family header is written the first time a family appears; later instants carry samples only.
  const described = new Set<string>();

  return async function render(
    report: CostReport,
    at: Date,
    detail: boolean,
    monthEndProjection?: ReadonlyMap<string, bigint>,
  ): Promise<string> {
    const seconds = at.getTime() / 1000;
    const timestamp = String(seconds);
    let out = '';
    for (const family of [...data.families(report, monthEndProjection), ...healthFamilies(seconds)]) {
      if (!described.has(family.name)) {
        described.add(family.name);
        out += familyHeader(family, 'openmetrics');
      }
      for (const sample of family.samples) {
        if (!detail && isDetailLabels(sample.labels)) continue;
        const name = sampleName(family, sample, 'openmetrics');
        out += sampleLine(name, { ...sample.labels, ...targetLabels }, sample.value, timestamp);
      }
    }
    return out;
  };
}
