import { KeyIndex } from '../src/usage/day-table';
import { SiteTenants, UNREADABLE_TENANT } from '../src/usage/site-tenants';
import { prng } from './support/random-usage';

/** The sites as the driver hands them over: IDs as numbers while safe, text past 2^53. */
type Site = { id: number | string; tenant: unknown };

function tenantsOf(sites: Site[], expected = 0): { tenants: SiteTenants; keys: KeyIndex } {
  const keys = new KeyIndex();
  const tenants = new SiteTenants(keys, '', expected);
  for (const s of sites) tenants.add(s.id, s.tenant);
  tenants.seal();
  return { tenants, keys };
}

/** The tenant a lookup gives, as its key's name ('' no tenant, 'unreadable', 'absent'). */
const tenantName = (tenants: SiteTenants, keys: KeyIndex, siteId: number | string) => {
  const key = tenants.keyOf(siteId);
  if (key === undefined) return 'absent';
  return key === UNREADABLE_TENANT ? 'unreadable' : keys.keys[key];
};

describe("every site's tenant, for site-days read without the join", () => {
  test.each([
    ['dense IDs (an array by ID)', 1],
    ['sparse IDs (sorted, binary search)', 1_000_003],
  ])('%s: each site gives its tenant, NULL no tenant, an unreadable team_id its own key', (_, step) => {
    const random = prng(step);
    const sites: Site[] = [];
    for (let s = 1; s <= 3000; s++) {
      const roll = random();
      sites.push({
        id: s * step,
        tenant: roll < 0.05 ? null : roll < 0.08 ? 'x' : 1 + Math.floor(random() * 50),
      });
    }
    sites.push({ id: String(2n ** 60n + 7n), tenant: 3 });
    // the team_id index returns them grouped by tenant, not by ID
    const byTenant = [...sites].sort((a, b) => String(a.tenant).localeCompare(String(b.tenant)));
    const { tenants, keys } = tenantsOf(byTenant, 100);
    for (const s of sites) {
      const expected = s.tenant === null ? '' : s.tenant === 'x' ? 'unreadable' : String(s.tenant);
      expect(tenantName(tenants, keys, s.id)).toBe(expected);
    }
    expect(tenants.denseLength > 0).toBe(step === 1);
    for (const missing of [0, 2 * 3000 * step + 1, 2.5, String(2n ** 60n + 8n)])
      expect(tenantName(tenants, keys, missing)).toBe('absent');
    if (step > 1) expect(tenantName(tenants, keys, step + 1)).toBe('absent');
  });

  test('dense IDs then one far past them: the lookup turns into sorted pairs, every site still found', () => {
    const sites: Site[] = Array.from({ length: 5000 }, (_, i) => ({ id: i + 1, tenant: 1 + (i % 7) }));
    sites.splice(2500, 0, { id: 10 ** 12, tenant: 9 });
    const { tenants, keys } = tenantsOf(sites, 8192);
    expect(tenants.denseLength).toBe(0);
    for (const s of sites) expect(tenantName(tenants, keys, s.id)).toBe(String(s.tenant));
    expect(tenantName(tenants, keys, 5001)).toBe('absent');
  });

  test('sites added after the lookup was built (looked up by ID) are found too', () => {
    const { tenants, keys } = tenantsOf([
      { id: 1, tenant: 5 },
      { id: 2, tenant: 6 },
    ]);
    expect(tenantName(tenants, keys, 3)).toBe('absent');
    tenants.add(3, 7);
    tenants.add('9007199254740993', null);
    expect(tenantName(tenants, keys, 3)).toBe('7');
    expect(tenantName(tenants, keys, '9007199254740993')).toBe('');
    expect(tenantName(tenants, keys, 1)).toBe('5');
  });

  test("a tenant's sites as GROUP_CONCAT lists them, as text or bytes, cut lists and odd IDs included", () => {
    const keys = new KeyIndex();
    const tenants = new SiteTenants(keys, '');
    tenants.addSites(1, '3,1,2', 1000);
    tenants.addSites(2, Buffer.from('10,11'), 1000);
    // past 2^53: read as text
    tenants.addSites(3, '9007199254740993,12', 1000);
    // cut by the server at its limit: the last ID may be partial ('4' of '45'), so it is left out
    tenants.addSites(4, '20,21,4', 7);
    tenants.addSites(5, 'x,22', 1000);
    tenants.addSites(null, '30', 1000);
    tenants.addSites(6, null, 1000);
    tenants.seal();
    const name = (siteId: number | string) => tenantName(tenants, keys, siteId);
    expect([1, 2, 3, 10, 11, 12].map(name)).toEqual(['1', '1', '1', '2', '2', '3']);
    expect(name('9007199254740993')).toBe('3');
    expect([20, 21, 4].map(name)).toEqual(['4', '4', 'absent']);
    expect([22, 30].map(name)).toEqual(['5', '']);
  });

  test('no sites at all: every site is absent', () => {
    const { tenants, keys } = tenantsOf([]);
    expect(tenantName(tenants, keys, 1)).toBe('absent');
    expect(tenantName(tenants, keys, 0)).toBe('absent');
  });
});
