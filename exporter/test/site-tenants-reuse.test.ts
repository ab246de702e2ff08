import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { startMariaDbInstance, type MariaDbInstance } from '@chom/test-support';
import { collectOnce, createCollector } from '../src/collector';
import { createDataMetrics } from '../src/exposition/data-metrics';
import { renderFamilies } from '../src/exposition/format';
import type { CostReport } from '../src/model';
import { TrafficTable } from '../src/model/usage';
import { createPool } from '../src/sources';
import { config, GIB, insert, server, site, team } from './support/fixtures';

const schemaSql = fs.readFileSync(path.join(__dirname, '..', 'src', 'demo', 'schema.sql'), 'utf8');
const MINUTE = 60_000;
const TENANTS_STATEMENT = 'GROUP_CONCAT(id) AS site_ids FROM sites GROUP BY team_id';

async function render(report: CostReport | undefined, cfg: ReturnType<typeof config>): Promise<string> {
  if (!report) throw new Error('no report');
  return renderFamilies(createDataMetrics(cfg).families(report), 'text');
}

/**
 * An incremental bandwidth read takes every site's tenant from the sites table (without a join per
 * site-day), and reads them again only when the sites' fingerprint changed. Counted on the database
 * side, in the general log of a server of the test's own.
 */
describe("incremental bandwidth reads: the sites' tenants", () => {
  let mariadb: MariaDbInstance;
  let admin: mysql.Pool;
  let pool: mysql.Pool;
  const start = Date.UTC(2026, 5, 10, 12);
  const today = '2026-06-10';
  let now = start;
  const cfg = config({
    collection: { ttl_seconds: 60, full_read_interval_seconds: 3600 },
    pricing: { bandwidth: { egress_gib: 1 } },
    sources: { database_size: 'SELECT 1073741824 AS bytes' },
  });

  /** How many times the sites' tenants were read in full (not the lookups of single sites). */
  async function tenantReads(): Promise<number> {
    const [rows] = await admin.query(
      `SELECT COUNT(*) AS n FROM mysql.general_log
       WHERE command_type = 'Query' AND argument LIKE ?`,
      [`%${TENANTS_STATEMENT}`],
    );
    return Number((rows as { n: number }[])[0]?.n);
  }

  beforeAll(async () => {
    mariadb = await startMariaDbInstance({ extraArgs: ['--general-log=1', '--log-output=TABLE'] });
    const root = await mysql.createConnection({ uri: mariadb.serverUrl });
    await root.query('CREATE DATABASE chom CHARACTER SET utf8mb4');
    await root.end();
    admin = mysql.createPool({ uri: `${mariadb.serverUrl}/chom`, multipleStatements: true, timezone: 'Z' });
    await admin.query(schemaSql);
    await insert(admin, 'teams', [team(1), team(2)]);
    await insert(admin, 'vps_servers', [server(1)]);
    await insert(admin, 'sites', [site(1, 1, 1), site(2, 2, 1)]);
    await insert(admin, 'site_bandwidth_daily', [
      { site_id: 1, day: today, bytes_in: 0, bytes_out: 3 * GIB },
      { site_id: 2, day: today, bytes_in: 0, bytes_out: GIB },
    ]);
    pool = createPool(`${mariadb.serverUrl}/chom`);
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    await admin?.end();
    await mariadb?.remove();
  });

  test('read once while the sites do not change; a site moved to another tenant takes its traffic along', async () => {
    const collector = createCollector({
      pool,
      config: cfg,
      logger: pino({ level: 'silent' }),
      clock: () => new Date(now),
    });
    const collect = async () => {
      const result = await collector.collect();
      expect(result.ok).toBe(true);
      const cold = await collectOnce(pool, cfg, new Date(now));
      expect(await render(result.report, cfg)).toBe(await render(cold.report, cfg));
      return result;
    };
    const egress = (result: Awaited<ReturnType<typeof collect>>) => {
      const table = result.snapshot?.bandwidth;
      if (!(table instanceof TrafficTable)) throw new Error('no traffic table');
      return table.tenantIds.map((t, r) => [t, table.egress30d.get(r)]);
    };

    await collect(); // the full read joins the sites
    expect(await tenantReads()).toBe(0);
    now += MINUTE;
    await collect();
    expect(await tenantReads()).toBe(1);
    now += MINUTE;
    await admin.query('UPDATE site_bandwidth_daily SET bytes_out = bytes_out + 1 WHERE site_id = 2');
    await collect();
    expect(await tenantReads()).toBe(1);

    await admin.query('UPDATE sites SET team_id = 1 WHERE id = 2');
    now += MINUTE;
    const moved = await collect();
    expect(await tenantReads()).toBe(2);
    expect(egress(moved)).toEqual([['1', BigInt(4 * GIB + 1)]]);

    // a new site with traffic: the fingerprint changed, so the tenants are read again
    await insert(admin, 'sites', [site(3, 2, 1)]);
    await insert(admin, 'site_bandwidth_daily', [{ site_id: 3, day: today, bytes_in: 0, bytes_out: 7 }]);
    now += MINUTE;
    const added = await collect();
    expect(await tenantReads()).toBe(3);
    expect(egress(added)).toEqual([
      ['1', BigInt(4 * GIB + 1)],
      ['2', 7n],
    ]);
  }, 60_000);
});
