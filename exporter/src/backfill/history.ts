import type mysql from 'mysql2/promise';
import { collectOnce } from '../collector';
import { SOURCE_NAMES, type Config } from '../config/schema';
import type { Instant } from './instants';
import { createHistoryRenderer } from './render';

/**
 * A pool whose `query` answers a statement it has already run from memory. The statements of a
 * collection are rendered with the clock's parameters, so identical text means the same question
 * about the same past; the answer cannot change while history is unchanged. Day-level statements
 * (the trailing-30-day usage sums, say) then run once per day instead of once per instant.
 */
export function memoisingPool(
  pool: mysql.Pool,
  capacity = 256,
): { pool: mysql.Pool; stats: () => CacheStats } {
  const answers = new Map<string, Promise<unknown>>();
  const stats = { ran: 0, reused: 0 };
  const query = (sql: unknown, ...rest: unknown[]) => {
    if (typeof sql !== 'string' || rest.length > 0)
      return (pool.query as (...a: unknown[]) => unknown)(sql, ...rest);
    const known = answers.get(sql);
    if (known) {
      stats.reused++;
      answers.delete(sql);
      answers.set(sql, known);
      return known;
    }
    stats.ran++;
    const answer = pool.query(sql);
    answers.set(sql, answer);
    answer.catch(() => answers.delete(sql));
    if (answers.size > capacity) answers.delete(answers.keys().next().value as string);
    return answer;
  };
  return {
    pool: new Proxy(pool, { get: (target, key) => (key === 'query' ? query : Reflect.get(target, key)) }),
    stats: () => ({ ...stats }),
  };
}

export interface CacheStats {
  /** statements sent to the database */
  ran: number;
  /** statements answered from an earlier identical one */
  reused: number;
}

export class CollectionFailed extends Error {
  constructor(
    readonly at: Date,
    readonly failures: string[],
  ) {
    super(`the collection at ${at.toISOString()} failed: ${failures.join('; ')}`);
  }
}

export interface HistoryOptions {
  instants: readonly Instant[];
  /** the scrape target's labels, e.g. { job: 'chom-exporter', instance: '127.0.0.1:9864' } */
  targetLabels: Record<string, string>;
  /** collections computed at once (default 2) */
  concurrency?: number;
  /** receives the OpenMetrics text of each instant, oldest first (without the final # EOF) */
  write: (text: string) => Promise<void> | void;
  onProgress?: (done: number, total: number) => void;
}

export interface HistorySummary {
  instants: number;
  samples: number;
  bytes: number;
  seconds: number;
  statements: CacheStats;
}

/**
 * Computes the exporter's data metrics at each instant with a cold collection at that clock (the same
 * code the exporter runs live) and hands them on in time order as OpenMetrics with timestamps. A
 * collection that fails stops the backfill: a hole would be silently wrong history.
 */
export async function writeHistory(
  database: mysql.Pool,
  config: Config,
  options: HistoryOptions,
): Promise<HistorySummary> {
  const started = performance.now();
  const { pool, stats } = memoisingPool(database);
  const render = createHistoryRenderer(config, options.targetLabels);
  const total = options.instants.length;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  let samples = 0;
  let bytes = 0;
  const collect = async (instant: Instant) => {
    const collection = await collectOnce(pool, config, instant.at);
    if (!collection.report) {
      const failures = SOURCE_NAMES.flatMap((s) => {
        const outcome = collection.outcomes[s];
        return outcome.ok ? [] : [`${s}: ${outcome.error.message}`];
      });
      throw new CollectionFailed(instant.at, failures);
    }
    return collection.report;
  };
  // A window of collections in flight; each result is rendered and written in order.
  const pending: Array<Promise<Awaited<ReturnType<typeof collect>>>> = [];
  let next = 0;
  const fill = () => {
    while (next < total && pending.length < concurrency) {
      const promise = collect(options.instants[next] as Instant);
      promise.catch(() => undefined);
      pending.push(promise);
      next++;
    }
  };
  fill();
  for (let done = 0; done < total; done++) {
    const report = await (pending.shift() as Promise<Awaited<ReturnType<typeof collect>>>);
    fill();
    const instant = options.instants[done] as Instant;
    const text = await render(report, instant.at, instant.detail);
    samples += text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
    bytes += Buffer.byteLength(text);
    await options.write(text);
    options.onProgress?.(done + 1, total);
  }
  return {
    instants: total,
    samples,
    bytes,
    seconds: (performance.now() - started) / 1000,
    statements: stats(),
  };
}
