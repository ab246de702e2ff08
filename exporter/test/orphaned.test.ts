import { collectOnce } from '../src/collector';
import { centsToUnits } from '../src/model';
import { config, createSchemaDatabase, GIB, insert, server, site, team } from './support/fixtures';

const now = new Date('2026-03-15T12:00:00Z');

describe('orphaned resources: servers and sites of deleted tenants', () => {
  test('each kind with its priority and value; live, future-deleted, stopped and decommissioned are not orphaned', async () => {
    const db = await createSchemaDatabase();
    try {
      await insert(db.pool, 'teams', [
        team(1),
        team(2, { deleted_at: '2026-03-01 00:00:00' }), // soft-deleted
        team(3, { deleted_at: '2026-04-01 00:00:00' }), // deletion planned: still a tenant
      ]);
      await insert(db.pool, 'vps_servers', [
        server(1, { team_id: 2, size: 'cx22' }), // active, deleted tenant: orphaned
        server(2, { team_id: 99, size: 'other', status: 'provisioning' }), // tenant missing from teams
        server(3, { team_id: 2, status: 'stopped' }), // stopped: stopped_server, not twice
        server(4, { team_id: 2, status: 'decommissioned' }), // costs nothing
        server(5, { team_id: 1 }),
        server(6, { team_id: 3 }),
        server(7, { team_id: 2, deleted_at: '2026-03-10 00:00:00' }), // deleted server
      ]);
      await insert(db.pool, 'sites', [
        site(1, 2, null, { storage_used_bytes: 5 * GIB }),
        site(2, 2, 1, { storage_used_bytes: 5 * GIB }),
        site(3, 2, 1, { storage_used_bytes: 50 * GIB, deleted_at: '2026-03-02 00:00:00' }), // deleted site
        site(4, 98, null, { storage_used_bytes: 1 * GIB }), // tenant missing from teams
        site(5, 1, 5, { storage_used_bytes: 1 * GIB }),
        site(6, 3, 6, { storage_used_bytes: 1 * GIB }),
        site(7, 97, null, { storage_used_bytes: 0 }), // nothing stored: worth 0, not listed
      ]);
      const cfg = config({
        pricing: {
          servers: {
            default_monthly: 20,
            stopped_factor: 0.5,
            sizes: [{ provider: 'hetzner', size: 'cx22', monthly: 4.51 }],
          },
          storage: { gib_month: 0.1 },
        },
        sources: { database_size: 'SELECT 0 AS bytes' },
      });
      const { report } = await collectOnce(db.exporterPool, cfg, now);
      if (!report) throw new Error('no report');
      const found = report.opportunities
        .filter((o) => o.kind !== 'negative_margin')
        .map((o) => [o.kind, o.resourceId, o.priority, centsToUnits(o.savingsCents)]);
      expect(found).toEqual(
        expect.arrayContaining([
          ['orphaned_server', '1', 'high', 4.51],
          ['orphaned_server', '2', 'high', 20],
          ['stopped_server', '3', 'medium', 2.26], // 4.51 × 0.5 = 2.255, half up
          ['orphaned_sites', '2', 'medium', 1], // 10 GiB × 0.10
          ['orphaned_sites', '98', 'medium', 0.1],
        ]),
      );
      expect(found).toHaveLength(5);
    } finally {
      await db.close();
    }
  });
});
