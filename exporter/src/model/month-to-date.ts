import type { Config } from '../config/schema';
import { Decimal, ZERO } from '../decimal';
import { isDeleted, secondsThisMonth, type MonthClock } from './calendar';
import { addTo, sum, toCents } from './money';
import { egressCost, emailPrice, serverPriceTable, statusFactor } from './pricing';
import type { CostComponent } from './run-rate';
import type { UsageSnapshot } from './snapshot';

/**
 * Cost accrued since the 1st (UTC), in cents per category:
 * - servers: monthly price × status factor × (seconds existed this month / seconds in the calendar month);
 *   the current status is applied to the whole period (the schema keeps no status history);
 * - network and e-mail: actual usage since the 1st (the egress allowance applies to the month);
 * - storage, database and fixed items: their run-rate × elapsed share of the month.
 */
export function monthToDateCents(
  snapshot: UsageSnapshot,
  config: Config,
  clock: MonthClock,
  components: readonly CostComponent[],
): Map<string, Decimal> {
  const exact = new Map<string, Decimal>();
  const monthSeconds = new Decimal(clock.monthSeconds);
  const elapsed = new Decimal(clock.elapsedSeconds).dividedBy(monthSeconds);

  const price = serverPriceTable(config);
  let compute = ZERO;
  for (const server of snapshot.servers) {
    if (isDeleted(server.deletedAt, clock.monthStart)) continue;
    const seconds = secondsThisMonth(server.createdAt, server.deletedAt, clock);
    if (seconds === 0) continue;
    const monthly = price(server).times(statusFactor(server.status, config));
    compute = compute.plus(monthly.times(seconds).dividedBy(monthSeconds));
  }
  addTo(exact, 'compute', compute);

  addTo(exact, 'network', egressCost(sum(snapshot.bandwidth.map((r) => r.egressMonthToDate)), config));
  const perMessage = emailPrice(config);
  addTo(exact, 'email', sum(snapshot.email.map((r) => r.sentMonthToDate.times(perMessage(r.type)))));

  for (const c of components) {
    if (c.category === 'compute' && c.resourceType === 'vps') continue;
    if (c.resourceType === 'bandwidth' || c.resourceType === 'email') continue;
    addTo(exact, c.category, sum(c.shares.values()).times(elapsed));
  }
  return new Map([...exact].map(([category, amount]) => [category, toCents(amount)]));
}
