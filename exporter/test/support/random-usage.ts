import { Random } from '../../src/demo/random';
import { money, type UsageSnapshot } from '../../src/model';
import type { BandwidthRow, EmailRow } from '../../src/sources';

/** The demo seeder's PRNG (mulberry32) as a function, so a failing seed can be replayed. */
export function prng(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

const MAX_BIGINT = '18446744073709551615';

/** A random usage snapshot with awkward values mixed in (zeros, BIGINT maxima, unknown statuses). */
export function randomSnapshot(seed: number, now: Date): UsageSnapshot {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const bytes = () =>
    BigInt(pick([0, 1, 512, 1e6, 3.3e9, 7.77e10, MAX_BIGINT, int(2 ** 40)] as (number | string)[]));
  const tenants = 1 + int(40);
  const servers = int(15);
  const tenantIds = Array.from({ length: tenants }, (_, i) => String(i + 1));
  const serverIds = Array.from({ length: servers }, (_, i) => String(i + 1));
  const when = (offsetDays: number) => new Date(now.getTime() + offsetDays * 86_400_000);
  const snapshot: UsageSnapshot & { bandwidth: BandwidthRow[]; email: EmailRow[] } = {
    tenants: tenantIds
      .filter(() => random() < 0.9)
      .map((id) => ({ tenantId: id, plan: pick(['pro', 'starter', '']), name: `t${id}` })),
    subscriptions: tenantIds
      .filter(() => random() < 0.7)
      .map((id) => ({ tenantId: id, revenueMonthly: money({ digits: BigInt(int(100000)), scale: 2 }) })),
    servers: serverIds.map((id) => ({
      serverId: id,
      tenantId: random() < 0.4 ? pick(tenantIds) : null,
      provider: pick(['hetzner', 'digitalocean']),
      size: pick(['cx22', 'cx32', 'mystery']),
      diskGb: BigInt(pick([0, 20, 40, 160])),
      maxSites: random() < 0.5 ? null : BigInt(pick([0, 5, 50])),
      status: pick(['active', 'active', 'stopped', 'decommissioned', 'provisioning', 'exploded']),
      createdAt: random() < 0.1 ? null : when(-int(90) + (random() < 0.1 ? 5 : 0)),
      deletedAt: random() < 0.7 ? null : when(int(60) - 30),
    })),
    sites: [],
    server_sites: [],
    bandwidth: [],
    email: [],
    database_size: [{ bytes: bytes() }],
  };
  for (const tenantId of tenantIds) {
    const count = int(4);
    let storage = 0n;
    for (let i = 0; i < count; i++) {
      const size = bytes();
      storage += size;
      const serverId = random() < 0.8 && servers > 0 ? pick(serverIds) : random() < 0.5 ? '999' : null;
      if (serverId !== null) {
        snapshot.server_sites.push({ serverId, tenantId, sites: 1n, storageUsedBytes: size });
      }
    }
    if (count > 0) snapshot.sites.push({ tenantId, sites: BigInt(count), storageUsedBytes: storage });
    if (random() < 0.6) {
      snapshot.bandwidth.push({
        tenantId,
        egress30d: bytes(),
        ingress30d: bytes(),
        egressMonthToDate: bytes(),
      });
    }
    for (const type of ['transactional', 'marketing', 'weird']) {
      if (random() < 0.4) {
        snapshot.email.push({
          tenantId,
          type,
          sent30d: BigInt(int(1e6)),
          sentMonthToDate: BigInt(int(1e5)),
        });
      }
    }
  }
  if (random() < 0.5) {
    snapshot.bandwidth.push({
      tenantId: null,
      egress30d: bytes(),
      ingress30d: bytes(),
      egressMonthToDate: bytes(),
    });
  }
  return snapshot;
}
