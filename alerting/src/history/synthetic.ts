/**
 * Synthetic, exporter-shaped cost and capacity history with growth, a weekday/weekend pattern, noise
 * and occasional spikes, following docs/cost-model.md: servers accrue by the hour of the calendar
 * month, storage/database/fixed items by the elapsed share of the month at the current size, egress
 * and e-mail by actual use this month; run-rates are monthly prices and 30-day usage.
 */

export interface SyntheticOptions {
  start: Date;
  end: Date;
  /** seconds between samples */
  step: number;
  seed: number;
  /** monthly growth of usage, e.g. 0.05 */
  growthPerMonth?: number;
  /** relative daily noise of usage, e.g. 0.1 */
  noise?: number;
  /** chance per day of an egress spike (×3 to ×6) */
  spikeChance?: number;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  /** unix seconds */
  t: number;
  value: number;
}

const DAY = 86400;

/** mulberry32: small deterministic PRNG. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function monthStartOf(t: number): number {
  const d = new Date(t * 1000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
}
export function nextMonthStartOf(t: number): number {
  const d = new Date(t * 1000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000;
}

export const prices = {
  serverMonthly: 20,
  storageGibMonth: 0.05,
  egressGib: 0.01,
  emailPer1000: 0.1,
  databaseGibMonth: 0.25,
  loadBalancerMonthly: 25,
};

/** The day-by-day usage behind a history (deterministic for a seed). */
export interface UsageModel {
  /** servers existing at t */
  servers(t: number): number;
  storageBytes(t: number): number;
  databaseBytes(t: number): number;
  /** egress bytes and e-mails on the UTC day that starts at dayStart */
  egressOfDay(dayStart: number): number;
  emailsOfDay(dayStart: number): number;
}

export function usageModel(options: SyntheticOptions): UsageModel {
  const t0 = options.start.getTime() / 1000;
  const growth = options.growthPerMonth ?? 0.05;
  const noise = options.noise ?? 0.1;
  const spikeChance = options.spikeChance ?? 0.03;
  const perDay = Math.log(1 + growth) / 30;
  const rng = random(options.seed);
  const days = Math.ceil((options.end.getTime() / 1000 - t0) / DAY) + 40;
  const firstDay = Math.floor(t0 / DAY) * DAY - 35 * DAY;
  const egress: number[] = [];
  const emails: number[] = [];
  // Server additions: on average at the usage growth rate, as whole servers.
  const serverSteps: number[] = [];
  let servers = 40;
  for (let i = 0; i < days + 35; i++) {
    const dayStart = firstDay + i * DAY;
    const trend = Math.exp((perDay * (dayStart - t0)) / DAY);
    const weekday = new Date(dayStart * 1000).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const jitter = 1 + noise * (2 * rng() - 1);
    const spike = rng() < spikeChance ? 3 + 3 * rng() : 1;
    egress.push(2 * 2 ** 40 * trend * (weekend ? 0.6 : 1.1) * jitter * spike);
    emails.push(60000 * trend * (weekend ? 0.3 : 1.2) * (1 + noise * (2 * rng() - 1)));
    const target = 40 * trend;
    if (servers < target) servers += 1;
    serverSteps.push(servers);
  }
  const dayIndex = (t: number) =>
    Math.min(Math.max(Math.floor((t - firstDay) / DAY), 0), serverSteps.length - 1);
  return {
    servers: (t) => serverSteps[dayIndex(t)] ?? 0,
    storageBytes: (t) => 500 * 2 ** 30 * Math.exp((perDay * (t - t0)) / DAY),
    databaseBytes: (t) => 5 * 2 ** 30 * Math.exp((perDay * 2 * (t - t0)) / DAY),
    egressOfDay: (dayStart) => egress[dayIndex(dayStart)] ?? 0,
    emailsOfDay: (dayStart) => emails[dayIndex(dayStart)] ?? 0,
  };
}

/** Usage accrued in [from, to) from a per-day amount spread evenly over each day. */
function accrued(perDay: (dayStart: number) => number, from: number, to: number): number {
  let total = 0;
  for (let day = Math.floor(from / DAY) * DAY; day < to; day += DAY) {
    const overlap = Math.min(to, day + DAY) - Math.max(from, day);
    if (overlap > 0) total += (perDay(day) * overlap) / DAY;
  }
  return total;
}

/** Month-to-date cost by category at t (what the exporter would report). */
export function monthToDate(model: UsageModel, t: number): Record<string, number> {
  const start = monthStartOf(t);
  const monthSeconds = nextMonthStartOf(t) - start;
  const elapsed = (t - start) / monthSeconds;
  // Servers by the hours they existed this month.
  let serverSeconds = 0;
  for (let h = start; h < t; h += 3600) serverSeconds += model.servers(h) * Math.min(3600, t - h);
  return {
    compute: (serverSeconds / monthSeconds) * prices.serverMonthly,
    storage: (model.storageBytes(t) / 2 ** 30) * prices.storageGibMonth * elapsed,
    network:
      (accrued(model.egressOfDay, start, t) / 2 ** 30) * prices.egressGib +
      prices.loadBalancerMonthly * elapsed,
    email: (accrued(model.emailsOfDay, start, t) / 1000) * prices.emailPer1000,
    database: (model.databaseBytes(t) / 2 ** 30) * prices.databaseGibMonth * elapsed,
  };
}

/** Monthly run-rate by (category, resource_type) at t. */
export function runRate(
  model: UsageModel,
  t: number,
): Array<{ category: string; resource_type: string; value: number }> {
  return [
    { category: 'compute', resource_type: 'vps', value: model.servers(t) * prices.serverMonthly },
    {
      category: 'storage',
      resource_type: 'disk',
      value: (model.storageBytes(t) / 2 ** 30) * prices.storageGibMonth,
    },
    {
      category: 'network',
      resource_type: 'bandwidth',
      value: (accrued(model.egressOfDay, t - 30 * DAY, t) / 2 ** 30) * prices.egressGib,
    },
    { category: 'network', resource_type: 'load_balancer', value: prices.loadBalancerMonthly },
    {
      category: 'email',
      resource_type: 'email',
      value: (accrued(model.emailsOfDay, t - 30 * DAY, t) / 1000) * prices.emailPer1000,
    },
    {
      category: 'database',
      resource_type: 'database',
      value: (model.databaseBytes(t) / 2 ** 30) * prices.databaseGibMonth,
    },
  ];
}

/** What the month of t actually cost, once it is over. */
export function monthTotal(model: UsageModel, t: number): number {
  const end = nextMonthStartOf(t);
  // Evaluate the month-to-date formulas at the last instant of the month.
  const lastInstant = end - 1e-6;
  return Object.values(monthToDate(model, lastInstant)).reduce((a, b) => a + b, 0);
}

/** Cost series every `step` seconds in [start, end]. */
export function costSamples(
  model: UsageModel,
  options: Pick<SyntheticOptions, 'start' | 'end' | 'step'>,
): Sample[] {
  const samples: Sample[] = [];
  for (let t = options.start.getTime() / 1000; t <= options.end.getTime() / 1000; t += options.step) {
    for (const [category, value] of Object.entries(monthToDate(model, t))) {
      samples.push({ name: 'chom_cost_month_to_date', labels: { category }, t, value: round2(value) });
    }
    for (const r of runRate(model, t)) {
      samples.push({
        name: 'chom_infrastructure_cost_monthly',
        labels: { category: r.category, resource_type: r.resource_type },
        t,
        value: round2(r.value),
      });
    }
  }
  return samples;
}

/** The exporter reports money to the cent. */
function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
