import { DAY, HOUR } from './scenario';
import { FORECAST_DAYS, type ScenarioResult } from './suite';

/** One target of issue 9 checked on one scenario. */
export interface Check {
  scenario: string;
  target: string;
  ok: boolean;
  detail: string;
}

const FORECAST_ALERT = 'ChomMonthEndForecastOverBudget/warning';
const ANOMALY_ALERT = 'ChomCostAnomaly/warning';
const FILLING_ALERTS = {
  storage: ['ChomStorageFillingUp/warning', 'ChomStorageFillingUp/critical'],
  database: ['ChomDatabaseGrowth/warning'],
};
/** Families whose cost history holds no real change: the anomaly alert must stay silent. */
const CALM = (r: ScenarioResult) =>
  !r.scenario.spikes && !r.scenario.surgeStart && r.scenario.name !== 'step';

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const hours = (s: number) => `${(s / HOUR).toFixed(1)} h`;

/** Episodes that started in [from, to): an episode belongs to the month in which it started. */
export function episodesIn(result: ScenarioResult, key: string, from: number, to: number) {
  return (result.alerts.get(key) ?? []).filter((e) => e.from >= from && e.from < to);
}

export function checks(results: ScenarioResult[]): Check[] {
  const list: Check[] = [];
  const add = (scenario: string, target: string, ok: boolean, detail: string) =>
    list.push({ scenario, target, ok, detail });
  for (const r of results) {
    const name = r.scenario.name;
    for (const m of r.months) {
      add(
        name,
        `month ${m.month}: forecast error on day 14 < 5 %`,
        m.forecastError[14] < 0.05,
        pct(m.forecastError[14]),
      );
      const end = nextMonth(m.start);
      const episodes = episodesIn(r, FORECAST_ALERT, m.start, end).length;
      if (m.overBudget >= 0.02)
        add(
          name,
          `month ${m.month} (${pct(m.overBudget)} over): one forecast alert episode`,
          episodes === 1,
          `${episodes}`,
        );
      else if (m.overBudget <= -0.02)
        add(
          name,
          `month ${m.month} (${pct(-m.overBudget)} under): no forecast alert`,
          episodes === 0,
          `${episodes}`,
        );
      else
        add(
          name,
          `month ${m.month} (${pct(m.overBudget)}): at most one forecast alert episode`,
          episodes <= 1,
          `${episodes}`,
        );
    }
    if (r.scenario.surgeStart !== undefined) {
      const surge = r.scenario.surgeStart;
      const first = (r.alerts.get(FORECAST_ALERT) ?? []).find((e) => e.to > surge - 20 * DAY);
      const latency = first ? first.from - surge : Infinity;
      add(
        name,
        'surge: forecast alert within 24 h of its start',
        latency >= 0 && latency <= DAY,
        first ? hours(latency) : 'none',
      );
    }
    if (r.scenario.spikes) {
      const spikes = r.scenario.spikes;
      const other = (r.alerts.get(ANOMALY_ALERT) ?? []).filter(
        (e) => !spikes.some((spike) => e.from >= spike && e.from <= spike + HOUR),
      );
      add(
        name,
        'no anomaly alert besides the spikes (none a week or 30 days later)',
        other.length === 0,
        `${other.length}`,
      );
    }
    for (const spike of r.scenario.spikes ?? []) {
      const hit = (r.alerts.get(ANOMALY_ALERT) ?? []).find((e) => e.from >= spike && e.from <= spike + HOUR);
      add(
        name,
        `spike at ${new Date(spike * 1000).toISOString().slice(0, 13)}h: anomaly alert within 1 h`,
        !!hit,
        hit ? hours(hit.from - spike) : 'none',
      );
    }
    if (CALM(r)) {
      const n = (r.alerts.get(ANOMALY_ALERT) ?? []).length;
      add(name, 'no anomaly alert (month resets, gaps, campaigns, growth)', n === 0, `${n}`);
    }
    for (const c of r.capacity) {
      const keys = FILLING_ALERTS[c.resource];
      if (!c.fills) {
        const n = keys.reduce((sum, k) => sum + (r.alerts.get(k) ?? []).length, 0);
        add(name, `${c.resource} fill-and-clean: no capacity-forecast alert`, n === 0, `${n}`);
        continue;
      }
      const full = c.fullAt as number;
      const warnings = (r.alerts.get(keys[0] as string) ?? []).filter((e) => e.from < full);
      const early = warnings[0] ? full - warnings[0].from : 0;
      add(
        name,
        `${c.resource} fills: ${keys[0]} fires once, ≥ 24 h before full`,
        warnings.length === 1 && early >= DAY,
        `${warnings.length} episode(s), first ${hours(early)} before full`,
      );
      add(
        name,
        `${c.resource} fills: days until full within 10 % in ≥ 90 % of evaluations`,
        (c.daysUntilFullHitRate ?? 0) >= 0.9,
        pct(c.daysUntilFullHitRate ?? 0),
      );
    }
  }
  const day14 = results.flatMap((r) => r.months.map((m) => m.forecastError[14]));
  const mean = day14.reduce((a, b) => a + b, 0) / day14.length;
  add('all', 'mean forecast error on day 14 < 3 %', mean < 0.03, pct(mean));
  return list;
}

function nextMonth(start: number): number {
  const d = new Date(start * 1000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000;
}

/** The targets table of docs/forecasting.md: forecast errors, episodes, latencies, hit rates. */
export function targetsTable(results: ScenarioResult[]): string {
  const lines = [
    `| family | month | real vs budget | ${FORECAST_DAYS.map((d) => `error day ${d}`).join(' | ')} | forecast alert episodes |`,
    `|---|---|---:|${FORECAST_DAYS.map(() => '---:').join('|')}|---:|`,
  ];
  for (const r of results) {
    for (const m of r.months) {
      const month = new Date(m.start * 1000).toISOString().slice(0, 7);
      const errors = FORECAST_DAYS.map((d) => pct(m.forecastError[d]));
      const n = episodesIn(r, FORECAST_ALERT, m.start, nextMonth(m.start)).length;
      lines.push(
        `| ${r.scenario.name} | ${month} | ${m.overBudget >= 0 ? '+' : ''}${pct(m.overBudget)} | ${errors.join(' | ')} | ${n} |`,
      );
    }
  }
  const all = (d: (typeof FORECAST_DAYS)[number]) =>
    results.flatMap((r) => r.months.map((m) => m.forecastError[d]));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  lines.push(`| **mean** | | | ${FORECAST_DAYS.map((d) => pct(mean(all(d)))).join(' | ')} | |`);
  lines.push(`| **worst** | | | ${FORECAST_DAYS.map((d) => pct(Math.max(...all(d)))).join(' | ')} | |`);
  lines.push('');
  lines.push('| family | target | result | measured |');
  lines.push('|---|---|---|---:|');
  for (const c of checks(results))
    lines.push(`| ${c.scenario} | ${c.target} | ${c.ok ? 'met' : '**missed**'} | ${c.detail} |`);
  return lines.join('\n');
}
