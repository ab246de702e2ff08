import type { Decimal } from '../decimal';
import type { RejectedRow } from '../plausibility/rejections';
import { rowGuard, type SourceDefinition } from './source';
import { optionalId, quantity, rejectedRows } from './values';

export interface BandwidthRow {
  /** null: traffic of sites that no longer exist in the sites table */
  tenantId: string | null;
  egress30d: Decimal;
  ingress30d: Decimal;
  egressMonthToDate: Decimal;
  /** site-days above what the link moves in a day (left out of the sums), as site ID@day */
  rejected?: RejectedRow[];
}

/**
 * Traffic per tenant over the trailing 30 days (today included) and since the 1st. The inner query
 * reads one day range in primary-key order and aggregates per site, so the join to sites only sees
 * one row per site; traffic of deleted sites still counts for their tenant. A site-day with bytes_in or
 * bytes_out above :max_site_day_bytes is left out and listed.
 */
export const bandwidthSource: SourceDefinition<BandwidthRow> = {
  name: 'bandwidth',
  sql: `SELECT s.team_id AS tenant_id,
  SUM(b.egress_30d) AS egress_30d, SUM(b.ingress_30d) AS ingress_30d, SUM(b.egress_mtd) AS egress_mtd,
  GROUP_CONCAT(b.rejected) AS rejected
FROM (
  SELECT site_id,
    SUM(IF(day >= :window_start AND ok, bytes_out, 0)) AS egress_30d,
    SUM(IF(day >= :window_start AND ok, bytes_in, 0)) AS ingress_30d,
    SUM(IF(day >= :month_start AND ok, bytes_out, 0)) AS egress_mtd,
    GROUP_CONCAT(IF(ok, NULL, CONCAT(site_id, '@', day, ':traffic_above_link_speed'))) AS rejected
  FROM (
    SELECT site_id, day, bytes_in, bytes_out,
      bytes_in <= :max_site_day_bytes AND bytes_out <= :max_site_day_bytes AS ok
    FROM site_bandwidth_daily
    WHERE day >= :scan_start AND day <= :today
  ) d
  GROUP BY site_id
) b
LEFT JOIN sites s ON s.id = b.site_id
GROUP BY s.team_id`,
  parse: rowGuard<BandwidthRow>({
    tenantId: (r) => optionalId(r.tenant_id),
    egress30d: (r) => quantity(r.egress_30d),
    ingress30d: (r) => quantity(r.ingress_30d),
    egressMonthToDate: (r) => quantity(r.egress_mtd),
    rejected: (r) => rejectedRows(r.rejected),
  }),
};
