import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { SOURCE_NAMES, type Config } from '../config/schema';
import { FAILURE_REASONS } from '../sources/statements';

/** The exporter's own metrics and the default process metrics: small, rendered on every scrape. */
export function createHealthMetrics(config: Config, version: string) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges with a _total suffix, which promtool rejects; they are left out.
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ]) {
    registry.removeSingleMetric(name);
  }
  const up = new Gauge({
    name: 'chom_exporter_up',
    help: 'Whether the last collection succeeded for every source (1) or not (0).',
    registers: [registry],
  });
  const lastSuccess = new Gauge({
    name: 'chom_exporter_last_success_timestamp_seconds',
    help: 'Unix time of the last collection where every source succeeded.',
    registers: [registry],
  });
  const collectDuration = new Gauge({
    name: 'chom_exporter_collect_duration_seconds',
    help: 'Duration of the last collection (all sources, the model and rendering) in seconds.',
    registers: [registry],
  });
  const sourceDuration = new Gauge({
    name: 'chom_exporter_source_duration_seconds',
    help: 'Duration of the last run of each source query in seconds.',
    labelNames: ['source'],
    registers: [registry],
  });
  const sourceErrors = new Counter({
    name: 'chom_exporter_source_errors_total',
    help: 'Source queries that failed since the exporter started, by reason (timeout, connection, permission, query).',
    labelNames: ['source', 'reason'],
    registers: [registry],
  });
  const info = new Gauge({
    name: 'chom_exporter_info',
    help: 'Exporter build and configuration facts (always 1).',
    labelNames: ['version', 'currency'],
    registers: [registry],
  });
  info.set({ version, currency: config.currency }, 1);
  up.set(0);
  for (const source of SOURCE_NAMES)
    for (const reason of FAILURE_REASONS) sourceErrors.inc({ source, reason }, 0);
  return { registry, up, lastSuccess, collectDuration, sourceDuration, sourceErrors };
}

export type HealthMetrics = ReturnType<typeof createHealthMetrics>;
