import { id, optionalId } from '../sources/values';
import type { KeyIndex } from './day-table';

/** The tenant key of a site whose team_id cannot be read: its site-days are left out, as unreadable rows. */
export const UNREADABLE_TENANT = -1;
/** in the dense lookup: no site with this ID */
const ABSENT = 0;
/** stored keys are shifted past ABSENT and UNREADABLE_TENANT */
const SHIFT = 2;
const COMMA = 44;
const ZERO = 48;

/** The index of the last comma of a list (0 when it has none: nothing of it is whole). */
const lastIndexOfComma = (list: string | Buffer): number => Math.max(0, list.lastIndexOf(','));

/** no tenant looked up yet */
const NONE = Symbol('none');
/** The dense lookup (an array by site ID) is kept while its length is at most this … */
const DENSE_FACTOR = 4;
/** … times the sites read, plus this. */
const DENSE_SLACK = 65_536;

/**
 * Every site's tenant key, read from the sites (INCREMENTAL_BANDWIDTH.siteTenants) before the site-days of an
 * incremental bandwidth read, so that the site-days are summed as they stream in instead of being
 * held until their tenants are known. While the site IDs are dense (auto increment, the usual case)
 * the keys are an Int32Array indexed by site ID, 4 bytes per ID, filled as the sites arrive (in
 * tenant order, not ID order); when the IDs turn out sparse, the sites are kept as (ID, key) pairs
 * and sorted once read, for a binary search. IDs past 2^53 (text) go in a map.
 */
export class SiteTenants {
  /** key + SHIFT by site ID (ABSENT: none); undefined once the IDs turned out sparse */
  private dense: Int32Array | undefined;
  /** the sparse sites: IDs and keys, sorted by ID after `seal` */
  private ids = new Float64Array(0);
  private keys = new Int32Array(0);
  private pairs = 0;
  /** the sites added before `seal` (safe-integer IDs) */
  private count = 0;
  /** sites by decimal ID: those past 2^53, and any added after `seal` */
  private readonly byText = new Map<string, number>();
  private sealed = false;
  /** sites come grouped by tenant: the last tenant's raw value and key */
  private lastTenant: unknown = NONE;
  private lastKey = UNREADABLE_TENANT;

  constructor(
    private readonly tenantKeys: KeyIndex,
    /** the key of a site without a tenant (NULL team_id) */
    private readonly noTenant: string,
    /** the last read's `denseLength`: the dense lookup starts that large instead of doubling up to it */
    expectedLength = 0,
  ) {
    this.dense = new Int32Array(Math.max(1024, expectedLength));
  }

  /** the length of the dense lookup (0: the IDs were sparse) */
  get denseLength(): number {
    return this.dense?.length ?? 0;
  }

  /** One site as the driver read it (ID and team_id); those added after `seal` go in a map. */
  add(rawSiteId: unknown, rawTenant: unknown): void {
    this.addSite(rawSiteId, this.tenantKey(rawTenant));
  }

  /**
   * One tenant's sites as `GROUP_CONCAT(id)` lists them (text or bytes: decimal IDs and commas). A
   * list `maxLength` long may have been cut by the server: its last ID is left out, and any site it
   * lost is looked up by ID when its site-days come (see `keyOf`).
   */
  addSites(rawTenant: unknown, list: unknown, maxLength: number): void {
    if (typeof list !== 'string' && !Buffer.isBuffer(list)) return;
    const key = this.tenantKey(rawTenant);
    const end = list.length >= maxLength ? lastIndexOfComma(list) : list.length;
    let start = 0;
    let value = 0;
    for (let i = 0; i <= end; i++) {
      const c = i === end ? COMMA : typeof list === 'string' ? list.charCodeAt(i) : (list[i] as number);
      if (c === COMMA) {
        // up to 15 digits is a safe integer; longer IDs (and anything unexpected) are read as text
        if (i - start > 0 && i - start <= 15 && value >= 0) this.addSite(value, key);
        else if (i > start) this.addSite(list.slice(start, i).toString(), key);
        start = i + 1;
        value = 0;
      } else if (c >= ZERO && c <= ZERO + 9 && value >= 0) value = value * 10 + (c - ZERO);
      else value = -1;
    }
  }

  private addSite(rawSiteId: unknown, key: number): void {
    if (this.sealed || typeof rawSiteId !== 'number' || !Number.isSafeInteger(rawSiteId) || rawSiteId < 0) {
      const siteId = id(rawSiteId);
      if (siteId !== undefined) this.byText.set(siteId, key);
      return;
    }
    this.count++;
    if (this.dense && rawSiteId >= this.dense.length) this.growDense(rawSiteId);
    if (this.dense) this.dense[rawSiteId] = key + SHIFT;
    else this.addPair(rawSiteId, key);
  }

  /** Builds the lookup of `keyOf` from the sites added. */
  seal(): void {
    this.sealed = true;
    if (this.dense) return;
    const order = Uint32Array.from({ length: this.pairs }, (_, i) => i).sort(
      (a, b) => (this.ids[a] as number) - (this.ids[b] as number),
    );
    const ids = new Float64Array(this.pairs);
    const keys = new Int32Array(this.pairs);
    order.forEach((from, to) => {
      ids[to] = this.ids[from] as number;
      keys[to] = this.keys[from] as number;
    });
    this.ids = ids;
    this.keys = keys;
  }

  /**
   * The tenant key of a site (a number while a safe integer, else its decimal text), or
   * UNREADABLE_TENANT; undefined for a site that was not read.
   */
  keyOf(siteId: number | string): number | undefined {
    if (typeof siteId !== 'number') return this.byText.get(siteId);
    const key = this.dense ? this.denseKey(siteId) : this.sortedKey(siteId);
    return key !== undefined || this.byText.size === 0 ? key : this.byText.get(String(siteId));
  }

  private denseKey(siteId: number): number | undefined {
    const stored = (this.dense as Int32Array)[siteId];
    return stored === undefined || stored === ABSENT ? undefined : stored - SHIFT;
  }

  private sortedKey(siteId: number): number | undefined {
    let lo = 0;
    let hi = this.pairs;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ids[mid] as number) < siteId) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.pairs && this.ids[lo] === siteId ? (this.keys[lo] as number) : undefined;
  }

  private tenantKey(raw: unknown): number {
    if (raw !== this.lastTenant) {
      const tenant = optionalId(raw);
      this.lastTenant = raw;
      this.lastKey =
        tenant === undefined ? UNREADABLE_TENANT : this.tenantKeys.number(tenant ?? this.noTenant);
    }
    return this.lastKey;
  }

  /** Makes the dense lookup cover `id`, or turns it into pairs when that would make it sparse. */
  private growDense(siteId: number): void {
    const dense = this.dense as Int32Array;
    if (siteId + 1 > DENSE_FACTOR * this.count + DENSE_SLACK) {
      this.dense = undefined;
      for (let i = 0; i < dense.length; i++)
        if (dense[i] !== ABSENT) this.addPair(i, (dense[i] as number) - SHIFT);
      return;
    }
    const grown = new Int32Array(Math.max(siteId + 1, dense.length * 2));
    grown.set(dense);
    this.dense = grown;
  }

  private addPair(siteId: number, key: number): void {
    if (this.pairs === this.ids.length) {
      const capacity = Math.max(1024, this.ids.length * 2);
      const ids = new Float64Array(capacity);
      ids.set(this.ids);
      const keys = new Int32Array(capacity);
      keys.set(this.keys);
      this.ids = ids;
      this.keys = keys;
    }
    this.ids[this.pairs] = siteId;
    this.keys[this.pairs] = key;
    this.pairs++;
  }
}
