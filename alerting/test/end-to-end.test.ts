import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  createTestDatabase,
  eventually,
  seedDemoDatabase,
  startAlertmanager,
  startExporter,
  startPrometheus,
  tempDir,
  type RunningAlertmanager,
  type RunningExporter,
  type RunningPrometheus,
  type TestDatabase,
} from '@chom/test-support';
import {
  startWebhookReceiver,
  testAlertmanagerConfig,
  testPrometheusConfig,
  writeAcceleratedRules,
  type WebhookNotification,
} from '../src/test-stack';

// Seeded MariaDB → exporter → Prometheus (the production rules, `for:` divided by 200) →
// Alertmanager (the production routing and inhibitions, receivers replaced by webhooks) → this test.

jest.setTimeout(180_000);

function sumOf(metrics: string, name: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

function monthElapsedFraction(now: Date): number {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return (now.getTime() - start) / (end - start);
}

describe('budget exceeded, end to end', () => {
  const work = tempDir('alerting-e2e');
  let db: TestDatabase;
  let exporter: RunningExporter;
  let prometheus: RunningPrometheus;
  let alertmanager: RunningAlertmanager;
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let budget = 0;
  let hugeServerMonthly = 0;

  beforeAll(async () => {
    db = await createTestDatabase('chom_alerting_e2e');
    await seedDemoDatabase({ databaseUrl: db.url, scale: 'small' });

    // Learn the month-to-date cost of the demo data, then set the budget to three times that.
    const probe = await startExporter({
      databaseUrl: db.url,
      configYaml: 'collection: { ttl_seconds: 1 }\n',
    });
    const monthToDate = sumOf(await probe.metrics(), 'chom_cost_month_to_date');
    await probe.stop();
    expect(monthToDate).toBeGreaterThan(0);
    budget = Math.ceil(monthToDate * 3);
    // Priced so that, billed since the 1st, it adds about one budget to the month-to-date cost.
    hugeServerMonthly = Math.ceil((1.2 * budget) / Math.max(monthElapsedFraction(new Date()), 0.001));

    // /metrics behind a bearer token, scraped with the production job's authorization settings
    const tokenFile = path.join(work.dir, 'chom-exporter-token');
    fs.writeFileSync(tokenFile, `${crypto.randomBytes(24).toString('hex')}\n`);
    exporter = await startExporter({
      databaseUrl: db.url,
      webConfigYaml: `bearer_auth: { token_files: [${tokenFile}] }\n`,
      scrapeHeaders: { Authorization: `Bearer ${fs.readFileSync(tokenFile, 'utf8').trim()}` },
      configYaml: [
        'collection: { ttl_seconds: 1 }',
        'pricing:',
        `  servers: { default_monthly: 20, sizes: [ { provider: e2e, size: huge, monthly: ${hugeServerMonthly} } ] }`,
        `budgets: { monthly_total: ${budget}, alert_thresholds: [0.5, 0.75, 0.9, 1.0] }`,
        '',
      ].join('\n'),
    });
    webhook = await startWebhookReceiver();
    alertmanager = await startAlertmanager(testAlertmanagerConfig(`${webhook.url}/hook`));
    const ruleFiles = writeAcceleratedRules(work.dir, { interval: '1s', forDivisor: 200 });
    prometheus = await startPrometheus({
      configYaml: testPrometheusConfig({
        exporterTarget: exporter.target,
        exporterCredentialsFile: tokenFile,
        ruleFiles,
        alertmanagerUrl: alertmanager.url,
        interval: '1s',
      }),
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await exporter?.stop();
    await webhook?.stop();
    await db?.drop();
    work.remove();
  });

  const received = (alertname: string) =>
    webhook.notifications.filter(({ body }) =>
      body.alerts.some((a) => a.labels.alertname === alertname && a.status === 'firing'),
    );

  test('under budget: utilisation is recorded and no budget alert fires', async () => {
    const utilisation = await eventually(
      async () => (await prometheus.query('chom:budget_utilisation:ratio'))[0],
      30_000,
      'chom:budget_utilisation:ratio',
    );
    const value = Number(utilisation.value[1]);
    expect(value).toBeGreaterThan(0.3);
    expect(value).toBeLessThan(0.4);
    const alerts = await prometheus.query('ALERTS{alertname=~"ChomBudget.*"}');
    expect(alerts).toEqual([]);
  });

  test('a server added in the database pushes cost over budget: exceeded is notified, the forecast is inhibited', async () => {
    // One server billed since the 1st: the month-to-date cost goes past the budget.
    const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
    const extra = hugeServerMonthly * monthElapsedFraction(new Date());
    expect(extra).toBeGreaterThan(budget);
    await db.pool.query(
      `INSERT INTO vps_servers (team_id, hostname, provider, size, vcpus, memory_mb, disk_gb, max_sites, status, created_at)
       VALUES (NULL, 'e2e-huge.example.net', 'e2e', 'huge', 64, 262144, 2000, NULL, 'active', ?)`,
      [monthStart],
    );

    const notification = await eventually(
      async () => received('ChomBudgetExceeded')[0],
      90_000,
      'the ChomBudgetExceeded notification',
    );
    const body: WebhookNotification = notification.body;
    const alert = body.alerts.find((a) => a.labels.alertname === 'ChomBudgetExceeded');
    expect(alert?.labels).toMatchObject({
      alertname: 'ChomBudgetExceeded',
      severity: 'critical',
      category: 'cost',
    });
    // Critical cost alerts go to PagerDuty+Slack and to the FinOps list.
    expect(
      received('ChomBudgetExceeded')
        .map((n) => n.path)
        .sort(),
    ).toEqual(expect.arrayContaining(['/hook/pagerduty-slack']));
    await eventually(
      async () =>
        received('ChomBudgetExceeded').some((n) => n.path === '/hook/finops-email') ? true : undefined,
      30_000,
      'the FinOps e-mail notification',
    );

    // The description carries the month-to-date cost, its share of the budget and the budget.
    const description = alert?.annotations.description ?? '';
    const match = /Month-to-date cost is ([\d.]+), ([\d.]+)% of the monthly budget of ([\d.]+)\./.exec(
      description,
    );
    expect(match).not.toBeNull();
    const [, cost, percent, budgetText] = match as RegExpExecArray;
    expect(budgetText).toBe(budget.toFixed(2));
    const exportedMonthToDate = sumOf(await exporter.metrics(), 'chom_cost_month_to_date');
    expect(Number(cost)).toBeGreaterThan(budget);
    expect(Number(cost)).toBeLessThan(3 * budget);
    expect(Math.abs(Number(cost) - exportedMonthToDate) / exportedMonthToDate).toBeLessThan(0.001);
    expect(Math.abs(Number(percent) - (100 * Number(cost)) / budget)).toBeLessThan(1);
    expect(alert?.annotations.runbook_url).toMatch(/docs\/runbooks\/ChomBudgetExceeded\.md$/);

    // The forecast alert fires in Prometheus, but Alertmanager inhibits it: no notification.
    const forecast = await eventually(
      async () => {
        const [a] = await alertmanager.alerts(['alertname="ChomMonthEndForecastOverBudget"']);
        return a && a.status.inhibitedBy.length > 0 ? a : undefined;
      },
      60_000,
      'the inhibited forecast alert in Alertmanager',
    );
    expect(forecast.status.state).toBe('suppressed');
    const threshold = await alertmanager.alerts(['alertname="ChomBudgetThresholdReached"']);
    expect(threshold.map((a) => a.status.state)).toEqual(['suppressed']);
    // Give Alertmanager a few group intervals to (wrongly) send it.
    await new Promise((r) => setTimeout(r, 5000));
    expect(received('ChomMonthEndForecastOverBudget')).toEqual([]);
    expect(received('ChomBudgetThresholdReached')).toEqual([]);
  });

  test('the Watchdog reaches the heartbeat receiver only', async () => {
    // Prometheus resends firing alerts every minute; the first send can precede Alertmanager discovery.
    await eventually(
      async () => (received('Watchdog').length > 0 ? true : undefined),
      90_000,
      'the Watchdog heartbeat',
    );
    expect([...new Set(received('Watchdog').map((n) => n.path))]).toEqual(['/hook/heartbeat']);
  });
});
