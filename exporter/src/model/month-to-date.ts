import type { Config } from '../config/schema';
import { isDeleted, type MonthClock } from './calendar';
import { addTo, fractionToCents } from './money';
import { egressCost, emailPrice, serverPriceTable, statusPrice } from './pricing';
import { SumColumn } from './sum-column';
import type { CostComponent } from './run-rate';
import type { UsageSnapshot } from './snapshot';
import type { UsageInputs } from './usage';

/** Milliseconds of [from, to) that fall inside this month up to now. */
function msThisMonth(from: Date | null, to: Date | null, clock: MonthClock): bigint {
  const start = Math.max(from?.getTime() ?? -Infinity, clock.monthStart.getTime());
  const end = Math.min(to?.getTime() ?? Infinity, clock.now.getTime());
  return end > start ? BigInt(end - start) : 0n;
}

/**
 * Cost accrued since the 1st (UTC), in cents per category:
 * - servers: monthly price × status factor × (time existed this month / length of the calendar month);
 *   the current status is applied to the whole period (the schema keeps no status history);
 * - network and e-mail: actual usage since the 1st (the egress allowance applies to the month);
 * - storage, database and fixed items: their run-rate × elapsed share of the month.
 * Each category is one exact fraction over the month's length in milliseconds, rounded once.
 */
export function monthToDateCents(
  snapshot: UsageSnapshot,
  usage: UsageInputs,
  config: Config,
  clock: MonthClock,
  components: readonly CostComponent[],
): Map<string, bigint> {
  // numerators in money units × ms; every category's amount is numerator / monthMs
  const numerators = new Map<string, bigint>();
  const monthMs = BigInt(clock.nextMonthStart.getTime() - clock.monthStart.getTime());
  const elapsedMs = BigInt(clock.now.getTime() - clock.monthStart.getTime());

  const price = serverPriceTable(config);
  let compute = 0n;
  for (const server of snapshot.servers) {
    if (isDeleted(server.deletedAt, clock.monthStart)) continue;
    const ms = msThisMonth(server.createdAt, server.deletedAt, clock);
    if (ms === 0n) continue;
    compute += statusPrice(price(server), server.status, config) * ms;
  }
  addTo(numerators, 'compute', compute);

  const { traffic } = usage;
  const egress = egressCost(traffic.total(traffic.egressMonthToDate), config);
  addTo(numerators, 'network', egress * monthMs);
  const perMessage = emailPrice(config);
  // messages summed per type (numbers while safe), then priced: a bigint product per type, not per row
  const { email: messages } = usage;
  const typeNumbers = new Map<string, number>();
  for (const type of messages.types) if (!typeNumbers.has(type)) typeNumbers.set(type, typeNumbers.size);
  const sent = new SumColumn(typeNumbers.size);
  for (let r = 0; r < messages.length; r++) {
    const n = typeNumbers.get(messages.types[r] as string) as number;
    const count = messages.sentMonthToDate.at(r);
    sent.add(n, count === count ? count : messages.sentMonthToDate.get(r));
  }
  let email = 0n;
  for (const [type, n] of typeNumbers) email += sent.get(n) * perMessage(type);
  addTo(numerators, 'email', email * monthMs);

  for (const c of components) {
    if (c.category === 'compute' && c.resourceType === 'vps') continue;
    if (c.resourceType === 'bandwidth' || c.resourceType === 'email') continue;
    addTo(numerators, c.category, c.total * elapsedMs);
  }
  return new Map([...numerators].map(([category, n]) => [category, fractionToCents(n, monthMs)]));
}
