import { collectOnce } from '../src/collector';
import { centsToUnits, OTHER_TENANTS, type CostReport } from '../src/model';
import { config, createSchemaDatabase, GIB, insert, server, site, team } from './support/fixtures';

type Db = Awaited<ReturnType<typeof createSchemaDatabase>>;

const units = (cents: bigint | undefined) => centsToUnits(cents ?? 0n);
const line = (r: CostReport, category: string, resourceType: string) =>
  units(r.runRate.find((l) => l.category === category && l.resourceType === resourceType)?.cents);
const tenantCost = (r: CostReport, tenantId: string, category: string) =>
  units(r.tenants.find((t) => t.tenantId === tenantId)?.costCents.get(category));
const mtd = (r: CostReport, category: string) => units(r.monthToDateCents.get(category));
const unallocated = (r: CostReport, category: string) => units(r.unallocatedCents.get(category));

const pricing = {
  pricing: {
    servers: {
      default_monthly: 20,
      stopped_factor: 0.5,
      sizes: [{ provider: 'hetzner', size: 'cx22', monthly: 10 }],
    },
    storage: { gib_month: 0.1 },
    bandwidth: { egress_gib: 0.01 },
    email: { per_1000: { transactional: 1000, marketing: 2000 }, default_per_1000: 0 },
    database: { gib_month: 0.25 },
  },
  fixed_items: [{ name: 'load_balancer', category: 'network', monthly: 25 }],
  capacity: { database_limit_bytes: 4 * GIB },
  // a fixed database size keeps the figures exact (and exercises a source override)
  sources: { database_size: `SELECT ${GIB} AS bytes` },
};

/**
 * The fixture of docs/cost-model.md's worked example. Clock: 2026-03-15T12:00Z (March: 31 days,
 * 14.5 days elapsed; 30-day window from 2026-02-14).
 */
async function fillFixture(db: Db) {
  await insert(db.pool, 'teams', [
    team(1),
    team(2, { plan: 'starter' }),
    team(3, { plan: 'business' }), // a tenant with nothing
    team(4, { deleted_at: '2026-03-01 00:00:00' }),
  ]);
  await insert(db.pool, 'subscriptions', [
    { team_id: 1, plan: 'pro', amount_monthly: '100.00', status: 'active' },
    { team_id: 2, plan: 'starter', amount_monthly: '10.00', status: 'active' },
    { team_id: 2, plan: 'pro', amount_monthly: '50.00', status: 'canceled' },
    { team_id: 1, plan: 'pro', amount_monthly: '70.00', status: 'active', ended_at: '2026-03-01 00:00:00' },
  ]);
  await insert(db.pool, 'vps_servers', [
    server(1, { disk_gb: 100, max_sites: 10 }), // shared, cx22 10: split by storage
    server(2, { size: 'unknown-size', disk_gb: 50 }), // shared, default 20: no bytes, split by site count
    server(3, { team_id: 1, status: 'stopped' }), // dedicated, 10 × 0.5
    server(4, { status: 'decommissioned' }), // costs nothing
    server(5, { size: 'other', max_sites: 10 }), // shared, no sites: idle, unallocated 20
    server(6, { size: 'other', deleted_at: '2026-03-10 00:00:00' }), // deleted on the 10th
    server(7, {
      size: 'other',
      team_id: 2,
      disk_gb: 80,
      created_at: '2026-03-10 00:00:00',
      deleted_at: '2026-04-01 00:00:00',
    }),
  ]);
  await insert(db.pool, 'sites', [
    site(1, 1, 1, { storage_used_bytes: 3 * GIB }),
    site(2, 2, 1, { storage_used_bytes: 1 * GIB }),
    site(3, 2, 1, { storage_used_bytes: 10 * GIB, deleted_at: '2026-03-05 00:00:00' }), // deleted
    site(4, 1, 2),
    site(5, 2, 2),
    site(6, 2, 2, { status: 'suspended' }),
    site(7, 2, 2, { deleted_at: '2026-06-01 00:00:00' }), // deletion in the future: still exists
    site(8, 1, 999, { storage_used_bytes: 2 * GIB }), // on a server that does not exist
  ]);
  await insert(db.pool, 'site_bandwidth_daily', [
    { site_id: 1, day: '2026-03-01', bytes_in: GIB, bytes_out: 10 * GIB },
    { site_id: 1, day: '2026-02-20', bytes_in: 0, bytes_out: 20 * GIB },
    { site_id: 1, day: '2026-02-13', bytes_in: 0, bytes_out: 100 * GIB }, // before the window
    { site_id: 1, day: '2026-03-16', bytes_in: 0, bytes_out: 100 * GIB }, // after the clock
    { site_id: 3, day: '2026-03-04', bytes_in: 0, bytes_out: 5 * GIB }, // deleted site: still its tenant's
    { site_id: 777, day: '2026-03-05', bytes_in: 0, bytes_out: GIB }, // unknown site: unallocated
  ]);
  await insert(db.pool, 'email_logs', [
    { team_id: 1, type: 'transactional', sent_at: '2026-03-02 08:00:00' },
    { team_id: 1, type: 'transactional', sent_at: '2026-02-20 08:00:00' },
    { team_id: 1, type: 'transactional', sent_at: '2026-02-13 23:59:59' }, // before the window
    { team_id: 2, type: 'marketing', sent_at: '2026-03-15 10:00:00' },
    { team_id: 2, type: 'marketing', sent_at: '2026-03-14 10:00:00' },
  ]);
}

describe('cost figures on a hand-computed fixture', () => {
  let db: Db;
  let report: CostReport;
  const now = new Date('2026-03-15T12:00:00Z');

  beforeAll(async () => {
    db = await createSchemaDatabase();
    await fillFixture(db);
    const result = await collectOnce(db.exporterPool, config(pricing), now);
    if (!result.report) throw new Error(JSON.stringify(result.outcomes));
    report = result.report;
  });
  afterAll(() => db.close());

  test('run-rate by category and resource type', () => {
    // servers: 10 (S1) + 20 (S2) + 10×0.5 (S3 stopped) + 0 (S4) + 20 (S5) + 0 (S6 deleted) + 20 (S7)
    expect(line(report, 'compute', 'vps')).toBe(75);
    // storage: t1 3 + 2 GiB, t2 1 GiB (the deleted site's 10 GiB do not count) × 0.10
    expect(line(report, 'storage', 'disk')).toBe(0.6);
    // egress in the window: 10 + 20 + 5 + 1 GiB × 0.01
    expect(line(report, 'network', 'bandwidth')).toBe(0.36);
    expect(line(report, 'network', 'load_balancer')).toBe(25);
    // e-mail: 2 transactional × 1 + 2 marketing × 2
    expect(line(report, 'email', 'email')).toBe(6);
    expect(line(report, 'database', 'database')).toBe(0.25);
  });

  test('allocation: dedicated, shared by storage, shared by site count, unallocated', () => {
    // S1 by storage 3:1 → 7.5 / 2.5; S2 by sites 1:3 → 5 / 15; S3 → t1 5; S7 → t2 20; S5 → unallocated
    expect(tenantCost(report, '1', 'compute')).toBe(17.5);
    expect(tenantCost(report, '2', 'compute')).toBe(37.5);
    expect(unallocated(report, 'compute')).toBe(20);
    expect(tenantCost(report, '1', 'storage')).toBe(0.5);
    expect(tenantCost(report, '2', 'storage')).toBe(0.1);
    expect(tenantCost(report, '1', 'network')).toBe(0.3);
    expect(tenantCost(report, '2', 'network')).toBe(0.05);
    expect(unallocated(report, 'network')).toBe(25.01);
    expect(tenantCost(report, '1', 'email')).toBe(2);
    expect(tenantCost(report, '2', 'email')).toBe(4);
    expect(unallocated(report, 'database')).toBe(0.25);
  });

  test('tenants with nothing are present with zeros; deleted tenants are not listed', () => {
    const t3 = report.tenants.find((t) => t.tenantId === '3');
    expect(t3?.plan).toBe('business');
    expect(Number(t3?.totalCents)).toBe(0);
    expect(Number(t3?.sites)).toBe(0);
    expect(report.tenants.find((t) => t.tenantId === '4')).toBeUndefined();
  });

  test('tenant counts, storage and revenue', () => {
    const t1 = report.tenants.find((t) => t.tenantId === '1');
    const t2 = report.tenants.find((t) => t.tenantId === '2');
    expect(Number(t1?.sites)).toBe(3);
    expect(Number(t2?.sites)).toBe(4);
    expect(Number(t1?.storageUsedBytes)).toBe(5 * GIB);
    expect(Number(t1?.servers)).toBe(1);
    expect(Number(t2?.servers)).toBe(1);
    expect(units(t1?.revenueCents)).toBe(100);
    expect(units(t2?.revenueCents)).toBe(10);
  });

  test('month-to-date', () => {
    // (10 + 20 + 5 + 20) × 14.5/31 + 20 × 9/31 (S6 until the 10th) + 20 × 5.5/31 (S7 from the 10th)
    expect(mtd(report, 'compute')).toBe(35.08); // 1087.5 / 31 = 35.0806
    expect(mtd(report, 'storage')).toBe(0.28); // 0.60 × 14.5/31 = 0.2806
    expect(mtd(report, 'network')).toBe(11.85); // 16 GiB × 0.01 + 25 × 14.5/31 = 11.8535
    expect(mtd(report, 'email')).toBe(5); // 1 transactional + 2 marketing × 2
    expect(mtd(report, 'database')).toBe(0.12); // 0.25 × 14.5/31 = 0.1169
  });

  test('usage totals', () => {
    expect(Number(report.usage.egress30dBytes)).toBe(36 * GIB);
    expect(Number(report.usage.ingress30dBytes)).toBe(GIB);
    expect(Number(report.usage.egressMonthToDateBytes)).toBe(16 * GIB);
    expect(report.usage.emails).toEqual(
      expect.arrayContaining([
        { type: 'transactional', sent30d: 2n, sentMonthToDate: 1n },
        { type: 'marketing', sent30d: 2n, sentMonthToDate: 2n },
      ]),
    );
    const count = (status: string) =>
      report.usage.servers.filter((s) => s.status === status).reduce((n, s) => n + s.count, 0);
    expect(count('active')).toBe(4); // S1, S2, S5, S7 (S6 is deleted)
    expect(count('stopped')).toBe(1);
    expect(count('decommissioned')).toBe(1);
  });

  test('opportunities', () => {
    const found = report.opportunities.map((o) => [o.kind, o.resourceId, o.priority, units(o.savingsCents)]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['idle_server', '5', 'high', 20],
        ['stopped_server', '3', 'medium', 5],
        // S2 uses 0 of 50 GiB and its 4 sites fit in S1's 8 free slots
        ['underused_server', '2', 'low', 20],
        // t2: 37.5 + 0.1 + 0.05 + 4 = 41.65 cost, 10 revenue
        ['negative_margin', '2', 'high', 31.65],
      ]),
    );
    expect(found).toHaveLength(4);
  });

  test('capacity', () => {
    const cap = (resource: string) => report.capacity.find((c) => c.resource === resource);
    // active servers S1, S2, S5, S7: 100 + 50 + 40 + 80 GiB; used 4 GiB on S1
    expect(Number(cap('storage')?.used)).toBe(4 * GIB);
    expect(Number(cap('storage')?.limit)).toBe(270 * GIB);
    // servers with max_sites: S1 (10) and S5 (10); 2 sites on them
    expect(Number(cap('sites')?.used)).toBe(2);
    expect(Number(cap('sites')?.limit)).toBe(20);
    expect(Number(cap('database')?.used)).toBe(GIB);
    expect(Number(cap('database')?.limit)).toBe(4 * GIB);
  });

  test('other allocation settings: site count, even, proportional overhead', async () => {
    const bySites = (
      await collectOnce(
        db.exporterPool,
        config({ ...pricing, allocation: { shared_servers: 'site_count', shared_overhead: 'proportional' } }),
        now,
      )
    ).report!;
    // S1 by sites 1:1 → 5 / 5
    expect(tenantCost(bySites, '1', 'compute')).toBe(5 + 5 + 5);
    expect(tenantCost(bySites, '2', 'compute')).toBe(5 + 15 + 20);
    // overhead spread by direct cost: t1 15 + 0.5 + 0.3 + 2 = 17.8, t2 40 + 0.1 + 0.05 + 4 = 44.15
    // database 0.25 → t1 0.0718 → 0.07, t2 0.178 → 0.18
    expect(tenantCost(bySites, '1', 'database')).toBe(0.07);
    expect(tenantCost(bySites, '2', 'database')).toBe(0.18);
    expect(unallocated(bySites, 'database')).toBe(0);
    // network: LB 25 spread + own egress; unknown-site egress 0.01 stays unallocated
    expect(unallocated(bySites, 'network')).toBe(0.01);
    expect(tenantCost(bySites, '1', 'network') + tenantCost(bySites, '2', 'network')).toBeCloseTo(25.35, 10);

    const even = (
      await collectOnce(db.exporterPool, config({ ...pricing, allocation: { shared_servers: 'even' } }), now)
    ).report!;
    expect(tenantCost(even, '1', 'compute')).toBe(5 + 10 + 5);
    expect(tenantCost(even, '2', 'compute')).toBe(5 + 10 + 20);
  });

  test('tenant cap folds the cheapest tenants into __other__ with exact sums', async () => {
    const capped = (
      await collectOnce(db.exporterPool, config({ ...pricing, collection: { tenant_limit: 1 } }), now)
    ).report!;
    expect(capped.tenants.map((t) => t.tenantId)).toEqual(['2', OTHER_TENANTS]);
    expect(tenantCost(capped, OTHER_TENANTS, 'compute')).toBe(17.5);
    expect(units(capped.tenants[1]?.revenueCents)).toBe(100);
    expect(Number(capped.tenants[1]?.sites)).toBe(3);
  });
});

describe('month boundary', () => {
  let db: Db;
  beforeAll(async () => {
    db = await createSchemaDatabase();
    await insert(db.pool, 'teams', [team(1)]);
    await insert(db.pool, 'vps_servers', [server(1, { team_id: 1, size: 'x' })]);
    await insert(db.pool, 'sites', [site(1, 1, 1)]);
    await insert(db.pool, 'site_bandwidth_daily', [
      { site_id: 1, day: '2026-02-28', bytes_in: 0, bytes_out: 10 * GIB },
      { site_id: 1, day: '2026-03-01', bytes_in: 0, bytes_out: GIB },
    ]);
    await insert(db.pool, 'email_logs', [
      { team_id: 1, type: 'transactional', sent_at: '2026-02-28 22:00:00' },
      { team_id: 1, type: 'transactional', sent_at: '2026-03-01 00:10:00' },
    ]);
  });
  afterAll(() => db.close());

  const cfg = config({
    pricing: {
      servers: { default_monthly: 20 },
      storage: { gib_month: 0 },
      bandwidth: { egress_gib: 1 },
      email: { per_1000: { transactional: 1000 } },
      database: { gib_month: 0 },
    },
  });

  test('half an hour after midnight on the 1st: month-to-date restarts', async () => {
    const r = (await collectOnce(db.exporterPool, cfg, new Date('2026-03-01T00:30:00Z'))).report!;
    expect(mtd(r, 'compute')).toBe(0.01); // 20 × 0.5 h / 744 h
    expect(mtd(r, 'network')).toBe(1); // only 1 March
    expect(mtd(r, 'email')).toBe(1);
    expect(line(r, 'network', 'bandwidth')).toBe(11); // the 30-day window spans both months
    expect(Number(r.usage.egressMonthToDateBytes)).toBe(GIB);
  });

  test('half an hour before midnight on the last day of February', async () => {
    const r = (await collectOnce(db.exporterPool, cfg, new Date('2026-02-28T23:30:00Z'))).report!;
    expect(mtd(r, 'compute')).toBe(19.99); // 20 × 671.5 h / 672 h = 19.985
    expect(mtd(r, 'network')).toBe(10); // 1 March is in the future
    expect(mtd(r, 'email')).toBe(1); // the 00:10 message on 1 March is tomorrow
    expect(line(r, 'network', 'bandwidth')).toBe(10);
  });
});
