import type { Config } from '../config/schema';
import { MAX_SITE_STORAGE_BYTES } from '../plausibility/bounds';
import { ServerSitesTable, type ServerSitesRow } from '../sources/server-sites';
import type { Money } from './money';
import type { Shares } from './shares';

/** Sites and storage on one server, all tenants together, and how many tenants have sites there. */
export interface ServerLoad {
  sites: bigint;
  storage: bigint;
  tenants: bigint;
}

export const NO_LOAD: ServerLoad = { sites: 0n, storage: 0n, tenants: 0n };

/**
 * A row's storage is believed when it is at most 2^53 bytes per site (the sites source already left
 * out the implausible sites; this is the backstop for overrides that return sums without the check).
 */
const plausibleStorage = (bytes: bigint, sites: bigint) =>
  bytes <= MAX_SITE_STORAGE_BYTES || bytes <= sites * MAX_SITE_STORAGE_BYTES;

/**
 * floor(a × b / d) for safe integers 0 < a < d and 0 < b ≤ d. The double estimate (a / d) × b is
 * within two roundings, under e × 2^−51, of the exact quotient: its floor is the exact floor unless
 * the estimate is that close to a whole number, and then the exact integers decide.
 */
export function mulDivFloor(a: number, b: number, d: number): number {
  const estimate = (a / d) * b;
  const floor = Math.floor(estimate);
  const margin = estimate * 2 ** -50;
  if (estimate - floor > margin && floor + 1 - estimate > margin) return floor;
  return Number((BigInt(a) * BigInt(b)) / BigInt(d));
}

/**
 * What each tenant holds on each server: the (server, tenant) rows grouped by server, read in place
 * from their columns (no object per row), and every server's load. Rows and server totals that fit
 * in safe integers (all of them but for BIGINT-sized overrides) are read as numbers; a server with
 * any other is handled with exact bigints.
 */
export class Hosting {
  /** the loads of every server that hosts something, by server ID */
  readonly loads = new Map<string, ServerLoad>();
  /** the rows of server number n are order[start[n]] … order[start[n + 1] − 1] */
  private readonly start: Int32Array;
  private readonly order: Int32Array;
  /** by server number: its rows and totals are safe integers */
  private readonly safe: Uint8Array;

  constructor(readonly table: ServerSitesTable) {
    const servers = table.servers.ids.length;
    ({ start: this.start, order: this.order } = countingSort(table.length, servers, (i) =>
      table.serverOf(i),
    ));
    this.safe = new Uint8Array(servers);
    for (let n = 0; n < servers; n++) this.addLoad(n);
  }

  static of(rows: ServerSitesTable | readonly ServerSitesRow[]): Hosting {
    return new Hosting(rows instanceof ServerSitesTable ? rows : ServerSitesTable.from(rows));
  }

  private addLoad(n: number): void {
    const { table } = this;
    let sites = 0;
    let storage = 0;
    let tenants = 0;
    for (let k = this.start[n] as number; k < (this.start[n + 1] as number); k++) {
      const i = this.order[k] as number;
      const s = table.sitesAt(i);
      const b = table.storageAt(i);
      sites += s;
      storage += b;
      if (s > 0 || b > 0) tenants++;
    }
    // all terms are ≥ 0: a sum that ends safe was exact all along; NaN marks a row held as bigint
    if (Number.isSafeInteger(sites) && Number.isSafeInteger(storage)) {
      this.safe[n] = 1;
      this.setLoad(n, { sites: BigInt(sites), storage: BigInt(storage), tenants: BigInt(tenants) });
      return;
    }
    const load = { sites: 0n, storage: 0n, tenants: 0n };
    for (let k = this.start[n] as number; k < (this.start[n + 1] as number); k++) {
      const { sites: s, storage: b } = this.exactRow(this.order[k] as number);
      load.sites += s;
      load.storage += b;
      if (s > 0n || b > 0n) load.tenants++;
    }
    this.setLoad(n, load);
  }

  private setLoad(n: number, load: ServerLoad): void {
    this.loads.set(this.table.servers.ids[n] as string, load);
  }

  /** A row's values as exact bigints, its storage 0 when implausible. */
  private exactRow(i: number): { sites: bigint; storage: bigint } {
    const sites = this.table.exactSites(i);
    const storage = this.table.exactStorage(i);
    return { sites, storage: plausibleStorage(storage, sites) ? storage : 0n };
  }

  /**
   * Adds the cost of each of these shared servers split over the tenants whose existing sites it
   * hosts: by storage share (site count when the server holds no bytes), by site count, or evenly,
   * as configured; each share rounded down to a money unit. Tenants are the numbers of
   * `table.tenants`. A server with nothing to split by leaves its cost unallocated.
   */
  splitCosts(
    shares: Shares,
    servers: readonly { serverId: string; cost: Money }[],
    method: Config['allocation']['shared_servers'],
  ): void {
    const weighted = new WeightedSplits(this.table.servers.ids.length);
    for (const { serverId, cost } of servers) this.splitCost(shares, weighted, serverId, cost, method);
    if (weighted.any) this.addWeightedSplits(shares, weighted);
  }

  private splitCost(
    shares: Shares,
    weighted: WeightedSplits,
    serverId: string,
    cost: Money,
    method: Config['allocation']['shared_servers'],
  ): void {
    const load = this.loads.get(serverId) ?? NO_LOAD;
    // rows without sites or bytes weigh nothing, so the server's totals are the weights' sum
    const byStorage = method === 'storage_share' && load.storage > 0n;
    const total = method === 'even' ? load.tenants : byStorage ? load.storage : load.sites;
    if (total === 0n) {
      shares.addUnallocated(cost);
      return;
    }
    const n = this.table.servers.find(serverId);
    const from = this.start[n] as number;
    const to = this.start[n + 1] as number;
    const { table, order } = this;
    if (method === 'even') {
      const each = cost / total;
      for (let k = from; k < to; k++) {
        const i = order[k] as number;
        if (this.weighs(i)) shares.add(table.tenantOf(i), each);
      }
      return;
    }
    if (this.safe[n]) {
      weighted.set(n, cost, total, byStorage);
      return;
    }
    for (let k = from; k < to; k++) {
      const i = order[k] as number;
      const row = this.exactRow(i);
      const w = byStorage ? row.storage : row.sites;
      if (w > 0n) shares.add(table.tenantOf(i), (cost * w) / total);
    }
  }

  /**
   * floor(cost × w / T) of every row on the servers of `weighted` (weights w and totals T safe
   * integers), without a bigint division per row: with cost = q × T + r (0 ≤ r < T), it is
   * q × w + floor(r × w / T), and the second term, below w, is a number (mulDivFloor). The rows are
   * taken tenant by tenant, so each tenant's amount is summed in a local and added once: adding each
   * row's amount to `shares` as it comes would leave a long-lived bigint per row for the garbage
   * collector to promote (a large install has hundreds of thousands of rows).
   */
  private addWeightedSplits(shares: Shares, weighted: WeightedSplits): void {
    const { table } = this;
    const { start, order } = this.rowsByTenant();
    for (let t = 0; t < table.tenants.ids.length; t++) {
      let amount = 0n;
      let fractions = 0;
      let weighs = false;
      for (let k = start[t] as number; k < (start[t + 1] as number); k++) {
        const i = order[k] as number;
        const n = table.serverOf(i);
        const q = weighted.quotients[n];
        if (q === undefined) continue;
        const w = weighted.byStorage[n] ? table.storageAt(i) : table.sitesAt(i);
        if (w <= 0) continue;
        weighs = true;
        amount += q * BigInt(w);
        const r = weighted.remainders[n] as number;
        if (r === 0) continue;
        const f = mulDivFloor(r, w, weighted.totals[n] as number);
        // each term is below w: the sum is exact while it stays a safe integer
        if (fractions + f <= Number.MAX_SAFE_INTEGER) fractions += f;
        else {
          amount += BigInt(fractions) + BigInt(f);
          fractions = 0;
        }
      }
      if (weighs) shares.add(t, amount + BigInt(fractions));
    }
  }

  /** The rows grouped by tenant (as `start`/`order` group them by server). */
  private rowsByTenant(): { start: Int32Array; order: Int32Array } {
    const { table } = this;
    return countingSort(table.length, table.tenants.ids.length, (i) => table.tenantOf(i));
  }

  /** The row has sites or believed bytes. */
  private weighs(i: number): boolean {
    const s = this.table.sitesAt(i);
    if (s === s) return s > 0 || this.table.storageAt(i) > 0;
    const row = this.exactRow(i);
    return row.sites > 0n || row.storage > 0n;
  }
}

/** Rows 0 … length − 1 grouped by their group (0 … groups − 1): group g's rows are order[start[g] … start[g + 1] − 1]. */
function countingSort(
  length: number,
  groups: number,
  groupOf: (row: number) => number,
): { start: Int32Array; order: Int32Array } {
  const start = new Int32Array(groups + 1);
  const order = new Int32Array(length);
  for (let i = 0; i < length; i++) start[groupOf(i) + 1] = (start[groupOf(i) + 1] as number) + 1;
  for (let g = 0; g < groups; g++) start[g + 1] = (start[g + 1] as number) + (start[g] as number);
  const next = start.slice(0, groups);
  for (let i = 0; i < length; i++) {
    const g = groupOf(i);
    const k = next[g] as number;
    order[k] = i;
    next[g] = k + 1;
  }
  return { start, order };
}

/** The shared servers split by weight with safe integers, by server number: cost = q × T + r. */
class WeightedSplits {
  readonly quotients: (bigint | undefined)[];
  readonly remainders: Float64Array;
  readonly totals: Float64Array;
  readonly byStorage: Uint8Array;
  any = false;

  constructor(servers: number) {
    this.quotients = new Array<bigint | undefined>(servers).fill(undefined);
    this.remainders = new Float64Array(servers);
    this.totals = new Float64Array(servers);
    this.byStorage = new Uint8Array(servers);
  }

  set(n: number, cost: Money, total: bigint, byStorage: boolean): void {
    this.quotients[n] = cost / total;
    this.remainders[n] = Number(cost % total);
    this.totals[n] = Number(total);
    this.byStorage[n] = byStorage ? 1 : 0;
    this.any = true;
  }
}
