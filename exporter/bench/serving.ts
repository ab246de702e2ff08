/**
 * Benchmark of serving and sharing (a script, not a test); run it under the machine-wide lock:
 *   flock /tmp/chom-bench.lock npm run bench:serving -w exporter -- [options]
 * 1. The cached /metrics under load: wrk (10 connections) against an exporter (its TTL outlasting the
 *    runs, so no collection competes) and against nginx serving
 *    the very same bytes from a file, plain and gzip; requests per second, p99 and their ratios.
 * 2. Collections per TTL: three replicas sharing one Redis (and, for comparison, three without it)
 *    scraped back to back; collections counted in the database's general log.
 * Everything runs on private instances (MariaDB with the general log, Redis, nginx on free ports).
 * The functions are exported for bench/collect.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import cliProgress from 'cli-progress';
import { gzipCodec } from '../src/cache/shared-cache';
import { parseConfig } from '../src/config';
import { plausibilityBounds } from '../src/plausibility';
import {
  addEmailRow,
  bandwidthDays,
  emailDays,
  packUsageState,
  unpackUsageState,
  type UsageDays,
} from '../src/usage';
import { addDays, scanRange } from '../src/sources/params';
import mysql from 'mysql2/promise';
import {
  freePort,
  seedDemoDatabase,
  startExporter,
  startMariaDbInstance,
  startProcess,
  startRedisInstance,
  tempDir,
  waitForHttp,
  type RunningExporter,
} from '@chom/test-support';

const execFileAsync = promisify(execFile);

const HELP = `Usage: flock /tmp/chom-bench.lock npm run bench:serving -w exporter -- [options]
  --scale=small|medium|large   demo data set seeded into a private MariaDB (default small)
  --extra-servers=N            servers added to the data set, each with its own series, so the exposition
                               has the size of a large platform's (default 20000: the large scale's fleet)
  --duration=S                 seconds of each wrk run (default 20)
  --connections=N              wrk connections (default 10)
  --ttl=S                      collection.ttl_seconds of the replicas (default 5)
  --periods=N                  TTL periods the replicas are scraped for when counting collections (default 6)
  --state-tenants=N            tenants of the usage day tables whose sharing cost is measured (default 100000)
  --only=state                 measure only that (no instances needed)
  --no-progress                no progress bar
  --help                       this text
Needs the Debian packages wrk, nginx-light (or nginx), mariadb-server and redis-server.
`;

export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** non-2xx answers plus socket errors */
  errors: number;
  bytesPerRequest: number;
}

function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value);
  if (!m) throw new Error(`wrk: unreadable latency ${value}`);
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

function toBytes(value: string): number {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(value);
  if (!m) return NaN;
  return Number(m[1]) * 1024 ** ['B', 'KB', 'MB', 'GB', 'TB'].indexOf(m[2] as string);
}

/** Parses wrk's report (run with --latency). */
export function parseWrk(output: string): WrkResult {
  const number = (re: RegExp) => {
    const m = re.exec(output);
    if (!m) throw new Error(`wrk output without ${re}:\n${output}`);
    return m[1] as string;
  };
  const requests = Number(number(/(\d+) requests in/));
  const read = toBytes(number(/requests in [\d.]+\w+, ([\d.]+\w+) read/));
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    requestsPerSecond: Number(number(/Requests\/sec:\s+([\d.]+)/)),
    p50Ms: toMs(number(/\s50%\s+([\d.]+\w+)/)),
    p99Ms: toMs(number(/\s99%\s+([\d.]+\w+)/)),
    requests,
    errors: non2xx + socketErrors,
    bytesPerRequest: requests > 0 ? read / requests : 0,
  };
}

/** `wrk --latency` with `connections` connections for `seconds` against `url`. */
export async function runWrk(
  url: string,
  options: { connections: number; seconds: number; headers?: Record<string, string> },
): Promise<WrkResult> {
  const args = [
    `--threads=${Math.min(2, options.connections)}`,
    `--connections=${options.connections}`,
    `--duration=${options.seconds}s`,
    '--timeout=10s',
    '--latency',
  ];
  for (const [name, value] of Object.entries(options.headers ?? {}))
    args.push('--header', `${name}: ${value}`);
  const { stdout } = await execFileAsync('wrk', [...args, url], { maxBuffer: 1024 * 1024 });
  return parseWrk(stdout);
}

export interface NginxServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * nginx (one worker, as the exporter is one process) serving `body` at /metrics with `contentType`,
 * and its gzip (gzip_static) to clients that accept gzip: the same bytes the exporter sends.
 */
export async function startNginxServing(body: Buffer, contentType: string): Promise<NginxServer> {
  const work = tempDir('nginx');
  const port = await freePort();
  const file = path.join(work.dir, 'metrics');
  fs.writeFileSync(file, body);
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(body));
  // nginx's worker drops root's rights: it must be able to read the files
  fs.chmodSync(work.dir, 0o755);
  for (const f of [file, `${file}.gz`]) fs.chmodSync(f, 0o644);
  const temp = (name: string) => `${name} ${path.join(work.dir, name)};`;
  const conf = path.join(work.dir, 'nginx.conf');
  fs.writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${path.join(work.dir, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  ${temp('client_body_temp_path')} ${temp('proxy_temp_path')} ${temp('fastcgi_temp_path')}
  ${temp('uwsgi_temp_path')} ${temp('scgi_temp_path')}
  keepalive_requests 1000000;
  # nginx at its best for a static file: zero-copy sends, the file kept open
  sendfile on;
  tcp_nopush on;
  open_file_cache max=16;
  server {
    listen 127.0.0.1:${port};
    location = /metrics {
      types { }
      default_type "${contentType}";
      gzip_static on;
      alias ${file};
    }
  }
}
`,
  );
  const proc = startProcess('nginx', ['-p', work.dir, '-c', conf]);
  const url = `http://127.0.0.1:${port}/metrics`;
  try {
    await waitForHttp(url, proc, 10_000);
  } catch (error) {
    await proc.stop();
    work.remove();
    throw error;
  }
  return {
    url,
    async stop() {
      await proc.stop();
      work.remove();
    },
  };
}

export interface ServingComparison {
  exposition: { bytes: number; gzipBytes: number };
  plain: { exporter: WrkResult; nginx: WrkResult };
  gzip: { exporter: WrkResult; nginx: WrkResult };
}

/** wrk against the exporter's /metrics and against nginx serving the same bytes, plain and gzip. */
export async function compareWithNginx(
  exporterUrl: string,
  options: { connections: number; seconds: number; onRun?: (what: string) => void },
): Promise<ServingComparison> {
  const response = await fetch(`${exporterUrl}/metrics`, { headers: { 'Accept-Encoding': 'identity' } });
  const body = Buffer.from(await response.arrayBuffer());
  const nginx = await startNginxServing(body, response.headers.get('content-type') ?? 'text/plain');
  try {
    const run = (what: string, url: string, headers?: Record<string, string>) => {
      options.onRun?.(what);
      return runWrk(url, { connections: options.connections, seconds: options.seconds, headers });
    };
    const gzipHeader = { 'Accept-Encoding': 'gzip' };
    const plain = {
      nginx: await run('nginx plain', nginx.url),
      exporter: await run('exporter plain', `${exporterUrl}/metrics`),
    };
    const gzip = {
      nginx: await run('nginx gzip', nginx.url, gzipHeader),
      exporter: await run('exporter gzip', `${exporterUrl}/metrics`, gzipHeader),
    };
    return { exposition: { bytes: body.length, gzipBytes: zlib.gzipSync(body).length }, plain, gzip };
  } finally {
    await nginx.stop();
  }
}

/** The statement that marks a collection in the general log (the database_size source, with a comment). */
export const COLLECTION_MARKER = 'chom_bench_collection';
export const MARKED_DATABASE_SIZE = `SELECT /* ${COLLECTION_MARKER} */ COALESCE(SUM(data_length + index_length), 0) AS bytes FROM information_schema.TABLES WHERE table_schema = DATABASE()`;

/** Collections (marked statements) in the general log between two database times (seconds). */
export async function countCollections(admin: mysql.Pool, from: number, to: number): Promise<number> {
  const [rows] = await admin.query(
    `SELECT COUNT(*) AS n FROM mysql.general_log
     WHERE command_type IN ('Query', 'Execute') AND argument LIKE ? AND user_host NOT LIKE 'root%'
       AND event_time BETWEEN FROM_UNIXTIME(?) AND FROM_UNIXTIME(?)`,
    [`%/* ${COLLECTION_MARKER} */%`, from, to],
  );
  return Number((rows as Array<{ n: number }>)[0]?.n);
}

export async function databaseNow(admin: mysql.Pool): Promise<number> {
  const [rows] = await admin.query('SELECT UNIX_TIMESTAMP(NOW(6)) AS now');
  return Number((rows as Array<{ now: string }>)[0]?.now);
}

export interface ReplicaCount {
  withRedis: boolean;
  seconds: number;
  ttlSeconds: number;
  collections: number;
  collectionsPerTtl: number;
  scrapes: number;
  failedScrapes: number;
}

/**
 * Scrapes every replica back to back (`parallel` connections each) for `seconds` and counts the
 * collections the database saw meanwhile.
 */
export async function collectionsPerTtl(
  admin: mysql.Pool,
  replicas: RunningExporter[],
  options: { seconds: number; ttlSeconds: number; parallel: number; withRedis: boolean },
): Promise<ReplicaCount> {
  const from = await databaseNow(admin);
  const deadline = Date.now() + options.seconds * 1000;
  let scrapes = 0;
  let failed = 0;
  const loop = async (replica: RunningExporter) => {
    while (Date.now() < deadline) {
      try {
        const response = await replica.request('/metrics', { timeoutMs: 10_000 });
        if (response.status !== 200) failed++;
      } catch {
        failed++;
      }
      scrapes++;
    }
  };
  await Promise.all(replicas.flatMap((r) => Array.from({ length: options.parallel }, () => loop(r))));
  const to = await databaseNow(admin);
  const collections = await countCollections(admin, from, to);
  return {
    withRedis: options.withRedis,
    seconds: to - from,
    ttlSeconds: options.ttlSeconds,
    collections,
    collectionsPerTtl: collections / ((to - from) / options.ttlSeconds),
    scrapes,
    failedScrapes: failed,
  };
}

export interface StateSharingCost {
  tenants: number;
  days: number;
  /** on the event loop: the day tables to JSON */
  blockingMs: number;
  /** until the bytes are ready (gzip on the thread pool included) */
  encodeMs: number;
  bytes: number;
  decodeMs: number;
}

/**
 * What sharing the usage day tables costs: day tables of `tenants` tenants with traffic and two
 * message types on every day of the scan, encoded as they go to Redis (JSON, gzip), then decoded
 * and restored as the next collector does.
 */
export async function measureStateSharing(tenants: number, now = new Date()): Promise<StateSharingCost> {
  const bounds = plausibilityBounds(parseConfig({}));
  const bandwidth = bandwidthDays();
  const email = emailDays(bounds);
  const scan = scanRange(now);
  const fill = (
    days: UsageDays,
    add: (batch: ReturnType<UsageDays['batch']>, day: string, t: number) => void,
  ) => {
    const plan = days.plan(now, 3_600_000, 3_600_000);
    const batch = days.batch(plan);
    for (let day = scan.from; day <= scan.to; day = addDays(day, 1))
      for (let t = 1; t <= tenants; t++) add(batch, day, t);
    days.commit(plan, batch, now);
  };
  let dayCount = 0;
  for (let day = scan.from; day <= scan.to; day = addDays(day, 1)) dayCount++;
  // one (day, tenant) cell each, as the bandwidth read's sums hand them over (usage/bandwidth-sums.ts)
  fill(bandwidth, (batch, day, t) => batch.add(day, String(t), [t * 1_000_003, t * 7919]));
  fill(email, (batch, day, t) => {
    addEmailRow(batch, { day, tenantId: String(t), type: 'transactional', sent: t % 97 });
    addEmailRow(batch, { day, tenantId: String(t), type: 'marketing', sent: t % 13 });
  });
  const codec = gzipCodec;
  let started = performance.now();
  const encoding = codec.encode(packUsageState(bandwidth.serialize(), email.serialize()));
  const blockingMs = performance.now() - started;
  const bytes = await encoding;
  const encodeMs = performance.now() - started;
  started = performance.now();
  const state = unpackUsageState(await codec.decode(bytes));
  bandwidthDays().restore(state.bandwidth);
  emailDays(bounds).restore(state.email);
  const decodeMs = performance.now() - started;
  return { tenants, days: dayCount, blockingMs, encodeMs, bytes: bytes.length, decodeMs };
}

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}

function positive(name: string, fallback: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name}: expected a whole number ≥ 0`);
  return value;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function main() {
  if (process.argv.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  const scale = option('scale', 'small');
  if (!['small', 'medium', 'large'].includes(scale))
    throw new Error(`--scale: expected small, medium or large, got "${scale}"`);
  const extraServers = positive('extra-servers', 20_000);
  const duration = positive('duration', 20);
  const connections = positive('connections', 10);
  const ttl = positive('ttl', 5);
  const periods = positive('periods', 6);
  const progress = !process.argv.includes('--no-progress');
  const stateTenants = positive('state-tenants', 100_000);
  const stateReport = async () => {
    const cost = await measureStateSharing(stateTenants);
    return [
      `usage day tables shared through Redis: ${cost.tenants} tenants × ${cost.days} days (bandwidth, 2 e-mail types):`,
      `encode ${fmt(cost.encodeMs, 0)} ms (${fmt(cost.blockingMs, 0)} ms of it on the event loop), ${(cost.bytes / 2 ** 20).toFixed(1)} MiB in Redis, decode and restore ${fmt(cost.decodeMs, 0)} ms`,
      '',
    ].join('\n');
  };
  if (option('only', '') === 'state') {
    process.stdout.write(await stateReport());
    return;
  }

  const steps = [
    'MariaDB',
    'seed',
    'Redis',
    'replicas',
    'nginx plain',
    'exporter plain',
    'nginx gzip',
    'exporter gzip',
    'count with Redis',
    'count without Redis',
  ];
  const bar = progress
    ? new cliProgress.SingleBar(
        { format: '{bar} {value}/{total} {step}' },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(steps.length, 0, { step: steps[0] });
  const step = (name: string) => {
    const index = steps.indexOf(name);
    if (bar) bar.update(index, { step: name });
    else process.stderr.write(`${name}…\n`);
  };

  const mariadb = await startMariaDbInstance({ extraArgs: ['--general-log=1', '--log-output=TABLE'] });
  const redis = await startRedisInstance();
  const replicas: RunningExporter[] = [];
  let admin: mysql.Pool | undefined;
  try {
    step('seed');
    const root = await mysql.createConnection({ uri: mariadb.serverUrl });
    await root.query('CREATE DATABASE chom CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await root.query(`CREATE USER 'exporter'@'%' IDENTIFIED BY 'bench-exporter'`);
    await root.query(`GRANT SELECT ON chom.* TO 'exporter'@'%'`);
    await root.end();
    await seedDemoDatabase({ databaseUrl: `${mariadb.serverUrl}/chom`, scale: scale as 'small' });
    admin = mysql.createPool({ uri: `${mariadb.serverUrl}/chom`, timezone: 'Z' });
    if (extraServers > 0) {
      await admin.query(
        `INSERT INTO vps_servers (id, hostname, provider, size, vcpus, memory_mb, disk_gb, status, created_at)
         SELECT 10000000 + seq, CONCAT('bench', seq, '.example'), 'hetzner', 'cx22', 2, 4096, 40, 'active', '2026-01-01'
         FROM seq_1_to_${extraServers}`,
      );
    }

    step('replicas');
    const configYaml = (ttlSeconds: number) =>
      [
        `collection: { ttl_seconds: ${ttlSeconds} }`,
        `sources: { database_size: ${JSON.stringify(MARKED_DATABASE_SIZE)} }`,
      ].join('\n');
    const databaseUrl = `mysql://exporter:bench-exporter@127.0.0.1:${mariadb.port}/chom`;
    const start = (withRedis: boolean, ttlSeconds = ttl) =>
      startExporter({
        databaseUrl,
        configYaml: configYaml(ttlSeconds),
        env: { CHOM_LOG_LEVEL: 'warn', ...(withRedis ? { CHOM_REDIS_URL: redis.url } : {}) },
        readyTimeoutMs: 600_000,
      });

    // the cached /metrics: one exporter whose TTL outlasts the runs, so no collection competes
    const cached = await start(false, 24 * 3600);
    let serving: ServingComparison;
    try {
      serving = await compareWithNginx(cached.url, { connections, seconds: duration, onRun: step });
    } finally {
      await cached.stop();
    }
    for (let i = 0; i < 3; i++) replicas.push(await start(true));

    step('count with Redis');
    const shared = await collectionsPerTtl(admin, replicas, {
      seconds: ttl * periods,
      ttlSeconds: ttl,
      parallel: 4,
      withRedis: true,
    });
    step('count without Redis');
    for (const replica of replicas.splice(0)) await replica.stop();
    for (let i = 0; i < 3; i++) replicas.push(await start(false));
    const alone = await collectionsPerTtl(admin, replicas, {
      seconds: ttl * periods,
      ttlSeconds: ttl,
      parallel: 4,
      withRedis: false,
    });
    bar?.update(steps.length, { step: 'done' });
    bar?.stop();

    const row = (name: string, e: WrkResult, n: WrkResult) =>
      `| ${name} | ${fmt(e.requestsPerSecond)} | ${fmt(e.p99Ms)} | ${fmt(n.requestsPerSecond)} | ${fmt(n.p99Ms)} | **${fmt(e.requestsPerSecond / n.requestsPerSecond, 2)}×** | ${e.errors + n.errors} |`;
    const count = (c: ReplicaCount) =>
      `| ${c.withRedis ? 'with Redis' : 'without Redis'} | ${fmt(c.seconds)} s | ${c.collections} | **${fmt(c.collectionsPerTtl, 2)}** | ${c.scrapes} | ${c.failedScrapes} |`;
    process.stdout.write(
      [
        `exposition: ${serving.exposition.bytes} bytes (gzip ${serving.exposition.gzipBytes}); scale ${scale} + ${extraServers} servers; wrk ${connections} connections, ${duration} s per run`,
        '',
        '| /metrics | exporter req/s | exporter p99 ms | nginx req/s | nginx p99 ms | ratio | errors |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        row('plain', serving.plain.exporter, serving.plain.nginx),
        row('gzip', serving.gzip.exporter, serving.gzip.nginx),
        '',
        `3 replicas, ttl_seconds ${ttl}, scraped back to back (4 connections each):`,
        '',
        '| replicas | time | DB collections | per TTL | scrapes | failed |',
        '| --- | --- | --- | --- | --- | --- |',
        count(shared),
        count(alone),
        '',
        await stateReport(),
      ].join('\n'),
    );
  } finally {
    bar?.stop();
    for (const replica of replicas) await replica.stop();
    await admin?.end();
    await redis.remove();
    await mariadb.remove();
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
