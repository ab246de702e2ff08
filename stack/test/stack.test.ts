import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { eventually, repoRoot } from '@chom/test-support';

/**
 * The no-Docker stack end to end, started as a user starts it (scripts/start.sh, i.e. npm start) from
 * a clean state folder on free ports, with its own MariaDB, two days of history, and rules
 * accelerated so that an alert arrives within seconds. Stopped with SIGINT to its process group, as
 * Ctrl-C in a terminal does.
 */

interface StackState {
  ports: Record<string, number>;
  database: { serverUrl: string; name: string };
  history: { from: string; to: string };
}
interface RunRecord {
  runner: number;
  services: Array<{ name: string; pid: number }>;
}

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chom-stack-e2e-'));
let stack: ChildProcess;
let output = '';
let state: StackState;
let run: RunRecord;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function query(
  expr: string,
  time?: number,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const params = new URLSearchParams({ query: expr });
  if (time !== undefined) params.set('time', String(time));
  const response = await fetch(`http://127.0.0.1:${state.ports.prometheus}/api/v1/query?${params}`);
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}
const value = async (expr: string, time?: number) => {
  const result = await query(expr, time);
  return result.length ? Number(result[0]!.value[1]) : undefined;
};

beforeAll(async () => {
  stack = spawn(
    'bash',
    [path.join(repoRoot, 'scripts/start.sh'), '--ports=auto', '--history=2d', '--accelerate'],
    {
      cwd: repoRoot,
      env: { ...process.env, CHOM_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  stack.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  stack.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  await eventually(
    async () =>
      output.includes('Ready in')
        ? true
        : stack.exitCode !== null
          ? Promise.reject(new Error(output))
          : undefined,
    240_000,
    `the stack to start:\n${output}`,
  );
  state = JSON.parse(fs.readFileSync(path.join(stateDir, 'stack.json'), 'utf8')) as StackState;
  run = JSON.parse(fs.readFileSync(path.join(stateDir, 'run.json'), 'utf8')) as RunRecord;
}, 300_000);

afterAll(async () => {
  if (stack.exitCode === null) {
    process.kill(-(stack.pid as number), 'SIGKILL');
  }
  for (const service of run?.services ?? []) {
    try {
      process.kill(-service.pid, 'SIGKILL');
    } catch {
      // stopped
    }
  }
  fs.rmSync(stateDir, { recursive: true, force: true });
});

test('prints what runs where, and keeps every file in the state folder', () => {
  for (const what of [
    'Prometheus',
    'Alertmanager',
    'Exporter',
    'Reporter (serve)',
    'Mail and notifications',
    'node_exporter',
    'mysqld_exporter',
    'Demo database',
  ])
    expect(output).toContain(what);
  expect(output).toMatch(/Grafana .*(http:\/\/127\.0\.0\.1|not installed)/);
  for (const service of [
    'mariadb',
    'exporter',
    'prometheus',
    'alertmanager',
    'reporter',
    'node-exporter',
    'mysqld-exporter',
  ])
    expect(run.services.map((s) => s.name)).toContain(service);
  for (const dir of ['mariadb', 'prometheus', 'alertmanager', 'sink', 'config', 'logs'])
    expect(fs.existsSync(path.join(stateDir, dir))).toBe(true);
});

test('Prometheus scrapes every part of the stack', async () => {
  await eventually(
    async () => {
      const up = await query('up');
      const jobs = Object.fromEntries(up.map((s) => [s.metric.job, s.value[1]]));
      return ['chom-exporter', 'chom-reporter', 'node', 'mysqld', 'prometheus', 'alertmanager'].every(
        (j) => jobs[j] === '1',
      )
        ? jobs
        : undefined;
    },
    60_000,
    'every job up',
  );
});

test("the exporter's /metrics needs the token Prometheus sends; its health checks stay open", async () => {
  const metrics = `http://127.0.0.1:${state.ports.exporter}/metrics`;
  expect((await fetch(metrics)).status).toBe(401);
  expect(
    (await fetch(metrics, { headers: { Authorization: 'Bearer not-the-token-0123456789' } })).status,
  ).toBe(401);
  const token = fs.readFileSync(path.join(stateDir, 'secrets', 'chom-exporter-token'), 'utf8').trim();
  const response = await fetch(metrics, { headers: { Authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  expect(await response.text()).toContain('chom_exporter_up 1');
  expect((await fetch(`http://127.0.0.1:${state.ports.exporter}/readyz`)).status).toBe(200);
});

test('the demo data in the database shows up as metrics', async () => {
  const db = await mysql.createConnection(`${state.database.serverUrl}/${state.database.name}`);
  try {
    const [rows] = await db.query(
      'SELECT COUNT(*) AS n FROM sites WHERE deleted_at IS NULL OR deleted_at > NOW()',
    );
    const sites = Number((rows as Array<{ n: number }>)[0]!.n);
    await eventually(
      async () => ((await value('sum(chom_tenant_sites)')) === sites ? true : undefined),
      30_000,
      `sum(chom_tenant_sites) = ${sites}`,
    );
  } finally {
    await db.end();
  }
});

test('the backfilled history is there, in the same series as the live data, with the recording rules', async () => {
  const from = Date.parse(state.history.from) / 1000;
  const to = Date.parse(state.history.to) / 1000;
  const instance = `127.0.0.1:${state.ports.exporter}`;
  // A day before the start: the exporter's series, with the live scrape's labels.
  const past = to - 86_400;
  const series = await query('chom_cost_month_to_date', past);
  expect(series.length).toBeGreaterThan(0);
  for (const s of series) expect(s.metric).toMatchObject({ job: 'chom-exporter', instance });
  // Every 5 minutes of the history has a sample.
  const samples = await value(
    `count_over_time(chom:cost_monthly:sum[${Math.floor(to - from - 600)}s])`,
    to - 300,
  );
  expect(samples).toBeGreaterThanOrEqual(Math.floor((to - from - 900) / 300));
  // Recording rules over the history and live.
  expect(await value('chom:cost_monthly:sum', past)).toBeCloseTo(
    (await value('sum(chom_infrastructure_cost_monthly)', past))!,
    6,
  );
  expect(await value('last_over_time(chom:cost_monthly:avg_1h[1h])', past)).toBeGreaterThan(0);
  expect(await value('chom:cost_month_end:forecast', past)).toBeGreaterThan(0);
  await eventually(
    async () => ((await value('chom:budget_utilisation:ratio')) ?? 0) > 0 || undefined,
    30_000,
    'live recording rules',
  );
});

test('a report renders and is delivered to the sink', async () => {
  const messages = await eventually(
    async () => {
      const response = await fetch(`http://127.0.0.1:${state.ports['sink-web']}/api/messages`);
      const list = (await response.json()) as Array<{
        id: string;
        subject: string;
        attachments: Array<{ filename: string; contentType: string }>;
      }>;
      return list.find((m) => m.subject.includes('month to date')) ? list : undefined;
    },
    60_000,
    'the report in the sink',
  );
  const report = messages.find((m) => m.subject.includes('month to date'))!;
  const pdfIndex = report.attachments.findIndex((a) => a.contentType === 'application/pdf');
  expect(pdfIndex).toBeGreaterThanOrEqual(0);
  const pdf = Buffer.from(
    await (
      await fetch(`http://127.0.0.1:${state.ports['sink-web']}/messages/${report.id}/attachments/${pdfIndex}`)
    ).arrayBuffer(),
  );
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const page = await (await fetch(`http://127.0.0.1:${state.ports['sink-web']}/`)).text();
  expect(page).toContain(report.subject.replace(/&/g, '&amp;'));
});

test('an alert caused by a change in the database reaches the local receiver', async () => {
  const db = await mysql.createConnection(`${state.database.serverUrl}/${state.database.name}`);
  try {
    // The shared servers are declared full: the site capacity headroom drops below 10 %.
    await db.query('UPDATE vps_servers SET max_sites = 1 WHERE max_sites IS NOT NULL');
  } finally {
    await db.end();
  }
  const notification = await eventually(
    async () => {
      const response = await fetch(`http://127.0.0.1:${state.ports['sink-web']}/api/notifications`);
      const list = (await response.json()) as Array<{
        receiver: string;
        kind: string;
        alertnames: string[];
        status?: string;
      }>;
      return list.find((n) => n.alertnames.includes('ChomCapacityHeadroomLow') && n.status === 'firing');
    },
    90_000,
    'ChomCapacityHeadroomLow in the sink',
  );
  expect(['pagerduty-slack', 'slack']).toContain(notification.receiver);
});

test('Ctrl-C (SIGINT) stops everything and leaves no process behind', async () => {
  const pids = [run.runner, ...run.services.map((s) => s.pid)];
  const exited = new Promise<number | null>((resolve) => stack.once('exit', (code) => resolve(code)));
  process.kill(-(stack.pid as number), 'SIGINT');
  await exited;
  expect(output).toContain('nothing of the stack is left running');
  await eventually(
    async () => (pids.every((pid) => !alive(pid)) ? true : undefined),
    15_000,
    'every process gone',
  );
  expect(fs.existsSync(path.join(stateDir, 'run.json'))).toBe(false);
}, 60_000);
