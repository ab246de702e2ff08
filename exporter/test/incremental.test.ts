import pino from 'pino';
import { collectOnce, createCollector } from '../src/collector';
import { createDataMetrics } from '../src/exposition/data-metrics';
import { renderFamilies } from '../src/exposition/format';
import type { CostReport } from '../src/model';
import { createSourceReader } from '../src/sources';
import { config, createSchemaDatabase, insert, server, site, team } from './support/fixtures';
import { prng } from './support/random-usage';

type Db = Awaited<ReturnType<typeof createSchemaDatabase>>;

const HOUR = 3_600_000;
const FIXED_DATABASE_SIZE = 'SELECT 1073741824 AS bytes';
const DAY = 24 * HOUR;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const timestamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** The cost series of a report, as the exposition renders them. */
async function render(report: CostReport | undefined, cfg: ReturnType<typeof config>): Promise<string> {
  if (!report) throw new Error('no report');
  return renderFamilies(createDataMetrics(cfg).families(report), 'text');
}

/** The rows a report left out, in one order. */
const rejectedRows = (report: CostReport | undefined) =>
  (report?.rejections ?? []).map((r) => `${r.source} ${r.reason} ${r.id}`).sort();

/** A random application database: tenants, sites (some deleted, some gone), 40 days of usage. */
async function fillRandom(db: Db, seed: number, start: number) {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const tenants = 3 + int(12);
  await insert(
    db.pool,
    'teams',
    Array.from({ length: tenants }, (_, i) => team(i + 1)),
  );
  await insert(db.pool, 'vps_servers', [server(1), server(2, { disk_gb: 160 })]);
  const sites = 5 + int(25);
  await insert(
    db.pool,
    'sites',
    Array.from({ length: sites }, (_, i) =>
      site(i + 1, 1 + int(tenants), 1 + int(2), {
        storage_used_bytes: int(2 ** 35),
        deleted_at: random() < 0.2 ? timestamp(start - int(20) * DAY) : null,
      }),
    ),
  );
  const usage = usageMaker(random, sites + 3); // site IDs past `sites` are missing from the sites table
  for (let d = 40; d >= 1; d--) await usage.day(start - d * DAY, db);
  return { usage, tenants };
}

function usageMaker(random: () => number, siteIds: number) {
  const int = (n: number) => Math.floor(random() * n);
  const types = ['transactional', 'marketing', 'Marketing', 'digest'];
  return {
    /** traffic and mail of a whole (or the rest of a) day */
    async day(at: number, db: Db, fraction = 1) {
      const bandwidth = [];
      for (let s = 1; s <= siteIds; s++) {
        if (random() < 0.5 * fraction) {
          // now and then a site-day above a 10 Gbit/s link's day (left out and listed)
          const bytesOut = random() < 0.05 ? 2 ** 47 : int(2 ** 36);
          bandwidth.push({ site_id: s, day: day(at), bytes_in: int(2 ** 33), bytes_out: bytesOut });
        }
      }
      await upsertBandwidth(db, bandwidth);
      const mails = [];
      for (let i = int(30 * fraction); i > 0; i--) {
        const dayStart = Math.floor(at / DAY) * DAY;
        mails.push({
          team_id: 1 + int(16),
          type: types[int(types.length)] as string,
          sent_at: timestamp(dayStart + int(DAY)),
        });
      }
      if (mails.length > 0) await insert(db.pool, 'email_logs', mails);
    },
  };
}

/** A collector of `db` whose clock is `now()` (the tests move it). */
function testCollector(db: Db, cfg: ReturnType<typeof config>, now: () => number) {
  return createCollector({
    pool: db.exporterPool,
    config: cfg,
    logger: pino({ level: 'silent' }),
    clock: () => new Date(now()),
  });
}

/** Adds traffic to a site-day (the application updates today's row during the day). */
async function upsertBandwidth(
  db: Db,
  rows: { site_id: number; day: string; bytes_in: number; bytes_out: number }[],
) {
  for (const r of rows) {
    await db.pool.query(
      `INSERT INTO site_bandwidth_daily (site_id, day, bytes_in, bytes_out) VALUES (?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE bytes_in = bytes_in + VALUES(bytes_in), bytes_out = bytes_out + VALUES(bytes_out)`,
      [r.site_id, r.day, r.bytes_in, r.bytes_out],
    );
  }
}

describe('incremental collection', () => {
  let db: Db;
  afterEach(async () => {
    await db?.close();
  });

  test.each([1, 2, 3])(
    'equals a cold collection byte for byte across a day end, a month end and late rows (data set %i)',
    async (seed) => {
      db = await createSchemaDatabase();
      // 2026-03-30 21:00 UTC: the run crosses two day ends and the end of March
      const start = Date.UTC(2026, 2, 30, 21);
      const { usage } = await fillRandom(db, seed, start);
      const random = prng(seed + 100);
      const cfg = config({
        collection: {
          ttl_seconds: 60,
          full_read_interval_seconds: 10 * 24 * 3600,
          // rows arrive late for yesterday at any hour here: every read covers it
          late_rows_seconds: 86_400,
          bandwidth_chunk_sites: seed,
          email_chunk_ids: 7 * seed,
        },
        pricing: { bandwidth: { included_gib_month: 50 } },
        // InnoDB updates the table sizes on its own schedule: a fixed size keeps the comparison exact
        sources: { database_size: FIXED_DATABASE_SIZE },
      });
      const oneStatement = {
        ...cfg,
        collection: { ...cfg.collection, bandwidth_chunk_sites: 0, email_chunk_ids: 0 },
      };
      let now = start;
      const collector = testCollector(db, cfg, () => now);
      let incrementalReads = 0;
      for (let step = 0; step < 40; step++) {
        // usage arrives for today, and late for yesterday
        await usage.day(now, db, 0.3);
        if (random() < 0.5) await usage.day(now - DAY, db, 0.1);
        const result = await collector.collect();
        expect(result.ok).toBe(true);
        const read = result.outcomes.bandwidth.ok ? result.outcomes.bandwidth.read : undefined;
        if (step > 0) {
          expect(read?.full).toBe(false);
          expect(read?.range.from).toBe(day(now - DAY));
          incrementalReads++;
        }
        const cold = await collectOnce(db.exporterPool, cfg, new Date(now));
        expect(await render(result.report, cfg)).toBe(await render(cold.report, cfg));
        // the same rows left out (in another order: by day, not by site)
        expect(rejectedRows(result.report)).toEqual(rejectedRows(cold.report));
        // a full read in chunks of `seed` sites equals one statement over every site
        const unchunked = await collectOnce(db.exporterPool, oneStatement, new Date(now));
        expect(await render(cold.report, cfg)).toBe(await render(unchunked.report, cfg));
        const coldReader = createSourceReader(db.exporterPool, cfg);
        await coldReader.read(new Date(now));
        const daily = collector.dailyUsage();
        expect(daily).toEqual(coldReader.dailyUsage(new Date(now)));
        expect(daily.days.at(-1)).toBe(day(now));
        now += 95 * 60_000;
      }
      expect(day(now)).toBe('2026-04-02');
      expect(incrementalReads).toBe(39);
    },
  );

  test('a row written late for an older day appears at the next full read', async () => {
    db = await createSchemaDatabase();
    const start = Date.UTC(2026, 5, 10, 12);
    await fillRandom(db, 7, start);
    const cfg = config({
      collection: { ttl_seconds: 60, full_read_interval_seconds: 3600 },
      sources: { database_size: FIXED_DATABASE_SIZE },
    });
    let now = start;
    const collector = testCollector(db, cfg, () => now);
    await collector.collect();
    await upsertBandwidth(db, [{ site_id: 1, day: day(start - 5 * DAY), bytes_in: 7, bytes_out: 2 ** 40 }]);
    now += 10 * 60_000;
    const before = await collector.collect();
    const cold = await collectOnce(db.exporterPool, cfg, new Date(now));
    // the incremental read (yesterday and today) does not see it yet
    expect((before.report?.usage.egress30dBytes ?? 0n) + 2n ** 40n).toBe(cold.report?.usage.egress30dBytes);
    now += 3600_000;
    const after = await collector.collect();
    expect(after.outcomes.bandwidth.ok && after.outcomes.bandwidth.read?.full).toBe(true);
    const coldAfter = await collectOnce(db.exporterPool, cfg, new Date(now));
    expect(await render(after.report, cfg)).toBe(await render(coldAfter.report, cfg));
  });

  test('a row written late for yesterday: seen by the next read within late_rows_seconds of midnight, after it at the next full read', async () => {
    db = await createSchemaDatabase();
    const start = Date.UTC(2026, 5, 10, 0, 10);
    await fillRandom(db, 9, start);
    const cfg = config({
      collection: { ttl_seconds: 60, full_read_interval_seconds: 4 * 3600, late_rows_seconds: 3600 },
      sources: { database_size: FIXED_DATABASE_SIZE },
    });
    let now = start;
    const collector = testCollector(db, cfg, () => now);
    const yesterday = day(start - DAY);
    const collect = async () => {
      const result = await collector.collect();
      const cold = await collectOnce(db.exporterPool, cfg, new Date(now));
      const read = result.outcomes.bandwidth.ok ? result.outcomes.bandwidth.read : undefined;
      return { result, cold, read };
    };
    await collector.collect();

    // 00:30: within the hour after midnight, yesterday is read again
    await upsertBandwidth(db, [{ site_id: 1, day: yesterday, bytes_in: 3, bytes_out: 2 ** 38 }]);
    now = start + 20 * 60_000;
    const early = await collect();
    expect(early.read).toMatchObject({ full: false, range: { from: yesterday, to: day(now) } });
    expect(await render(early.result.report, cfg)).toBe(await render(early.cold.report, cfg));

    // 01:40: today only; the row written now for yesterday waits for the next full read
    await upsertBandwidth(db, [{ site_id: 2, day: yesterday, bytes_in: 5, bytes_out: 2 ** 39 }]);
    now = start + 90 * 60_000;
    const late = await collect();
    expect(late.read).toMatchObject({ full: false, range: { from: day(now), to: day(now) } });
    expect((late.result.report?.usage.egress30dBytes ?? 0n) + 2n ** 39n).toBe(
      late.cold.report?.usage.egress30dBytes,
    );

    // 04:20: the full read picks it up
    now = start + 250 * 60_000;
    const full = await collect();
    expect(full.read?.full).toBe(true);
    expect(await render(full.result.report, cfg)).toBe(await render(full.cold.report, cfg));
  });

  test("a read that finds the same rows hands the last read's usage rows over again", async () => {
    db = await createSchemaDatabase();
    const start = Date.UTC(2026, 5, 10, 12);
    await fillRandom(db, 4, start);
    const cfg = config({ sources: { database_size: FIXED_DATABASE_SIZE } });
    let now = start;
    const collector = testCollector(db, cfg, () => now);
    const usageRows = async () => {
      const result = await collector.collect();
      const { bandwidth, email } = result.outcomes;
      if (!bandwidth.ok || !email.ok) throw new Error('a usage read failed');
      const cold = await collectOnce(db.exporterPool, cfg, new Date(now));
      expect(await render(result.report, cfg)).toBe(await render(cold.report, cfg));
      return { bandwidth: bandwidth.rows, email: email.rows, full: bandwidth.read?.full };
    };
    const first = await usageRows();
    now += 60_000;
    const same = await usageRows();
    expect(same.full).toBe(false);
    expect(same.bandwidth).toBe(first.bandwidth);
    expect(same.email).toBe(first.email);
    // today's traffic of one site grows: bandwidth is derived again, e-mail is not
    await upsertBandwidth(db, [{ site_id: 1, day: day(now), bytes_in: 1, bytes_out: 2 ** 30 }]);
    now += 60_000;
    const changed = await usageRows();
    expect(changed.bandwidth).not.toBe(first.bandwidth);
    expect(changed.email).toBe(first.email);
  });

  test('the clock going back makes a full read', async () => {
    db = await createSchemaDatabase();
    const start = Date.UTC(2026, 5, 10, 12);
    await fillRandom(db, 8, start);
    const cfg = config({ sources: { database_size: FIXED_DATABASE_SIZE } });
    let now = start;
    const collector = testCollector(db, cfg, () => now);
    await collector.collect();
    now -= 3 * DAY;
    const result = await collector.collect();
    expect(result.outcomes.bandwidth.ok && result.outcomes.bandwidth.read?.full).toBe(true);
    const cold = await collectOnce(db.exporterPool, cfg, new Date(now));
    expect(await render(result.report, cfg)).toBe(await render(cold.report, cfg));
  });
});

test('a tenant-day of e-mail above the bound (all types together) is left out and listed', async () => {
  const db = await createSchemaDatabase();
  try {
    const now = Date.UTC(2026, 5, 10, 12);
    const at = (hour: number) => timestamp(Date.UTC(2026, 5, 9, hour));
    await insert(db.pool, 'teams', [team(1), team(2)]);
    await insert(db.pool, 'email_logs', [
      // tenant 1: 3 + 3 messages on the 9th, above a bound of 5 only together
      ...[1, 2, 3].map((h) => ({ team_id: 1, type: 'transactional', sent_at: at(h) })),
      ...[4, 5, 6].map((h) => ({ team_id: 1, type: 'marketing', sent_at: at(h) })),
      // tenant 2: exactly the bound
      ...[1, 2, 3, 4, 5].map((h) => ({ team_id: 2, type: 'marketing', sent_at: at(h) })),
      { team_id: 1, type: 'marketing', sent_at: timestamp(now - HOUR) }, // another day: kept
    ]);
    const cfg = config({ plausibility: { max_emails_per_tenant_day: 5 } });
    const { report } = await collectOnce(db.exporterPool, cfg, new Date(now));
    const sent = Object.fromEntries((report?.usage.emails ?? []).map((e) => [e.type, Number(e.sent30d)]));
    expect(sent).toEqual({ marketing: 6 });
    expect(report?.rejections).toContainEqual({
      source: 'email',
      reason: 'emails_above_limit',
      id: '1@2026-06-09',
    });
    expect(report?.rejections.filter((r) => r.source === 'email')).toHaveLength(1);
  } finally {
    await db.close();
  }
});
