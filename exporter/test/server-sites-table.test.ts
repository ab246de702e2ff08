import { buildReport, mulDivFloor } from '../src/model';
import { ServerSitesTable, type ServerSitesRow } from '../src/sources';
import { config } from './support/fixtures';
import { prng, randomSnapshot } from './support/random-usage';

describe('server_sites rows held in columns', () => {
  test('every row reads back exactly, BIGINT-sized values included, IDs kept once', () => {
    const rows: ServerSitesRow[] = [
      { serverId: '7', tenantId: '12', sites: 3n, storageUsedBytes: 5_000_000_000n },
      { serverId: '7', tenantId: '13', sites: 0n, storageUsedBytes: 0n },
      { serverId: '18446744073709551615', tenantId: '12', sites: 1n, storageUsedBytes: 2n ** 64n - 1n },
      { serverId: '8', tenantId: 'a-b', sites: 2n ** 53n, storageUsedBytes: 1n },
    ];
    const table = ServerSitesTable.from(rows);
    expect(table.length).toBe(4);
    expect([...table]).toEqual(rows);
    expect(table.servers.ids).toEqual(['7', '18446744073709551615', '8']);
    expect(table.tenants.ids).toEqual(['12', '13', 'a-b']);
    // values above 2^53 − 1 are not numbers in the columns: readers must take the exact ones
    expect(table.storageAt(2)).toBeNaN();
    expect(table.exactStorage(2)).toBe(2n ** 64n - 1n);
    expect(table.sitesAt(0)).toBe(3);
  });

  test('the report is the same from rows or columns, in any row order', () => {
    const now = new Date('2026-03-15T12:00:00Z');
    const random = prng(9);
    for (let seed = 0; seed < 40; seed++) {
      const snapshot = randomSnapshot(seed, now);
      const rows = snapshot.server_sites as ServerSitesRow[];
      const shuffled = [...rows].sort(() => random() - 0.5);
      const cfg = config({
        allocation: { shared_servers: (['storage_share', 'site_count', 'even'] as const)[seed % 3] },
      });
      const fromRows = buildReport(snapshot, cfg, now);
      const fromColumns = buildReport(
        { ...snapshot, server_sites: ServerSitesTable.from(shuffled) },
        cfg,
        now,
      );
      expect(fromColumns).toEqual(fromRows);
    }
  });
});

describe('mulDivFloor: the floor of a × b / d from doubles, exact', () => {
  test('equals the bigint floor on random and whole or near-whole quotients up to 2^53', () => {
    const random = prng(21);
    const int = (limit: number) => Math.floor(random() * limit);
    const exact = (a: number, b: number, d: number) => Number((BigInt(a) * BigInt(b)) / BigInt(d));
    const wrong: number[][] = [];
    const check = (a: number, b: number, d: number) => {
      if (mulDivFloor(a, b, d) !== exact(a, b, d)) wrong.push([a, b, d]);
    };
    for (let round = 0; round < 200_000; round++) {
      const bits = 1 + int(53);
      const d = Math.max(2, Math.min(Number.MAX_SAFE_INTEGER, Math.floor(random() * 2 ** bits)));
      let a = 1 + int(d - 1);
      let b = 1 + int(d);
      if (round % 3 === 0) {
        // d = m × a: the quotient is b / m, a whole number when m divides b
        const m = 1 + int(7);
        a = Math.max(1, Math.floor(d / m));
        const dm = a * m;
        b = Math.max(1, Math.min(dm, m * (1 + int(Math.max(1, Math.floor(dm / m)))) + int(3) - 1));
        check(a, b, dm);
        continue;
      }
      check(a, b, d);
    }
    expect(wrong).toEqual([]);
  });
});
