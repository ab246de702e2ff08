import fs from 'node:fs';
import path from 'node:path';
import { execFileAsync, startPrometheus, tempDir, type RunningPrometheus } from '@chom/test-support';
import { alertRulesFile, readRuleFile, type Rule } from '../rule-files';
import { expressionUses } from '../rule-tests';
import { allRecordingRules, ruleLevels } from '../backfill/levels';
import { inlineRecordingRules } from '../history/inline';
import { toOpenMetrics } from '../history/openmetrics';
import { firingEpisodes, type Episode } from './alerts';
import { scenarios as allScenarios } from './families';
import { DAY, HOUR, monthStart, slotEnd, slotStart, type Scenario } from './scenario';
import { generate, type GeneratedScenario } from './series';

/**
 * Every series here has a sample every 5 minutes, on the steps every query uses. Prometheus's rule
 * manager marks a recorded series stale as soon as its rule stops returning it, and a scrape that
 * fails marks the exporter's series stale, so nothing reads a last value for the next 5 minutes;
 * blocks written from files carry no staleness markers. A lookback shorter than the step reads only
 * the sample at that very step, as the markers would.
 */
function prometheusOptions(dataDir: string) {
  return { dataDir, retention: '100y', lookbackDelta: '4m' };
}

/** The alert groups the scenarios judge (the exporter, host and meta groups need other series). */
const JUDGED_GROUPS = ['chom_cost_alerts', 'chom_capacity_alerts'];
const STEP = 300;

/** Writes an OpenMetrics file into the TSDB folder as blocks (long ones: the scenarios span months). */
function createBlocks(file: string, dataDir: string) {
  return execFileAsync(
    'promtool',
    ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=576h', file, dataDir],
    { maxBuffer: 64 * 1024 * 1024 },
  );
}

export const FORECAST_DAYS = [7, 14, 21] as const;
/** Recorded figures read directly besides the alerts. */
const JUDGED_FIGURES = ['chom:cost_month_end:forecast', 'chom:capacity_days_until_limit:predict_linear'];

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
 * Generates every scenario's exporter series into one TSDB (promtool), starts Prometheus on it,
 * records the production recording rules the judged alerts need over every slot (level by level,
 * every 5 minutes, each level written back as blocks) and evaluates the alert rules, the forecast and
 * the days until full over each scenario's evaluated months.
 */
export async function runScenarios(options: {
  only?: string[];
  /** moves every noise draw of the families (0: the families as the suite checks them) */
  seed?: number;
  onProgress?: (message: string) => void;
  /** called with the loaded Prometheus before the evaluation, e.g. to look at intermediate series */
  inspect?: (prometheus: RunningPrometheus, inline: (expr: string) => string) => Promise<void>;
}): Promise<ScenarioResult[]> {
  const list = allScenarios(options.seed).filter((s) => !options.only || options.only.includes(s.name));
  let inline = (expr: string) => expr;
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
      await createBlocks(input, dataDir);
      fs.rmSync(input);
    }
    prometheus = await startPrometheus(prometheusOptions(dataDir));
    const alertRules = readRuleFile(alertRulesFile)
      .groups.filter((g) => JUDGED_GROUPS.includes(g.name))
      .flatMap((g) => g.rules.filter((r) => r.alert));
    // Rules with ranges or subqueries, and names read over a range, a subquery or an offset, are
    // recorded (written back as blocks, level by level); the others are cheap and inlined.
    const rules = allRecordingRules();
    const recorded = [...new Set(rules.map((r) => r.record as string))];
    const judged = [...alertRules.map((r) => r.expr), ...JUDGED_FIGURES];
    const needed = ruleLevels(
      recorded.filter((name) => judged.some((expr) => expressionUses(expr, name))),
    ).flat();
    const recordedHere = new Set(
      needed
        .map((r) => r.record as string)
        .filter(
          (name) =>
            needed.some((r) => r.record === name && r.expr.includes('[')) ||
            [...needed.map((r) => r.expr), ...judged].some((expr) => readsHistory(expr, name)),
        ),
    );
    const inlined = rules.filter((r) => !recordedHere.has(r.record as string));
    inline = (expr: string) => inlineRecordingRules(expr, inlined, '5m');
    const levels = ruleLevels([...recordedHere]).map((level) =>
      level.filter((r) => recordedHere.has(r.record as string)),
    );
    for (const [index, level] of levels.entries()) {
      if (level.length === 0) continue;
      options.onProgress?.(
        `recording level ${index + 1}/${levels.length}: ${level.map((r) => r.record).join(', ')}`,
      );
      const file = path.join(work.dir, `level-${index}.om`);
      const ranges = list.map((sc): [number, number] => [slotStart(sc.slot), slotEnd(sc.slot) - STEP]);
      await recordLevel(
        prometheus,
        level.map((r) => ({ ...r, expr: inline(r.expr) })),
        ranges,
        file,
      );
      await prometheus.stop();
      await createBlocks(file, dataDir);
      fs.rmSync(file);
      prometheus = await startPrometheus(prometheusOptions(dataDir));
    }
    await options.inspect?.(prometheus, inline);
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
  const daysUntil = 'chom:capacity_days_until_limit:predict_linear';
  for (const shape of scenario.capacity ?? []) {
    const fullAt = generated.fullAt[shape.resource];
    const result: CapacityResult = { resource: shape.resource, fills: shape.fills, fullAt };
    if (shape.fills && fullAt !== undefined) {
      const series = await prometheus.queryRange(
        inline(`${daysUntil}{resource="${shape.resource}"}`),
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
      // The rule manager drops the metric name from an alert's labels: results that differ only by
      // it (branches of an `or`, one reading a recorded series) are one alert.
      const { __name__: _name, ...labels } = series.metric;
      const key = JSON.stringify(labels);
      const entry = byLabels.get(key) ?? { labels, instants: [] };
      byLabels.set(key, entry);
      entry.instants.push(...series.values.map(([t]) => t));
    }
  }
  return new Map(
    [...byLabels.values()].map((e) => [e.labels, [...new Set(e.instants)].sort((a, b) => a - b)]),
  );
}

/**
 * Evaluates each recording rule of a level as Prometheus would every 5 minutes over `ranges` (range
 * queries, 30 days at a time) and writes the results as OpenMetrics under the recorded name.
 */
async function recordLevel(
  prometheus: RunningPrometheus,
  rules: Rule[],
  ranges: Array<[number, number]>,
  file: string,
): Promise<void> {
  const out = fs.openSync(file, 'w');
  try {
    for (const rule of rules) {
      const name = rule.record as string;
      // Several result series may map to one recorded series (a selector's __name__ is dropped).
      const series = new Map<string, Map<number, string>>();
      for (const [from, to] of ranges) {
        for (let start = from; start <= to; start += 30 * DAY) {
          const end = Math.min(start + 30 * DAY - STEP, to);
          for (const s of await prometheus.queryRange(rule.expr, start, end, STEP)) {
            const labels = Object.entries({ ...s.metric, ...(rule.labels ?? {}) })
              .filter(([k]) => k !== '__name__')
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
              .join(',');
            const key = labels ? `${name}{${labels}}` : name;
            const samples = series.get(key) ?? new Map<number, string>();
            series.set(key, samples);
            for (const [t, v] of s.values) samples.set(t, v);
          }
        }
      }
      fs.writeSync(out, `# TYPE ${name} gauge\n`);
      for (const [key, samples] of series) {
        const lines = [...samples].sort(([a], [b]) => a - b).map(([t, v]) => `${key} ${v} ${t}`);
        fs.writeSync(out, `${lines.join('\n')}\n`);
      }
    }
    fs.writeSync(out, '# EOF\n');
  } finally {
    fs.closeSync(out);
  }
}

/** True when `expr` reads `name` over a range or subquery (`name[…]`) or at an offset. */
function readsHistory(expr: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-zA-Z0-9_:])${escaped}(\\{[^}]*\\})?\\)*(\\[|\\s+offset\\s)`).test(expr);
}
