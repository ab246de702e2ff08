import { collectOnce } from '../src/collector';
import { buildReport, sum, type CostReport } from '../src/model';
import type { Rejection } from '../src/plausibility';
import { config, createSchemaDatabase, GIB, insert, server, site, team } from './support/fixtures';

type Db = Awaited<ReturnType<typeof createSchemaDatabase>>;
type Row = Record<string, string | number | null>;

const MAX_BIGINT = '18446744073709551615';
const now = new Date('2026-03-15T12:00:00Z');
const today = '2026-03-15';
const cfg = config({
  pricing: { storage: { gib_month: 0.1 }, bandwidth: { egress_gib: 0.05 } },
  fixed_items: [{ name: 'monitoring', category: 'compute', monthly: 12.5 }],
  allocation: { shared_overhead: 'proportional' },
  sources: { database_size: `SELECT ${GIB} AS bytes` },
});

/** Ordinary rows every case starts from. */
async function fillBaseline(db: Db) {
  await insert(db.pool, 'teams', [team(1), team(2)]);
  await insert(db.pool, 'subscriptions', [
    { id: 1, team_id: 1, plan: 'pro', amount_monthly: '49.00', status: 'active' },
    { id: 2, team_id: 2, plan: 'pro', amount_monthly: '19.90', status: 'active' },
  ]);
  await insert(db.pool, 'vps_servers', [
    server(1, { disk_gb: 80, max_sites: 10 }),
    server(2, { team_id: 2, disk_gb: 40, max_sites: 5 }),
  ]);
  await insert(db.pool, 'sites', [
    site(1, 1, 1, { storage_used_bytes: 3 * GIB }),
    site(2, 2, 1, { storage_used_bytes: 1 * GIB }),
    site(3, 2, 2, { storage_used_bytes: 7 * GIB }),
  ]);
  await insert(db.pool, 'site_bandwidth_daily', [
    { site_id: 1, day: '2026-03-10', bytes_in: GIB, bytes_out: 30 * GIB },
    { site_id: 3, day: '2026-03-11', bytes_in: GIB, bytes_out: 10 * GIB },
  ]);
}

interface Case {
  name: string;
  table: string;
  /** the implausible row */
  bad: Row;
  /** the same row with the implausible value replaced by what "left out" means */
  neutral: Row;
  rejected: Omit<Rejection, 'source'> & { source: Rejection['source'] };
  /** figures that differ between the two by design (e.g. a rejected disk has no capacity series) */
  ignore?: (report: CostReport) => CostReport;
}

const withoutServerDisk = (serverId: string) => (r: CostReport) => ({
  ...r,
  serverStorage: r.serverStorage.filter((s) => s.serverId !== serverId),
});

const cases: Case[] = [
  {
    name: 'site storage 2^64−1 (a −1 in the unsigned column) on a server',
    table: 'sites',
    bad: site(10, 1, 1, { storage_used_bytes: MAX_BIGINT }),
    neutral: site(10, 1, 1, { storage_used_bytes: 0 }),
    rejected: { source: 'sites', reason: 'storage_above_limit', id: '10' },
  },
  {
    name: 'site storage above 2^53 on no server',
    table: 'sites',
    bad: site(11, 2, null, { storage_used_bytes: '9007199254740993' }),
    neutral: site(11, 2, null, { storage_used_bytes: 0 }),
    rejected: { source: 'sites', reason: 'storage_above_limit', id: '11' },
  },
  {
    name: "site storage above twice its 40 GiB server's disk",
    table: 'sites',
    bad: site(12, 2, 2, { storage_used_bytes: 80 * GIB + 1 }),
    neutral: site(12, 2, 2, { storage_used_bytes: 0 }),
    rejected: { source: 'sites', reason: 'storage_above_disk', id: '12' },
  },
  {
    name: 'subscription amount 999,999,999.99 (the column maximum)',
    table: 'subscriptions',
    bad: { id: 13, team_id: 1, plan: 'pro', amount_monthly: '999999999.99', status: 'active' },
    neutral: { id: 13, team_id: 1, plan: 'pro', amount_monthly: '0.00', status: 'active' },
    rejected: { source: 'subscriptions', reason: 'revenue_above_limit', id: '13' },
  },
  {
    name: 'negative subscription amount',
    table: 'subscriptions',
    bad: { id: 14, team_id: 2, plan: 'pro', amount_monthly: '-5.00', status: 'active' },
    neutral: { id: 14, team_id: 2, plan: 'pro', amount_monthly: '0.00', status: 'active' },
    rejected: { source: 'subscriptions', reason: 'negative', id: '14' },
  },
  {
    name: 'bandwidth row of 2^64−1 bytes out',
    table: 'site_bandwidth_daily',
    bad: { site_id: 2, day: '2026-03-12', bytes_in: 0, bytes_out: MAX_BIGINT },
    neutral: { site_id: 2, day: '2026-03-12', bytes_in: 0, bytes_out: 0 },
    rejected: { source: 'bandwidth', reason: 'traffic_above_link_speed', id: '2@2026-03-12' },
  },
  {
    name: 'bandwidth row just above what 10 Gbit/s moves in a day (in)',
    table: 'site_bandwidth_daily',
    bad: { site_id: 1, day: today, bytes_in: '108000000000001', bytes_out: GIB },
    neutral: { site_id: 1, day: today, bytes_in: 0, bytes_out: 0 },
    rejected: { source: 'bandwidth', reason: 'traffic_above_link_speed', id: `1@${today}` },
  },
  {
    name: 'disk_gb 2^32−1 on an empty active server',
    table: 'vps_servers',
    bad: server(15, { disk_gb: 4294967295 }),
    neutral: server(15, { disk_gb: 0 }),
    rejected: { source: 'servers', reason: 'disk_above_limit', id: '15' },
    ignore: withoutServerDisk('15'),
  },
  {
    name: 'max_sites 2^32−1',
    table: 'vps_servers',
    bad: server(16, { max_sites: 4294967295, status: 'stopped' }),
    neutral: server(16, { max_sites: null, status: 'stopped' }),
    rejected: { source: 'servers', reason: 'max_sites_above_limit', id: '16' },
  },
];

/** Every figure of a report as text (rejections aside). */
const figures = (report: CostReport) =>
  JSON.stringify({ ...report, rejections: undefined }, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Map) return [...value.entries()];
    return value;
  });

function reconciliationProblems(report: CostReport): string[] {
  return report.categories.flatMap((category) => {
    const total = sum(report.runRate.filter((l) => l.category === category).map((l) => l.cents));
    const tenants = sum(report.tenants.map((t) => t.costCents.get(category) ?? 0n));
    const unallocated = report.unallocatedCents.get(category) ?? 0n;
    return tenants + unallocated === total ? [] : [`${category}: ${tenants} + ${unallocated} != ${total}`];
  });
}

/** Figures no ordinary platform of this size reaches: a sign that a bad value got through. */
function outOfBounds(report: CostReport): string[] {
  const problems: string[] = [];
  const cents = [
    ...report.runRate.map((l) => l.cents),
    ...report.monthToDateCents.values(),
    ...report.tenants.flatMap((t) => [t.totalCents, t.revenueCents]),
    ...report.opportunities.map((o) => o.savingsCents),
  ];
  for (const c of cents) if (c < 0n || c > 100_000n) problems.push(`amount ${c} cents`);
  for (const c of report.capacity) {
    if (c.used > c.limit) problems.push(`${c.resource} used ${c.used} > limit ${c.limit}`);
  }
  for (const s of report.serverStorage) {
    if (s.capacityBytes !== null && s.usedBytes > s.capacityBytes)
      problems.push(`server ${s.serverId} over its disk`);
  }
  if (report.usage.egress30dBytes > 1000n * BigInt(GIB)) problems.push('egress');
  if (report.usage.storageUsedBytes > 1000n * BigInt(GIB)) problems.push('storage');
  return problems;
}

describe('implausible rows are rejected, counted and left out of every figure', () => {
  let db: Db;
  const keyOf = (table: string, row: Row) =>
    table === 'site_bandwidth_daily' ? { site_id: row.site_id, day: row.day } : { id: row.id };

  async function collectWith(table: string, row: Row): Promise<CostReport> {
    await insert(db.pool, table, [row]);
    try {
      const { report, outcomes } = await collectOnce(db.exporterPool, cfg, now);
      if (!report) throw new Error(JSON.stringify(outcomes));
      return report;
    } finally {
      const key = keyOf(table, row);
      const where = Object.keys(key).map((k) => `\`${k}\` = ?`);
      await db.pool.query(`DELETE FROM ${table} WHERE ${where.join(' AND ')}`, Object.values(key));
    }
  }

  beforeAll(async () => {
    db = await createSchemaDatabase();
    await fillBaseline(db);
  });
  afterAll(() => db?.close());

  test('the baseline has no rejection', async () => {
    const { report } = await collectOnce(db.exporterPool, cfg, now);
    expect(report?.rejections).toEqual([]);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const bad = await collectWith(c.table, c.bad);
    const neutral = await collectWith(c.table, c.neutral);
    expect(bad.rejections).toEqual([c.rejected]);
    expect(neutral.rejections).toEqual([]);
    const ignore = c.ignore ?? ((r: CostReport) => r);
    // left out of every figure: the same figures as with the value replaced by nothing
    expect(figures(ignore(bad))).toEqual(figures(ignore(neutral)));
    expect(reconciliationProblems(bad)).toEqual([]);
    expect(outOfBounds(bad)).toEqual([]);
  });

  test('all of them at once: every figure stays within bounds and reconciled, each rejection counted', async () => {
    for (const c of cases) await insert(db.pool, c.table, [c.bad]);
    const { report } = await collectOnce(db.exporterPool, cfg, now);
    if (!report) throw new Error('no report');
    const key = (r: Rejection) => `${r.source} ${r.reason} ${r.id}`;
    expect(report.rejections.map(key).sort()).toEqual(cases.map((c) => key(c.rejected)).sort());
    expect(reconciliationProblems(report)).toEqual([]);
    expect(outOfBounds(report)).toEqual([]);
    // the storage figures are the baseline's: 3 + 1 + 7 GiB on the 80 + 40 GiB of servers 1 and 2
    expect(report.usage.storageUsedBytes).toBe(11n * BigInt(GIB));
    expect(report.capacity.find((f) => f.resource === 'storage')).toMatchObject({
      used: 11n * BigInt(GIB),
      limit: 120n * BigInt(GIB),
    });
  });
});

describe('an override that returns aggregates without the bounds', () => {
  test("the model's backstop rejects a tenant's implausible revenue and storage", () => {
    const snapshot = {
      tenants: [{ tenantId: '1', plan: 'pro', name: 'one' }],
      subscriptions: [{ tenantId: '1', revenueMonthly: 10n ** 60n }],
      servers: [],
      sites: [{ tenantId: '1', sites: 2n, storageUsedBytes: 2n ** 64n - 1n }],
      server_sites: [],
      bandwidth: [],
      email: [],
      database_size: [{ bytes: 0n }],
    };
    const report = buildReport(snapshot, config(), now);
    expect(report.rejections).toEqual([
      { source: 'subscriptions', reason: 'revenue_above_limit', id: '1' },
      { source: 'sites', reason: 'storage_above_limit', id: '1' },
    ]);
    expect(report.tenants[0]).toMatchObject({ revenueCents: 0n, storageUsedBytes: 0n, totalCents: 0n });
  });
});
