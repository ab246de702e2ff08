import { IdIndex } from '../model/id-index';
import { boundedSiteGroups, plausibleGroupStorage } from './sites';
import { rowGuard, type SourceDefinition } from './source';
import { id, integer } from './values';

export interface ServerSitesRow {
  serverId: string;
  tenantId: string;
  sites: bigint;
  /** Σ plausible storage (the rejected sites are listed by the sites source) */
  storageUsedBytes: bigint;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The (server, tenant) rows held in columns: server and tenant as numbers of the table's ID indexes
 * (each ID string kept once), counts and bytes as numbers. A large install has hundreds of
 * thousands of these rows, kept between collections as a source's last good rows; as objects with
 * two strings and two bigints each they took about 180 bytes a row, here 24. A value above 2^53 − 1
 * (only an override can return one) is kept exactly on the side, and its column holds NaN.
 */
export class ServerSitesTable {
  readonly servers = new IdIndex();
  readonly tenants = new IdIndex();
  length = 0;
  private server = new Int32Array(1024);
  private tenant = new Int32Array(1024);
  private siteCounts = new Float64Array(1024);
  private storage = new Float64Array(1024);
  /** the exact values of the rows that have one above 2^53 − 1, by row */
  private readonly large = new Map<number, { sites: bigint; storageUsedBytes: bigint }>();

  static from(rows: Iterable<ServerSitesRow>): ServerSitesTable {
    const table = new ServerSitesTable();
    for (const row of rows) table.push(row);
    return table;
  }

  push(row: ServerSitesRow): number {
    const i = this.length;
    if (i === this.server.length) this.grow();
    this.server[i] = this.servers.of(row.serverId);
    this.tenant[i] = this.tenants.of(row.tenantId);
    const { sites, storageUsedBytes } = row;
    if (sites <= MAX_SAFE && storageUsedBytes <= MAX_SAFE) {
      this.siteCounts[i] = Number(sites);
      this.storage[i] = Number(storageUsedBytes);
    } else {
      this.siteCounts[i] = NaN;
      this.storage[i] = NaN;
      this.large.set(i, { sites, storageUsedBytes });
    }
    return ++this.length;
  }

  /** The server's number in `servers` (row i < length). */
  serverOf(i: number): number {
    return this.server[i] as number;
  }

  /** The tenant's number in `tenants`. */
  tenantOf(i: number): number {
    return this.tenant[i] as number;
  }

  /** The row's site count, or NaN when it (or its storage) is above 2^53 − 1: see exactSites. */
  sitesAt(i: number): number {
    return this.siteCounts[i] as number;
  }

  /** The row's storage in bytes, or NaN when it (or its site count) is above 2^53 − 1: see exactStorage. */
  storageAt(i: number): number {
    return this.storage[i] as number;
  }

  exactSites(i: number): bigint {
    return this.large.get(i)?.sites ?? BigInt(this.siteCounts[i] as number);
  }

  exactStorage(i: number): bigint {
    return this.large.get(i)?.storageUsedBytes ?? BigInt(this.storage[i] as number);
  }

  row(i: number): ServerSitesRow {
    return {
      serverId: this.servers.ids[this.serverOf(i)] as string,
      tenantId: this.tenants.ids[this.tenantOf(i)] as string,
      sites: this.exactSites(i),
      storageUsedBytes: this.exactStorage(i),
    };
  }

  *[Symbol.iterator](): IterableIterator<ServerSitesRow> {
    for (let i = 0; i < this.length; i++) yield this.row(i);
  }

  private grow(): void {
    // by half again: at most a third of the columns stays unused
    const size = Math.ceil(this.server.length * 1.5);
    const larger = <T extends Int32Array | Float64Array>(column: T, make: (n: number) => T): T => {
      const copy = make(size);
      copy.set(column);
      return copy;
    };
    this.server = larger(this.server, (n) => new Int32Array(n));
    this.tenant = larger(this.tenant, (n) => new Int32Array(n));
    this.siteCounts = larger(this.siteCounts, (n) => new Float64Array(n));
    this.storage = larger(this.storage, (n) => new Float64Array(n));
  }
}

/** Existing placed sites per (server, tenant): what each tenant holds on each server. */
export const serverSitesSource: SourceDefinition<ServerSitesRow, ServerSitesTable> = {
  name: 'server_sites',
  sql: `SELECT b.server_id, b.tenant_id, b.sites, ${plausibleGroupStorage} AS storage_used_bytes
FROM (${boundedSiteGroups('vps_id IS NOT NULL AND ', 'vps_id, team_id')}) b`,
  columns: ['server_id', 'tenant_id', 'sites', 'storage_used_bytes'],
  parse: rowGuard<ServerSitesRow>({
    serverId: (r) => id(r.server_id),
    tenantId: (r) => id(r.tenant_id),
    sites: (r) => integer(r.sites),
    storageUsedBytes: (r) => integer(r.storage_used_bytes),
  }),
  rows: () => new ServerSitesTable(),
};
