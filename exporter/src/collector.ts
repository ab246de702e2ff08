import type mysql from 'mysql2/promise';
import type { Logger } from 'pino';
import { SOURCE_NAMES, type Config, type SourceName } from './config/schema';
import { ExpositionWriter, type DataExposition } from './exposition/data-exposition';
import { createDataMetrics } from './exposition/data-metrics';
import { renderFamilies } from './exposition/format';
import { createHealthMetrics, type HealthMetrics } from './exposition/health-metrics';
import { buildReport, type CostReport, type UsageSnapshot } from './model';
import type { DailyUsage } from './model/daily-usage';
import { monthEndProjectionCents } from './model/projection';
import { createRejectionTracker } from './plausibility';
import { collectGarbageNow } from './runtime/heap';
import {
  createSourceReader,
  fetchSources,
  type SourceOutcomes,
  type SourceRows,
  type UsageState,
} from './sources';
import packageJson from '../package.json';

export const VERSION: string = packageJson.version;

export interface CollectionResult {
  /** every source succeeded this time */
  ok: boolean;
  outcomes: SourceOutcomes;
  /** the snapshot the report was built from (current rows, or the last good rows of failing sources) */
  snapshot?: UsageSnapshot;
  report?: CostReport;
  /** the data metrics rendered for serving (absent until every source has succeeded once) */
  exposition?: DataExposition;
  /** seconds: the sources (concurrently), the model, rendering the exposition */
  timings: { sources: number; model: number; render: number; total: number };
}

/** One collection without any caching: sources → snapshot → model. */
export async function collectOnce(
  pool: mysql.Pool,
  config: Config,
  now: Date,
): Promise<{ outcomes: SourceOutcomes; snapshot?: UsageSnapshot; report?: CostReport }> {
  return reportOf(await fetchSources(pool, config, now), config, now);
}

/** The snapshot and report of one collection's outcomes, when every source succeeded. */
export function reportOf(
  outcomes: SourceOutcomes,
  config: Config,
  now: Date,
): { outcomes: SourceOutcomes; snapshot?: UsageSnapshot; report?: CostReport } {
  if (!SOURCE_NAMES.every((s) => outcomes[s].ok)) return { outcomes };
  const snapshot = Object.fromEntries(
    SOURCE_NAMES.map((s) => [s, (outcomes[s] as { rows: unknown[] }).rows]),
  ) as unknown as UsageSnapshot;
  return { outcomes, snapshot, report: buildReport(snapshot, config, now) };
}

const seconds = (startedNs: bigint) => Number(process.hrtime.bigint() - startedNs) / 1e9;

export interface Collector {
  /** The text exposition of the last collection (data and health metrics), without collecting. */
  metricsText(): Promise<string>;
  /** Collects now; concurrent callers share one collection. Caching is the caller's (cache/). */
  collect(): Promise<CollectionResult>;
  /** A first collection has succeeded. */
  readonly ready: boolean;
  /** The fleet's usage per UTC day over the scan, from the day tables (for forecasting). */
  dailyUsage(): DailyUsage;
  /** Kills running source statements and fails later ones at once (the exporter is stopping). */
  stop(): Promise<void>;
  /** The usage day tables as plain data, their replacement, and a mark that changes when they move on. */
  usageState(): UsageState;
  restoreUsage(state: UsageState): void;
  usageMark(): string;
  /** the exporter's own metrics, rendered on every scrape */
  readonly health: HealthMetrics;
}

/**
 * Ties the pipeline together with an in-process cache. A failing source does not blank the
 * exposition: its last good rows are used and chom_exporter_up is 0; a source that never succeeded
 * leaves the cost metrics out (a partial picture would understate cost) while the exporter's own
 * metrics are still served.
 */
export function createCollector(options: {
  pool: mysql.Pool;
  config: Config;
  logger: Logger;
  clock?: () => Date;
  /** the health metrics to update (default: new ones without the shared-cache metrics) */
  health?: HealthMetrics;
}): Collector {
  const { pool, config, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const data = createDataMetrics(config);
  const health = options.health ?? createHealthMetrics(config, VERSION);
  const rejections = createRejectionTracker(health.registry, logger);
  const reader = createSourceReader(pool, config);
  const lastGood: Partial<SourceRows> = {};
  let latest: DataExposition | undefined;
  let lastSuccessSeconds: number | null = null;
  let ready = false;
  let inFlight: Promise<CollectionResult> | undefined;

  async function collect(): Promise<CollectionResult> {
    const started = process.hrtime.bigint();
    const now = clock();
    health.collections.inc();
    const outcomes = await reader.read(now);
    const sourcesSeconds = seconds(started);
    let ok = true;
    for (const source of SOURCE_NAMES) {
      const outcome = outcomes[source];
      health.sourceDuration.set({ source }, outcome.seconds);
      if (outcome.ok) {
        (lastGood as Record<SourceName, unknown>)[source] = outcome.rows;
        if (outcome.skipped > 0) logger.warn({ source, skipped: outcome.skipped }, 'skipped unusable rows');
      } else {
        ok = false;
        health.sourceErrors.inc({ source, reason: outcome.reason });
        logger.error({ source, reason: outcome.reason, err: outcome.error.message }, 'source query failed');
      }
    }
    let snapshot: UsageSnapshot | undefined;
    let report: CostReport | undefined;
    let modelSeconds = 0;
    let renderSeconds = 0;
    let projection: ReadonlyMap<string, bigint> | undefined;
    if (SOURCE_NAMES.every((s) => lastGood[s] !== undefined)) {
      snapshot = lastGood as UsageSnapshot;
      // the last collection's rows are garbage now: the model's working set takes their place
      collectGarbageNow();
      try {
        const modelStarted = process.hrtime.bigint();
        report = buildReport(snapshot, config, now);
        projection = monthEndProjectionCents(report, reader.dailyUsage(now), config, now);
        const unreadable = Object.fromEntries(
          SOURCE_NAMES.map((s) => [s, outcomes[s].ok ? outcomes[s].skipped : 0]),
        );
        rejections.record(report.rejections, unreadable);
        modelSeconds = seconds(modelStarted);
      } catch (error) {
        ok = false;
        report = undefined;
        logger.error({ err: (error as Error).message }, 'cost model failed; keeping the previous figures');
      }
    }
    if (ok) lastSuccessSeconds = now.getTime() / 1000;
    let exposition: DataExposition | undefined;
    if (report) {
      const renderStarted = process.hrtime.bigint();
      const writer = new ExpositionWriter();
      data.write(writer, report, projection);
      exposition = writer.finish({ ok, lastSuccessSeconds, collectSeconds: seconds(started) });
      renderSeconds = seconds(renderStarted);
      latest = exposition;
      // and the model's working set is garbage once published: the heap goes back to what is kept
      collectGarbageNow();
    }
    const total = seconds(started);
    health.up.set(ok ? 1 : 0);
    health.collectDuration.set(total);
    if (ok) {
      health.lastSuccess.set(now.getTime() / 1000);
      ready = true;
    }
    logger.info(
      { ok, seconds: total, sources: sourcesSeconds, model: modelSeconds, render: renderSeconds },
      'collection done',
    );
    return {
      ok,
      outcomes,
      snapshot,
      report,
      exposition,
      timings: { sources: sourcesSeconds, model: modelSeconds, render: renderSeconds, total },
    };
  }

  function collectShared(): Promise<CollectionResult> {
    if (!inFlight) {
      inFlight = collect().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  }

  return {
    collect: collectShared,
    async metricsText() {
      return (latest?.body('text').toString() ?? '') + renderFamilies(await health.families(), 'text');
    },
    get ready() {
      return ready;
    },
    dailyUsage: () => reader.dailyUsage(clock()),
    stop: () => reader.cancel(),
    usageState: () => reader.usageState(),
    restoreUsage: (state) => reader.restoreUsage(state),
    usageMark: () => reader.usageMark(),
    health,
  };
}
