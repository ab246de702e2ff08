/**
 * Benchmark of the exporter under failure (a script, not a test): many concurrent scrapers over
 * loopback, behind TLS and basic auth, while its database is stopped and started again; it reports
 * requests, errors, latency percentiles with the database up and down, and the exporter's RSS.
 *   flock /tmp/chom-bench.lock npm run bench:scrape -w exporter -- [--duration=600] [--scrapers=200]
 * It runs its own MariaDB (test-support's startMariaDbInstance: own port and data folder, so the
 * shared server is never stopped), seeds it with the demo data, and stops by itself.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import bcrypt from 'bcryptjs';
import cliProgress from 'cli-progress';
import mysql from 'mysql2/promise';
import {
  createTestPki,
  runScrapeLoad,
  seedDemoDatabase,
  startExporter,
  startMariaDbInstance,
  tempDir,
  type MariaDbInstance,
  type RunningExporter,
  type ScrapeLoadResult,
} from '@chom/test-support';

const HELP = `Usage: npm run bench:scrape -w exporter -- [options]
Run it under the machine-wide benchmark lock:
  flock /tmp/chom-bench.lock npm run bench:scrape -w exporter -- --duration=600

  --duration=SECONDS      how long the scrapers run (default 600)
  --scrapers=N            concurrent scrapers over keep-alive connections (default 200)
  --interval=MS           each scraper scrapes every MS milliseconds, first scrapes spread over one
                          interval, as Prometheus does (default 1000); 0: back to back, all starting
                          together, which saturates the exporter's CPU (a capacity test)
  --outages=N             times the database is stopped and started again (default 2)
  --scale=small|medium    demo data set (default small)
  --ttl=SECONDS           the exporter's collection.ttl_seconds (default 5, so collections fail during outages)
  --auth=basic|bearer|none  credential the scrapers send (default basic: bcrypt cost 10)
  --no-tls                plain HTTP instead of TLS
  --no-progress           no progress bar (for logs)
  --help                  this text

Each outage stops the database a quarter into its share of the run and starts it again at 60 %.
Reported: scrapes, errors by reason (target 0), p50/p99/max latency with the database up and down,
the exporter's RSS (process_resident_memory_bytes) before, after warm-up and at the end (target: flat),
and when chom_exporter_up went to 0 and back to 1.
`;

interface Options {
  durationS: number;
  scrapers: number;
  intervalMs: number;
  outages: number;
  scale: 'small' | 'medium';
  ttlS: number;
  auth: 'basic' | 'bearer' | 'none';
  tls: boolean;
  progress: boolean;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string, fallback: string) =>
    argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const positive = (name: string, fallback: string, min = 1) => {
    const n = Number(value(name, fallback));
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected a whole number ≥ ${min}`);
    return n;
  };
  const known = [
    'duration',
    'scrapers',
    'interval',
    'outages',
    'scale',
    'ttl',
    'auth',
    'no-tls',
    'no-progress',
    'help',
  ];
  const unknown = argv.find((a) => !known.includes(a.replace(/^--/, '').split('=')[0] as string));
  if (unknown) throw new Error(`${unknown}: unknown option (see --help)`);
  const scale = value('scale', 'small');
  if (scale !== 'small' && scale !== 'medium') throw new Error('--scale: expected small or medium');
  const auth = value('auth', 'basic');
  if (auth !== 'basic' && auth !== 'bearer' && auth !== 'none')
    throw new Error('--auth: expected basic, bearer or none');
  return {
    durationS: positive('duration', '600', 10),
    scrapers: positive('scrapers', '200'),
    intervalMs: positive('interval', '1000', 0),
    outages: positive('outages', '2', 0),
    scale,
    ttlS: positive('ttl', '5'),
    auth,
    tls: !argv.includes('--no-tls'),
    progress: !argv.includes('--no-progress'),
  };
}

/** When to stop and start the database, in ms from the start of the load. */
function outageSchedule(durationMs: number, outages: number): Array<{ stopAt: number; startAt: number }> {
  const share = durationMs / Math.max(outages, 1);
  return Array.from({ length: outages }, (_, i) => ({
    stopAt: i * share + share * 0.25,
    startAt: i * share + share * 0.6,
  }));
}

const mib = (bytes: number | undefined) => (bytes === undefined ? '?' : (bytes / 2 ** 20).toFixed(1));
const sampleOf = (text: string, name: string) => {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  const options = parseArgs(argv);
  const work = tempDir('bench-scrape');
  let instance: MariaDbInstance | undefined;
  let exporter: RunningExporter | undefined;
  const cleanup = async () => {
    await exporter?.stop().catch(() => undefined);
    await instance?.remove().catch(() => undefined);
    work.remove();
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    process.stderr.write(`starting a private MariaDB and seeding the ${options.scale} demo data…\n`);
    instance = await startMariaDbInstance();
    const admin = await mysql.createConnection(instance.serverUrl);
    await admin.query('CREATE DATABASE chom_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await admin.end();
    const databaseUrl = `${instance.serverUrl}/chom_bench`;
    await seedDemoDatabase({ databaseUrl, scale: options.scale });

    const pki = await createTestPki(work.dir);
    const password = crypto.randomBytes(16).toString('hex');
    const token = crypto.randomBytes(24).toString('hex');
    const tokenFile = `${work.dir}/token`;
    fs.writeFileSync(tokenFile, token);
    const webConfig = [
      options.tls ? `tls_server_config: { cert_file: ${pki.serverCert}, key_file: ${pki.serverKey} }` : '',
      options.auth === 'basic' ? `basic_auth_users: { prometheus: "${bcrypt.hashSync(password, 10)}" }` : '',
      options.auth === 'bearer' ? `bearer_auth: { token_files: [${tokenFile}] }` : '',
    ].join('\n');
    const headers: Record<string, string> =
      options.auth === 'basic'
        ? { Authorization: `Basic ${Buffer.from(`prometheus:${password}`).toString('base64')}` }
        : options.auth === 'bearer'
          ? { Authorization: `Bearer ${token}` }
          : {};
    const tls = options.tls ? { ca: fs.readFileSync(pki.caCert) } : undefined;
    exporter = await startExporter({
      databaseUrl,
      configYaml: `collection: { ttl_seconds: ${options.ttlS} }\n`,
      webConfigYaml: webConfig,
      tls,
      scrapeHeaders: headers,
      env: { CHOM_LOG_LEVEL: 'warn' },
    });
    const running = exporter;

    // The sampler: RSS and chom_exporter_up every 2 s, on its own connection (not counted as load).
    const samples: Array<{ at: number; rss?: number; up?: number }> = [];
    let loadStarted = performance.now();
    const sample = async () => {
      try {
        const text = (await running.request('/metrics', { headers, timeoutMs: 30_000 })).body;
        samples.push({
          at: performance.now() - loadStarted,
          rss: sampleOf(text, 'process_resident_memory_bytes'),
          up: sampleOf(text, 'chom_exporter_up'),
        });
      } catch {
        samples.push({ at: performance.now() - loadStarted });
      }
    };
    await sample();
    const idleRss = samples[0]?.rss;

    const durationMs = options.durationS * 1000;
    const schedule = outageSchedule(durationMs, options.outages);
    const events: Array<{ at: number; what: 'stopped' | 'started' }> = [];
    let databaseUp = true;
    const bar = options.progress
      ? new cliProgress.SingleBar(
          {
            format:
              'scrapes {bar} {percentage}% | {elapsed}/{total} s | {requests} scrapes, {rate}/s | {errors} errors | database {db} | RSS {rss} MiB',
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    bar?.start(options.durationS, 0, {
      total: options.durationS,
      requests: 0,
      rate: 0,
      errors: 0,
      db: 'up',
      rss: mib(idleRss),
    });

    loadStarted = performance.now();
    samples.length = 0;
    const sampler = setInterval(() => void sample(), 2000);
    // stops and starts run one after the other, even when a short run schedules them close together
    let databaseOps = Promise.resolve();
    const database = (what: 'stopped' | 'started') => {
      databaseOps = databaseOps.then(async () => {
        if (what === 'stopped') {
          databaseUp = false;
          await instance?.stop();
        } else {
          await instance?.start();
          databaseUp = true;
        }
        events.push({ at: performance.now() - loadStarted, what });
      });
    };
    const timers = schedule.flatMap(({ stopAt, startAt }) => [
      setTimeout(() => database('stopped'), stopAt),
      setTimeout(() => database('started'), startAt),
    ]);
    let result: ScrapeLoadResult;
    try {
      result = await runScrapeLoad({
        url: `${running.url}/metrics`,
        concurrency: options.scrapers,
        intervalMs: options.intervalMs,
        durationMs,
        request: { ...tls, headers, timeoutMs: 10_000 },
        label: () => (databaseUp ? 'database up' : 'database down'),
        check: (status, body) =>
          status !== 200
            ? `status ${status}`
            : body.includes('chom_exporter_up ')
              ? undefined
              : 'no chom_exporter_up',
        onProgress: ({ elapsedMs, requests, errors }) =>
          bar?.update(Math.min(options.durationS, Math.floor(elapsedMs / 1000)), {
            requests,
            rate: Math.round(requests / Math.max(elapsedMs / 1000, 1)),
            errors,
            db: databaseUp ? 'up' : 'down',
            rss: mib(samples.at(-1)?.rss),
          }),
      });
    } finally {
      clearInterval(sampler);
      timers.forEach(clearTimeout);
      bar?.stop();
    }
    await databaseOps;
    await new Promise((r) => setTimeout(r, 5000));
    const afterRss = await running
      .request('/metrics', { headers })
      .then((r) => sampleOf(r.body, 'process_resident_memory_bytes'));

    const withRss = samples.filter((s) => s.rss !== undefined);
    const warm = withRss.find((s) => s.at >= Math.min(30_000, durationMs * 0.1));
    const end = withRss.at(-1);
    const maxRss = Math.max(...withRss.map((s) => s.rss as number));
    const upChanges: string[] = [];
    let lastUp: number | undefined;
    for (const s of samples) {
      if (s.up === undefined || s.up === lastUp) continue;
      upChanges.push(`${s.up} at ${(s.at / 1000).toFixed(0)} s`);
      lastUp = s.up;
    }

    const lines = [
      '',
      `Exporter under failure: ${options.scrapers} scrapers ${options.intervalMs ? `each every ${options.intervalMs} ms` : 'back to back'} for ${options.durationS} s over ${options.tls ? 'TLS' : 'HTTP'} with ${options.auth} auth, ${options.scale} data, ttl ${options.ttlS} s, ${options.outages} database outage(s)`,
      `  database: ${events.map((e) => `${e.what} at ${(e.at / 1000).toFixed(0)} s`).join(', ') || 'up throughout'}`,
      `  chom_exporter_up: ${upChanges.join(', ') || 'unchanged'}`,
      `  scrapes: ${result.requests} (${(result.requests / (result.elapsedMs / 1000)).toFixed(0)}/s), errors: ${result.errors}` +
        (result.errors ? ` ${JSON.stringify(result.errorsByReason)}` : ''),
      `  latency: p50 ${result.p50Ms.toFixed(0)} ms, p99 ${result.p99Ms.toFixed(0)} ms, max ${result.maxMs.toFixed(0)} ms`,
      ...Object.entries(result.byLabel).map(
        ([label, s]) =>
          `    ${label}: ${s.requests} scrapes, p50 ${s.p50Ms.toFixed(0)} ms, p99 ${s.p99Ms.toFixed(0)} ms, max ${s.maxMs.toFixed(0)} ms`,
      ),
      `  slowest: ${result.slowest
        .slice(0, 5)
        .map(
          (r) =>
            `${(r.ms / 1000).toFixed(1)} s at ${(r.startedAtMs / 1000).toFixed(0)} s${r.failure ? ` (${r.failure})` : ''}`,
        )
        .join(', ')}`,
      ...(result.failures.length
        ? [
            `  failures (first ${result.failures.length}): ${result.failures
              .map((f) => `${(f.startedAtMs / 1000).toFixed(1)} s ${f.failure}`)
              .join(', ')}`,
          ]
        : []),
      `  RSS over the run (MiB, every tenth): ${Array.from({ length: 11 }, (_, i) => {
        const at = (durationMs * i) / 10;
        return mib(withRss.find((s) => s.at >= at)?.rss ?? end?.rss);
      }).join(' ')}`,
      `  RSS: idle before ${mib(idleRss)} MiB, warm (${((warm?.at ?? 0) / 1000).toFixed(0)} s) ${mib(warm?.rss)} MiB, end ${mib(end?.rss)} MiB (end/warm ${
        warm?.rss && end?.rss ? (end.rss / warm.rss).toFixed(2) : '?'
      }), max ${mib(maxRss)} MiB, idle 5 s after ${mib(afterRss)} MiB`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    process.exitCode = result.errors > 0 ? 1 : 0;
  } finally {
    await cleanup();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
});
