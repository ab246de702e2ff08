import type { KeyIndex } from './day-table';

/** The tenant key of a site whose team_id cannot be read: its site-days are left out, as unreadable rows. */
export const UNREADABLE_TENANT = -1;
/** in the dense lookup: no site with this ID */
const ABSENT = 0;
/** stored keys are shifted past ABSENT and UNREADABLE_TENANT */
const SHIFT = 2;
/** no tenant looked up yet */
const NONE = Symbol('none');
/** the dense lookup (an array indexed by site ID) is used while it is at most this much larger than the sites */
const DENSE_FACTOR = 4;

/**
 * Every site's tenant key, read from `SELECT id, team_id FROM sites` before the site-days of an
 * incremental bandwidth read, so that the site-days are summed as they stream in (instead of
 * holding them until their tenants are known). Held compactly: while the site IDs are dense (auto
 * increment, the usual case) an Int32Array indexed by site ID, 4 bytes per ID; otherwise the IDs
 * sorted, for a binary search. IDs past 2^53 (text) go in a map.
 */
export class SiteTenants {
  private ids: Float64Array;
  private keys: Int32Array;
  private count = 0;
  /** sites by decimal ID: those past 2^53, and any added after `seal` */
  private readonly byText = new Map<string, number>();
  private dense: Int32Array | undefined;
  private sealed = false;
  /** sites come grouped by tenant: the last tenant's raw value and key */
  private lastTenant: unknown = NONE;
  private lastKey = UNREADABLE_TENANT;

  constructor(
    private readonly tenantKeys: KeyIndex,
    /** the key of a site without a tenant (NULL team_id) */
    private readonly noTenant: string,
    /** a raw team_id as a tenant ID: null for NULL, undefined when unreadable */
    private readonly tenantId: (raw: unknown) => string | null | undefined,
    /** a raw site ID as the decimal ID, undefined when unreadable */
    private readonly siteId: (raw: unknown) => string | undefined,
    /** the sites expected (the last read's count): the columns start that large */
    expected = 0,
  ) {
    this.ids = new Float64Array(Math.max(1024, expected));
    this.keys = new Int32Array(this.ids.length);
  }

  /** the sites added before `seal` */
  get size(): number {
    return this.count;
  }

  /** One row of the sites, as the driver read it; call `seal` after the last (later ones go in a map). */
  add(rawSiteId: unknown, rawTenant: unknown): void {
    const key = this.tenantKey(rawTenant);
    if (!this.sealed && typeof rawSiteId === 'number' && Number.isSafeInteger(rawSiteId) && rawSiteId >= 0) {
      if (this.count === this.ids.length) this.grow();
      this.ids[this.count] = rawSiteId;
      this.keys[this.count] = key;
      this.count++;
      return;
    }
    const id = this.siteId(rawSiteId);
    if (id !== undefined) this.byText.set(id, key);
  }

  /** Builds the lookup of `keyOf` from the rows added. */
  seal(): void {
    this.sealed = true;
    let max = -1;
    for (let i = 0; i < this.count; i++) max = Math.max(max, this.ids[i] as number);
    if (max < DENSE_FACTOR * this.count + 1024) {
      const dense = new Int32Array(max + 1);
      for (let i = 0; i < this.count; i++) dense[this.ids[i] as number] = (this.keys[i] as number) + SHIFT;
      this.dense = dense;
      this.ids = new Float64Array(0);
      this.keys = new Int32Array(0);
      return;
    }
    const order = Uint32Array.from({ length: this.count }, (_, i) => i).sort(
      (a, b) => (this.ids[a] as number) - (this.ids[b] as number),
    );
    const ids = new Float64Array(this.count);
    const keys = new Int32Array(this.count);
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
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ids[mid] as number) < siteId) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.count && this.ids[lo] === siteId ? (this.keys[lo] as number) : undefined;
  }

  private tenantKey(raw: unknown): number {
    if (raw !== this.lastTenant) {
      const tenant = this.tenantId(raw);
      this.lastTenant = raw;
      this.lastKey =
        tenant === undefined ? UNREADABLE_TENANT : this.tenantKeys.number(tenant ?? this.noTenant);
    }
    return this.lastKey;
  }

  private grow(): void {
    const ids = new Float64Array(this.ids.length * 2);
    ids.set(this.ids);
    const keys = new Int32Array(this.keys.length * 2);
    keys.set(this.keys);
    this.ids = ids;
    this.keys = keys;
  }
}
