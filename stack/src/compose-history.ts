import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backfillHistory } from './history';

export const HELP = `Usage: tsx stack/src/compose-history.ts --data-dir=DIR --config=FILE [options]

The \`history\` one-shot service of docker-compose.yml: backfills the exporter's metrics and the
recording rules into a Prometheus TSDB folder before Prometheus starts on it, so the forecast,
anomaly and trend panels and the first report have weeks behind them at once (docs/backfill.md).
It runs only when the folder holds no data yet (no block, no write-ahead log): a restart, or a
Prometheus that already ran, is left alone.

Options:
  --database-url=URL   the application database, read-only is enough ($CHOM_DATABASE_URL)
  --data-dir=DIR       Prometheus' --storage.tsdb.path (Prometheus must not be running on it)
  --config=FILE        the exporter's configuration (prices, budgets, allocation)
  --history=DURATION   how far back, in days (default 35d)
  --instance=HOST:PORT the exporter's scrape target as Prometheus labels it (default exporter:9864)
  --work-dir=DIR       scratch folder (default: a temporary folder, removed afterwards)
  --help               this text

Exit codes: 0 done or nothing to do, 2 invalid arguments, 1 failed.
`;

/** A TSDB folder holds data once it has a block (a folder with meta.json) or write-ahead log segments. */
export function tsdbHasData(dataDir: string): boolean {
  if (!fs.existsSync(dataDir)) return false;
  for (const entry of fs.readdirSync(dataDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const full = path.join(dataDir, entry.name);
    if (fs.existsSync(path.join(full, 'meta.json'))) return true;
    if (entry.name === 'wal' && fs.readdirSync(full).some((name) => /^\d+$/.test(name))) return true;
  }
  return false;
}

export async function main(argv: string[], now = new Date()): Promise<number> {
  const log = (line: string) => process.stderr.write(`[history] ${line}\n`);
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'database-url': { type: 'string' },
        'data-dir': { type: 'string' },
        config: { type: 'string' },
        history: { type: 'string', default: '35d' },
        instance: { type: 'string', default: 'exporter:9864' },
        'work-dir': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`history: ${(error as Error).message} (see --help)\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const databaseUrl = values['database-url'] ?? process.env.CHOM_DATABASE_URL;
  const days = /^(\d+)d$/.exec(values.history);
  const problem = !databaseUrl
    ? '--database-url (or $CHOM_DATABASE_URL) is required'
    : !values['data-dir']
      ? '--data-dir is required'
      : !values.config
        ? '--config is required'
        : !fs.existsSync(values.config)
          ? `--config: ${values.config} does not exist`
          : !days || Number(days[1]) < 1
            ? `--history: expected a number of days such as 35d, got "${values.history}"`
            : !/^[^\s:/]+:\d+$/.test(values.instance)
              ? `--instance: expected HOST:PORT, got "${values.instance}"`
              : undefined;
  if (problem) {
    process.stderr.write(`history: ${problem}\n`);
    return 2;
  }
  const dataDir = path.resolve(values['data-dir'] as string);
  if (tsdbHasData(dataDir)) {
    log(`${dataDir} already holds data: nothing to backfill`);
    return 0;
  }
  const from = new Date(now.getTime() - Number(days![1]) * 86_400_000);
  const workDir = values['work-dir'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chom-history-'));
  log(`backfilling ${from.toISOString()} … ${now.toISOString()} into ${dataDir}`);
  try {
    const run = await backfillHistory({
      databaseUrl: databaseUrl as string,
      exporterConfig: values.config as string,
      dataDir,
      workDir,
      from,
      to: now,
      instance: values.instance,
      log,
    });
    const { exporter, blocks, rules } = run.seconds;
    log(
      `done: ${run.samples} exporter samples; exporter ${exporter.toFixed(0)} s, blocks ${blocks.toFixed(0)} s, rules ${rules.toFixed(0)} s`,
    );
    return 0;
  } catch (error) {
    const failed = error as Error & { stderr?: string };
    log(`failed: ${failed.message}${failed.stderr ? `\n${failed.stderr.slice(-4000)}` : ''}`);
    // The folder held no data before: empty it again, so that the next start tries once more
    // instead of taking a partial history for a complete one.
    for (const entry of fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : [])
      fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
    log(`removed the partial history from ${dataDir}; the next start backfills again`);
    return 1;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
