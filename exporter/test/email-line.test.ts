import { monthClock } from '../src/model/calendar';
import { IdIndex } from '../src/model/id-index';
import { toCents } from '../src/model/money';
import { monthToDateCents } from '../src/model/month-to-date';
import type { UsageSnapshot } from '../src/model/snapshot';
import { emailPrice } from '../src/model/pricing';
import { emailComponent } from '../src/model/run-rate';
import { EmailTable, TrafficTable } from '../src/model/usage';
import { config } from './support/fixtures';
import { prng } from './support/random-usage';

/** The line as priced row by row in bigints: messages × price per message, per tenant. */
function rowByRow(email: EmailTable, tenants: IdIndex, cfg: ReturnType<typeof config>) {
  const price = emailPrice(cfg);
  const byTenant: (bigint | undefined)[] = [];
  let total = 0n;
  for (let r = 0; r < email.length; r++) {
    const t = tenants.of(email.tenantIds[r] as string);
    const amount = email.sent30d.get(r) * price(email.types[r] as string);
    byTenant[t] = (byTenant[t] ?? 0n) + amount;
    total += amount;
  }
  return { total, byTenant };
}

describe('the e-mail line priced per tenant, and its month to date per type', () => {
  test.each([
    ['usual prices', { transactional: 0.1, marketing: 0.25 }, 0.05, 1e6],
    ['prices far apart (multiples past 2^53)', { transactional: 0.000001, marketing: 1e12 }, 3, 1e6],
    ['counts past 2^53', { transactional: 0.7, marketing: 0.3 }, 0.05, 2 ** 60],
    ['zero prices', { transactional: 0, marketing: 0 }, 0, 1e6],
  ])('equals the line priced row by row in bigints (%s)', (_, perThousand, fallback, maxCount) => {
    const cfg = config({ pricing: { email: { per_1000: perThousand, default_per_1000: fallback } } });
    const random = prng(Object.keys(perThousand).length + maxCount);
    const email = new EmailTable(3000);
    for (let i = 0; i < 3000; i++) {
      const tenant = String(1 + Math.floor(random() * 400));
      const type = ['transactional', 'marketing', 'digest'][Math.floor(random() * 3)] as string;
      const count = random() < 0.1 ? 0 : Math.floor(random() * Math.min(maxCount, 2 ** 52));
      const sent = maxCount > 2 ** 53 ? BigInt(count) * 4096n + 7n : count;
      email.push(tenant, type, sent, typeof sent === 'bigint' ? sent / 3n : Math.floor(sent / 3));
    }
    const usage = { email, traffic: new TrafficTable(0) };
    const fast = emailComponent(usage, new IdIndex(), cfg);
    const exact = rowByRow(email, new IdIndex(), cfg);
    expect(fast.total).toBe(exact.total);
    expect(fast.shares.byTenant).toEqual(exact.byTenant);
    // the month to date, summed per type before it is priced
    const price = emailPrice(cfg);
    let monthToDate = 0n;
    for (let r = 0; r < email.length; r++)
      monthToDate += email.sentMonthToDate.get(r) * price(email.types[r] as string);
    const snapshot = { servers: [] } as unknown as UsageSnapshot;
    const clock = monthClock(new Date(Date.UTC(2026, 5, 10)));
    expect(monthToDateCents(snapshot, usage, cfg, clock, []).get('email') ?? 0n).toBe(toCents(monthToDate));
  });
});
