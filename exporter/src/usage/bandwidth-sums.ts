import { siteDayTrafficRejection, type PlausibilityBounds } from '../plausibility';
import type { BandwidthSiteDayRow } from '../sources/bandwidth';
import type { Amount, DayBatch } from './day-table';

/**
 * Sums raw site-days of traffic per UTC day and tenant into a day batch as they stream in, so that
 * the database does not have to group them (a temporary table of days × tenants) and the exporter
 * holds one cell per day and tenant, never the rows. A site-day above the plausibility bound (either
 * direction) is left out and listed as `site ID@day`; its tenant's day is still a row (as the SQL
 * grouping had it). Sums stay exact (see DayBatch).
 */
export class BandwidthSums {
  /** bytes out, bytes in of the row being added (one array for every row) */
  private readonly amounts: Amount[] = [0, 0];
  private readonly nothing: Amount[] = [0, 0];
  /** a site's days come one after another: its tenant's key is looked up once */
  private lastTenant: string | null | undefined;
  private lastKey = 0;

  constructor(
    private readonly batch: DayBatch,
    private readonly bounds: PlausibilityBounds,
    /** the key of traffic of sites missing from the sites table */
    private readonly noTenant: string,
  ) {}

  add(row: BandwidthSiteDayRow): void {
    if (row.tenantId !== this.lastTenant) {
      this.lastTenant = row.tenantId;
      this.lastKey = this.batch.keys.number(row.tenantId ?? this.noTenant);
    }
    this.addFor(row, this.lastKey);
  }

  /** A site-day read without its tenant, whose tenant's number in the batch's keys is `key`. */
  addFor(row: BandwidthSiteDayRow, key: number): void {
    const reason = siteDayTrafficRejection(row.bytesIn, row.bytesOut, this.bounds);
    if (reason) {
      this.batch.reject(row.day, [{ id: `${row.siteId}@${row.day}`, reason }]);
      this.batch.addTo(row.day, key, this.nothing);
      return;
    }
    this.amounts[0] = row.bytesOut;
    this.amounts[1] = row.bytesIn;
    this.batch.addTo(row.day, key, this.amounts);
  }
}
