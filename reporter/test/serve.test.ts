/**
 * The `serve` process itself: a run missed before start-up is delivered once, its outcome is on
 * /metrics, SIGTERM stops it cleanly, and a restart does not send the report again.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  eventually,
  execFileAsync,
  freePort,
  promtoolCheckMetrics,
  repoRoot,
  startProcess,
  startPrometheus,
  tempDir,
  waitForHttp,
  type RunningPrometheus,
} from '@chom/test-support';
import YAML from 'yaml';
import { startSmtpServer, type TestSmtpServer } from './smtp';

jest.setTimeout(90_000);

const TSX = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const CLI = path.join(repoRoot, 'reporter', 'src', 'cli.ts');

let prometheus: RunningPrometheus;
let smtp: TestSmtpServer;
let work: { dir: string; remove: () => void };
let config: string;

beforeAll(async () => {
  prometheus = await startPrometheus();
  smtp = await startSmtpServer();
  work = tempDir('reporter-serve');
  config = path.join(work.dir, 'reports.yml');
  fs.writeFileSync(
    config,
    YAML.stringify({
      settings: {
        prometheus: { url: prometheus.url },
        smtp: { host: '127.0.0.1', port: smtp.port, from: 'finops@example.com', retry_delay_ms: 10 },
        state: { file: 'state/sent.json' },
      },
      reports: [
        {
          // Daily at 00:00 UTC: today's run is always in the past, so start-up catches it up.
          name: 'daily-mtd',
          period: 'month_to_date',
          schedule: { cron: '0 0 * * *', time_zone: 'UTC' },
          recipients: ['ops@example.com'],
          attachments: ['csv'],
        },
      ],
    }),
  );
});
afterAll(async () => {
  await prometheus?.stop();
  await smtp?.stop();
  work?.remove();
});

async function metricsText(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}
const sample = (text: string, series: string) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${series} `))
      ?.split(' ')[1],
  );

async function runService(): Promise<{
  port: number;
  stop: () => Promise<number | null>;
  output: () => string;
}> {
  const port = await freePort();
  const proc = startProcess(process.execPath, [
    TSX,
    CLI,
    'serve',
    `--config=${config}`,
    `--listen=127.0.0.1:${port}`,
  ]);
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, proc);
  return {
    port,
    output: proc.output,
    stop: async () => {
      await proc.stop();
      return proc.child.exitCode;
    },
  };
}

test('a missed run goes out once across a restart, and /metrics tells what happened', async () => {
  const first = await runService();
  const mail = await eventually(async () => smtp.received[0], 30_000, 'the caught-up report');
  expect(mail.parsed.attachments.map((a) => a.filename)).toEqual([
    expect.stringMatching(/^daily-mtd-\d{4}-\d{2}-\d{2}\.csv$/),
  ]);
  const text = await eventually(
    async () => {
      const t = await metricsText(first.port);
      return sample(t, 'chom_reporter_deliveries_total{report="daily-mtd",status="sent"}') === 1
        ? t
        : undefined;
    },
    10_000,
    'the sent delivery on /metrics',
  );
  expect(sample(text, 'chom_reporter_last_success_timestamp_seconds{report="daily-mtd"}')).toBeGreaterThan(
    Date.now() / 1000 - 60,
  );
  expect(sample(text, 'chom_reporter_next_run_timestamp_seconds{report="daily-mtd"}')).toBeGreaterThan(
    Date.now() / 1000,
  );
  expect(text).toContain('process_resident_memory_bytes');
  // The exposition is clean for promtool.
  const checked = await promtoolCheckMetrics(text);
  expect(checked).toEqual({ code: 0, output: '' });
  expect(await first.stop()).toBe(0);
  expect(first.output()).toContain('"msg":"stopped"');

  const second = await runService();
  const again = await eventually(
    async () => {
      const t = await metricsText(second.port);
      return sample(t, 'chom_reporter_deliveries_total{report="daily-mtd",status="already_sent"}') === 1
        ? t
        : undefined;
    },
    30_000,
    'the already-sent outcome after the restart',
  );
  expect(sample(again, 'chom_reporter_deliveries_total{report="daily-mtd",status="sent"}')).toBe(0);
  expect(await second.stop()).toBe(0);
  expect(smtp.received).toHaveLength(1);
  const record = JSON.parse(fs.readFileSync(path.join(work.dir, 'state', 'sent.json'), 'utf8')) as {
    sends: Record<string, unknown>;
  };
  expect(Object.keys(record.sends)).toEqual([expect.stringMatching(/^daily-mtd\/\d{4}-\d{2}-\d{2}$/)]);
});

test('serve refuses a bad --listen with exit 2', async () => {
  const failure = await execFileAsync(process.execPath, [
    TSX,
    CLI,
    'serve',
    `--config=${config}`,
    '--listen=nowhere',
  ]).catch((e: { code: number; stderr: string }) => e);
  expect(failure).toMatchObject({ code: 2 });
  expect((failure as { stderr: string }).stderr).toContain('--listen: expected HOST:PORT');
});
