import { plausibilityBounds, type PlausibilityBounds } from '../src/plausibility';
import { optionalId } from '../src/sources/values';
import type { BandwidthSiteDayRow } from '../src/sources/bandwidth';
import { BandwidthSums } from '../src/usage/bandwidth-sums';
import { DayBatch, KeyIndex, type DayColumns } from '../src/usage/day-table';
import { HeldSiteDays } from '../src/usage/held-site-days';
import { config } from './support/fixtures';
import { prng } from './support/random-usage';

const bounds = plausibilityBounds(config());
const LINK_DAY = 108_000_000_000_000; // a 10 Gbit/s link's day, the default bound (1.08e14 bytes)
/** a bound past 2^53 (1.08e17 bytes a day), under which amounts past 2^53 are kept */
const wideBounds = plausibilityBounds(config({ plausibility: { link_speed_gbps: 10_000 } }));

/** A day's rows by key name, independent of the order keys were numbered in. */
function byKey(batch: DayBatch): Record<string, { rows: Record<string, string[]>; rejected: unknown }> {
  const out: Record<string, { rows: Record<string, string[]>; rejected: unknown }> = {};
  for (const [day, columns] of batch.finish()) {
    const rows: Record<string, string[]> = {};
    columns.keys.forEach((key, r) => {
      rows[batch.keys.keys[key] as string] = [0, 1].map((m) => amount(columns, m, r));
    });
    out[day] = { rows, rejected: columns.rejected };
  }
  return out;
}

const amount = (columns: DayColumns, measure: number, row: number): string => {
  const value = columns.values[measure]?.[row] as number;
  return Number.isNaN(value) ? String(columns.big[measure]?.get(row)) : String(value);
};

interface Site {
  /** as the driver hands it over: a number while safe, text past 2^53 */
  id: number | string;
  /** the raw team_id */
  tenant: unknown;
}

/** The joined read's rows (tenant from the site, NULL for a missing site) into BandwidthSums. */
function joinedSums(
  siteDays: BandwidthSiteDayRow[],
  sites: Site[],
  bounds: PlausibilityBounds,
): { batch: DayBatch; skipped: number } {
  const batch = new DayBatch(new KeyIndex(), 2);
  const sums = new BandwidthSums(batch, bounds, '');
  const tenantOf = new Map(sites.map((s) => [String(s.id), s.tenant]));
  let skipped = 0;
  for (const row of siteDays) {
    const tenantId = optionalId(tenantOf.get(String(row.siteId)) ?? null);
    if (tenantId === undefined) skipped++;
    else sums.add({ ...row, tenantId });
  }
  return { batch, skipped };
}

/** The same rows read without the join: site-days first, then the sites in `sites`' order. */
function heldSums(
  siteDays: BandwidthSiteDayRow[],
  sites: Site[],
  bounds: PlausibilityBounds,
): { batch: DayBatch; skipped: number } {
  const batch = new DayBatch(new KeyIndex(), 2);
  const held = new HeldSiteDays(batch, bounds, '', optionalId);
  for (const row of siteDays) held.addSiteDay({ ...row, tenantId: null });
  for (const s of sites) held.addSite(s.id, s.tenant);
  return { batch, skipped: held.finish() };
}

describe('site-days held until their tenants are read', () => {
  test.each([1, 2, 3, 4, 5, 6])(
    'sum per day and tenant as the joined rows do (random data set %i)',
    (seed) => {
      const random = prng(seed);
      const limits = seed % 3 === 0 ? wideBounds : bounds;
      const int = (n: number) => Math.floor(random() * n);
      const days = ['2026-06-08', '2026-06-09', '2026-06-10'].slice(0, 1 + int(3));
      const siteCount = 50 + int(400);
      const huge = 2n ** 60n;
      const sites: Site[] = [];
      for (let s = 1; s <= siteCount; s++) {
        // some IDs past 2^53 (text), some sites missing from the sites table, some NULL or unreadable tenants
        const id = random() < 0.05 ? String(huge + BigInt(s)) : s * (1 + int(3));
        const roll = random();
        const tenant = roll < 0.05 ? null : roll < 0.08 ? 'x' : 1 + int(20);
        sites.push({ id, tenant });
      }
      const siteDays: BandwidthSiteDayRow[] = [];
      for (const day of days)
        for (const s of sites) {
          if (random() < 0.3) continue;
          const r = random();
          // above the bound (left out), past 2^53 (a bigint: left out under the default bound), or usual
          const bytesOut =
            r < 0.03 ? limits.maxSiteDayBytes + 1n : r < 0.06 ? 2n ** 53n + BigInt(int(1000)) : int(2 ** 40);
          siteDays.push({ siteId: s.id, day, tenantId: null, bytesOut, bytesIn: int(2 ** 30) });
        }
      // traffic of sites that the sites table no longer has
      for (let k = 0; k < 5; k++)
        siteDays.push({
          siteId: 10_000 + k,
          day: days[0] as string,
          tenantId: null,
          bytesOut: 7,
          bytesIn: 1,
        });
      // rows in index order (day, site) for some data sets, in any order for others
      if (seed % 2 === 0) siteDays.sort(() => random() - 0.5);
      const present = sites.filter(() => random() < 0.95);
      // the sites as the team_id index returns them: by tenant
      present.sort((a, b) => String(a.tenant).localeCompare(String(b.tenant)));

      const joined = joinedSums(siteDays, present, limits);
      const held = heldSums(siteDays, present, limits);
      expect(held.skipped).toBe(joined.skipped);
      expect(byKey(held.batch)).toEqual(byKey(joined.batch));
    },
  );

  test('a rejected site-day is listed in the order read and still makes its tenant a row of the day', () => {
    const batch = new DayBatch(new KeyIndex(), 2);
    const held = new HeldSiteDays(batch, bounds, '', optionalId);
    held.addSiteDay({ siteId: 9, day: '2026-06-09', tenantId: null, bytesOut: LINK_DAY + 1, bytesIn: 0 });
    held.addSiteDay({ siteId: 3, day: '2026-06-09', tenantId: null, bytesOut: 0, bytesIn: LINK_DAY * 2 });
    held.addSiteDay({ siteId: 4, day: '2026-06-09', tenantId: null, bytesOut: 5, bytesIn: 6 });
    held.addSite(3, 1);
    held.addSite(9, 2);
    held.addSite(4, 2);
    expect(held.finish()).toBe(0);
    expect(byKey(batch)).toEqual({
      '2026-06-09': {
        rows: { '1': ['0', '0'], '2': ['5', '6'] },
        rejected: [
          { id: '9@2026-06-09', reason: 'traffic_above_link_speed' },
          { id: '3@2026-06-09', reason: 'traffic_above_link_speed' },
        ],
      },
    });
  });
});
