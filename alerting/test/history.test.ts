import { toOpenMetrics } from '../src/history/openmetrics';
import { prometheusWithHistory } from '../src/history/backfill';
import { costSamples, monthToDate, monthTotal, usageModel, type Sample } from '../src/history/synthetic';
import type { RunningPrometheus } from '@chom/test-support';

// 36 days of exporter-shaped history (5-minute samples) are backfilled into a real Prometheus, the
// recording rules are backfilled over it with promtool (level by level, only as far back as each
// figure is needed), and the forecast, days-until-limit and anomaly figures Prometheus holds are
// compared with what the history really holds (the month's cost, the straight line of storage
// growth) and with their definitions.

jest.setTimeout(240_000);

const STEP = 300;
const end = Date.UTC(2025, 3, 20) / 1000; // 2025-04-20T00:00Z: 19 days into April
const start = end - 36 * 86400;
const storageLimit = 4e12;
const diskSize = 2e11;

/** A wobble so that regressions are not trivially exact. */
const wobble = (t: number) => Math.sin(t / 5000) * 0.3 + Math.cos(t / 1700) * 0.2;
const storageUsed = (t: number) => 2.5e12 + 3e5 * (t - start) + 5e9 * wobble(t);
const diskAvail = (t: number) => 9e10 - 2e4 * (t - start) + 1e8 * wobble(t);

const model = usageModel({
  start: new Date(start * 1000),
  end: new Date(end * 1000),
  step: STEP,
  seed: 7,
  growthPerMonth: 0.08,
  noise: 0.15,
  spikeChance: 0.05,
});

function times(from: number, to: number): number[] {
  const list: number[] = [];
  for (let t = Math.ceil(from / STEP) * STEP; t <= to; t += STEP) list.push(t);
  return list;
}
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const round2 = (v: number) => Math.round(v * 100) / 100;
/** What the exporter exports (cents) and the rules sum. */
const mtdSum = (t: number) => sum(Object.values(monthToDate(model, t)).map(round2));
/** Least squares as Prometheus does it: slope, and the value at `at`. */
function regression(points: Array<[number, number]>, at: number): { slope: number; valueAt: number } {
  const n = points.length;
  const xs = points.map(([t]) => t - at);
  const ys = points.map(([, v]) => v);
  const mx = sum(xs) / n;
  const my = sum(ys) / n;
  const slope =
    sum(xs.map((x, i) => (x - mx) * ((ys[i] as number) - my))) / sum(xs.map((x) => (x - mx) ** 2));
  return { slope, valueAt: my - slope * mx };
}

function samples(): Sample[] {
  const list = costSamples(model, { start: new Date(start * 1000), end: new Date(end * 1000), step: STEP });
  for (const t of times(start, end)) {
    list.push({
      name: 'chom_capacity_used',
      labels: { resource: 'storage', unit: 'bytes' },
      t,
      value: storageUsed(t),
    });
    list.push({
      name: 'chom_capacity_limit',
      labels: { resource: 'storage', unit: 'bytes' },
      t,
      value: storageLimit,
    });
    const disk = {
      instance: 'web-1:9100',
      job: 'node',
      device: '/dev/sda1',
      fstype: 'ext4',
      mountpoint: '/',
    };
    list.push({ name: 'node_filesystem_avail_bytes', labels: disk, t, value: diskAvail(t) });
    list.push({ name: 'node_filesystem_size_bytes', labels: disk, t, value: diskSize });
  }
  return list;
}

describe('recording rules over 36 days of backfilled history', () => {
  let history: Awaited<ReturnType<typeof prometheusWithHistory>>;
  let prometheus: RunningPrometheus;
  const value = async (expr: string) => {
    const result = await prometheus.query(expr, end);
    expect([expr, result.length]).toEqual([expr, 1]);
    return Number(result[0]?.value[1]);
  };

  beforeAll(async () => {
    history = await prometheusWithHistory({
      openMetrics: toOpenMetrics(samples()),
      recordingRules: [
        'chom:cost_month_end:forecast',
        'chom:capacity_days_until_limit:predict_linear',
        'chom:cost_monthly:anomaly_zscore',
      ],
      start: new Date(start * 1000),
      end: new Date(end * 1000),
      evalInterval: '5m',
      // One promtool run per level: every rule of a level gets the longest window of that level.
      windows: {
        'chom:cost_month_to_date:sum': 29 * 86400,
        'chom:month_elapsed:ratio': 29 * 86400,
        'chom:cost:increase1h': 35 * 86400 + 4 * 3600,
        'chom:cost_usage:increase1h': 35 * 86400 + 4 * 3600,
        'chom:cost_usage:increase1h_clipped': 28 * 86400 + 4 * 3600,
        'chom:cost_usage:increase1h_expected': 7 * 86400 + 4 * 3600,
        'chom:cost:increase1h_expected': 7 * 86400 + 4 * 3600,
        'chom:cost:increase1h_current': 7 * 86400 + 4 * 3600,
        'chom:cost:increase1h_residual': 7 * 86400 + 4 * 3600,
        'chom:cost_monthly:anomaly_zscore_unguarded': 3 * 3600 + 600,
        'chom:cost_monthly:anomaly_zscore': 600,
        'chom:cost_monthly:sum': 3600,
        'chom:month_remaining:seconds': 3600,
        'chom:cost_state_monthly:sum': 7 * 86400 + 4 * 3600,
        'chom:cost_usage_hourly:avg7d': 21 * 86400 + 4 * 3600,
        'chom:cost_usage_hourly:shift_ratio': 3600,
        'chom:cost_usage_hourly:forecast': 3600,
        'chom:cost_month_end:forecast': 600,
        'chom:capacity_used:low7d': 7 * 86400 + 3600,
        'chom:capacity_days_until_limit:predict_linear': 600,
      },
    });
    prometheus = history.prometheus;
  });

  afterAll(async () => {
    await history?.stop();
  });

  test('the raw history reaches back 36 days', async () => {
    expect(await value('count_over_time(sum(chom_cost_month_to_date)[36d:1h])')).toBeGreaterThanOrEqual(
      36 * 24,
    );
  });

  test('month-end forecast: within 5 % of what the month really cost, 11 days before its end', async () => {
    const actual = monthTotal(model, end);
    const recorded = await value('chom:cost_month_end:forecast');
    expect(Math.abs(recorded - actual) / actual).toBeLessThan(0.05);
    // It is a month-end figure: more than what has accrued.
    expect(recorded).toBeGreaterThan(mtdSum(end));
  });

  test('days until the storage limit and until the host disk is full', async () => {
    // promtool aligns a group's evaluations to its interval plus an offset derived from a hash of the
    // group's name and file (as the rule manager does), so the last evaluation at or before `end` may
    // be up to one interval earlier: the expectation is computed at the evaluation's own timestamp,
    // over the samples its 1-day window saw, with the latest sample it saw as the current value.
    const daysUntil = async (selector: string) => {
      const at = Number((await prometheus.query(`timestamp(${selector})`, end))[0]?.value[1]);
      expect(at).toBeGreaterThan(end - STEP);
      expect(at).toBeLessThanOrEqual(end);
      return { at, latest: Math.floor(at / STEP) * STEP, recorded: await value(selector) };
    };
    const storageSelector = 'chom:capacity_days_until_limit:predict_linear{resource="storage"}';
    const storageEval = await daysUntil(storageSelector);
    // Storage grows linearly (3e5 bytes a second) with a wobble of a few GB: the trend of the 7-day
    // lows sees the growth, the day's high is the level; within 1 % of the straight line's answer.
    const trendDays = (storageLimit - (2.5e12 + 3e5 * (storageEval.at - start))) / 3e5 / 86400;
    expect(Math.abs(storageEval.recorded - trendDays) / trendDays).toBeLessThan(0.01);
    const diskEval = await daysUntil(
      'chom:capacity_days_until_limit:predict_linear{resource="host_disk",instance="web-1:9100",mountpoint="/"}',
    );
    const disk = regression(
      times(diskEval.at - 86400, diskEval.at).map((t) => [t, diskAvail(t)]),
      diskEval.at,
    );
    const expectedDisk = diskAvail(diskEval.latest) / -disk.slope / 86400;
    expect(diskEval.recorded).toBeCloseTo(expectedDisk, 3);
  });

  test('anomaly score: the hourly cost, its seasonal expectation and the robust score', async () => {
    // The hourly cost is month-to-date now minus an hour ago, as the exporter reported it.
    const hourly = await value('chom:cost:increase1h');
    expect(hourly).toBeCloseTo(mtdSum(end) - mtdSum(end - 3600), 6);
    // A calm hour: the same hour in the last three weeks, scaled by the growth, plus an hour of the
    // state-priced run-rate, is close to it, and the score (the share it is off by, over the robust
    // spread of the last 7 days) is small.
    const expected = await value('chom:cost:increase1h_expected');
    expect(Math.abs(hourly / expected - 1)).toBeLessThan(0.5);
    const z = await value('chom:cost_monthly:anomaly_zscore_unguarded');
    expect(Math.abs(z)).toBeLessThan(4);
    expect(Number.isFinite(z)).toBe(true);
  });
});
