/**
 * Benchmark of collection (a script, not a test):
 *   npm run bench -w exporter -- [--scale=medium] [--steady=5] [--runs=3] [--data-dir=DIR]
 * It runs a private MariaDB instance on a data folder kept across runs (seeded once per scale: large
 * takes about 15 minutes), and reports in one run: the exporter's cold collection (full reads) and
 * steady-state collections (incremental reads, one TTL apart), the mysql client's time on the very
 * same statements, their ratios, the cost model's CPU time and the exporter's peak RSS (measured in a
 * process of its own, bench/collect-worker.ts).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { startMariaDbInstance } from '@chom/test-support';
import { parseConfig } from '../src/config';
import {
  chunkWidth,
  FULL_READ_MEMORY_BYTES,
  queryParams,
  collectionStatements,
  renderSql,
  sourceSql,
  USAGE_CHUNKING,
  usageStatements,
  type ChunkIds,
} from '../src/sources';
import { RUNTIME_ENV } from '../src/runtime/heap';
import { incrementalRange } from '../src/usage';
import type { WorkerReport } from './collect-worker';

const execFileAsync = promisify(execFile);
const HELP = `Usage: npm run bench -w exporter -- [options]
  --scale=small|medium|large   data set (default medium); seeded once into the data folder
  --steady=N                   steady-state collections after the cold one (default 5; median reported)
  --runs=N                     runs of each side, alternating: the mysql client on each statement set, then
                               the exporter (a cold collection and the steady ones); medians reported (default 3)
  --data-dir=DIR               MariaDB data folder kept across runs (default ~/.cache/chom-bench/mariadb)
  --buffer-pool=SIZE           InnoDB buffer pool of the instance (default 2G)
  --ttl=SECONDS                collection.ttl_seconds of the exporter: steady collections are this far apart
                               on the clock, and each query's deadline is one second less (default 60)
  --reseed                     drop and seed the scale's database again
  --serving-scale=NAME         then run bench/serving.ts (/metrics against nginx, DB collections per TTL
                               with 3 replicas) with this --scale (default small: its own data set, with
                               the large fleet's 20,000 servers added so the exposition has a large size)
  --no-serving                 skip bench/serving.ts
  --node-flags="..."           node options of the exporter worker, e.g. "--optimize-for-size" (default none)
  --help                       this text
Run it under the machine-wide lock: flock /tmp/chom-bench.lock npm run bench -w exporter -- ...
`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** The mysql client running `statements`, its rows streamed (--quick) and thrown away. */
async function mysqlClientSeconds(url: URL, database: string, statements: string[]): Promise<number> {
  const args = [
    `--host=${url.hostname}`,
    `--port=${url.port || '3306'}`,
    `--user=${decodeURIComponent(url.username)}`,
    '--quick',
    database,
    '-e',
    `SET time_zone = '+00:00'; ${statements.join(';\n')};`,
  ];
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('mysql', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`mysql exited ${code}: ${stderr}`)),
    );
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * The statements of a full usage read as the exporter runs them: per chunk of IDs, the lookup of its
 * first ID, then the chunk's read (usageStatements, the exporter's own generator); e-mail with the
 * exporter's temporary-table setting.
 */
async function fullUsageStatements(
  serverUrl: string,
  database: string,
  config: ReturnType<typeof parseConfig>,
  now: Date,
  source: 'bandwidth' | 'email',
): Promise<{ statements: string[]; chunks: string[] }> {
  const connection = await mysql.createConnection({
    uri: `${serverUrl}/${database}`,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  const chunking = USAGE_CHUNKING[source];
  const width = chunkWidth(config, source);
  const memory =
    source === 'email'
      ? `SET STATEMENT tmp_table_size=${FULL_READ_MEMORY_BYTES}, max_heap_table_size=${FULL_READ_MEMORY_BYTES} FOR `
      : '';
  const statements: string[] = [];
  const chunks: string[] = [];
  try {
    const render = (sql: string, ids: ChunkIds) =>
      renderSql(sql, queryParams(now, undefined, undefined, ids));
    const nextId = async (lookup: string) => {
      statements.push(lookup);
      const [rows] = await connection.query(lookup);
      const value = (rows as { id: unknown }[])[0]?.id;
      return value === null || value === undefined ? null : BigInt(String(value));
    };
    const sql = sourceSql(config, source);
    for await (const text of usageStatements(sql, chunking, width, true, render, nextId)) {
      statements.push(memory + text);
      chunks.push(memory + text);
    }
  } finally {
    await connection.end();
  }
  return { statements, chunks };
}

async function main() {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: 'medium' },
      steady: { type: 'string', default: '5' },
      runs: { type: 'string', default: '3' },
      'data-dir': { type: 'string', default: path.join(os.homedir(), '.cache', 'chom-bench', 'mariadb') },
      'buffer-pool': { type: 'string', default: '2G' },
      ttl: { type: 'string', default: '60' },
      reseed: { type: 'boolean', default: false },
      'serving-scale': { type: 'string', default: 'small' },
      'no-serving': { type: 'boolean', default: false },
      'node-flags': { type: 'string', default: '' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const scale = values.scale;
  if (!['small', 'medium', 'large'].includes(scale))
    throw new Error(`--scale: expected small, medium or large, got "${scale}"`);
  const runs = Number(values.runs);
  const steady = Number(values.steady);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs: expected a positive integer');
  if (!Number.isInteger(steady) || steady < 1) throw new Error('--steady: expected a positive integer');
  const ttlSeconds = Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 2) throw new Error('--ttl: expected a whole number ≥ 2');
  const dataDir = path.resolve(values['data-dir']);
  const tmpDir = `${dataDir}-tmp`; // the server's temporary tables, away from a shared /tmp
  fs.mkdirSync(tmpDir, { recursive: true });
  const repoRoot = path.resolve(__dirname, '..', '..');

  process.stderr.write(`starting MariaDB on ${dataDir}…\n`);
  const instance = await startMariaDbInstance({
    dataDir,
    bufferPoolSize: values['buffer-pool'],
    extraArgs: [`--tmpdir=${tmpDir}`],
  });
  try {
    const database = `chom_bench_${scale}`;
    const databaseUrl = `${instance.serverUrl}/${database}`;
    const admin = await mysql.createConnection(instance.serverUrl);
    await admin.query('CREATE DATABASE IF NOT EXISTS chom_bench_meta');
    await admin.query(
      'CREATE TABLE IF NOT EXISTS chom_bench_meta.seeded (scale VARCHAR(16) PRIMARY KEY, seeded_for DATETIME NOT NULL)',
    );
    const [rows] = await admin.query('SELECT seeded_for FROM chom_bench_meta.seeded WHERE scale = ?', [
      scale,
    ]);
    let seededFor = (rows as { seeded_for: Date }[])[0]?.seeded_for;
    if (!seededFor || values.reseed) {
      // the data is laid out around this clock; the collections below use it, so reuse stays valid
      const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      process.stderr.write(`seeding ${database} (large takes about 15 minutes)…\n`);
      execFileSync(
        path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
        [
          path.join(repoRoot, 'exporter', 'src', 'demo', 'seed.ts'),
          `--database-url=${databaseUrl}`,
          `--scale=${scale}`,
          '--seed=1',
          `--now=${now.toISOString()}`,
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
      await admin.query('REPLACE INTO chom_bench_meta.seeded VALUES (?, ?)', [scale, now]);
      seededFor = now;
    }
    await admin.end();
    const now = new Date(seededFor);

    // The statements of a cold collection (full reads) and of a steady one (one TTL later, yesterday
    // and today only), exactly as the exporter renders them.
    const config = parseConfig({});
    const later = new Date(now.getTime() + ttlSeconds * 1000);
    // a full usage read is a statement per chunk of IDs, plus the lookup that starts each chunk
    const usageFull = {
      bandwidth: await fullUsageStatements(instance.serverUrl, database, config, now, 'bandwidth'),
      email: await fullUsageStatements(instance.serverUrl, database, config, now, 'email'),
    };
    const full = Object.entries(collectionStatements(config, now)).flatMap(([source, sql]) =>
      source === 'bandwidth' || source === 'email' ? usageFull[source].statements : [sql],
    );
    // the days a steady collection reads, by the exporter's own plan (yesterday only shortly after midnight)
    const steadyRange = incrementalRange(
      later,
      queryParams(now).today,
      config.collection.late_rows_seconds * 1000,
    );
    // the data does not change between the collections: the sites' fingerprint is the last read's
    const incrementalBySource = collectionStatements(config, later, steadyRange, false);
    const incremental = Object.values(incrementalBySource);

    // The worker runs compiled, as the exporter does in production (node dist/src/main.js): a
    // TypeScript loader in the process would add its own memory to the peak RSS measured.
    process.stderr.write('compiling the exporter for the worker…\n');
    execFileSync(
      path.join(repoRoot, 'node_modules', '.bin', 'tsc'),
      ['-p', path.join(repoRoot, 'exporter')],
      {
        stdio: 'inherit',
      },
    );
    const workerScript = path.join(repoRoot, 'exporter', 'dist', 'bench', 'collect-worker.js');

    const url = new URL(instance.serverUrl);
    const clientFull: number[] = [];
    const clientIncremental: number[] = [];
    const reports: WorkerReport[] = [];
    // the two sides alternate, so that a busy moment of the machine does not fall on one side only
    for (let i = 0; i < runs; i++) {
      clientFull.push(await mysqlClientSeconds(url, database, full));
      clientIncremental.push(await mysqlClientSeconds(url, database, incremental));
      process.stderr.write(`run ${i + 1}/${runs}: exporter, a cold collection then ${steady} steady ones…\n`);
      const worker = await execFileAsync(
        process.execPath,
        [
          '--expose-gc',
          ...values['node-flags'].split(' ').filter((f) => f !== ''),
          workerScript,
          `--database-url=${databaseUrl}`,
          `--now=${now.toISOString()}`,
          `--steady=${steady}`,
          `--ttl=${ttlSeconds}`,
          `--timeout=${ttlSeconds - 1}`,
        ],
        // the environment of the exporter's launchers (the Docker image, npm start)
        { maxBuffer: 16 * 1024 * 1024, cwd: repoRoot, env: { ...process.env, ...RUNTIME_ENV } },
      );
      reports.push(JSON.parse(worker.stdout) as WorkerReport);
    }
    const report = reports[reports.length - 1] as WorkerReport;
    // each steady statement alone: what the slowly changing tables cost beside the usage reads
    const perSource: string[] = [];
    for (const [source, sql] of Object.entries(incrementalBySource)) {
      perSource.push(`${source} ${(await mysqlClientSeconds(url, database, [sql])).toFixed(2)}`);
    }
    // each chunk alone: the longest one must stay within collection.timeout_seconds
    const slowestChunk = { bandwidth: 0, email: 0 };
    for (const source of ['bandwidth', 'email'] as const)
      for (const sql of usageFull[source].chunks)
        slowestChunk[source] = Math.max(slowestChunk[source], await mysqlClientSeconds(url, database, [sql]));
    const colds = reports.map((r) => r.cold);
    const steadies = reports.flatMap((r) => r.steady);

    const cold = median(colds.map((t) => t.total));
    const steadyTotal = median(steadies.map((t) => t.total));
    const clientCold = median(clientFull);
    const clientSteady = median(clientIncremental);
    const lines: [string, string][] = [
      ['scale', scale],
      ['exporter node options', values['node-flags'] || '(none)'],
      ['clock (seeded for)', now.toISOString()],
      ['days a steady collection reads', `${steadyRange.from} … ${steadyRange.to}`],
      ['exporter cold collection (full reads)', `${cold.toFixed(2)} s`],
      ['  sources (concurrent, pool of 4)', `${median(colds.map((t) => t.sources)).toFixed(2)} s`],
      ['  cost model + publish', `${median(colds.map((t) => t.model)).toFixed(2)} s`],
      ['mysql client, same statements (sequential)', `${clientCold.toFixed(2)} s`],
      ['ratio cold / mysql client', (cold / clientCold).toFixed(2)],
      [`exporter steady-state collection (median of ${steadies.length})`, `${steadyTotal.toFixed(2)} s`],
      ['  sources', `${median(steadies.map((t) => t.sources)).toFixed(2)} s`],
      ['  cost model + publish', `${median(steadies.map((t) => t.model)).toFixed(2)} s`],
      ['mysql client, steady statements', `${clientSteady.toFixed(2)} s`],
      [
        'ratio steady / bare full-window SQL (mysql client, full reads)',
        (steadyTotal / clientCold).toFixed(3),
      ],
      ['cost model CPU time (one run)', `${median(reports.map((r) => r.modelCpuSeconds)).toFixed(2)} s`],
      [
        'live heap after a steady collection (after GC)',
        `${(median(reports.map((r) => r.liveHeapBytes)) / 2 ** 20).toFixed(0)} MiB`,
      ],
      [
        'exporter peak RSS (highest run)',
        `${(Math.max(...reports.map((r) => r.peakRssBytes)) / 2 ** 20).toFixed(0)} MiB`,
      ],
      [
        '  of which by the end of the cold collection',
        `${(Math.max(...reports.map((r) => r.coldPeakRssBytes)) / 2 ** 20).toFixed(0)} MiB`,
      ],
      [
        '  after each steady collection (last run)',
        report.steadyPeakRssBytes.map((b) => `${(b / 2 ** 20).toFixed(0)} MiB`).join(', '),
      ],
      [
        '  highest 50 ms sample (last run): RSS, heap total / used, external',
        `${report.highestSample.rss} MiB, ${report.highestSample.heapTotal} / ${report.highestSample.heapUsed} MiB, ${report.highestSample.external} MiB (${report.highestSample.phase})`,
      ],
      ['series / exposition bytes', `${report.series} / ${report.expositionBytes}`],
      ['mysql client runs, full (s)', clientFull.map((s) => s.toFixed(2)).join(', ')],
      ['mysql client runs, steady (s)', clientIncremental.map((s) => s.toFixed(2)).join(', ')],
      ['mysql client, each steady statement alone (s)', perSource.join(', ')],
      ...(['bandwidth', 'email'] as const).map((source): [string, string] => [
        `${source} full read: chunks, slowest chunk alone (mysql client)`,
        `${usageFull[source].chunks.length}, ${slowestChunk[source].toFixed(2)} s`,
      ]),
      ['exporter cold runs (s)', colds.map((t) => t.total.toFixed(2)).join(', ')],
      ['exporter steady runs (s)', steadies.map((t) => t.total.toFixed(2)).join(', ')],
    ];
    const width = Math.max(...lines.map(([k]) => k.length));
    process.stdout.write(`${lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  } finally {
    await instance.stop();
  }
  if (!values['no-serving']) {
    // serving and sharing run on instances of their own (bench/serving.ts); its report follows
    process.stderr.write('serving: bench/serving.ts…\n');
    try {
      const serving = await execFileAsync(
        path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
        [path.join(__dirname, 'serving.ts'), `--scale=${values['serving-scale']}`, '--no-progress'],
        { maxBuffer: 16 * 1024 * 1024 },
      );
      process.stdout.write(`\n${serving.stdout}`);
    } catch (error) {
      // the collection figures above stand on their own
      process.stdout.write(`\nbench/serving.ts failed: ${(error as Error).message.split('\n')[0]}\n`);
      process.exitCode = 1;
    }
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exit(1);
});
