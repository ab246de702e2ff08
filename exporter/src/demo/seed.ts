import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pino from 'pino';
import { buildDataset } from './dataset';
import { assertSeedable, databaseNameOf, demoTablesFilled, openPool, redact, SeedRefusal } from './database';
import { loadDataset, type TableProgress } from './load';
import { SCALES, SCALE_NAMES, isScaleName, type ScaleName } from './scales';

const HELP = `Usage: tsx exporter/src/demo/seed.ts --database-url=URL [options]

Creates the CHOM reference schema (teams, subscriptions, vps_servers, sites, site_bandwidth_daily,
email_logs) in the database the URL names and fills it with deterministic demo data. The six tables
are dropped and created again; nothing else is touched.

Options:
  --database-url=URL   required; mysql://user:password@host:3306/database. The database must exist
                       and is the only one written to. A URL without a database name is refused.
  --scale=NAME         ${SCALE_NAMES.join(' | ')} (default small):
${SCALE_NAMES.map((name) => {
  const s = SCALES[name];
  return `                         ${name.padEnd(7)} ${s.tenants} tenants, ${s.sites} sites, ${s.servers} servers, ${s.bandwidthRows} bandwidth rows, ${s.emailRows} e-mails`;
}).join('\n')}
  --seed=N             integer 0…4294967295 (default 1); the same seed and --now give the same rows
  --now=ISO            the moment the data is laid out around (default: the current time),
                       e.g. 2026-11-22T12:00:00Z
  --force              seed even if the database holds tables other than the six above
  --if-empty           do nothing when the demo tables already hold data (every table has rows),
                       so a container restart keeps the data and the history backfilled from it
  --no-progress        no progress bar (it is shown only when stderr is a terminal anyway)
  --help               this text

Exit codes: 0 done, 2 invalid arguments, 3 refused (see the message), 1 database error.
Logs are JSON lines (pino) on stdout; the progress bar goes to stderr.
`;

export interface SeedArguments {
  databaseUrl: string;
  scale: ScaleName;
  seed: number;
  now: Date;
  force: boolean;
  ifEmpty: boolean;
  progress: boolean;
}

export class UsageError extends Error {}

/** Parses and validates the command line; throws UsageError naming the option at fault. */
export function parseSeedArguments(argv: string[], currentTime = new Date()): SeedArguments | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'database-url': { type: 'string' },
        scale: { type: 'string', default: 'small' },
        seed: { type: 'string', default: '1' },
        now: { type: 'string' },
        force: { type: 'boolean', default: false },
        'if-empty': { type: 'boolean', default: false },
        'no-progress': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const databaseUrl = values['database-url'];
  if (databaseUrl === undefined || databaseUrl.trim() === '') {
    throw new UsageError(
      '--database-url is required: the seeder only writes to a database named explicitly (mysql://user@host:3306/database)',
    );
  }
  const scale = values.scale;
  if (!isScaleName(scale))
    throw new UsageError(`--scale: expected one of ${SCALE_NAMES.join(', ')}, got "${scale}"`);
  if (!/^\d+$/.test(values.seed) || Number(values.seed) > 0xffffffff) {
    throw new UsageError(`--seed: expected an integer from 0 to 4294967295, got "${values.seed}"`);
  }
  let now = currentTime;
  if (values.now !== undefined) {
    now = new Date(values.now);
    if (!/^\d{4}-\d{2}-\d{2}/.test(values.now) || Number.isNaN(now.getTime())) {
      throw new UsageError(
        `--now: expected an ISO 8601 date-time such as 2026-11-22T12:00:00Z, got "${values.now}"`,
      );
    }
  }
  return {
    databaseUrl,
    scale,
    seed: Number(values.seed),
    now,
    force: values.force,
    ifEmpty: values['if-empty'],
    progress: !values['no-progress'],
  };
}

function progressBars(): TableProgress & { stop(): void } {
  const bars = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: ' {table} |{bar}| {percentage}% {value}/{total} rows {duration_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const byTable = new Map<string, cliProgress.SingleBar>();
  return {
    start(table, total) {
      byTable.set(table, bars.create(total, 0, { table: table.padEnd(20) }));
    },
    update(table, written) {
      byTable.get(table)?.update(written);
    },
    finish(table, written) {
      const bar = byTable.get(table);
      bar?.setTotal(written);
      bar?.update(written);
    },
    stop: () => bars.stop(),
  };
}

export async function main(argv: string[]): Promise<number> {
  const log = pino({ name: 'chom-demo-seed', base: undefined });
  let args: SeedArguments | 'help';
  try {
    args = parseSeedArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`seed: ${error.message}\nRun with --help for usage.\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(HELP);
    return 0;
  }

  let database: string;
  try {
    database = databaseNameOf(args.databaseUrl);
  } catch (error) {
    if (!(error instanceof SeedRefusal)) throw error;
    process.stderr.write(`seed: ${error.message}\n`);
    return error.message.startsWith('--database-url names no database') ? 3 : 2;
  }
  const pool = openPool(args.databaseUrl, 4);
  const bars = args.progress && process.stderr.isTTY ? progressBars() : undefined;
  try {
    if (args.ifEmpty && (await demoTablesFilled(pool))) {
      log.info(
        { database, url: redact(args.databaseUrl) },
        'demo tables already hold data: nothing to do (--if-empty)',
      );
      return 0;
    }
    await assertSeedable(pool, args.force);
    const started = performance.now();
    log.info(
      {
        database,
        url: redact(args.databaseUrl),
        scale: args.scale,
        seed: args.seed,
        now: args.now.toISOString(),
      },
      'seeding the demo database',
    );
    const dataset = buildDataset({ scale: args.scale, seed: args.seed, now: args.now });
    const generatedSeconds = (performance.now() - started) / 1000;
    const result = await loadDataset(pool, dataset, bars);
    bars?.stop();
    log.info(
      {
        database,
        scale: args.scale,
        seed: args.seed,
        rows: result.rows,
        tableSeconds: result.seconds,
        generateSeconds: Math.round(generatedSeconds * 100) / 100,
        seconds: Math.round((performance.now() - started) / 10) / 100,
      },
      'demo database seeded',
    );
    return 0;
  } catch (error) {
    bars?.stop();
    if (error instanceof SeedRefusal) {
      process.stderr.write(`seed: ${error.message}\n`);
      log.error({ database }, error.message);
      return 3;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`seed: seeding ${database} failed: ${message}\n`);
    log.error({ database, err: error }, 'seeding failed');
    return 1;
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(
        `seed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
