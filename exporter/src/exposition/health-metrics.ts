import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { SOURCE_NAMES, type Config } from '../config/schema';
import { FAILURE_REASONS } from '../sources/statements';
import { familiesFromPromClient, type MetricFamily } from './format';

/** How a replica got the figures it serves (chom_exporter_cache_refreshes_total{outcome}). */
export const REFRESH_OUTCOMES = ['collected', 'shared', 'alone', 'fenced_out'] as const;
export type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number];

/**
 * The exporter's own metrics and the default process metrics: small, rendered on every scrape.
 * `sharedCache` adds the metrics of the Redis cache shared by replicas.
 */
export function createHealthMetrics(
  config: Config,
  version: string,
  options: { sharedCache?: boolean } = {},
) {
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
  const collections = new Counter({
    name: 'chom_exporter_collections_total',
    help: 'Collections this exporter process ran against the database since it started.',
    registers: [registry],
  });
  const refreshes = new Counter({
    name: 'chom_exporter_cache_refreshes_total',
    help: 'Refreshes of the served figures by outcome: collected (here, published to the shared cache), shared (another replica collected), alone (collected here without the shared cache: none configured or Redis unavailable), fenced_out (collected here but a newer result was already shared).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const sharedCacheUp = options.sharedCache
    ? new Gauge({
        name: 'chom_exporter_shared_cache_up',
        help: 'Whether the last request to the Redis cache shared by replicas succeeded (1) or not (0).',
        registers: [registry],
      })
    : undefined;
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
  sharedCacheUp?.set(0);
  for (const outcome of REFRESH_OUTCOMES) refreshes.inc({ outcome }, 0);
  return {
    registry,
    up,
    lastSuccess,
    collectDuration,
    sourceDuration,
    sourceErrors,
    collections,
    refreshes,
    sharedCacheUp,
    /** Every family with its current values (the default process metrics are read now). */
    async families(): Promise<MetricFamily[]> {
      return familiesFromPromClient(await registry.getMetricsAsJSON());
    },
  };
}

export type HealthMetrics = ReturnType<typeof createHealthMetrics>;
