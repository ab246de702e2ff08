import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startQueryOnlyPrometheus } from '@chom/alerting/src/backfill/prometheus';
import { backfillHistory } from './history';
import { runMain } from './run-main';

export const HELP = `Usage: tsx stack/src/compose-history.ts --data-dir=DIR --config=FILE [options]

The \`history\` one-shot service of docker-compose.yml: backfills the exporter's metrics and the
recording rules into a Prometheus TSDB folder before Prometheus starts on it (docs/backfill.md).
  - an empty folder gets --history (35 days), so the forecast, anomaly and trend panels and the
    first report have weeks behind them at once;
  - a folder that already holds data gets the gap since its newest sample (the time the stack was
    stopped), as npm start does; a gap under 10 minutes is left alone.

Options:
  --database-url=URL   the application database, read-only is enough ($CHOM_DATABASE_URL)
  --data-dir=DIR       Prometheus' --storage.tsdb.path (Prometheus must not be running on it)
  --config=FILE        the exporter's configuration (prices, budgets, allocation)
  --history=DURATION   how far back on an empty folder, in days (default 35d)
  --instance=HOST:PORT the exporter's scrape target as Prometheus labels it (default exporter:9864)
  --now=ISO            the end of the backfill (default: the current time)
  --prometheus-url=URL the Prometheus that runs on --data-dir once started (compose:
                       http://prometheus:9090): if it already answers, the folder is in use and
                       nothing is done (a second \`up\` while the stack runs)
  --work-dir=DIR       scratch folder (default: a temporary folder; what it writes there is removed)
  --help               this text

Exit codes: 0 done or nothing to do, 2 invalid arguments, 1 failed.
`;

/** Gaps shorter than this are not backfilled (Prometheus' lookback bridges a few minutes anyway). */
const MIN_GAP_MS = 10 * 60_000;

/** A TSDB folder holds data once it has a block (a folder with meta.json) or write-ahead log segments. */
export function tsdbHasData(dataDir: string): boolean {
  return blockMaxTimes(dataDir).length > 0 || walSegments(dataDir) > 0;
}

function blockMaxTimes(dataDir: string): number[] {
  if (!fs.existsSync(dataDir)) return [];
  return fs.readdirSync(dataDir).flatMap((name) => {
    const meta = path.join(dataDir, name, 'meta.json');
    if (!fs.existsSync(meta)) return [];
    const maxTime = (JSON.parse(fs.readFileSync(meta, 'utf8')) as { maxTime?: number }).maxTime;
    // a block's maxTime is exclusive: its newest sample is 1 ms before
    return typeof maxTime === 'number' ? [maxTime - 1] : [];
  });
}

function walSegments(dataDir: string): number {
  const wal = path.join(dataDir, 'wal');
  return fs.existsSync(wal) ? fs.readdirSync(wal).filter((name) => /^\d+$/.test(name)).length : 0;
}

/**
 * The time (ms) of the newest sample in a TSDB folder: the blocks' end times from their meta.json,
 * and the head's (what the write-ahead log holds, i.e. what Prometheus ingested last) from a
 * query-only Prometheus started on the folder for the question.
 */
export async function newestSampleTime(dataDir: string, workDir: string): Promise<number | undefined> {
  const times = blockMaxTimes(dataDir);
  if (walSegments(dataDir) > 0) {
    const prometheus = await startQueryOnlyPrometheus(dataDir, path.join(workDir, 'newest-sample'));
    try {
      const response = await fetch(`${prometheus.url}/api/v1/status/tsdb`);
      const body = (await response.json()) as { data?: { headStats?: { maxTime?: number } } };
      const headMax = body.data?.headStats?.maxTime;
      // an empty head reports the smallest int64
      if (typeof headMax === 'number' && headMax > 0) times.push(headMax);
    } finally {
      await prometheus.stop();
    }
  }
  return times.length ? Math.max(...times) : undefined;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

export async function main(argv: string[]): Promise<number> {
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
        now: { type: 'string' },
        'prometheus-url': { type: 'string' },
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
  const now = values.now === undefined ? new Date() : new Date(values.now);
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
              : Number.isNaN(now.getTime()) ||
                  (values.now !== undefined && !/^\d{4}-\d{2}-\d{2}/.test(values.now))
                ? `--now: expected an ISO 8601 time such as 2026-11-29T12:00:00Z, got "${values.now}"`
                : undefined;
  if (problem) {
    process.stderr.write(`history: ${problem}\n`);
    return 2;
  }
  const dataDir = path.resolve(values['data-dir'] as string);
  const prometheusUrl = values['prometheus-url'];
  if (prometheusUrl && (await answers(`${prometheusUrl.replace(/\/$/, '')}/-/ready`))) {
    log(`Prometheus (${prometheusUrl}) is running on ${dataDir}: nothing to backfill while it runs`);
    return 0;
  }
  const ownWorkDir = values['work-dir'] === undefined;
  const workDir = values['work-dir'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chom-history-'));
  const hadData = tsdbHasData(dataDir);
  try {
    let from = new Date(now.getTime() - Number(days![1]) * 86_400_000);
    if (hadData) {
      const newest = await newestSampleTime(dataDir, workDir);
      if (newest === undefined || now.getTime() - newest < MIN_GAP_MS) {
        log(
          `${dataDir} is up to date (newest sample ${newest ? new Date(newest).toISOString() : 'none'}): nothing to backfill`,
        );
        return 0;
      }
      // from just after the newest sample, so no instant is written twice
      from = new Date(newest + 1000);
      log(`${dataDir} holds data until ${new Date(newest).toISOString()}: filling the gap`);
    }
    log(`backfilling ${from.toISOString()} … ${now.toISOString()} into ${dataDir}`);
    const run = await backfillHistory({
      databaseUrl: databaseUrl as string,
      exporterConfig: values.config as string,
      dataDir,
      workDir: path.join(workDir, 'backfill'),
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
    if (!hadData) {
      // The folder held no data before: empty it again, so that the next start tries once more
      // instead of taking a partial history for a complete one.
      for (const entry of fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : [])
        fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
      log(`removed the partial history from ${dataDir}; the next start backfills again`);
    }
    return 1;
  } finally {
    fs.rmSync(ownWorkDir ? workDir : path.join(workDir, 'backfill'), { recursive: true, force: true });
    fs.rmSync(path.join(workDir, 'newest-sample'), { recursive: true, force: true });
  }
}

if (require.main === module) runMain(main);
