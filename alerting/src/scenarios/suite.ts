import fs from 'node:fs';
import path from 'node:path';
import { execFileAsync, startPrometheus, tempDir, type RunningPrometheus } from '@chom/test-support';
import { alertRulesFile, readRuleFile, recordingRulesFile, type Rule } from '../rule-files';
import { inlineRecordingRules } from '../history/inline';
import { toOpenMetrics } from '../history/openmetrics';
import { firingEpisodes, type Episode } from './alerts';
import { scenarios as allScenarios } from './families';
import { DAY, HOUR, monthStart, slotEnd, type Scenario } from './scenario';
import { generate, type GeneratedScenario } from './series';

/** The alert groups the scenarios judge (the exporter, host and meta groups need other series). */
const JUDGED_GROUPS = ['chom_cost_alerts', 'chom_capacity_alerts'];
const STEP = 300;
export const FORECAST_DAYS = [7, 14, 21] as const;

export interface MonthResult {
  month: 1 | 2;
  start: number;
  total: number;
  budget: number;
  overBudget: number;
  /** |forecast − total| / total at the end of days 7, 14, 21 */
  forecastError: Record<(typeof FORECAST_DAYS)[number], number>;
}

export interface CapacityResult {
  resource: 'storage' | 'database';
  fills: boolean;
  fullAt?: number;
  /** share of hourly days-until-full evaluations, from 7 days to 1 day before full, within 10 % */
  daysUntilFullHitRate?: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  months: MonthResult[];
  /** firing episodes by alert name and severity ("ChomStorageFillingUp/warning"), with their labels */
  alerts: Map<string, Array<Episode & { labels: Record<string, string> }>>;
  capacity: CapacityResult[];
}

/**
 * Generates every scenario's exporter series into one TSDB (promtool), starts Prometheus on it and
 * evaluates the production recording and alert rules over each scenario's evaluated months, the
 * recording rules inlined into range queries at 5-minute steps.
 */
export async function runScenarios(options: {
  only?: string[];
  onProgress?: (message: string) => void;
}): Promise<ScenarioResult[]> {
  const list = allScenarios().filter((s) => !options.only || options.only.includes(s.name));
  const work = tempDir('scenarios');
  let prometheus: RunningPrometheus | undefined;
  try {
    const dataDir = path.join(work.dir, 'data');
    fs.mkdirSync(dataDir);
    const generated = new Map<string, GeneratedScenario>();
    for (const scenario of list) {
      options.onProgress?.(`generating ${scenario.name}`);
      const g = generate(scenario);
      generated.set(scenario.name, g);
      const input = path.join(work.dir, `${scenario.name}.om`);
      fs.writeFileSync(input, toOpenMetrics(g.samples));
      g.samples = [];
      await execFileAsync(
        'promtool',
        ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=576h', input, dataDir],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      fs.rmSync(input);
    }
    prometheus = await startPrometheus({ dataDir, retention: '100y' });
    const rules = readRuleFile(recordingRulesFile).groups.flatMap((g) => g.rules);
    const inline = (expr: string) => inlineRecordingRules(expr, rules, '5m');
    const alertRules = readRuleFile(alertRulesFile)
      .groups.filter((g) => JUDGED_GROUPS.includes(g.name))
      .flatMap((g) => g.rules.filter((r) => r.alert));
    const results: ScenarioResult[] = [];
    for (const scenario of list) {
      options.onProgress?.(`evaluating ${scenario.name}`);
      const g = generated.get(scenario.name) as GeneratedScenario;
      results.push(await evaluate(prometheus, scenario, g, alertRules, inline));
    }
    return results;
  } finally {
    await prometheus?.stop();
    work.remove();
  }
}

async function evaluate(
  prometheus: RunningPrometheus,
  scenario: Scenario,
  generated: GeneratedScenario,
  alertRules: Rule[],
  inline: (expr: string) => string,
): Promise<ScenarioResult> {
  const forecast = inline('chom:cost_month_end:forecast');
  const months: MonthResult[] = [];
  for (const month of [1, 2] as const) {
    const start = monthStart(scenario.slot, month);
    const total = generated.monthTotals[month - 1] as number;
    const forecastError = {} as MonthResult['forecastError'];
    for (const day of FORECAST_DAYS) {
      const [sample] = await prometheus.query(forecast, start + day * DAY);
      if (!sample) throw new Error(`${scenario.name}: no forecast on day ${day} of month ${month}`);
      forecastError[day] = Math.abs(Number(sample.value[1]) - total) / total;
    }
    months.push({
      month,
      start,
      total,
      budget: generated.budgets[month - 1] as number,
      overBudget: scenario.overBudget[month - 1] as number,
      forecastError,
    });
  }

  // Alerts from two days before the first evaluated month (so `for` runs in), to the slot's end.
  const from = monthStart(scenario.slot, 1) - 2 * DAY;
  const to = slotEnd(scenario.slot) - STEP;
  const alerts: ScenarioResult['alerts'] = new Map();
  for (const rule of alertRules) {
    const key = `${rule.alert}/${rule.labels?.severity}`;
    const active = await activeInstants(prometheus, inline(rule.expr), from, to);
    for (const [labels, instants] of active) {
      const episodes = firingEpisodes(instants, {
        step: STEP,
        for: rule.for,
        keepFiringFor: (rule as Rule & { keep_firing_for?: string }).keep_firing_for,
        end: to,
      }).filter((e) => e.to > monthStart(scenario.slot, 1));
      alerts.set(key, [...(alerts.get(key) ?? []), ...episodes.map((e) => ({ ...e, labels }))]);
    }
  }

  const capacity: CapacityResult[] = [];
  const daysUntil = inline('chom:capacity_days_until_limit:predict_linear');
  for (const shape of scenario.capacity ?? []) {
    const fullAt = generated.fullAt[shape.resource];
    const result: CapacityResult = { resource: shape.resource, fills: shape.fills, fullAt };
    if (shape.fills && fullAt !== undefined) {
      const series = await prometheus.queryRange(
        `(${daysUntil}) and on (resource) label_replace(vector(1), "resource", "${shape.resource}", "", "")`,
        fullAt - 7 * DAY,
        fullAt - DAY,
        HOUR,
      );
      const values = new Map((series[0]?.values ?? []).map(([t, v]) => [t, Number(v)]));
      let hits = 0;
      let evaluations = 0;
      for (let t = fullAt - 7 * DAY; t <= fullAt - DAY; t += HOUR) {
        evaluations++;
        const truth = (fullAt - t) / DAY;
        const value = values.get(t);
        if (value !== undefined && Math.abs(value - truth) <= 0.1 * truth) hits++;
      }
      result.daysUntilFullHitRate = hits / evaluations;
    }
    capacity.push(result);
  }
  return { scenario, months, alerts, capacity };
}

/** The instants (every 5 minutes in [from, to]) at which `expr` returned each label set. */
async function activeInstants(
  prometheus: RunningPrometheus,
  expr: string,
  from: number,
  to: number,
): Promise<Map<Record<string, string>, number[]>> {
  const byLabels = new Map<string, { labels: Record<string, string>; instants: number[] }>();
  const chunk = 30 * DAY;
  for (let start = from; start <= to; start += chunk) {
    const end = Math.min(start + chunk - STEP, to);
    for (const series of await prometheus.queryRange(expr, start, end, STEP)) {
      const key = JSON.stringify(series.metric);
      const entry = byLabels.get(key) ?? { labels: series.metric, instants: [] };
      byLabels.set(key, entry);
      entry.instants.push(...series.values.map(([t]) => t));
    }
  }
  return new Map([...byLabels.values()].map((e) => [e.labels, e.instants]));
}
