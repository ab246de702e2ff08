import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { repoRoot } from '../src/layout';
import { runMain } from '../src/run-main';

const execFileAsync = promisify(execFile);

const HELP = `Usage: npx tsx stack/scripts/screenshots.ts [--out=docs/images] [--chromium=/usr/bin/chromium]

Makes the README's pictures from a running stack, as a user sees it after npm start: starts the stack
(scripts/start.sh) in a new state folder on free ports with 35 days of history and the rules
accelerated (so an alert arrives within a minute), sets the shared servers' site limits to 5 %
above their sites in the demo database (the capacity headroom alert fires), waits for the month-to-date report and that alert in the
sink, then takes:
  sink.png          the sink's web page (notifications and mail, the report with its PDF and CSV)
  notification.png  the alert as the Slack receiver gets it
  report.png        the first page of the report PDF (poppler's pdftoppm)
and stops the stack with SIGINT. Needs Debian's chromium (apt-get install chromium) and poppler-utils.

Options:
  --out=DIR          where the PNG files go (default docs/images)
  --chromium=PATH    the browser (default /usr/bin/chromium)
  --help             this text
`;

const log = (line: string) => process.stderr.write(`[screenshots] ${line}\n`);

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not there after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function screenshot(chromium: string, url: string, file: string, size: string): Promise<void> {
  await execFileAsync(chromium, [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    `--window-size=${size}`,
    `--screenshot=${file}`,
    url,
  ]);
  if (!fs.existsSync(file)) throw new Error(`chromium wrote no ${file}`);
  log(`wrote ${path.relative(repoRoot, file)}`);
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: path.join(repoRoot, 'docs', 'images') },
      chromium: { type: 'string', default: '/usr/bin/chromium' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!fs.existsSync(values.chromium)) {
    process.stderr.write(
      `screenshots: no browser at ${values.chromium}: apt-get install chromium, or --chromium=PATH\n`,
    );
    return 2;
  }
  const out = path.resolve(values.out);
  fs.mkdirSync(out, { recursive: true });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chom-screenshots-'));
  let output = '';
  const stack = spawn('bash', [path.join(repoRoot, 'scripts/start.sh'), '--ports=auto', '--accelerate'], {
    cwd: repoRoot,
    env: { ...process.env, CHOM_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  stack.stdout.on('data', (c: Buffer) => (output += c.toString()));
  stack.stderr.on('data', (c: Buffer) => (output += c.toString()));
  try {
    log(`starting the stack in ${stateDir} (35 days of history: a few minutes)`);
    await until('the stack', async () => (output.includes('Ready in') ? true : undefined), 900_000);
    const state = JSON.parse(fs.readFileSync(path.join(stateDir, 'stack.json'), 'utf8')) as {
      ports: Record<string, number>;
      database: { serverUrl: string; name: string };
    };
    const sink = `http://127.0.0.1:${state.ports['sink-web']}`;
    const db = await mysql.createConnection(`${state.database.serverUrl}/${state.database.name}`);
    // Each shared server's site limit set just above its sites: 5 % headroom, below the alert's 10 %.
    await db.query(
      `UPDATE vps_servers v
         LEFT JOIN (SELECT vps_id, COUNT(*) AS n FROM sites WHERE deleted_at IS NULL GROUP BY vps_id) s ON s.vps_id = v.id
          SET v.max_sites = CEIL(COALESCE(s.n, 0) / 0.95)
        WHERE v.max_sites IS NOT NULL`,
    );
    await db.end();
    log('declared the shared servers nearly full; waiting for the report and the alert');
    const report = await until(
      'the report in the sink',
      async () => {
        const list = (await (await fetch(`${sink}/api/messages`)).json()) as Array<{
          id: string;
          subject: string;
          attachments: Array<{ contentType: string }>;
        }>;
        return list.find((m) => m.subject.includes('month to date'));
      },
      300_000,
    );
    const alert = await until(
      'a firing alert in the sink',
      async () => {
        const list = (await (await fetch(`${sink}/api/notifications`)).json()) as Array<{
          id: string;
          kind: string;
          status?: string;
          alertnames: string[];
        }>;
        return list.find(
          (n) =>
            n.kind === 'slack' && n.status === 'firing' && n.alertnames.includes('ChomCapacityHeadroomLow'),
        );
      },
      300_000,
    );
    await screenshot(values.chromium, `${sink}/`, path.join(out, 'sink.png'), '1280,500');
    await screenshot(
      values.chromium,
      `${sink}/notifications/${alert.id}`,
      path.join(out, 'notification.png'),
      '1000,270',
    );
    const pdfIndex = report.attachments.findIndex((a) => a.contentType === 'application/pdf');
    const pdf = path.join(stateDir, 'report.pdf');
    fs.writeFileSync(
      pdf,
      Buffer.from(await (await fetch(`${sink}/messages/${report.id}/attachments/${pdfIndex}`)).arrayBuffer()),
    );
    await execFileAsync('pdftoppm', [
      '-png',
      '-r',
      '80',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      pdf,
      path.join(out, 'report'),
    ]);
    log(`wrote ${path.relative(repoRoot, path.join(out, 'report.png'))}`);
    return 0;
  } catch (error) {
    process.stderr.write(
      `screenshots: ${(error as Error).message}\n--- stack output ---\n${output.slice(-4000)}\n`,
    );
    return 1;
  } finally {
    const exited = new Promise((resolve) => stack.once('exit', resolve));
    if (stack.exitCode === null) {
      process.kill(-(stack.pid as number), 'SIGINT');
      await exited;
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

if (require.main === module) runMain(main);
