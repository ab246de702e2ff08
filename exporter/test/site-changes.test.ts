import pino from 'pino';
import { collectOnce, createCollector } from '../src/collector';
import { createDataMetrics } from '../src/exposition/data-metrics';
import { renderFamilies } from '../src/exposition/format';
import type { CostReport } from '../src/model';
import { createSourceReader } from '../src/sources';
import { config, createSchemaDatabase, GIB, insert, server, site, team } from './support/fixtures';

type Db = Awaited<ReturnType<typeof createSchemaDatabase>>;

const MINUTE = 60_000;
const timestamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

async function render(report: CostReport | undefined, cfg: ReturnType<typeof config>): Promise<string> {
  if (!report) throw new Error('no report');
  return renderFamilies(createDataMetrics(cfg).families(report), 'text');
}

/**
 * Each collection reads the sites' fingerprint first and groups the sites again only when it changed
 * (or the full-read interval has passed): every change below that alters the figures must be seen,
 * and the figures must always equal a cold collection's.
 */
describe('sites: re-read when their fingerprint changes', () => {
  let db: Db;
  const start = Date.UTC(2026, 5, 10, 12);
  let now = start;
  const cfg = config({
    collection: { ttl_seconds: 60, full_read_interval_seconds: 3600 },
    allocation: { shared_servers: 'storage_share' },
    sources: { database_size: 'SELECT 1073741824 AS bytes' },
  });
  let collector: ReturnType<typeof createCollector>;

  /** A collection, whether it grouped the sites again, and whether its figures equal a cold one's. */
  let last: CostReport | undefined;
  async function collect(): Promise<{ reread: boolean; same: boolean }> {
    const result = await collector.collect();
    expect(result.ok).toBe(true);
    const sites = result.outcomes.sites;
    const serverSites = result.outcomes.server_sites;
    if (!sites.ok || !serverSites.ok) throw new Error('the sites read failed');
    expect(serverSites.unchanged).toBe(sites.unchanged);
    const cold = await collectOnce(db.exporterPool, cfg, new Date(now));
    last = result.report;
    return {
      reread: sites.unchanged !== true,
      same: (await render(result.report, cfg)) === (await render(cold.report, cfg)),
    };
  }

  beforeAll(async () => {
    db = await createSchemaDatabase();
    await insert(db.pool, 'teams', [team(1), team(2), team(3)]);
    await insert(db.pool, 'vps_servers', [server(1, { disk_gb: 100 }), server(2, { disk_gb: 100 })]);
    await insert(db.pool, 'sites', [
      site(1, 1, 1, { storage_used_bytes: 10 * GIB }),
      site(2, 2, 2, { storage_used_bytes: 20 * GIB }),
      site(3, 3, 1, { storage_used_bytes: 5 * GIB }),
      site(4, 3, 2, { storage_used_bytes: 5 * GIB, deleted_at: timestamp(start + 30 * MINUTE) }),
      site(5, 1, null, { storage_used_bytes: GIB }),
    ]);
    collector = createCollector({
      pool: db.exporterPool,
      config: cfg,
      logger: pino({ level: 'silent' }),
      clock: () => new Date(now),
    });
    expect(await collect()).toEqual({ reread: true, same: true });
  });
  afterAll(async () => {
    await db?.close();
  });

  test('nothing changed: the last rows are kept', async () => {
    now += MINUTE;
    expect(await collect()).toEqual({ reread: false, same: true });
  });

  test("a site's storage changes", async () => {
    await db.pool.query('UPDATE sites SET storage_used_bytes = storage_used_bytes + 1 WHERE id = 3');
    now += MINUTE;
    expect(await collect()).toEqual({ reread: true, same: true });
    now += MINUTE;
    expect(await collect()).toEqual({ reread: false, same: true });
  });

  test('two sites of different tenants swap servers (counts and sums of IDs stay the same)', async () => {
    await db.pool.query('UPDATE sites SET vps_id = 3 - vps_id WHERE id IN (1, 2)');
    now += MINUTE;
    expect(await collect()).toEqual({ reread: true, same: true });
  });

  test('a site is added, then one is placed on a server', async () => {
    await insert(db.pool, 'sites', [site(6, 2, 1, { storage_used_bytes: GIB })]);
    now += MINUTE;
    expect(await collect()).toEqual({ reread: true, same: true });
    await db.pool.query('UPDATE sites SET vps_id = 2 WHERE id = 5');
    now += MINUTE;
    expect(await collect()).toEqual({ reread: true, same: true });
  });

  test("a server's disk shrinks below a site's storage (the storage bound changes)", async () => {
    // the bound is disk × storage_over_disk_factor (2): 8 GiB, below site 1's 10 GiB
    await db.pool.query('UPDATE vps_servers SET disk_gb = 4 WHERE id = 2');
    now += MINUTE;
    expect(await collect()).toEqual({ reread: true, same: true });
    expect(last?.rejections).toContainEqual({ source: 'sites', reason: 'storage_above_disk', id: '1' });
  });

  test('a scheduled deletion passes with no row changed', async () => {
    now = start + 31 * MINUTE;
    expect(await collect()).toEqual({ reread: true, same: true });
    now += MINUTE;
    expect(await collect()).toEqual({ reread: false, same: true });
  });

  test('the full-read interval passes: grouped again although nothing changed', async () => {
    now += 3600_000;
    expect(await collect()).toEqual({ reread: true, same: true });
  });
});

/**
 * The small sources are read in full every collection; a row equal to the last read's at its place
 * is kept as the same object, so a steady collection does not hold a second copy of them.
 */
describe('small sources: unchanged rows are the last read’s', () => {
  let db: Db;
  afterAll(async () => {
    await db?.close();
  });

  test('equal rows are kept, changed and new rows are read anew, and the rows equal a fresh read', async () => {
    db = await createSchemaDatabase();
    await insert(db.pool, 'teams', [team(1), team(2), team(3)]);
    await insert(db.pool, 'vps_servers', [server(1), server(2)]);
    const cfg = config();
    const reader = createSourceReader(db.exporterPool, cfg);
    const now = new Date();
    const rowsOf = async (r: ReturnType<typeof createSourceReader>) => {
      const outcomes = await r.read(now);
      if (!outcomes.tenants.ok || !outcomes.servers.ok) throw new Error('a read failed');
      return { tenants: outcomes.tenants.rows, servers: outcomes.servers.rows };
    };
    const first = await rowsOf(reader);
    const same = await rowsOf(reader);
    expect(same.tenants).not.toBe(first.tenants);
    same.tenants.forEach((row, i) => expect(row).toBe(first.tenants[i]));
    // dates compare by their time: a server row with its creation date is kept too
    same.servers.forEach((row, i) => expect(row).toBe(first.servers[i]));

    await db.pool.query("UPDATE teams SET name = 'Renamed' WHERE id = 2");
    await insert(db.pool, 'teams', [team(4)]);
    const changed = await rowsOf(reader);
    expect(changed.tenants[0]).toBe(first.tenants[0]);
    expect(changed.tenants[1]).not.toBe(first.tenants[1]);
    expect(changed.tenants[1]?.name).toBe('Renamed');
    expect(changed.tenants[2]).toBe(first.tenants[2]);
    expect(changed.tenants).toEqual((await rowsOf(createSourceReader(db.exporterPool, cfg))).tenants);
    expect(changed.tenants.map((t) => t.tenantId)).toEqual(['1', '2', '3', '4']);
  });
});
