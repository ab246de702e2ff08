import fs from 'node:fs';
import path from 'node:path';
import {
  execFileAsync,
  repoRoot,
  startPrometheus,
  tempDir,
  type RunningPrometheus,
} from '@chom/test-support';
import YAML from 'yaml';
import { main } from '../src/cli';
import { startSmtpServer, type TestSmtpServer } from './smtp';

jest.setTimeout(60_000);

let prometheus: RunningPrometheus;
let smtp: TestSmtpServer;
let work: { dir: string; remove: () => void };
let config: string;

beforeAll(async () => {
  prometheus = await startPrometheus();
  smtp = await startSmtpServer();
  work = tempDir('reporter-cli');
  config = path.join(work.dir, 'reports.yml');
  fs.writeFileSync(
    config,
    YAML.stringify({
      settings: {
        prometheus: { url: prometheus.url },
        smtp: { host: '127.0.0.1', port: smtp.port, from: 'finops@example.com', retry_delay_ms: 10 },
        state: { file: 'sent.json' },
        time_zone: 'Europe/Berlin',
      },
      reports: [
        {
          name: 'monthly',
          period: 'previous_month',
          schedule: { cron: '0 8 1 * *', workdays_only: true },
          recipients: ['cfo@example.com'],
        },
        {
          name: 'weekly',
          period: 'previous_week',
          schedule: { cron: '30 7 * * 1', time_zone: 'UTC' },
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

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test.each(['render', 'preview', 'validate', 'next-runs', 'serve'])(
  '"%s --help" documents its options',
  async (command) => {
    const result = await run(command, '--help');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`Usage: chom-finops-reporter ${command}`);
    expect(result.out).toContain('--config=FILE');
  },
);

test('the installed entry point prints the command list and exits 0 with --help', async () => {
  const { stdout } = await execFileAsync(process.execPath, [
    path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
    path.join(repoRoot, 'reporter', 'src', 'cli.ts'),
    '--help',
  ]);
  for (const command of ['render', 'preview', 'validate', 'next-runs', 'serve'])
    expect(stdout).toContain(command);
});

test('render writes the PDF and CSV of the period asked for', async () => {
  const out = path.join(work.dir, 'out');
  const result = await run(
    'render',
    `--config=${config}`,
    '--report=monthly',
    '--period=2026-10',
    `--out=${out}`,
    '--now=2026-11-02T08:00:00Z',
  );
  expect(result.code).toBe(0);
  expect(fs.readdirSync(out).sort()).toEqual(['monthly-2026-10.csv', 'monthly-2026-10.pdf']);
  expect(fs.readFileSync(path.join(out, 'monthly-2026-10.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
  expect(result.out).toContain('monthly 2026-10 (October 2026) rendered');
  expect(result.out).toContain('warning: No month-to-date cost data was found for this period.');
});

test('a landscape report with a logo: A4 landscape pages and the logo embedded as an image', async () => {
  // A 2×2 PNG.
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVQI12P8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
    'base64',
  );
  fs.writeFileSync(path.join(work.dir, 'logo.png'), png);
  const branded = path.join(work.dir, 'branded.yml');
  const definitions = YAML.parse(fs.readFileSync(config, 'utf8')) as {
    reports: Array<Record<string, unknown>>;
  };
  Object.assign(definitions.reports[0]!, {
    orientation: 'landscape',
    branding: { title: 'ACME Hosting', logo: 'logo.png', color: '#7a1f5c' },
    attachments: ['pdf'],
  });
  fs.writeFileSync(branded, YAML.stringify(definitions));
  const out = path.join(work.dir, 'out-branded');
  expect(
    (await run('render', `--config=${branded}`, '--report=monthly', '--period=2026-10', `--out=${out}`)).code,
  ).toBe(0);
  const pdf = path.join(out, 'monthly-2026-10.pdf');
  const info = (await execFileAsync('pdfinfo', [pdf])).stdout;
  expect(info).toMatch(/Page size:\s+841\.89 x 595\.28 pts \(A4\)/);
  const images = (await execFileAsync('pdfimages', ['-list', pdf])).stdout.trim().split('\n').slice(2);
  expect(images.length).toBeGreaterThanOrEqual(1);
  expect(images[0]).toMatch(/^\s*1\s+\d+\s+image\s+2\s+2\s/);
  expect((await execFileAsync('pdftotext', [pdf, '-'])).stdout).toContain('ACME Hosting');
});

test('render without --period reports on the period a run now would', async () => {
  const out = path.join(work.dir, 'out-default');
  const result = await run(
    'render',
    `--config=${config}`,
    '--report=weekly',
    `--out=${out}`,
    '--now=2026-11-23T09:00:00Z',
  );
  expect(result.code).toBe(0);
  expect(fs.readdirSync(out)).toEqual(['weekly-2026-W47.csv']);
});

test('preview sends now with [Preview] in the subject to the addresses given, and records nothing', async () => {
  const result = await run(
    'preview',
    `--config=${config}`,
    '--report=monthly',
    '--period=2026-10',
    '--to=me@example.com',
  );
  expect(result.code).toBe(0);
  expect(result.out).toContain('preview of monthly 2026-10 sent to me@example.com');
  const mail = smtp.received.at(-1)!;
  expect(mail.envelopeTo).toEqual(['me@example.com']);
  expect(mail.parsed.subject).toBe('[Preview] CHOM FinOps: cost report October 2026');
  expect(fs.existsSync(path.join(work.dir, 'sent.json'))).toBe(false);
});

test('validate prints each report with its next run', async () => {
  const result = await run('validate', `--config=${config}`);
  expect(result.code).toBe(0);
  expect(result.out).toContain('2 report(s), valid');
  expect(result.out).toMatch(
    /monthly: previous_month, "0 8 1 \* \*" Europe\/Berlin, workdays only → next run \d{4}-/,
  );
});

test('next-runs lists run times with the period each reports on', async () => {
  const result = await run(
    'next-runs',
    `--config=${config}`,
    '--report=monthly',
    '--count=2',
    '--after=2026-10-15T00:00:00Z',
  );
  expect(result.code).toBe(0);
  expect(result.out.split('\n')).toEqual([
    'monthly (Europe/Berlin):',
    '  2026-11-02T07:00:00.000Z  2026-11-02 08:00 local  2026-10: October 2026',
    '  2026-12-01T07:00:00.000Z  2026-12-01 08:00 local  2026-11: November 2026',
  ]);
});

test.each([
  [
    ['render', '--report=monthly', '--period=October'],
    '--period: "October" is not a previous_month period; expected YYYY-MM',
  ],
  [['render', '--report=nope'], '--report: no report named "nope" (defined: monthly, weekly)'],
  [['render'], '--report is required'],
  [['next-runs', '--count=0'], '--count: expected an integer from 1 to 100'],
  [['next-runs', '--after=yesterday'], '--after: expected an ISO 8601 instant'],
  [['preview', '--report=monthly', '--to=not-an-address'], '--to: expected comma-separated e-mail addresses'],
  [['render', '--colour=red'], "Unknown option '--colour'"],
])('%j exits 2 naming the option', async (argv, message) => {
  const result = await run(...argv, `--config=${config}`);
  expect(result.code).toBe(2);
  expect(result.err).toContain(message);
});

test('an unknown command and invalid definitions exit 2', async () => {
  expect((await run('send')).code).toBe(2);
  const bad = path.join(work.dir, 'bad.yml');
  fs.writeFileSync(bad, YAML.stringify({ settings: {}, reports: [] }));
  const result = await run('validate', `--config=${bad}`);
  expect(result.code).toBe(2);
  expect(result.err).toContain('settings.prometheus:');
  expect(result.err).toContain('reports: needs at least one report');
});

test('an unreachable Prometheus fails the render with exit 1 and says where', async () => {
  const unreachable = path.join(work.dir, 'unreachable.yml');
  const definitions = YAML.parse(fs.readFileSync(config, 'utf8')) as {
    settings: { prometheus: { url: string } };
  };
  definitions.settings.prometheus.url = 'http://127.0.0.1:9';
  fs.writeFileSync(unreachable, YAML.stringify(definitions));
  const result = await run('render', `--config=${unreachable}`, '--report=monthly', `--out=${work.dir}`);
  expect(result.code).toBe(1);
  expect(result.err).toContain('Prometheus at http://127.0.0.1:9 cannot be reached');
});
