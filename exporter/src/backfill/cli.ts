import fs from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pino from 'pino';
import { ConfigError, loadConfigFile } from '../config';
import { createPool } from '../sources';
import { CollectionFailed, writeHistory } from './history';
import { backfillInstants, parseDuration, parseInstant } from './instants';

export const HELP = `Usage: tsx exporter/src/backfill/cli.ts --out=FILE [options]

Computes the exporter's metrics at past instants from the application database's own history
(bandwidth by day, e-mail timestamps, created and deleted dates of servers, sites, tenants and
subscriptions) and writes them as OpenMetrics with timestamps, for
  promtool tsdb create-blocks-from openmetrics FILE DATA_DIR
Each instant is one cold collection at that clock: the same queries and cost model the exporter
runs live, so a backfilled value equals what the exporter would have shown then. What the schema
cannot tell (site storage and server status have no history; the database size is today's) is
described in docs/backfill.md.

Options:
  --out=FILE            where to write the OpenMetrics text ("-": standard output); required
  --database-url=URL    mysql://user:password@host:3306/database (default $CHOM_DATABASE_URL);
                        a user with SELECT is enough
  --config=FILE         the exporter's YAML config (default $CHOM_CONFIG; defaults without one)
  --from=WHEN           first instant: ISO 8601 time or a duration before --to (default 35d)
  --to=WHEN             last instant: ISO 8601 time or "now" (default now)
  --step=DURATION       resolution of the fleet series (default 5m: at most Prometheus' 5-minute
                        lookback, so every query over the history finds a sample)
  --detail-step=DURATION
                        resolution of the per-tenant, per-server and per-opportunity series
                        (default 1h; a multiple of --step)
  --job=NAME            the job label Prometheus gives the exporter's series (default chom-exporter)
  --instance=HOST:PORT  the instance label: the exporter's scrape target (default 127.0.0.1:9864);
                        must match the live series, or queries see two series at the seam
  --no-progress         no progress bar (it is shown only when stderr is a terminal anyway)
  --help                this text

Exit codes: 0 done, 2 invalid arguments or configuration, 1 database error or failed collection.
Logs are JSON lines (pino) on stderr; the last one sums up instants, samples, bytes and seconds.
`;

export class UsageError extends Error {}

export interface BackfillArguments {
  out: string;
  databaseUrl: string;
  configPath?: string;
  from: Date;
  to: Date;
  stepMs: number;
  detailStepMs: number;
  job: string;
  instance: string;
  progress: boolean;
}

/** Parses and checks the command line; throws UsageError naming the option at fault. */
export function parseBackfillArguments(
  argv: string[],
  env: NodeJS.ProcessEnv,
  now = new Date(),
): BackfillArguments | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        'database-url': { type: 'string' },
        config: { type: 'string' },
        from: { type: 'string', default: '35d' },
        to: { type: 'string', default: 'now' },
        step: { type: 'string', default: '5m' },
        'detail-step': { type: 'string', default: '1h' },
        job: { type: 'string', default: 'chom-exporter' },
        instance: { type: 'string', default: '127.0.0.1:9864' },
        'no-progress': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (!values.out) throw new UsageError('--out is required: a file, or "-" for standard output');
  const databaseUrl = values['database-url'] ?? env.CHOM_DATABASE_URL;
  if (!databaseUrl) throw new UsageError('--database-url (or $CHOM_DATABASE_URL) is required');
  const to = parseInstant(values.to, now);
  if (!to) throw new UsageError(`--to: expected an ISO 8601 time or "now", got "${values.to}"`);
  if (to.getTime() > now.getTime() + 60_000) throw new UsageError(`--to: ${values.to} is in the future`);
  const from = parseInstant(values.from, to);
  if (!from)
    throw new UsageError(`--from: expected an ISO 8601 time or a duration such as 35d, got "${values.from}"`);
  if (from >= to)
    throw new UsageError(`--from: ${from.toISOString()} is not before --to (${to.toISOString()})`);
  const stepMs = parseDuration(values.step);
  if (!stepMs || stepMs < 1000)
    throw new UsageError(`--step: expected a duration of 1s or more such as 5m, got "${values.step}"`);
  const detailStepMs = parseDuration(values['detail-step']);
  if (!detailStepMs || detailStepMs % stepMs !== 0)
    throw new UsageError(
      `--detail-step: expected a duration that is a multiple of --step, got "${values['detail-step']}"`,
    );
  if (!/^[a-zA-Z_][a-zA-Z0-9_-]*$/.test(values.job))
    throw new UsageError(`--job: not a usable label value: "${values.job}"`);
  if (!/^[^\s"\\]+$/.test(values.instance))
    throw new UsageError(`--instance: expected HOST:PORT, got "${values.instance}"`);
  return {
    out: values.out,
    databaseUrl,
    configPath: values.config ?? env.CHOM_CONFIG,
    from,
    to,
    stepMs,
    detailStepMs,
    job: values.job,
    instance: values.instance,
    progress: !values['no-progress'],
  };
}

/** Runs the command; returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let args: BackfillArguments | 'help';
  try {
    args = parseBackfillArguments(argv, env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`backfill: ${error.message} (see --help)\n`);
      return 2;
    }
    throw error;
  }
  if (args === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  let config;
  try {
    config = loadConfigFile(args.configPath);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`invalid configuration:\n${error.problems.map((p) => `  ${p}`).join('\n')}\n`);
      return 2;
    }
    throw error;
  }
  const logger = pino({ base: { service: 'chom-finops-backfill' } }, pino.destination(2));
  const instants = backfillInstants(args.from, args.to, args.stepMs, args.detailStepMs);
  const pool = createPool(args.databaseUrl);
  const output = args.out === '-' ? process.stdout : fs.createWriteStream(args.out);
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => {
      output.write(text, (error) => (error ? reject(error) : resolve()));
    });
  const bar =
    args.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          {
            format: 'backfill [{bar}] {percentage}% {value}/{total} instants, eta {eta_formatted}',
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  logger.info(
    {
      from: args.from.toISOString(),
      to: args.to.toISOString(),
      instants: instants.length,
      step: args.stepMs / 1000,
      detailStep: args.detailStepMs / 1000,
    },
    'backfill started',
  );
  bar?.start(instants.length, 0);
  try {
    const summary = await writeHistory(pool, config, {
      instants,
      targetLabels: { job: args.job, instance: args.instance },
      write,
      onProgress: (done) => bar?.update(done),
    });
    await write('# EOF\n');
    bar?.stop();
    if (output !== process.stdout)
      await new Promise<void>((resolve) => (output as fs.WriteStream).end(resolve));
    logger.info({ ...summary, out: args.out }, 'backfill written');
    return 0;
  } catch (error) {
    bar?.stop();
    logger.error(
      { err: (error as Error).message, at: error instanceof CollectionFailed ? error.at : undefined },
      'backfill failed',
    );
    if (output !== process.stdout) (output as fs.WriteStream).destroy();
    return 1;
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
