import { siteDayTrafficRejection, type PlausibilityBounds, type RejectionReason } from '../plausibility';
import type { BandwidthSiteDayRow } from '../sources/bandwidth';
import { id } from '../sources/values';
import type { Amount, DayBatch } from './day-table';

/** a site-day whose site is not (yet) known */
const UNMATCHED = -1;
/** no tenant looked up yet */
const NONE = Symbol('none');
/** a site-day whose site has an unreadable tenant: left out, as the joined read skips its row */
const UNREADABLE = -2;

/** One day's site-days in columns, in arrival order (site ID order when the `day` index reads them). */
class DaySites {
  constructor(
    /** the site-days expected (the last read's): the columns start that large, not doubled up to it */
    private readonly expected: number,
  ) {}

  count = 0;
  ids = new Float64Array(0);
  bytesOut = new Float64Array(0);
  bytesIn = new Float64Array(0);
  /** the tenant key of each site-day once its site is read (UNMATCHED until then) */
  tenants = new Int32Array(0);
  sorted = true;

  push(siteId: number, bytesOut: number, bytesIn: number): void {
    if (this.count === this.ids.length)
      this.grow(this.count === 0 ? Math.max(1024, this.expected) : this.count * 2);
    const i = this.count++;
    if (i > 0 && siteId < (this.ids[i - 1] as number)) this.sorted = false;
    this.ids[i] = siteId;
    this.bytesOut[i] = bytesOut;
    this.bytesIn[i] = bytesIn;
    this.tenants[i] = UNMATCHED;
  }

  /** Sorts the site-days by site ID (a read that did not come in index order), for `find`. */
  sort(): void {
    if (this.sorted) return;
    const order = Uint32Array.from({ length: this.count }, (_, i) => i).sort(
      (a, b) => (this.ids[a] as number) - (this.ids[b] as number),
    );
    const permute = <T extends Float64Array | Int32Array>(column: T): T => {
      const copy = column.slice(0, this.count) as T;
      for (let k = 0; k < this.count; k++) copy[k] = column[order[k] as number] as number;
      return copy;
    };
    this.ids = permute(this.ids);
    this.bytesOut = permute(this.bytesOut);
    this.bytesIn = permute(this.bytesIn);
    this.tenants = permute(this.tenants);
    this.sorted = true;
  }

  /** The first index of site `id` in the sorted columns, or -1. */
  find(id: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ids[mid] as number) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.count && this.ids[lo] === id ? lo : -1;
  }

  private grow(capacity: number): void {
    const grown = <T extends Float64Array | Int32Array>(column: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(column.subarray(0, this.count));
      return next;
    };
    this.ids = grown(this.ids, (n) => new Float64Array(n));
    this.bytesOut = grown(this.bytesOut, (n) => new Float64Array(n));
    this.bytesIn = grown(this.bytesIn, (n) => new Float64Array(n));
    this.tenants = grown(this.tenants, (n) => new Int32Array(n));
  }
}

/** A site-day that does not fit the columns: a site ID past 2^53 (text) or an amount past it. */
interface OddSiteDay {
  day: string;
  siteId: string;
  bytesOut: Amount;
  bytesIn: Amount;
  tenant: number;
}

/**
 * Site-days read without their tenant (the incremental bandwidth read, which leaves out the join to
 * `sites`), held in columns per day until every site's tenant has been read, then summed per day and
 * tenant into the batch exactly as BandwidthSums sums the joined rows: a site-day above the
 * plausibility bound is left out and listed (in arrival order) and still makes its tenant's day a
 * row; a site missing from the sites table counts under `noTenant`; a site whose tenant cannot be read
 * leaves its site-days out (counted by `finish`, as the joined read counts its unreadable rows).
 */
export class HeldSiteDays {
  private readonly days = new Map<string, DaySites>();
  private readonly odd: OddSiteDay[] = [];
  /** the odd site-days by site ID */
  private readonly oddBySite = new Map<string, OddSiteDay[]>();
  /** site-days above the bound, in the order read: listed by `finish` unless their tenant is unreadable */
  private readonly rejected: {
    day: string;
    siteId: number | string;
    reason: RejectionReason;
    odd: OddSiteDay | undefined;
  }[] = [];
  private readonly amounts: Amount[] = [0, 0];
  /** sites come grouped by tenant: the last tenant's raw value and key */
  private lastTenant: unknown = NONE;
  private lastKey = UNMATCHED;
  /** the days' columns, sorted by site ID once the site-days are all read (empty before) */
  private lookup: DaySites[] = [];
  private sortedForLookup = false;

  constructor(
    private readonly batch: DayBatch,
    private readonly bounds: PlausibilityBounds,
    private readonly noTenant: string,
    /** a raw tenant value as an ID: null for NULL, undefined when unreadable */
    private readonly tenantId: (raw: unknown) => string | null | undefined,
    /** the most site-days of one day in the last read, to size the columns */
    private readonly expectedPerDay = 0,
  ) {}

  /** the most site-days held for one day */
  get mostPerDay(): number {
    let most = 0;
    for (const day of this.days.values()) most = Math.max(most, day.count);
    return most;
  }

  /** One site-day as read (its `tenantId` is not used). */
  addSiteDay(row: BandwidthSiteDayRow): void {
    let { bytesOut, bytesIn } = row;
    const reason = siteDayTrafficRejection(bytesIn, bytesOut, this.bounds);
    if (reason) {
      bytesOut = 0;
      bytesIn = 0;
    }
    let odd: OddSiteDay | undefined;
    if (typeof row.siteId === 'number' && typeof bytesOut === 'number' && typeof bytesIn === 'number') {
      let day = this.days.get(row.day);
      if (!day) {
        day = new DaySites(Math.ceil(this.expectedPerDay * 1.05));
        this.days.set(row.day, day);
      }
      day.push(row.siteId, bytesOut, bytesIn);
    } else {
      odd = { day: row.day, siteId: String(row.siteId), bytesOut, bytesIn, tenant: UNMATCHED };
      this.odd.push(odd);
      const list = this.oddBySite.get(odd.siteId);
      if (list) list.push(odd);
      else this.oddBySite.set(odd.siteId, [odd]);
    }
    if (reason) this.rejected.push({ day: row.day, siteId: row.siteId, reason, odd });
  }

  /** One site of the sites table, as the driver read it (ID and team_id), after the last site-day. */
  addSite(rawSiteId: unknown, rawTenant: unknown): void {
    this.sortForLookup();
    if (typeof rawSiteId === 'number') {
      for (const day of this.lookup) {
        let i = day.find(rawSiteId);
        if (i < 0) continue;
        const key = this.tenantKey(rawTenant);
        for (; i < day.count && day.ids[i] === rawSiteId; i++) day.tenants[i] = key;
      }
    }
    if (this.oddBySite.size > 0) {
      const siteId = id(rawSiteId);
      const odd = siteId === undefined ? undefined : this.oddBySite.get(siteId);
      for (const siteDay of odd ?? []) siteDay.tenant = this.tenantKey(rawTenant);
    }
  }

  /** Adds every held site-day to the batch; says how many were left out for an unreadable tenant. */
  finish(): number {
    this.sortForLookup();
    for (const { day, siteId, reason, odd } of this.rejected) {
      const columns = this.days.get(day);
      const tenant = odd ? odd.tenant : columns?.tenants[columns.find(siteId as number)];
      if (tenant !== UNREADABLE) this.batch.reject(day, [{ id: `${siteId}@${day}`, reason }]);
    }
    let noTenant: number | undefined;
    let unreadable = 0;
    const add = (day: string, tenant: number, bytesOut: Amount, bytesIn: Amount) => {
      if (tenant === UNREADABLE) {
        unreadable++;
        return;
      }
      this.amounts[0] = bytesOut;
      this.amounts[1] = bytesIn;
      if (tenant === UNMATCHED) noTenant ??= this.batch.keys.number(this.noTenant);
      this.batch.addTo(day, tenant === UNMATCHED ? (noTenant as number) : tenant, this.amounts);
    };
    for (const [name, day] of this.days)
      for (let i = 0; i < day.count; i++)
        add(name, day.tenants[i] as number, day.bytesOut[i] as number, day.bytesIn[i] as number);
    for (const o of this.odd) add(o.day, o.tenant, o.bytesOut, o.bytesIn);
    this.days.clear();
    this.lookup = [];
    return unreadable;
  }

  private sortForLookup(): void {
    if (this.sortedForLookup) return;
    this.lookup = [...this.days.values()];
    for (const day of this.lookup) day.sort();
    this.sortedForLookup = true;
  }

  private tenantKey(raw: unknown): number {
    if (raw !== this.lastTenant) {
      const tenant = this.tenantId(raw);
      this.lastTenant = raw;
      this.lastKey =
        tenant === undefined ? UNREADABLE : this.batch.keys.number(tenant === null ? this.noTenant : tenant);
    }
    return this.lastKey;
  }
}
