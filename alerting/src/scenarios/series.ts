import { monthStartOf, nextMonthStartOf, prices, type Sample } from '../history/synthetic';
import { DAY, STEP, monthStart, slotEnd, slotStart, type Scenario } from './scenario';

/** Prices of the generated fleet: the history generator's (docs/cost-model.md shapes, round figures). */
export { prices };
const GIB = 2 ** 30;

export interface GeneratedScenario {
  samples: Sample[];
  /** what each evaluated month really cost (month 1, month 2) */
  monthTotals: [number, number];
  budgets: [number, number];
  /** when each capacity resource really reached its limit (unix seconds), if it did */
  fullAt: Partial<Record<'storage' | 'database', number>>;
}

/**
 * The exporter's series for a scenario: month-to-date by category (servers by the seconds they
 * existed this month, storage and database at the current size times the elapsed share of the month,
 * usage by what was used since the 1st), run-rates (prices of the current state, usage over the last
 * 30 days), budgets, thresholds, chom_exporter_up and capacity.
 */
export function generate(scenario: Scenario): GeneratedScenario {
  const first = slotStart(scenario.slot);
  const last = slotEnd(scenario.slot);
  // Usage accrues from 31 days before the slot, so that 30-day sums are whole from its first sample.
  const origin = first - 31 * DAY;
  const steps = Math.round((last - origin) / STEP);
  const egress = new Float64Array(steps + 1);
  const emails = new Float64Array(steps + 1);
  const serverSeconds = new Float64Array(steps + 1);
  const { cost } = scenario;
  for (let i = 0; i < steps; i++) {
    const t = origin + i * STEP;
    egress[i + 1] = (egress[i] as number) + cost.egressRate(t) * STEP;
    emails[i + 1] = (emails[i] as number) + cost.emailRate(t) * STEP;
    serverSeconds[i + 1] = (serverSeconds[i] as number) + cost.servers(t) * STEP;
  }
  const index = (t: number) => Math.round((t - origin) / STEP);
  const since = (cumulative: Float64Array, from: number, t: number) =>
    (cumulative[index(t)] as number) - (cumulative[index(Math.max(from, origin))] as number);

  /** Month-to-date at t of the month that starts at `start` (t = the next 1st gives the month's total). */
  const monthToDate = (t: number, start = monthStartOf(t)): Record<string, number> => {
    const seconds = nextMonthStartOf(start) - start;
    const elapsed = (t - start) / seconds;
    return {
      compute: (since(serverSeconds, start, t) / seconds) * prices.serverMonthly,
      storage: (cost.storageBytes(t) / GIB) * prices.storageGibMonth * elapsed,
      network: (since(egress, start, t) / GIB) * prices.egressGib + prices.loadBalancerMonthly * elapsed,
      email: (since(emails, start, t) / 1000) * prices.emailPer1000,
      database: (cost.databaseBytes(t) / GIB) * prices.databaseGibMonth * elapsed,
    };
  };
  const runRate = (t: number) => [
    { category: 'compute', resource_type: 'vps', value: cost.servers(t) * prices.serverMonthly },
    {
      category: 'storage',
      resource_type: 'disk',
      value: (cost.storageBytes(t) / GIB) * prices.storageGibMonth,
    },
    {
      category: 'network',
      resource_type: 'bandwidth',
      value: (since(egress, last30Days(t), t) / GIB) * prices.egressGib,
    },
    { category: 'network', resource_type: 'load_balancer', value: prices.loadBalancerMonthly },
    {
      category: 'email',
      resource_type: 'email',
      value: (since(emails, last30Days(t), t) / 1000) * prices.emailPer1000,
    },
    {
      category: 'database',
      resource_type: 'database',
      value: (cost.databaseBytes(t) / GIB) * prices.databaseGibMonth,
    },
  ];
  const total = (month: 1 | 2) =>
    Object.values(
      monthToDate(monthStart(scenario.slot, (month + 1) as 2 | 3), monthStart(scenario.slot, month)),
    ).reduce((a, b) => a + b, 0);
  const monthTotals: [number, number] = [total(1), total(2)];
  const budgets: [number, number] = [
    monthTotals[0] / (1 + scenario.overBudget[0]),
    monthTotals[1] / (1 + scenario.overBudget[1]),
  ];
  const budgetAt = (t: number) => {
    if (t < monthStart(scenario.slot, 1)) return budgets[0];
    return t < monthStart(scenario.slot, 2) ? budgets[0] : budgets[1];
  };

  const fullAt: GeneratedScenario['fullAt'] = {};
  for (const shape of scenario.capacity ?? []) {
    for (let t = first; t <= last; t += STEP) {
      if (shape.used(t) >= shape.limit) {
        fullAt[shape.resource] = t;
        break;
      }
    }
  }

  const samples: Sample[] = [];
  let served: Sample[] = [];
  for (let t = first; t < last; t += STEP) {
    const trouble = scenario.trouble?.find((x) => t >= x.from && t < x.to);
    if (trouble?.kind === 'gap') continue;
    if (trouble?.kind === 'failing_database') {
      // The exporter serves the values of its last good collection, and says so.
      for (const s of served) samples.push({ ...s, t, value: s.name === 'chom_exporter_up' ? 0 : s.value });
      continue;
    }
    const now: Sample[] = [];
    for (const [category, value] of Object.entries(monthToDate(t))) {
      now.push({ name: 'chom_cost_month_to_date', labels: { category }, t, value: round2(value) });
    }
    for (const r of runRate(t)) {
      now.push({
        name: 'chom_infrastructure_cost_monthly',
        labels: { category: r.category, resource_type: r.resource_type },
        t,
        value: round2(r.value),
      });
    }
    now.push({
      name: 'chom_cost_budget_monthly',
      labels: { category: 'total' },
      t,
      value: round2(budgetAt(t)),
    });
    for (const threshold of ['0.5', '0.75', '0.9', '1']) {
      now.push({
        name: 'chom_cost_budget_alert_threshold_ratio',
        labels: { threshold },
        t,
        value: Number(threshold),
      });
    }
    now.push({ name: 'chom_exporter_up', labels: {}, t, value: 1 });
    now.push({ name: 'chom_exporter_last_success_timestamp_seconds', labels: {}, t, value: t });
    for (const shape of scenario.capacity ?? []) {
      const full = fullAt[shape.resource];
      if (full !== undefined && t > full) continue;
      const labels = { resource: shape.resource, unit: 'bytes' };
      now.push({ name: 'chom_capacity_used', labels, t, value: Math.round(shape.used(t)) });
      now.push({ name: 'chom_capacity_limit', labels, t, value: shape.limit });
    }
    samples.push(...now);
    served = now;
  }
  return { samples, monthTotals, budgets, fullAt };
}

/** The exporter's last 30 days: the 30 UTC days ending today, from 00:00 UTC 29 days ago. */
function last30Days(t: number): number {
  return Math.floor(t / DAY) * DAY - 29 * DAY;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
