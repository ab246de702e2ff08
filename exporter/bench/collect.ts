/**
 * Benchmark of a cold collection on a seeded database (a script, not a test):
 *   npm run bench -w exporter -- [--scale=medium] [--runs=3] [--server-url=mysql://root@127.0.0.1:3306] [--reuse]
 * It (re)creates the database chom_bench_<scale>, seeds it with the demo seeder, then compares the
 * exporter's cold collection with the mysql client running the very same statements.
 */
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { createCollector } from '../src/collector';
import { parseConfig } from '../src/config';
import { createPool, renderedStatements } from '../src/sources';

const execFileAsync = promisify(execFile);
const HELP = `Usage: npm run bench -w exporter -- [options]
  --scale=small|medium|large   data set to seed (default medium)
  --runs=N                     cold runs of each side; the median is reported (default 3)
  --server-url=URL             MariaDB/MySQL server without a database (default mysql://root@127.0.0.1:3306)
  --reuse                      keep chom_bench_<scale> if it is already seeded (skips the slow seeding)
  --help                       this text
`;

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main() {
  if (process.argv.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  const scale = option('scale', 'medium');
  if (!['small', 'medium', 'large'].includes(scale))
    throw new Error(`--scale: expected small, medium or large, got "${scale}"`);
  const runs = Number(option('runs', '3'));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs: expected a positive integer');
  const serverUrl = option('server-url', 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
  const database = `chom_bench_${scale}`;
  const databaseUrl = `${serverUrl}/${database}`;
  const repoRoot = path.resolve(__dirname, '..', '..');
  const now = new Date();

  const admin = await mysql.createConnection(serverUrl);
  const [existing] = await admin.query(
    'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE table_schema = ? AND table_name = ?',
    [database, 'email_logs'],
  );
  const seeded = Number((existing as { n: number }[])[0]?.n) > 0;
  if (!(process.argv.includes('--reuse') && seeded)) {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    process.stderr.write(`seeding ${database} at scale ${scale} (this takes a few minutes for medium)…\n`);
    const started = Date.now();
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
    process.stderr.write(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } else {
    process.stderr.write(`reusing ${database}\n`);
  }
  await admin.end();

  const config = parseConfig({});
  const logger = pino({ level: 'silent' });
  const statements = renderedStatements(config, now);
  const url = new URL(databaseUrl);
  const mysqlArgs = [
    `--host=${url.hostname}`,
    `--port=${url.port || '3306'}`,
    `--user=${decodeURIComponent(url.username)}`,
    ...(url.password ? [`--password=${decodeURIComponent(url.password)}`] : []),
    database,
    '-e',
    `SET time_zone = '+00:00'; ${Object.values(statements).join(';\n')};`,
  ];

  const exporterRuns: { total: number; sources: number; model: number; render: number; scrape: number }[] =
    [];
  const mysqlRuns: number[] = [];
  let seriesCount = 0;
  let bytes = 0;
  // alternate the two sides so that neither always finds the other's pages in the buffer pool
  for (let run = 0; run < runs; run++) {
    const clientStarted = process.hrtime.bigint();
    await execFileAsync('mysql', mysqlArgs, { maxBuffer: 512 * 1024 * 1024 });
    mysqlRuns.push(Number(process.hrtime.bigint() - clientStarted) / 1e9);

    const started = process.hrtime.bigint();
    const pool = createPool(databaseUrl);
    const collector = createCollector({ pool, config, logger, clock: () => now });
    const result = await collector.collect();
    const total = Number(process.hrtime.bigint() - started) / 1e9;
    if (!result.ok) throw new Error('collection failed: see the source errors');
    const scrapeStarted = process.hrtime.bigint();
    const text = await collector.metricsText();
    const scrape = Number(process.hrtime.bigint() - scrapeStarted) / 1e9;
    seriesCount = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    bytes = Buffer.byteLength(text);
    exporterRuns.push({ ...result.timings, total, scrape });
    await pool.end();
  }

  const collect = median(exporterRuns.map((r) => r.total));
  const client = median(mysqlRuns);
  const render = median(exporterRuns.map((r) => r.render));
  const rows: [string, string][] = [
    ['scale', scale],
    ['runs (median reported)', String(runs)],
    ['exporter cold collection', `${collect.toFixed(3)} s`],
    ['  sources (concurrent, pool of 4)', `${median(exporterRuns.map((r) => r.sources)).toFixed(3)} s`],
    ['  cost model + publish', `${median(exporterRuns.map((r) => r.model)).toFixed(3)} s`],
    ['  render exposition (once per collection)', `${render.toFixed(4)} s`],
    ['mysql client, same statements (sequential)', `${client.toFixed(3)} s`],
    ['ratio exporter / mysql client', (collect / client).toFixed(2)],
    ['render / collection', `${((render / collect) * 100).toFixed(1)} %`],
    ['cached scrape (/metrics text)', `${(median(exporterRuns.map((r) => r.scrape)) * 1000).toFixed(1)} ms`],
    ['series', String(seriesCount)],
    ['exposition bytes', String(bytes)],
    ['peak RSS', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`],
    ['all exporter runs (s)', exporterRuns.map((r) => r.total.toFixed(2)).join(', ')],
    ['all mysql client runs (s)', mysqlRuns.map((r) => r.toFixed(2)).join(', ')],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exit(1);
});
