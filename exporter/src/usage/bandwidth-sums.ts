import { siteDayTrafficRejection, type PlausibilityBounds } from '../plausibility';
import type { BandwidthSiteDayRow } from '../sources/bandwidth';
import type { Amount, DayBatch } from './day-table';

const MEASURES = 2; // bytes out, bytes in
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** One day's sums per tenant key number, grown as keys appear; NaN: the exact sum is in `big`. */
interface DaySums {
  values: Float64Array[];
  present: Uint8Array;
  big: Map<number, bigint>[];
}

const exact = (amount: Amount): bigint => (typeof amount === 'bigint' ? amount : BigInt(amount));

/**
 * Sums raw site-days of traffic per UTC day and tenant as they stream in, so that the database does
 * not have to group them (a temporary table of days × tenants) and the exporter holds one cell per
 * day and tenant, never the rows. A site-day above the plausibility bound (either direction) is left
 * out and listed as `site ID@day`, as the SQL used to. Sums stay exact: a cell that would pass 2^53
 * continues as a bigint.
 */
export class BandwidthSums {
  private readonly days = new Map<string, DaySums>();

  constructor(
    private readonly batch: DayBatch,
    private readonly bounds: PlausibilityBounds,
    /** the key of traffic of sites missing from the sites table */
    private readonly noTenant: string,
  ) {}

  add(row: BandwidthSiteDayRow): void {
    const key = this.batch.keys.number(row.tenantId ?? this.noTenant);
    const day = this.day(row.day, key);
    // the tenant's day is there even when its only site-day is left out (as the SQL grouping had it)
    day.present[key] = 1;
    const reason = siteDayTrafficRejection(row.bytesIn, row.bytesOut, this.bounds);
    if (reason) {
      this.batch.reject(row.day, [{ id: `${row.siteId}@${row.day}`, reason }]);
      return;
    }
    addTo(day, 0, key, row.bytesOut);
    addTo(day, 1, key, row.bytesIn);
  }

  /** Hands the sums to the batch: one row per day and tenant. */
  flush(): void {
    for (const [day, sums] of this.days) {
      for (let key = 0; key < sums.present.length; key++) {
        if (!sums.present[key]) continue;
        const amounts: Amount[] = [];
        for (let m = 0; m < MEASURES; m++) {
          const v = (sums.values[m] as Float64Array)[key] as number;
          amounts.push(Number.isNaN(v) ? ((sums.big[m] as Map<number, bigint>).get(key) as bigint) : v);
        }
        this.batch.add(day, this.batch.keys.keys[key] as string, amounts);
      }
    }
    this.days.clear();
  }

  private day(day: string, key = 0): DaySums {
    let sums = this.days.get(day);
    if (!sums) {
      sums = grown(undefined, Math.max(64, key + 1));
      this.days.set(day, sums);
    } else if (key >= sums.present.length) {
      sums = grown(sums, Math.max(key + 1, sums.present.length * 2));
      this.days.set(day, sums);
    }
    return sums;
  }
}

function grown(old: DaySums | undefined, size: number): DaySums {
  const values = Array.from({ length: MEASURES }, (_, m) => {
    const a = new Float64Array(size);
    if (old) a.set(old.values[m] as Float64Array);
    return a;
  });
  const present = new Uint8Array(size);
  if (old) present.set(old.present);
  return { values, present, big: old ? old.big : Array.from({ length: MEASURES }, () => new Map()) };
}

function addTo(sums: DaySums, m: number, key: number, amount: Amount): void {
  const values = sums.values[m] as Float64Array;
  const current = values[key] as number;
  if (!Number.isNaN(current) && typeof amount === 'number') {
    const sum = current + amount;
    if (sum <= MAX_SAFE) {
      values[key] = sum;
      return;
    }
  }
  const big = sums.big[m] as Map<number, bigint>;
  const before = Number.isNaN(current) ? (big.get(key) as bigint) : BigInt(current);
  big.set(key, before + exact(amount));
  values[key] = Number.NaN;
}
