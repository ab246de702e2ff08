import { seedDemoDatabase } from '@chom/test-support';
import { collectOnce } from '../src/collector';
import type { Config } from '../src/config';
import { buildReport, centsToUnits, OTHER_TENANTS, sum, type CostReport } from '../src/model';
import { config, createSchemaDatabase, GIB, insert, server, site, team } from './support/fixtures';
import { prng, randomSnapshot } from './support/random-usage';

/** Σ tenants + unallocated = category total (Σ of its run-rate lines), to the cent, for every category. */
function reconciliationProblems(report: CostReport): string[] {
  const problems: string[] = [];
  for (const category of report.categories) {
    const total = sum(report.runRate.filter((l) => l.category === category).map((l) => l.cents));
    const tenants = sum(report.tenants.map((t) => t.costCents.get(category) ?? 0n));
    const unallocated = report.unallocatedCents.get(category) ?? 0n;
    if (tenants + unallocated !== total)
      problems.push(`${category}: ${tenants} + ${unallocated} != ${total}`);
  }
  return problems;
}

function moneyProblems(report: CostReport): string[] {
  const amounts = [
    ...report.runRate.map((l) => l.cents),
    ...report.monthToDateCents.values(),
    ...report.unallocatedCents.values(),
    ...report.tenants.flatMap((t) => [...t.costCents.values(), t.revenueCents, t.totalCents]),
    ...report.opportunities.map((o) => o.savingsCents),
  ];
  return amounts
    .filter((c) => typeof c !== 'bigint' || c < 0n || !Number.isFinite(centsToUnits(c)))
    .map((c) => `bad amount ${String(c)} cents`);
}

function expectReconciled(report: CostReport): void {
  expect(reconciliationProblems(report)).toEqual([]);
}

function expectNoBadMoney(report: CostReport): void {
  expect(moneyProblems(report)).toEqual([]);
}

const modes: Config['allocation'][] = [
  { shared_servers: 'storage_share', shared_overhead: 'unallocated' },
  { shared_servers: 'site_count', shared_overhead: 'proportional' },
  { shared_servers: 'even', shared_overhead: 'proportional' },
];

describe('reconciliation invariant on generated usage', () => {
  test('300 random snapshots × allocation settings × tenant limits', () => {
    const random = prng(42);
    const problems: string[] = [];
    for (let seed = 1; seed <= 300; seed++) {
      const now = new Date(
        Date.UTC(2026, Math.floor(random() * 12), 1 + Math.floor(random() * 28), Math.floor(random() * 24)),
      );
      const snapshot = randomSnapshot(seed, now);
      const cfg = config({
        collection: { tenant_limit: 1 + Math.floor(random() * 30) },
        allocation: modes[seed % modes.length],
        pricing: {
          servers: {
            default_monthly: 13.37,
            stopped_factor: random(),
            sizes: [{ provider: 'hetzner', size: 'cx22', monthly: 4.51 }],
          },
          storage: { gib_month: 0.023 },
          bandwidth: { egress_gib: 0.0087, included_gib_month: Math.floor(random() * 100) },
          email: { per_1000: { transactional: 0.13, marketing: 0.77 }, default_per_1000: 0.333 },
          database: { gib_month: 0.115 },
        },
        fixed_items: [
          { name: 'load_balancer', category: 'network', monthly: 25.55 },
          { name: 'licences', category: 'software', monthly: 9.99 },
        ],
      });
      const report = buildReport(snapshot, cfg, now);
      const found = [...reconciliationProblems(report), ...moneyProblems(report)];
      if (report.tenants.length > cfg.collection.tenant_limit + 1)
        found.push(`${report.tenants.length} tenants`);
      if (report.tenants.some((t) => t.tenantId === OTHER_TENANTS)) {
        // folding keeps every sum: compare with the uncapped report
        const uncapped = buildReport(
          snapshot,
          { ...cfg, collection: { ...cfg.collection, tenant_limit: 1e9 } },
          now,
        );
        const revenue = (r: CostReport) => sum(r.tenants.map((t) => t.revenueCents)).toString();
        if (revenue(report) !== revenue(uncapped))
          found.push(`revenue ${revenue(report)} != ${revenue(uncapped)}`);
      }
      problems.push(...found.map((p) => `seed ${seed}: ${p}`));
    }
    expect(problems).toEqual([]);
  });

  test('on random rows inserted into MariaDB', async () => {
    const db = await createSchemaDatabase();
    try {
      const random = prng(7);
      const int = (n: number) => Math.floor(random() * n);
      await insert(
        db.pool,
        'teams',
        Array.from({ length: 30 }, (_, i) => team(i + 1)),
      );
      await insert(
        db.pool,
        'vps_servers',
        Array.from({ length: 12 }, (_, i) =>
          server(i + 1, {
            team_id: random() < 0.3 ? 1 + int(30) : null,
            size: ['cx22', 'cx32', 'odd'][int(3)] ?? 'cx22',
            status: ['active', 'stopped', 'decommissioned'][int(3)] ?? 'active',
          }),
        ),
      );
      await insert(
        db.pool,
        'sites',
        Array.from({ length: 90 }, (_, i) =>
          site(i + 1, 1 + int(30), random() < 0.9 ? 1 + int(12) : null, {
            storage_used_bytes: int(50) * int(GIB),
          }),
        ),
      );
      const days = ['2026-04-20', '2026-04-30', '2026-05-01', '2026-05-09', '2026-05-10'];
      await insert(
        db.pool,
        'site_bandwidth_daily',
        Array.from({ length: 90 }, (_, i) => i + 1).flatMap((siteId) =>
          days.map((day) => ({ site_id: siteId, day, bytes_in: int(1e9), bytes_out: int(1e10) })),
        ),
      );
      await insert(
        db.pool,
        'email_logs',
        Array.from({ length: 300 }, () => ({
          team_id: 1 + int(30),
          type: random() < 0.7 ? 'transactional' : 'marketing',
          sent_at: `2026-05-0${1 + int(9)} 12:00:00`,
        })),
      );
      await insert(db.pool, 'subscriptions', [
        { team_id: 3, plan: 'pro', amount_monthly: '12.34', status: 'active' },
      ]);
      for (const allocation of modes) {
        const result = await collectOnce(
          db.exporterPool,
          config({
            allocation,
            collection: { tenant_limit: 7 },
            fixed_items: [{ name: 'lb', category: 'network', monthly: 3.33 }],
          }),
          new Date('2026-05-10T18:00:00Z'),
        );
        expectReconciled(result.report!);
        expectNoBadMoney(result.report!);
      }
    } finally {
      await db.close();
    }
  });

  test('on the demo seeder small data set', async () => {
    const db = await createSchemaDatabase();
    try {
      const now = new Date('2026-05-10T18:00:00Z');
      await seedDemoDatabase({ databaseUrl: db.url, scale: 'small', seed: 3, now });
      for (const allocation of modes) {
        const result = await collectOnce(
          db.exporterPool,
          config({ allocation, collection: { tenant_limit: 20 } }),
          now,
        );
        expectReconciled(result.report!);
        expectNoBadMoney(result.report!);
        expect(result.report!.tenants.length).toBe(21);
      }
    } finally {
      await db.close();
    }
  });
});
