import type { RejectedRow } from '../plausibility/rejections';
import { rowGuard, type SourceDefinition } from './source';
import type { Chunking } from './chunks';
import { id, isWholeNumber, optionalId, utcDay, wholeAmount } from './values';

/** Traffic of one tenant over the window, as the cost model reads it (derived from the day tables). */
export interface BandwidthRow {
  /** null: traffic of sites that no longer exist in the sites table */
  tenantId: string | null;
  egress30d: bigint;
  ingress30d: bigint;
  egressMonthToDate: bigint;
  /** site-days of the scan above what the link moves in a day (left out of the sums), as site ID@day */
  rejected?: RejectedRow[];
}

/** Traffic of one site on one UTC day, with the site's tenant: what the bandwidth query returns. */
export interface BandwidthSiteDayRow {
  /** the site ID, or the number the driver read it as (a safe integer ≥ 0: its decimal is the ID) */
  siteId: string | number;
  day: string;
  tenantId: string | null;
  bytesOut: number | bigint;
  bytesIn: number | bigint;
}

/** The site-days of the read's days, with each site's tenant (every site). */
const BANDWIDTH_SITE_DAYS = `SELECT b.site_id, b.day, s.team_id AS tenant_id, b.bytes_out, b.bytes_in
FROM site_bandwidth_daily b
LEFT JOIN sites s ON s.id = b.site_id
WHERE b.day >= :from_day AND b.day <= :to_day`;

/**
 * The raw site-days of the days of one read (`:from_day` … `:to_day`) for the sites
 * `:from_site` … `:to_site` (both included), with each site's tenant. No GROUP BY: (site_id, day) is
 * the primary key, so the rows are summed per day and tenant by the exporter (usage/bandwidth-sums.ts),
 * and the database needs no temporary table. A full read runs this once per chunk of site IDs (a
 * primary-key range, read in key order); an incremental read runs it once over all sites, without
 * the site range (BANDWIDTH_CHUNKING), so that the `day` index finds its few days. Traffic of
 * deleted sites still counts for their tenant; sites missing from the sites table give tenant NULL.
 */
export const bandwidthSource: SourceDefinition<BandwidthSiteDayRow> = {
  name: 'bandwidth',
  sql: `${BANDWIDTH_SITE_DAYS}
  AND b.site_id >= :from_site AND b.site_id <= :to_site`,
  columns: ['site_id', 'day', 'tenant_id', 'bytes_out', 'bytes_in'],
  parse: rowGuard<BandwidthSiteDayRow>({
    siteId: (r) => id(r.site_id),
    day: (r) => utcDay(r.day),
    tenantId: (r) => optionalId(r.tenant_id),
    bytesOut: (r) => wholeAmount(r.bytes_out),
    bytesIn: (r) => wholeAmount(r.bytes_in),
  }),
};

/**
 * The same guard as `bandwidthSource.parse`, for the hot path of a read (tens of millions of rows at
 * scale): the few distinct days and the tenants are checked once each and then looked up.
 */
export function bandwidthRowParser(): (raw: Record<string, unknown>) => BandwidthSiteDayRow | undefined {
  const days = new Map<unknown, string | undefined>();
  const tenants = new Map<unknown, string | null | undefined>();
  return (raw) => {
    let day = days.get(raw.day);
    if (day === undefined) {
      day = utcDay(raw.day);
      if (day === undefined) return undefined;
      if (typeof raw.day === 'string') days.set(raw.day, day);
    }
    let tenantId = tenants.get(raw.tenant_id);
    if (tenantId === undefined) {
      tenantId = optionalId(raw.tenant_id);
      if (tenantId === undefined) return undefined;
      if (typeof raw.tenant_id !== 'object' || raw.tenant_id === null) tenants.set(raw.tenant_id, tenantId);
    }
    // the ID is only written out for a rejected site-day: no string per row
    const siteId = isWholeNumber(raw.site_id) ? raw.site_id : id(raw.site_id);
    const bytesOut = wholeAmount(raw.bytes_out);
    const bytesIn = wholeAmount(raw.bytes_in);
    if (siteId === undefined || bytesOut === undefined || bytesIn === undefined) return undefined;
    return { siteId, day, tenantId, bytesOut, bytesIn };
  };
}

/**
 * An incremental read with the default SQL runs without the join to `sites`: every site's tenant
 * first, from the index on `team_id` that covers it, then the read's site-days alone (today's
 * million at the large scale, through the `day` index), each summed as it arrives with its site's
 * tenant (usage/site-tenants.ts). The join read a page of the sites' clustered index for nearly
 * every site-day: 18–24 % of the statement's time on a warm buffer pool, 55 % on a cold one
 * (docs/performance.md). Site-days of a site not among the tenants read (added since, or missing
 * from the sites table) are held and their sites looked up by ID afterwards (`tenantsOfSites`), so
 * the sums are the joined read's.
 */
export const INCREMENTAL_BANDWIDTH = {
  /**
   * every site's tenant, grouped per tenant: 100,000 rows of ID lists instead of a million rows (at
   * the large scale 6.8 MB of text, a third of the rows' bytes), read in the index's order
   */
  siteTenants: {
    sql: 'SELECT team_id AS tenant_id, GROUP_CONCAT(id) AS site_ids FROM sites GROUP BY team_id',
    columns: ['tenant_id', 'site_ids'],
  },
  siteDays: {
    sql: `SELECT site_id, day, bytes_out, bytes_in
FROM site_bandwidth_daily
WHERE day >= :from_day AND day <= :to_day`,
    columns: ['site_id', 'day', 'bytes_out', 'bytes_in'],
  },
  /** the tenants of these sites (decimal IDs, at most LOOKUP_IDS of them) */
  tenantsOfSites: {
    sql: (ids: readonly string[]) =>
      `SELECT id AS site_id, team_id AS tenant_id FROM sites WHERE id IN (${ids.join(', ')})`,
    columns: ['site_id', 'tenant_id'],
  },
} as const;

/** site IDs per `tenantsOfSites` statement */
export const LOOKUP_IDS = 1000;

/** A full bandwidth read goes by chunks of site IDs: each a primary-key range of site_bandwidth_daily. */
export const BANDWIDTH_CHUNKING: Chunking = {
  ids: 'sites',
  fromParam: 'from_site',
  toParam: 'to_site',
  nextIdSql: `SELECT MIN(site_id) AS id FROM site_bandwidth_daily WHERE site_id >= :from_site`,
  // an incremental read over every site: with the range, MariaDB scans the whole primary key instead
  // of reading the two days through the `day` index (2.4× slower on the medium scale)
  unchunked: { defaultSql: bandwidthSource.sql, sql: BANDWIDTH_SITE_DAYS },
};
