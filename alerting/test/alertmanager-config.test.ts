import fs from 'node:fs';
import path from 'node:path';
import { execFileAsync, tempDir } from '@chom/test-support';
import { alertingDir } from '../src/rule-files';

const configFile = path.join(alertingDir, 'alertmanager.yml');

async function routeReceivers(labels: string[]): Promise<string> {
  const { stdout } = await execFileAsync('amtool', [
    'config',
    'routes',
    'test',
    `--config.file=${configFile}`,
    ...labels,
  ]);
  return stdout.trim();
}

describe('alertmanager.yml', () => {
  test('amtool check-config accepts it with its templates', async () => {
    const { stdout } = await execFileAsync('amtool', ['check-config', configFile], { cwd: alertingDir });
    expect(stdout).toContain('SUCCESS');
    expect(stdout).toContain('3 inhibit rules');
    expect(stdout).toContain('1 templates');
  });

  test('secrets are read from files, never written into the config', () => {
    const text = fs.readFileSync(configFile, 'utf8');
    for (const key of ['api_url_file', 'routing_key_file', 'auth_password_file', 'credentials_file']) {
      expect(text).toContain(`${key}: /etc/alertmanager/secrets/`);
    }
    expect(text).not.toMatch(/^\s*(api_url|routing_key|service_key|auth_password|credentials):/m);
  });

  // labels → the receivers amtool must route them to, in order.
  const routes: Array<[string, string[], string]> = [
    [
      'critical cost alert pages, posts and e-mails FinOps',
      ['alertname=ChomBudgetExceeded', 'severity=critical', 'category=cost'],
      'finops-email,pagerduty-slack',
    ],
    [
      'warning cost alert posts and e-mails FinOps',
      ['alertname=ChomMonthEndForecastOverBudget', 'severity=warning', 'category=cost'],
      'finops-email,slack',
    ],
    [
      'critical capacity alert pages and posts',
      ['alertname=ChomCapacityHeadroomLow', 'severity=critical', 'category=capacity', 'resource=storage'],
      'pagerduty-slack',
    ],
    [
      'warning host alert posts to Slack',
      ['alertname=HostCpuHigh', 'severity=warning', 'category=host', 'instance=node:9100'],
      'slack',
    ],
    [
      'a report that cannot be delivered posts to Slack',
      ['alertname=ChomReportDeliveryFailing', 'severity=warning', 'category=reporting', 'report=monthly'],
      'slack',
    ],
    [
      'critical exporter alert pages',
      ['alertname=ChomExporterDown', 'severity=critical', 'category=exporter'],
      'pagerduty-slack',
    ],
    [
      'info goes nowhere, even for cost',
      ['alertname=SomethingInformational', 'severity=info', 'category=cost'],
      'null',
    ],
    [
      'Watchdog goes to the heartbeat only',
      ['alertname=Watchdog', 'severity=none', 'category=meta'],
      'heartbeat',
    ],
    ['unknown severity falls back to Slack', ['alertname=Unrouted', 'category=host'], 'slack'],
  ];
  test.each(routes)('%s', async (_what, labels, receivers) => {
    expect(await routeReceivers(labels)).toBe(receivers);
    // amtool's own assertion exits non-zero on a mismatch.
    await expect(
      execFileAsync('amtool', [
        'config',
        'routes',
        'test',
        `--config.file=${configFile}`,
        `--verify.receivers=${receivers}`,
        ...labels,
      ]),
    ).resolves.toBeDefined();
  });

  test('--verify.receivers fails for a wrong receiver', async () => {
    await expect(
      execFileAsync('amtool', [
        'config',
        'routes',
        'test',
        `--config.file=${configFile}`,
        '--verify.receivers=slack',
        'alertname=ChomBudgetExceeded',
        'severity=critical',
        'category=cost',
      ]),
    ).rejects.toThrow();
  });
});

describe('notification templates', () => {
  const startsAt = '2026-11-20T08:30:00Z';
  const alert = {
    status: 'firing',
    labels: { alertname: 'ChomBudgetExceeded', severity: 'critical', category: 'cost', stack: 'chom-finops' },
    annotations: {
      summary: 'Month-to-date cost has exceeded the monthly budget.',
      description: 'Month-to-date cost is 5230.17, 104.6% of the monthly budget of 5000.00.',
      runbook_url: 'https://github.com/chom-finops/chom-finops/blob/main/docs/runbooks/ChomBudgetExceeded.md',
      dashboard_url: 'http://localhost:3000/a/chom-finops-app/budget',
    },
    startsAt,
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=chom%3Abudget_utilisation%3Aratio',
    fingerprint: '0123456789abcdef',
  };
  const data = {
    receiver: 'pagerduty-slack',
    status: 'firing',
    alerts: [alert],
    groupLabels: { alertname: 'ChomBudgetExceeded' },
    commonLabels: alert.labels,
    commonAnnotations: alert.annotations,
    externalURL: 'http://alertmanager:9093',
  };

  async function render(text: string): Promise<string> {
    const work = tempDir('am-template');
    try {
      const dataFile = path.join(work.dir, 'data.json');
      fs.writeFileSync(dataFile, JSON.stringify(data));
      const { stdout } = await execFileAsync('amtool', [
        'template',
        'render',
        `--template.glob=${path.join(alertingDir, 'templates', '*.tmpl')}`,
        `--template.data=${dataFile}`,
        `--template.text=${text}`,
      ]);
      return stdout;
    } finally {
      work.remove();
    }
  }

  test('the title names status, count, alert, severity and category', async () => {
    expect((await render('{{ template "chom.title" . }}')).trim()).toBe(
      '[FIRING:1] ChomBudgetExceeded (critical, cost)',
    );
  });

  test('the Slack/PagerDuty text shows the value, the budget and the links', async () => {
    const text = await render('{{ template "chom.text" . }}');
    expect(text).toContain('Month-to-date cost has exceeded the monthly budget.');
    expect(text).toContain('5230.17, 104.6% of the monthly budget of 5000.00');
    expect(text).toContain(`Runbook: ${alert.annotations.runbook_url}`);
    expect(text).toContain(`Dashboard: ${alert.annotations.dashboard_url}`);
    expect(text).toContain(`Source: ${alert.generatorURL}`);
    // Routing labels are in the title already; the others are listed.
    expect(text).toContain('Labels: stack=chom-finops');
  });

  test('the e-mail has a subject and an HTML body with the links', async () => {
    expect((await render('{{ template "chom.email.subject" . }}')).trim()).toBe(
      '[CHOM FinOps] [FIRING:1] ChomBudgetExceeded (critical, cost)',
    );
    const html = await render('{{ template "chom.email.html" . }}');
    expect(html).toContain('firing since 2026-11-20 08:30 UTC');
    expect(html).toContain(`<a href="${alert.annotations.runbook_url}">Runbook</a>`);
    expect(html).toContain(`<a href="${alert.annotations.dashboard_url}">Dashboard</a>`);
    expect(html).toContain('104.6% of the monthly budget of 5000.00');
  });
});
