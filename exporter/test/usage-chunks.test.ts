import { BandwidthSums } from '../src/usage/bandwidth-sums';
import { DayBatch, KeyIndex } from '../src/usage/day-table';
import { plausibilityBounds } from '../src/plausibility';
import {
  BANDWIDTH_CHUNKING,
  fetchSources,
  idChunks,
  renderedStatements,
  usageStatements,
} from '../src/sources';
import { bandwidthRowParser, bandwidthSource } from '../src/sources/bandwidth';
import { config, createSchemaDatabase, insert, site, team } from './support/fixtures';

const MAX_ID = 2n ** 64n - 1n;
const now = new Date(Date.UTC(2026, 5, 10, 12));

describe('ID chunks of a full usage read', () => {
  test('start at the next ID with rows, so gaps in the IDs cost no statement', async () => {
    const ids = [1n, 2n, 7n, 2n ** 40n, MAX_ID];
    const asked: bigint[] = [];
    const nextSite = async (from: bigint) => {
      asked.push(from);
      return ids.find((i) => i >= from) ?? null;
    };
    const chunks = [];
    for await (const c of idChunks(nextSite, 3)) chunks.push(c);
    expect(chunks).toEqual([
      { from: 1n, to: 3n },
      { from: 7n, to: 9n },
      { from: 2n ** 40n, to: 2n ** 40n + 2n },
      { from: MAX_ID, to: MAX_ID },
    ]);
    expect(asked).toEqual([0n, 4n, 10n, 2n ** 40n + 3n]);
  });
});

describe('the statements of a usage read', () => {
  const render = (sql: string, ids: { sites?: { from: bigint; to: bigint } }) =>
    ids.sites ? `${sql} [${ids.sites.from}..${ids.sites.to}]` : sql;
  const all = async (sql: string, full: boolean, width: number) => {
    const out: string[] = [];
    const sites = [5n, 9n];
    const nextId = async (lookup: string) => {
      const from = BigInt(/\[(\d+)\.\./.exec(lookup)?.[1] ?? '0');
      return sites.find((s) => s >= from) ?? null;
    };
    for await (const s of usageStatements(sql, BANDWIDTH_CHUNKING, width, full, render, nextId)) out.push(s);
    return out;
  };

  test('a full read goes chunk by chunk; a read over every site leaves the site range out of the default', async () => {
    const { defaultSql, sql: withoutRange } = BANDWIDTH_CHUNKING.unchunked ?? { defaultSql: '', sql: '' };
    expect(await all(defaultSql, true, 3)).toEqual([`${defaultSql} [5..7]`, `${defaultSql} [9..11]`]);
    expect(await all(defaultSql, false, 3)).toEqual([withoutRange]);
    expect(await all(defaultSql, true, 0)).toEqual([withoutRange]);
    expect(withoutRange).not.toMatch(/:from_site|:to_site/);
    // an override runs as written
    const override = `${defaultSql} -- mine`;
    expect(await all(override, false, 3)).toEqual([override]);
  });
});

test('an incremental read of the default bandwidth SQL leaves the join to sites out; an override runs as written', () => {
  const range = { from: '2026-06-09', to: '2026-06-10' };
  const incremental = renderedStatements(config(), now, range).bandwidth;
  expect(incremental).not.toMatch(/join/i);
  expect(incremental.split(';\n')).toEqual([
    'SELECT team_id AS tenant_id, GROUP_CONCAT(id) AS site_ids FROM sites GROUP BY team_id',
    expect.stringMatching(/FROM site_bandwidth_daily\s+WHERE day >= '2026-06-09' AND day <= '2026-06-10'$/),
  ]);
  // a full read keeps the join (its site-days are read in chunks, never held)
  expect(renderedStatements(config(), now).bandwidth).toMatch(/LEFT JOIN sites/);
  const override = `${bandwidthSource.sql} -- mine`;
  expect(renderedStatements(config({ sources: { bandwidth: override } }), now, range).bandwidth).toMatch(
    /LEFT JOIN sites[\s\S]*-- mine$/,
  );
});

describe('bandwidth sums of raw site-days', () => {
  const bounds = plausibilityBounds(config());

  test('stay exact past 2^53 and leave out a site-day above the bound, listing it', () => {
    const batch = new DayBatch(new KeyIndex(), 2);
    const sums = new BandwidthSums(batch, bounds, '');
    const big = 2 ** 46; // below the bound of a 10 Gbit/s link (1.08e14 bytes a day)
    for (let s = 1; s <= 300; s++) {
      sums.add({ siteId: String(s), day: '2026-06-09', tenantId: '5', bytesOut: big + s, bytesIn: 1 });
    }
    sums.add({ siteId: '301', day: '2026-06-09', tenantId: '5', bytesOut: 2n ** 64n - 1n, bytesIn: 0 });
    sums.add({ siteId: '302', day: '2026-06-09', tenantId: null, bytesOut: 3, bytesIn: 4 });
    const day = batch.finish().get('2026-06-09');
    expect(day?.rejected).toEqual([{ id: '301@2026-06-09', reason: 'traffic_above_link_speed' }]);
    const row = (key: string) => Array.from(day?.keys ?? []).indexOf(batch.keys.number(key));
    const out = (r: number) =>
      Number.isNaN(day?.values[0]?.[r]) ? day?.big[0]?.get(r) : BigInt(day?.values[0]?.[r] ?? -1);
    // 300 × 2^46 + (1 + … + 300) > 2^53
    expect(out(row('5'))).toBe(300n * 2n ** 46n + 45150n);
    expect(out(row(''))).toBe(3n);
  });
});

test('the fast row parser reads rows as the source guard does, bad ones included', () => {
  const parse = bandwidthRowParser();
  const good = { site_id: '7', day: '2026-06-09', tenant_id: '3', bytes_out: '12', bytes_in: '0' };
  const rows: Record<string, unknown>[] = [
    good,
    good, // the cached day and tenant
    { ...good, tenant_id: null },
    { ...good, day: '2026-06-09 10:00:00' },
    { ...good, bytes_out: '18446744073709551615' },
    { ...good, day: '2026-13-01' },
    { ...good, day: '2026-13-01' },
    { ...good, tenant_id: 'x' },
    { ...good, tenant_id: 'x' },
    { ...good, site_id: '-1' },
    { ...good, bytes_in: '-5' },
    { ...good, bytes_out: 'NaN' },
  ];
  for (const raw of rows) expect(parse(raw)).toEqual(bandwidthSource.parse(raw));
  expect(rows.map((r) => parse(r) !== undefined)).toEqual([
    true,
    true,
    true,
    true,
    true,
    ...Array(7).fill(false),
  ]);
});

describe('chunked bandwidth read on the database', () => {
  let db: Awaited<ReturnType<typeof createSchemaDatabase>>;
  beforeAll(async () => {
    db = await createSchemaDatabase();
    await insert(db.pool, 'teams', [team(1), team(2)]);
    await insert(db.pool, 'sites', [
      site(1, 1, null),
      site(2, 1, null, { deleted_at: '2026-06-01 00:00:00' }),
      site(9, 2, null),
      { ...site(1, 2, null), id: String(2n ** 40n), domain: 'far.example' },
    ]);
    const rows: [string, string, string][] = [
      ['1', '2026-06-09', String(2 ** 45)],
      ['2', '2026-06-09', String(2 ** 45 + 1)], // a deleted site still counts for its tenant
      ['2', '2026-06-10', '5'],
      ['9', '2026-06-08', '7'],
      ['9', '2026-04-01', '1000'], // before the scan
      [String(2n ** 40n), '2026-06-10', '11'],
      [MAX_ID.toString(), '2026-06-10', '13'], // a site missing from the sites table: tenant NULL
      ['9', '2026-06-09', (2n ** 63n).toString()], // above the bound: left out, listed
    ];
    for (const [siteId, day, out] of rows) {
      await db.pool.query(
        'INSERT INTO site_bandwidth_daily (site_id, day, bytes_in, bytes_out) VALUES (?, ?, 1, ?)',
        [siteId, day, out],
      );
    }
  });
  afterAll(async () => {
    await db?.close();
  });

  const bandwidth = async (document: object) => {
    const outcome = (await fetchSources(db.exporterPool, config(document), now)).bandwidth;
    if (!outcome.ok) throw outcome.error;
    return { rows: [...outcome.rows], rejected: outcome.rows.rejected.map((x) => x.id) };
  };

  test.each([0, 1, 2, 1000])(
    'gives the same exact rows in chunks of %i sites (0: one statement)',
    async (n) => {
      expect(await bandwidth({ collection: { bandwidth_chunk_sites: n } })).toEqual({
        rows: [
          { tenantId: null, egress30d: 13n, ingress30d: 1n, egressMonthToDate: 13n },
          {
            tenantId: '1',
            egress30d: 2n ** 46n + 6n,
            ingress30d: 3n,
            egressMonthToDate: 2n ** 46n + 6n,
          },
          {
            tenantId: '2',
            egress30d: 18n,
            ingress30d: 2n, // the rejected site-day is left out in both directions
            egressMonthToDate: 18n,
          },
        ],
        rejected: ['9@2026-06-09'],
      });
    },
  );

  test('an override without :from_site and :to_site runs once, not once per chunk', async () => {
    const override = `SELECT b.site_id, b.day, s.team_id AS tenant_id, b.bytes_out, b.bytes_in
      FROM site_bandwidth_daily b LEFT JOIN sites s ON s.id = b.site_id
      WHERE b.day >= :from_day AND b.day <= :to_day`;
    const { rows } = await bandwidth({
      collection: { bandwidth_chunk_sites: 1 },
      sources: { bandwidth: override },
    });
    expect(rows.map((r) => [r.tenantId, r.egress30d])).toEqual([
      [null, 13n],
      ['1', 2n ** 46n + 6n],
      ['2', 18n],
    ]);
  });
});

describe('chunked e-mail read on the database', () => {
  let db: Awaited<ReturnType<typeof createSchemaDatabase>>;
  beforeAll(async () => {
    db = await createSchemaDatabase();
    await insert(db.pool, 'teams', [team(1), team(2)]);
    const mail = (id: bigint, team_id: number, type: string, sent_at: string) => ({
      id: id.toString(),
      team_id,
      type,
      sent_at,
    });
    await insert(db.pool, 'email_logs', [
      // the same (day, tenant, type) over IDs far apart: in different chunks, added up
      mail(1n, 1, 'transactional', '2026-06-09 08:00:00'),
      mail(2n, 1, 'transactional', '2026-06-09 09:00:00'),
      mail(3n, 1, 'Transactional', '2026-06-09 10:00:00'), // one type whatever its case
      mail(4n, 2, 'marketing', '2026-06-10 23:59:59'),
      mail(5n, 2, 'marketing', '2026-04-01 00:00:00'), // before the scan
      mail(9n, 1, 'transactional', '2026-06-01 00:00:00'),
      mail(2n ** 40n, 1, 'transactional', '2026-06-09 12:00:00'),
      mail(2n ** 40n + 1n, 2, 'marketing', '2026-06-11 00:00:00'), // after the clock's day
      mail(MAX_ID, 2, 'marketing', '2026-06-10 00:00:00'),
    ]);
  });
  afterAll(async () => {
    await db?.close();
  });

  const email = async (document: object) => {
    const outcome = (await fetchSources(db.exporterPool, config(document), now)).email;
    if (!outcome.ok) throw outcome.error;
    expect(outcome.rows.rejected).toEqual([]);
    return [...outcome.rows];
  };

  test.each([0, 1, 2, 1000])(
    'gives the same exact rows in chunks of %i IDs (0: one statement)',
    async (n) => {
      expect(await email({ collection: { email_chunk_ids: n } })).toEqual([
        { tenantId: '1', type: 'transactional', sent30d: 5n, sentMonthToDate: 5n },
        { tenantId: '2', type: 'marketing', sent30d: 2n, sentMonthToDate: 2n },
      ]);
    },
  );

  test('an override without :from_email_id and :to_email_id runs once, not once per chunk', async () => {
    const override = `SELECT DATE(sent_at) AS day, team_id AS tenant_id, type, COUNT(*) AS sent
      FROM email_logs WHERE sent_at >= :from_ts AND sent_at < :to_ts GROUP BY 1, 2, 3`;
    const rows = await email({ collection: { email_chunk_ids: 1 }, sources: { email: override } });
    expect(rows.map((r) => [r.tenantId, r.type, r.sent30d])).toEqual([
      ['1', 'transactional', 5n],
      ['2', 'marketing', 2n],
    ]);
  });
});
