import type mysql from 'mysql2/promise';
import { reportOf } from '../collector';
import { monthEndProjectionCents } from '../model/projection';
import { createSourceReader, type SourceOutcomes } from '../sources';
import { SOURCE_NAMES, type Config } from '../config/schema';
import type { Instant } from './instants';
import { createHistoryRenderer } from './render';

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
  /** receives the OpenMetrics text of each instant, oldest first (without the final # EOF) */
  write: (text: string) => Promise<void> | void;
  onProgress?: (done: number, total: number) => void;
}

export interface HistorySummary {
  instants: number;
  samples: number;
  bytes: number;
  seconds: number;
}

/**
 * Computes the exporter's data metrics at each instant, with the code the exporter runs live, and
 * hands them on in time order as OpenMetrics with timestamps. One source reader walks the instants
 * in order: the first reads the usage window in full, each later one only the days since the previous
 * instant (the history does not change while it is read, so no full re-read is needed); the next
 * instant's read runs while this one is priced and written. A collection that fails stops the
 * backfill: a hole would be silently wrong history.
 */
export async function writeHistory(
  database: mysql.Pool,
  config: Config,
  options: HistoryOptions,
): Promise<HistorySummary> {
  const started = performance.now();
  const reader = createSourceReader(database, {
    ...config,
    collection: { ...config.collection, full_read_interval_seconds: Number.MAX_SAFE_INTEGER },
  });
  const render = createHistoryRenderer(config, options.targetLabels);
  const { instants } = options;
  let samples = 0;
  let bytes = 0;
  let reading = instants[0] ? reader.read(instants[0].at) : undefined;
  for (let done = 0; done < instants.length; done++) {
    const instant = instants[done] as Instant;
    const outcomes = await (reading as Promise<SourceOutcomes>);
    const following = instants[done + 1];
    reading = following ? reader.read(following.at) : undefined;
    const { report } = reportOf(outcomes, config, instant.at);
    if (!report) {
      await reading?.catch(() => undefined);
      const failures = SOURCE_NAMES.flatMap((s) => {
        const outcome = outcomes[s];
        return outcome.ok ? [] : [`${s}: ${outcome.error.message}`];
      });
      throw new CollectionFailed(instant.at, failures);
    }
    const projection = monthEndProjectionCents(report, reader.dailyUsage(instant.at), config, instant.at);
    const text = await render(report, instant.at, instant.detail, projection);
    samples += text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
    bytes += Buffer.byteLength(text);
    await options.write(text);
    options.onProgress?.(done + 1, instants.length);
  }
  return {
    instants: instants.length,
    samples,
    bytes,
    seconds: (performance.now() - started) / 1000,
  };
}
