/**
 * A real Prometheus with the project's recording rules (intervals shortened to 1 s) scraping the real
 * exporter on a seeded demo database and a node_exporter, with nine days of capacity history backfilled:
 * what the query tests and the screenshot script read, as Grafana's Prometheus datasource would.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  backfillOpenMetrics,
  createTestDatabase,
  eventually,
  execFileAsync,
  freePort,
  repoRoot,
  seedDemoDatabase,
  startExporter,
  startProcess,
  startPrometheus,
  tempDir,
  waitForHttp,
  type RunningPrometheus,
} from '@chom/test-support';

export const EXPORTER_CONFIG = `
currency: EUR
collection: { ttl_seconds: 1, tenant_limit: 500 }
budgets:
  monthly_total: 5000
  categories: { compute: 3000, storage: 500 }
  alert_thresholds: [0.5, 0.75, 0.9, 1.0]
capacity: { database_limit_bytes: 10737418240 }
`;

export const DAY = 86400;

/** A capacity series of the running exporter: its labels as Prometheus stores them, and its value now. */
export interface CapacitySeries {
  labels: string;
  value: number;
}

/** The exporter's series of one capacity family with the job and instance labels Prometheus adds. */
export function capacitySeries(
  metricsText: string,
  instance: string,
  family: 'chom_capacity_used' | 'chom_capacity_limit' = 'chom_capacity_used',
): CapacitySeries[] {
  return [...metricsText.matchAll(new RegExp(`^${family}\\{([^}]*)\\} (\\S+)$`, 'gm'))].map((m) => ({
    labels: `instance="${instance}",job="chom-exporter",${m[1]}`,
    value: Number(m[2]),
  }));
}

/** Growth of the backfilled capacity history: a share of the current use per day. */
export const HISTORY_GROWTH_PER_DAY = 0.01;

/**
 * Nine days of history, one sample every 5 minutes until `endSeconds`: the exporter's own capacity
 * series grow linearly up to their value now (as `npm start` backfills them from the database), and a
 * host disk fills. The capacity forecast takes the slope of the 7-day lows (docs/forecasting.md), which
 * a freshly started Prometheus evaluates at the history of 7 days ago: there the samples are one second
 * apart, so that the lows move during the few seconds a test runs.
 */
export function historyOpenMetrics(
  endSeconds: number,
  capacity: CapacitySeries[],
  nowSeconds: number,
  /** the limits, constant over the history (the days-until rule reads them at each of the last day's steps) */
  limits: CapacitySeries[] = [],
): string {
  const times = new Set<number>();
  for (let t = endSeconds - 9 * DAY; t <= endSeconds; t += 300) {
    times.add(t);
  }
  for (let t = nowSeconds - 7 * DAY - 60; t <= nowSeconds - 7 * DAY + 600; t++) {
    times.add(t);
  }
  const sorted = [...times].sort((x, y) => x - y);
  const lines: string[] = ['# TYPE chom_capacity_used gauge'];
  for (const series of capacity) {
    for (const t of sorted) {
      const value = series.value * (1 - (HISTORY_GROWTH_PER_DAY * (endSeconds - t)) / DAY);
      lines.push(`chom_capacity_used{${series.labels}} ${value} ${t}`);
    }
  }
  lines.push('# TYPE chom_capacity_limit gauge');
  for (const series of limits) {
    for (const t of sorted) lines.push(`chom_capacity_limit{${series.labels}} ${series.value} ${t}`);
  }
  lines.push('# TYPE node_filesystem_avail_bytes gauge');
  for (let i = 0; i <= 288; i++) {
    const t = endSeconds - (288 - i) * 300;
    lines.push(
      `node_filesystem_avail_bytes{instance="history",job="node",device="/dev/history",fstype="ext4",mountpoint="/data"} ${5e10 - i * 1e7} ${t}`,
    );
  }
  return [...lines, '# EOF', ''].join('\n');
}

/**
 * The 7-day lows of the capacity series recorded over the backfilled history, as `npm start`
 * backfills the recording rules (alerting/src/backfill, the same command): the days-until rule reads
 * a day of their slope, at 5-minute steps, so a Prometheus started a moment ago needs their history.
 * Only this rule: the days-until rule over nine days would cost minutes and is evaluated live.
 */
export async function backfillCapacityLows(dataDir: string, workDir: string, from: number, to: number) {
  const recording = YAML.parse(
    fs.readFileSync(path.join(repoRoot, 'alerting', 'rules', 'recording.yml'), 'utf8'),
  ) as { groups: Array<{ rules: Array<{ record?: string; expr: string }> }> };
  const lows = recording.groups.flatMap((g) => g.rules).find((r) => r.record === 'chom:capacity_used:low7d');
  if (!lows) throw new Error('alerting/rules/recording.yml has no chom:capacity_used:low7d');
  const rulesFile = path.join(workDir, 'capacity-lows.yml');
  fs.writeFileSync(
    rulesFile,
    YAML.stringify({ groups: [{ name: 'capacity_lows', interval: '5m', rules: [lows] }] }),
  );
  const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
  await execFileAsync(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), [
    path.join(repoRoot, 'alerting', 'src', 'backfill', 'cli.ts'),
    `--data-dir=${dataDir}`,
    `--from=${iso(from)}`,
    `--to=${iso(to)}`,
    '--start-prometheus',
    `--rules=${rulesFile}`,
    `--work-dir=${path.join(workDir, 'rules-backfill')}`,
  ]);
}

export function rulesWithShortIntervals(dir: string): string[] {
  const rulesDir = path.join(repoRoot, 'alerting', 'rules');
  return fs
    .readdirSync(rulesDir)
    .filter((f) => f.endsWith('.yml'))
    .map((file) => {
      const doc = YAML.parse(fs.readFileSync(path.join(rulesDir, file), 'utf8')) as {
        groups: Array<{ interval?: string }>;
      };
      for (const group of doc.groups) {
        group.interval = '1s';
      }
      const target = path.join(dir, file);
      fs.writeFileSync(target, YAML.stringify(doc));
      return target;
    });
}

export interface QueryStack {
  prometheus: RunningPrometheus;
  stop(): Promise<void>;
}

/** Starts the stack and waits (bounded) until the recording rules have evaluated on scraped data. */
export async function startQueryStack(): Promise<QueryStack> {
  const stops: Array<() => Promise<unknown> | unknown> = [];
  const stop = async () => {
    for (const s of stops.reverse()) {
      await s();
    }
  };
  let prometheus: RunningPrometheus;
  try {
    const db = await createTestDatabase('plugin_queries');
    stops.push(() => db.drop());
    await seedDemoDatabase({ databaseUrl: db.url, scale: 'small', seed: 7 });
    const exporter = await startExporter({ databaseUrl: db.url, configYaml: EXPORTER_CONFIG });
    stops.push(() => exporter.stop());

    const nodePort = await freePort();
    const nodeExporter = startProcess('/usr/bin/prometheus-node-exporter', [
      `--web.listen-address=127.0.0.1:${nodePort}`,
    ]);
    stops.push(() => nodeExporter.stop());
    await waitForHttp(`http://127.0.0.1:${nodePort}/metrics`, nodeExporter);

    const work = tempDir('plugin-queries');
    const dataDir = path.join(work.dir, 'data');
    const now = Math.floor(Date.now() / 1000);
    const metrics = await exporter.metrics();
    const capacity = capacitySeries(metrics, exporter.target);
    const limits = capacitySeries(metrics, exporter.target, 'chom_capacity_limit');
    await backfillOpenMetrics(historyOpenMetrics(now - 600, capacity, now, limits), dataDir);
    await backfillCapacityLows(dataDir, work.dir, now - 9 * DAY, now - 600);
    prometheus = await startPrometheus({
      scrapeTargets: { 'chom-exporter': [exporter.target], node: [`127.0.0.1:${nodePort}`] },
      scrapeInterval: '1s',
      evaluationInterval: '1s',
      ruleFiles: rulesWithShortIntervals(work.dir),
      dataDir,
    });
    stops.push(() => prometheus.stop());

    // Wait (bounded) for the slowest live figures: a rate over node CPU counters, then two evaluations of
    // the recorded series that the 30/60/90-day projections fit a line through.
    const slowest = [
      'chom:cost_monthly:sum',
      'chom:capacity_days_until_limit:predict_linear',
      // The projections start from a few seconds ago (Grafana aligns a range's start to its step):
      // the series they extend must have ten seconds of history.
      ...[
        'chom:month_remaining:seconds',
        'chom:cost_month_to_date:sum',
        'chom:cost_month_end:forecast',
        'chom:capacity_days_until_limit:predict_linear',
        'chom:node_cpu_utilisation:ratio',
        'chom:node_memory_utilisation:ratio',
      ].map((series) => `count_over_time(${series}[1h]) >= 10`),
    ];
    await eventually(
      async () => {
        for (const expr of slowest) {
          const result = await prometheus.query(expr);
          if (!Array.isArray(result) || result.length === 0) {
            throw new Error(`${expr} has no data yet`);
          }
        }
        return true;
      },
      90_000,
      'recording rules evaluated on scraped data',
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { prometheus, stop };
}
