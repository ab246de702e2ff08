import { fetchSources, type SourceOutcome } from '../src/sources';
import { serverSitesSource } from '../src/sources/server-sites';
import { sitesSource } from '../src/sources/sites';
import { config, createSchemaDatabase, GIB, insert, server, site, team } from './support/fixtures';

// With neither `sites` nor `server_sites` overridden, one statement over the (tenant, server) groups
// serves both sources. Their rows must be what the two statements give on their own, implausible
// storage, unplaced, deleted and future-deleted sites included.

const now = new Date('2026-03-15T12:00:00Z');
let db: Awaited<ReturnType<typeof createSchemaDatabase>>;

beforeAll(async () => {
  db = await createSchemaDatabase();
  await insert(db.pool, 'teams', [team(1), team(2), team(3)]);
  await insert(db.pool, 'vps_servers', [
    server(1, { disk_gb: 10 }),
    server(2, { team_id: 2, disk_gb: 40 }),
    server(3, { disk_gb: 0 }), // no usable disk size: only the absolute bound applies
  ]);
  await insert(db.pool, 'sites', [
    site(1, 1, 1, { storage_used_bytes: 3 * GIB }),
    site(2, 1, 1, { storage_used_bytes: 25 * GIB }), // above 2 × the 10 GiB disk: left out, listed
    site(3, 2, 2, { storage_used_bytes: 7 * GIB }),
    site(4, 2, 1, { storage_used_bytes: 1 * GIB }),
    site(5, 2, null, { storage_used_bytes: 2 * GIB }), // not placed: in `sites`, not in `server_sites`
    site(6, 3, 3, { storage_used_bytes: '18446744073709551615' }), // above 2^53: left out, listed
    site(7, 3, 3, { storage_used_bytes: 5 * GIB }),
    site(8, 3, 2, { storage_used_bytes: GIB, deleted_at: '2026-03-01 00:00:00' }), // gone
    site(9, 3, 2, { storage_used_bytes: GIB, deleted_at: '2026-04-01 00:00:00' }), // still there
    site(10, 1, 9, { storage_used_bytes: GIB }), // on a server missing from vps_servers
  ]);
});
afterAll(async () => {
  await db?.close();
});

async function read(document: object) {
  const outcomes = await fetchSources(db.exporterPool, config(document), now);
  const sites = outcomes.sites as SourceOutcome<unknown>;
  const serverSites = outcomes.server_sites as SourceOutcome<unknown>;
  if (!sites.ok) throw sites.error;
  if (!serverSites.ok) throw serverSites.error;
  const placed = [...(serverSites.rows as Iterable<{ serverId: string; tenantId: string }>)].sort(
    (a, b) => a.serverId.localeCompare(b.serverId) || a.tenantId.localeCompare(b.tenantId),
  );
  const byTenant = (
    sites.rows as { tenantId: string; sites: bigint; storageUsedBytes: bigint; rejected?: { id: string }[] }[]
  ).map((r) => ({
    ...r,
    rejected: [...(r.rejected ?? [])].sort((a, b) => a.id.localeCompare(b.id)),
  }));
  // one statement: both sources report its time
  const oneStatement = sites.seconds === serverSites.seconds;
  return { byTenant, placed, oneStatement };
}

test('one scan of the sites gives the rows of the two statements', async () => {
  const shared = await read({});
  const separate = await read({ sources: { sites: sitesSource.sql, server_sites: serverSitesSource.sql } });
  expect(shared.oneStatement).toBe(true);
  expect({ ...shared, oneStatement: undefined }).toEqual({ ...separate, oneStatement: undefined });
  expect(shared.byTenant).toEqual([
    {
      tenantId: '1',
      sites: 3n,
      storageUsedBytes: 4n * BigInt(GIB),
      rejected: [{ id: '2', reason: 'storage_above_disk' }],
    },
    { tenantId: '2', sites: 3n, storageUsedBytes: 10n * BigInt(GIB), rejected: [] },
    {
      tenantId: '3',
      sites: 3n,
      storageUsedBytes: 6n * BigInt(GIB),
      rejected: [{ id: '6', reason: 'storage_above_limit' }],
    },
  ]);
  expect(shared.placed.map((r) => [r.serverId, r.tenantId])).toEqual([
    ['1', '1'],
    ['1', '2'],
    ['2', '2'],
    ['2', '3'],
    ['3', '3'],
    ['9', '1'],
  ]);
});

test('an override of either source runs the two statements', async () => {
  const override = `SELECT c.tenant_id, SUM(c.sites) AS sites, 0 AS storage_used_bytes FROM (
    SELECT team_id AS tenant_id, COUNT(*) AS sites FROM sites WHERE deleted_at IS NULL GROUP BY team_id) c
    GROUP BY c.tenant_id`;
  const { byTenant, placed } = await read({ sources: { sites: override } });
  expect(byTenant.map((r) => [r.tenantId, r.sites, r.storageUsedBytes])).toEqual([
    ['1', 3n, 0n],
    ['2', 3n, 0n],
    ['3', 2n, 0n],
  ]);
  expect(placed).toHaveLength(6);
});
