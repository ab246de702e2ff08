/**
 * Benchmark of what the plausibility bounds cost in the source queries (a script, not a test):
 *   flock /tmp/chom-bench.lock npm run bench:bounds -w exporter -- [--scale=medium|large] [--runs=5]
 * It starts its own MariaDB (test-support startMariaDbInstance: own port and data folder, so the
 * shared server is not loaded), fills the sites, vps_servers and subscriptions tables to the scale's
 * row counts with SQL (MariaDB's sequence engine), then runs the sites, server_sites and
 * subscriptions statements without the bounds (as before they existed) and with them, alternately,
 * and reports the median time of each and their ratio. (The bandwidth source reads per-day tables
 * now; its bound is measured with the collection benchmark, npm run bench.)
 */
import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { startMariaDbInstance } from '@chom/test-support';
import { parseConfig } from '../src/config';
import { isScaleName, SCALE_NAMES, SCALES } from '../src/demo/scales';
import { renderedStatements, renderSql, queryParams } from '../src/sources';

const HELP = `Usage: npm run bench:bounds -w exporter -- [options]
  --scale=small|medium|large   row counts of the demo scale (default medium)
  --runs=N                     runs of each statement; the median is reported (default 5)
  --help                       this text
Run it under the machine-wide lock: flock /tmp/chom-bench.lock npm run bench:bounds -w exporter -- ...
`;

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}

/** The statements as they were before the plausibility bounds (commit 74da758~1). */
const UNBOUNDED: Record<string, string> = {
  sites: `SELECT team_id AS tenant_id, COUNT(*) AS sites, SUM(storage_used_bytes) AS storage_used_bytes
FROM sites WHERE deleted_at IS NULL OR deleted_at > :now GROUP BY team_id`,
  server_sites: `SELECT vps_id AS server_id, team_id AS tenant_id, COUNT(*) AS sites, SUM(storage_used_bytes) AS storage_used_bytes
FROM sites WHERE vps_id IS NOT NULL AND (deleted_at IS NULL OR deleted_at > :now) GROUP BY vps_id, team_id`,
  subscriptions: `SELECT team_id AS tenant_id, SUM(amount_monthly) AS revenue_monthly
FROM subscriptions WHERE status = 'active' AND (ended_at IS NULL OR ended_at > :now) GROUP BY team_id`,
};

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function main() {
  if (process.argv.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  const scaleName = option('scale', 'medium');
  if (!isScaleName(scaleName)) throw new Error(`--scale: expected one of ${SCALE_NAMES.join(', ')}`);
  const runs = Number(option('runs', '5'));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs: expected a positive integer');
  const scale = SCALES[scaleName];
  const now = new Date('2026-03-15T12:00:00Z');
  const instance = await startMariaDbInstance();
  try {
    const admin = await mysql.createConnection({ uri: instance.serverUrl, multipleStatements: true });
    await admin.query('CREATE DATABASE bench; USE bench');
    await admin.query(fs.readFileSync(path.join(__dirname, '..', 'src', 'demo', 'schema.sql'), 'utf8'));
    process.stderr.write(`filling ${scaleName}: ${scale.sites} sites, ${scale.servers} servers…\n`);
    await admin.query(
      `INSERT INTO vps_servers (id, team_id, hostname, provider, size, vcpus, memory_mb, disk_gb, max_sites, status)
       SELECT seq, IF(seq % 10 = 0, 1 + seq % ${scale.tenants}, NULL), CONCAT('s', seq), 'hetzner', 'cx22', 2, 4096,
         80 + 80 * (seq % 4), 500, 'active' FROM seq_1_to_${scale.servers}`,
    );
    await admin.query(
      `INSERT INTO sites (id, team_id, vps_id, domain, storage_used_bytes, status)
       SELECT seq, 1 + seq % ${scale.tenants}, 1 + seq % ${scale.servers}, CONCAT('d', seq), (seq * 7919) % 5000000000, 'active'
       FROM seq_1_to_${scale.sites}`,
    );
    await admin.query(
      `INSERT INTO subscriptions (team_id, plan, amount_monthly, status)
       SELECT seq, 'pro', 19 + seq % 200, 'active' FROM seq_1_to_${scale.tenants}`,
    );
    await admin.query('ANALYZE TABLE sites, vps_servers, subscriptions');
    await admin.end();

    const bounded = renderedStatements(parseConfig({}), now);
    const params = queryParams(now);
    const conn = await mysql.createConnection(`${instance.serverUrl}/bench`);
    const time = async (sql: string) => {
      const started = process.hrtime.bigint();
      await conn.query(sql);
      return Number(process.hrtime.bigint() - started) / 1e9;
    };
    process.stdout.write(`scale ${scaleName}, ${runs} runs each (median)\n`);
    for (const [name, sql] of Object.entries(UNBOUNDED)) {
      const before: number[] = [];
      const after: number[] = [];
      await time(renderSql(sql, params)); // warm the buffer pool
      for (let run = 0; run < runs; run++) {
        before.push(await time(renderSql(sql, params)));
        after.push(await time(bounded[name as keyof typeof bounded]));
      }
      const b = median(before);
      const a = median(after);
      process.stdout.write(
        `${name.padEnd(14)} without bounds ${b.toFixed(3)} s, with bounds ${a.toFixed(3)} s, ratio ${(a / b).toFixed(2)}\n`,
      );
    }
    await conn.end();
  } finally {
    await instance.remove();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
