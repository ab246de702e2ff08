/**
 * Runs every PromQL query of the app pages and the bundled dashboards against a real Prometheus that
 * scrapes the real exporter (on a seeded demo database) and node_exporter, with the real recording
 * rules, and checks that each returns series with the expected labels. A query that parses but returns
 * nothing fails.
 *
 * History: the days-until-limit rule needs a day of growth (deriv over [1d]) that a test cannot wait
 * for. It is backfilled: before Prometheus starts, `backfillOpenMetrics` writes a day of growing
 * chom_capacity_used and shrinking node_filesystem_avail_bytes (instance="history", ending 10 minutes
 * ago) into its TSDB. Everything else comes from the live scrapes within a few seconds.
 *
 * Rule intervals: the rule files are used as they are except that every group's `interval` is set to
 * 1s, so that the 1m/5m/1h groups evaluate during the test instead of minutes later.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  createTestDatabase,
  eventually,
  freePort,
  repoRoot,
  seedDemoDatabase,
  startExporter,
  startProcess,
  startPrometheus,
  tempDir,
  backfillOpenMetrics,
  waitForHttp,
} from '@chom/test-support';
import { QUERIES, QUERY_NAMES, TENANT_QUERY, type PromQuery } from '../src/queries';

jest.setTimeout(240_000);

const EXPORTER_CONFIG = `
currency: EUR
collection: { ttl_seconds: 1, tenant_limit: 500 }
budgets:
  monthly_total: 5000
  categories: { compute: 3000, storage: 500 }
  alert_thresholds: [0.5, 0.75, 0.9, 1.0]
capacity: { database_limit_bytes: 10737418240 }
`;

/** The values the pages give the variables (the tenant filter on "All", the default tenant limit). */
function substitute(expr: string): string {
  return expr.replace(/\$tenant_limit\b/g, '50').replace(/\$tenant\b/g, '.*');
}

function historyOpenMetrics(endSeconds: number): string {
  const lines: string[] = ['# TYPE chom_capacity_used gauge', '# TYPE node_filesystem_avail_bytes gauge'];
  const used: string[] = [];
  const avail: string[] = [];
  // One sample every 5 minutes for 24 hours: storage and database grow, the disk fills.
  for (let i = 0; i <= 288; i++) {
    const t = endSeconds - (288 - i) * 300;
    used.push(
      `chom_capacity_used{instance="history",job="chom-exporter",resource="storage",unit="bytes"} ${1e9 + i * 1e6} ${t}`,
    );
    used.push(
      `chom_capacity_used{instance="history",job="chom-exporter",resource="database",unit="bytes"} ${1e8 + i * 1e5} ${t}`,
    );
    avail.push(
      `node_filesystem_avail_bytes{instance="history",job="node",device="/dev/history",fstype="ext4",mountpoint="/data"} ${5e10 - i * 1e7} ${t}`,
    );
  }
  return [lines[0], ...used, lines[1], ...avail, '# EOF', ''].join('\n');
}

function rulesWithShortIntervals(dir: string): string[] {
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

describe('every PromQL query of the pages and dashboards returns data', () => {
  const stops: Array<() => Promise<unknown> | unknown> = [];
  let prometheus: Awaited<ReturnType<typeof startPrometheus>>;

  beforeAll(async () => {
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
    await backfillOpenMetrics(historyOpenMetrics(Math.floor(Date.now() / 1000) - 600), dataDir);
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
      QUERIES.nodeCpuForecast30d.expr,
      QUERIES.storageProjection30d.expr,
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
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) {
      await stop();
    }
  });

  it('the dashboards send no query that is not in src/queries.ts', () => {
    const known = new Set(Object.values(QUERIES).map((q) => q.expr));
    for (const file of ['cost-analysis.json', 'capacity-planning.json']) {
      const dashboard = JSON.parse(
        fs.readFileSync(path.join(__dirname, '..', 'src', 'dashboards', file), 'utf8'),
      );
      for (const panel of dashboard.panels as Array<{ targets?: Array<{ expr: string }> }>) {
        for (const target of panel.targets ?? []) {
          expect(known).toContain(target.expr);
        }
      }
    }
  });

  it.each(QUERY_NAMES.map((name) => [name, QUERIES[name] as PromQuery]))(
    '%s returns series with the expected labels',
    async (_name, query) => {
      const expr = substitute(query.expr);
      const result = await prometheus.query(expr);
      expect(Array.isArray(result)).toBe(true);
      if (result.length === 0) {
        throw new Error(`${expr} returned no series`);
      }
      for (const sample of result) {
        for (const label of query.labels) {
          expect(sample.metric).toHaveProperty(label);
        }
        expect(Number.isNaN(Number(sample.value[1]))).toBe(false);
      }
      if (!query.instant) {
        const end = Date.now() / 1000;
        const range = await prometheus.queryRange(expr, end - 30, end, 5);
        expect(range.length).toBeGreaterThan(0);
        expect(range[0]!.values.length).toBeGreaterThan(0);
      }
    },
  );

  it('the tenant filter lists tenant ids', async () => {
    const match = /^label_values\((\w+), (\w+)\)$/.exec(TENANT_QUERY)!;
    const values = await prometheus.api<string[]>(`label/${match[2]}/values`, { 'match[]': match[1]! });
    expect(values.length).toBeGreaterThan(0);
  });

  it('the figures hang together: the tenant filter narrows the tenant table to one tenant', async () => {
    const tenants = await prometheus.api<string[]>('label/tenant_id/values', {
      'match[]': 'chom_tenant_info',
    });
    const one = tenants.find((t) => t !== '__other__')!;
    const expr = QUERIES.tenantCost.expr.replace('$tenant_limit', '50').replace('$tenant', one);
    const result = await prometheus.query(expr);
    expect(result.map((s) => s.metric.tenant_id)).toEqual([one]);
  });
});
