import http from 'node:http';
import https from 'node:https';
import { httpRequest, type HttpRequestOptions } from './http';

export interface ScrapeLoadOptions {
  /** the URL every scraper requests */
  url: string;
  concurrency: number;
  durationMs: number;
  /** request headers (credentials), TLS CA and client certificate */
  request?: Omit<HttpRequestOptions, 'agent' | 'path'>;
  /** a failure if it returns a reason (default: a 200 status is required) */
  check?: (status: number, body: string) => string | undefined;
  /** labels each request (e.g. the database state when it started) for per-label latencies */
  label?: () => string;
  /**
   * Each scraper starts a scrape every this many ms, as Prometheus does (or at once if the previous
   * one took longer); the scrapers' first scrapes are spread over one interval, as Prometheus
   * spreads its targets. Default 0: back to back, all starting together (a saturation test).
   */
  intervalMs?: number;
  /** called about once a second */
  onProgress?: (stats: ScrapeLoadProgress) => void;
}

export interface ScrapeLoadProgress {
  readonly elapsedMs: number;
  readonly requests: number;
  readonly errors: number;
}

export interface LatencySummary {
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface ScrapeLoadResult extends LatencySummary {
  readonly errors: number;
  /** failures by reason: `status 500`, `ECONNRESET`, `timeout…`, or what `check` returned */
  readonly errorsByReason: Readonly<Record<string, number>>;
  readonly byLabel: Readonly<Record<string, LatencySummary>>;
  readonly elapsedMs: number;
  /** the slowest requests (at most 10): when they started (ms from the start) and how long they took */
  readonly slowest: ReadonlyArray<{
    readonly startedAtMs: number;
    readonly ms: number;
    readonly failure?: string;
  }>;
  /** the first 20 failures: when the request started (ms from the start) and why it failed */
  readonly failures: ReadonlyArray<{ readonly startedAtMs: number; readonly failure: string }>;
}

function summarise(latencies: number[]): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) =>
    sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number) : 0;
  return {
    requests: sorted.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: sorted.length ? (sorted[sorted.length - 1] as number) : 0,
  };
}

/**
 * `concurrency` scrapers, each requesting `url` again as soon as the previous answer is read, over
 * keep-alive connections, until `durationMs` has passed (bounded: it stops by itself). Every request
 * is timed; failures are counted by reason.
 */
export async function runScrapeLoad(options: ScrapeLoadOptions): Promise<ScrapeLoadResult> {
  const secure = options.url.startsWith('https:');
  const agent = new (secure ? https : http).Agent({ keepAlive: true, maxSockets: options.concurrency });
  const check = options.check ?? ((status: number) => (status === 200 ? undefined : `status ${status}`));
  const latencies = new Map<string, number[]>();
  const errorsByReason: Record<string, number> = {};
  let requests = 0;
  let errors = 0;
  const slowest: Array<{ startedAtMs: number; ms: number; failure?: string }> = [];
  const failureTimes: Array<{ startedAtMs: number; failure: string }> = [];
  const started = performance.now();
  const end = started + options.durationMs;
  const progress = setInterval(
    () => options.onProgress?.({ elapsedMs: performance.now() - started, requests, errors }),
    1000,
  );

  const interval = options.intervalMs ?? 0;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const scraper = async (index: number) => {
    if (interval > 0) await sleep((interval * index) / options.concurrency);
    while (performance.now() < end) {
      const label = options.label?.() ?? 'all';
      const t0 = performance.now();
      let failure: string | undefined;
      try {
        const response = await httpRequest(options.url, { ...options.request, agent });
        failure = check(response.status, response.body);
      } catch (error) {
        const e = error as NodeJS.ErrnoException & { reusedSocket?: boolean };
        failure = `${e.code ?? e.message}${e.reusedSocket ? ' on a reused keep-alive connection' : ''}`;
      }
      const ms = performance.now() - t0;
      const list = latencies.get(label) ?? [];
      list.push(ms);
      latencies.set(label, list);
      if (slowest.length < 10 || ms > (slowest.at(-1) as { ms: number }).ms) {
        slowest.push({ startedAtMs: t0 - started, ms, ...(failure !== undefined ? { failure } : {}) });
        slowest.sort((a, b) => b.ms - a.ms).splice(10);
      }
      requests += 1;
      if (failure !== undefined) {
        if (failureTimes.length < 20) failureTimes.push({ startedAtMs: t0 - started, failure });
        errors += 1;
        errorsByReason[failure] = (errorsByReason[failure] ?? 0) + 1;
      }
      const wait = Math.min(t0 + interval, end) - performance.now();
      if (wait > 0) await sleep(wait);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, (_, i) => scraper(i)));
  } finally {
    clearInterval(progress);
    agent.destroy();
  }
  const all = summarise([...latencies.values()].flat());
  return {
    ...all,
    errors,
    errorsByReason,
    byLabel: Object.fromEntries([...latencies].map(([label, list]) => [label, summarise(list)])),
    elapsedMs: performance.now() - started,
    slowest,
    failures: failureTimes,
  };
}
