/**
 * The exporter side of the collection benchmark, in a process of its own so that its peak RSS is the
 * exporter's alone: a cold collection (full reads), then steady-state ones (incremental reads), one
 * TTL apart on the clock. Prints one JSON object. Started by bench/collect.ts.
 *   node --expose-gc dist/bench/collect-worker.js --database-url=URL --now=ISO --steady=N (compiled)
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createCollector, type CollectionResult, type Collector } from '../src/collector';
import { parseConfig } from '../src/config';
import { buildReport } from '../src/model';
import { collectGarbageNow, limitHeapGrowth } from '../src/runtime/heap';
import { createPool } from '../src/sources';

export interface WorkerReport {
  cold: CollectionResult['timings'];
  steady: CollectionResult['timings'][];
  /**
   * CPU seconds (user + system) of one cost model run on the last steady snapshot, best of 3, each
   * after the full garbage collection a collection runs before its model
   */
  modelCpuSeconds: number;
  /** peak resident set size of this process, bytes */
  peakRssBytes: number;
  /** the same when the cold collection has ended (the full reads and the first model run) */
  coldPeakRssBytes: number;
  /** the same after each steady collection */
  steadyPeakRssBytes: number[];
  /** of the memory samples taken every 50 ms, the one with the highest RSS (MiB, by kind) */
  highestSample: { rss: number; heapTotal: number; heapUsed: number; external: number; phase: string };
  /** the heap still in use after a full garbage collection at the end (what the collector keeps) */
  liveHeapBytes: number;
  series: number;
  expositionBytes: number;
}

async function coldCollection(collector: Collector) {
  const cold = await collector.collect();
  if (!cold.ok) throw new Error('the cold collection failed');
  return cold.timings;
}

function countSeries(text: string): { series: number; expositionBytes: number } {
  let series = 0;
  for (const line of text.split('\n')) if (line !== '' && !line.startsWith('#')) series++;
  return { series, expositionBytes: Buffer.byteLength(text) };
}

async function main() {
  limitHeapGrowth();
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      now: { type: 'string' },
      steady: { type: 'string', default: '5' },
      ttl: { type: 'string', default: '60' },
      timeout: { type: 'string', default: '59' },
    },
  });
  const url = values['database-url'];
  if (!url || !values.now) throw new Error('--database-url and --now are required');
  const ttlSeconds = Number(values.ttl);
  const config = parseConfig({
    collection: { ttl_seconds: ttlSeconds, timeout_seconds: Number(values.timeout) },
  });
  let now = new Date(values.now).getTime();
  const pool = createPool(url);
  const collector = createCollector({
    pool,
    config,
    logger: pino({ level: 'silent' }),
    clock: () => new Date(now),
  });
  // Only what the report needs is kept: the exporter itself holds no report, outcome or second
  // snapshot between collections, so neither does its measurement.
  // samples the memory while the event loop turns (between rows and statements), keeping the highest
  let phase = 'cold';
  let highestSample = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, phase };
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (mib(m.rss) > highestSample.rss)
      highestSample = {
        rss: mib(m.rss),
        heapTotal: mib(m.heapTotal),
        heapUsed: mib(m.heapUsed),
        external: mib(m.external),
        phase,
      };
  }, 50);
  const coldTimings = await coldCollection(collector);
  const coldPeakRssBytes = process.resourceUsage().maxRSS * 1024;
  const { series, expositionBytes } = countSeries(await collector.metricsText());
  const steady: CollectionResult['timings'][] = [];
  const steadyPeakRssBytes: number[] = [];
  let snapshot: CollectionResult['snapshot'];
  for (let i = 0; i < Number(values.steady); i++) {
    now += ttlSeconds * 1000;
    phase = `steady ${i + 1}`;
    const result = await collector.collect();
    steadyPeakRssBytes.push(process.resourceUsage().maxRSS * 1024);
    if (!result.ok) throw new Error('a steady-state collection failed');
    const read = result.outcomes.bandwidth.ok ? result.outcomes.bandwidth.read : undefined;
    if (read?.full !== false) throw new Error('a steady-state collection made a full read');
    steady.push(result.timings);
    // the collector's own last good rows: the model runs below hold nothing more
    snapshot = result.snapshot;
  }
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  clearInterval(sampler);
  if (!snapshot) throw new Error('no steady-state collection ran');
  let modelCpuSeconds = Infinity;
  for (let i = 0; i < 3; i++) {
    // as in a collection: the garbage of what ran before is collected first, outside the model's time
    collectGarbageNow();
    const before = process.cpuUsage();
    buildReport(snapshot, config, new Date(now));
    const used = process.cpuUsage(before);
    modelCpuSeconds = Math.min(modelCpuSeconds, (used.user + used.system) / 1e6);
  }
  await pool.end();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const report: WorkerReport = {
    cold: coldTimings,
    steady,
    modelCpuSeconds,
    peakRssBytes,
    coldPeakRssBytes,
    steadyPeakRssBytes,
    highestSample,
    liveHeapBytes: gc ? process.memoryUsage().heapUsed : Number.NaN,
    series,
    expositionBytes,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`collect-worker: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
