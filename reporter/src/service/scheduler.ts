import type { Logger } from 'pino';
import type { ReportDefinition } from '../config/schema';
import { periodForRun } from '../schedule/period';
import { nextRuns, scheduleOf, type ScheduleSpec } from '../schedule/runs';
import { deliverReport, type DeliveryContext } from './deliver';
import type { ReporterMetrics } from './metrics';

/** Timers are re-armed at least this often, so a long wait survives clock jumps and setTimeout's limit. */
const MAX_TIMER_MS = 3_600_000;

/** How far back a run missed while the service was down (or a failed delivery) is still delivered. */
export const CATCH_UP_MS = 2 * 86_400_000;
/** The wait before a failed delivery is tried again (within CATCH_UP_MS of its scheduled time). */
export const FAILED_RUN_RETRY_MS = 15 * 60_000;

/** The latest scheduled run in (now − CATCH_UP_MS, now], if any. */
export function missedRun(spec: ScheduleSpec, now: Date, window = CATCH_UP_MS): Date | null {
  const runs = nextRuns(spec, 50, new Date(now.getTime() - window)).filter((run) => run <= now);
  return runs.at(-1) ?? null;
}

/**
 * Runs every report on its schedule. Each run reports on the period its schedule day implies, and the
 * send record makes every (report, period) go out once, whatever restarts happen in between.
 */
export class ReportScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly retries = new Set<NodeJS.Timeout>();
  private stopped = false;

  private readonly clock: () => Date;
  private readonly failedRunRetryMs: number;
  private readonly metrics: ReporterMetrics | undefined;

  constructor(
    private readonly context: DeliveryContext,
    options: { clock?: () => Date; failedRunRetryMs?: number; metrics?: ReporterMetrics } = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.failedRunRetryMs = options.failedRunRetryMs ?? FAILED_RUN_RETRY_MS;
    this.metrics = options.metrics;
  }

  private get logger(): Logger {
    return this.context.logger;
  }

  start(): void {
    const { definitions } = this.context;
    for (const report of definitions.reports) {
      const spec = scheduleOf(report, definitions.settings.time_zone);
      const missed = missedRun(spec, this.clock());
      if (missed) this.run(report, spec, missed);
      this.arm(report, spec);
    }
  }

  private arm(report: ReportDefinition, spec: ScheduleSpec): void {
    if (this.stopped) return;
    const now = this.clock();
    const [next] = nextRuns(spec, 1, now);
    if (!next) {
      this.logger.warn({ report: report.name }, 'the schedule has no future run');
      return;
    }
    this.logger.info({ report: report.name, nextRun: next.toISOString() }, 'report scheduled');
    this.metrics?.scheduled(report.name, next);
    const waitMs = next.getTime() - now.getTime();
    const timer = setTimeout(
      () => {
        if (this.clock() >= next) this.run(report, spec, next);
        this.arm(report, spec);
      },
      Math.min(waitMs, MAX_TIMER_MS),
    );
    this.timers.set(report.name, timer);
  }

  private run(report: ReportDefinition, spec: ScheduleSpec, runAt: Date): void {
    const period = periodForRun(report.period, runAt, spec.timeZone);
    const started = Date.now();
    const seconds = () => (Date.now() - started) / 1000;
    const task = deliverReport(this.context, report, period, this.clock()).then(
      (result) => this.metrics?.delivered(report.name, result.status, seconds(), this.clock()),
      (error: Error) => {
        this.metrics?.delivered(report.name, 'failed', seconds(), this.clock());
        const retryAt = this.clock().getTime() + this.failedRunRetryMs;
        const retry = !this.stopped && retryAt - runAt.getTime() <= CATCH_UP_MS;
        this.logger.error(
          {
            report: report.name,
            period: period.key,
            err: error.message,
            retryAt: retry ? new Date(retryAt) : null,
          },
          retry
            ? 'report delivery failed; it will be tried again'
            : 'report delivery failed; giving up on this run',
        );
        if (retry) {
          const timer = setTimeout(() => {
            this.retries.delete(timer);
            if (!this.stopped) this.run(report, spec, runAt);
          }, this.failedRunRetryMs);
          this.retries.add(timer);
        }
      },
    );
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  /** Stops scheduling and waits for deliveries under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [...this.timers.values(), ...this.retries]) clearTimeout(timer);
    this.timers.clear();
    this.retries.clear();
    await Promise.all(this.running);
  }
}
