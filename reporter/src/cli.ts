#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import cliProgress from 'cli-progress';
import pino from 'pino';
import { DefinitionsError, findReport, loadDefinitions, type LoadedDefinitions } from './config/load';
import { emailAddress, type ReportDefinition } from './config/schema';
import { composeMessage } from './delivery/message';
import { retryPolicyOf, sendWithRetry } from './delivery/send';
import { openSendRecordStore } from './delivery/send-record';
import { createTransport } from './delivery/transport';
import { produceReport } from './produce';
import { parsePeriodKey, periodForRun, type Period } from './schedule/period';
import { checkPattern, nextRuns, scheduleOf } from './schedule/runs';
import { ReporterMetrics, startMetricsServer } from './service/metrics';
import { ReportScheduler } from './service/scheduler';

const COMMON = `  --config=FILE     the report definitions (YAML); default $CHOM_REPORTER_CONFIG or reports.yml
  --help            this text`;

const HELP: Record<string, string> = {
  main: `Usage: chom-finops-reporter <command> [options]

Scheduled PDF and CSV cost reports from Prometheus, delivered over SMTP.

Commands:
  render      render a report for a period to files
  preview     render a report and send it now (marked [Preview], not recorded as sent)
  validate    check the definitions file and print each report's schedule
  next-runs   list the next run times of the reports
  serve       run the reports on their schedules (the long-running service)

Run "chom-finops-reporter <command> --help" for the options of a command.
Exit codes: 0 done, 1 failed (Prometheus, SMTP), 2 invalid arguments or definitions.`,
  render: `Usage: chom-finops-reporter render --report=NAME [options]

Queries Prometheus for the period and writes <report>-<period>.pdf and/or .csv.

Options:
  --report=NAME     the report to render (its name in the definitions)
  --period=KEY      the period: YYYY-MM (previous_month), YYYY-MM-DD (month_to_date, as of that day),
                    YYYY-Www (previous_week); default: the period a run now would report on
  --now=ISO         the report clock (default: the current time); the same period, data and clock
                    give the same bytes
  --out=DIR         the folder to write to (default: the current folder)
  --no-progress     no progress bar (it is shown only when stderr is a terminal anyway)
${COMMON}`,
  preview: `Usage: chom-finops-reporter preview --report=NAME [options]

Renders a report and sends it right away, with "[Preview]" in the subject. The send record is not
touched, so the scheduled delivery still happens.

Options:
  --report=NAME     the report to send
  --to=ADDRESSES    comma-separated recipients instead of the report's own
  --period=KEY      as for render; default: the period a run now would report on
  --now=ISO         the report clock (default: the current time)
${COMMON}`,
  validate: `Usage: chom-finops-reporter validate [options]

Checks the definitions file: every field, the cron expressions, and the files it names. Prints each
report with its next run. Exits 2 with one line per problem, each naming the field.

Options:
${COMMON}`,
  'next-runs': `Usage: chom-finops-reporter next-runs [options]

Lists the next run times of each report (or one), with the period each run reports on.

Options:
  --report=NAME     only this report
  --count=N         runs per report (default 5, at most 100)
  --after=ISO       list runs after this instant (default: now)
${COMMON}`,
  serve: `Usage: chom-finops-reporter serve [options]

Runs every report on its schedule until SIGTERM or SIGINT. A run missed while the service was down
(within the last 2 days) is delivered at start-up; the send record (Redis or a file, see
settings.state) makes sure that no report goes out twice for the same period. Logs are JSON lines on stdout.

Options:
  --listen=HOST:PORT  where /metrics and /healthz are served (default 0.0.0.0:9865, or
                      $CHOM_REPORTER_LISTEN); "off" serves nothing
  --log-level=LEVEL   debug | info | warn | error (default info, or $LOG_LEVEL)
${COMMON}`,
};

export class UsageError extends Error {}

const commonOptions = {
  config: { type: 'string' },
  help: { type: 'boolean', default: false },
} satisfies ParseArgsConfig['options'];

const commandOptions: Record<string, ParseArgsConfig['options']> = {
  render: {
    ...commonOptions,
    report: { type: 'string' },
    period: { type: 'string' },
    now: { type: 'string' },
    out: { type: 'string', default: '.' },
    'no-progress': { type: 'boolean', default: false },
  },
  preview: {
    ...commonOptions,
    report: { type: 'string' },
    to: { type: 'string' },
    period: { type: 'string' },
    now: { type: 'string' },
  },
  validate: { ...commonOptions },
  'next-runs': {
    ...commonOptions,
    report: { type: 'string' },
    count: { type: 'string' },
    after: { type: 'string' },
  },
  serve: { ...commonOptions, 'log-level': { type: 'string' }, listen: { type: 'string' } },
};

type Values = Record<string, string | boolean | undefined>;

function parseInstant(value: string | undefined, option: string, fallback: Date): Date {
  if (value === undefined) return fallback;
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime()))
    throw new UsageError(
      `--${option}: expected an ISO 8601 instant such as 2026-11-01T08:00:00Z, got "${value}"`,
    );
  return date;
}

function required(values: Values, option: string): string {
  const value = values[option];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${option} is required`);
  return value;
}

function configFile(values: Values): string {
  return (values.config as string | undefined) ?? process.env.CHOM_REPORTER_CONFIG ?? 'reports.yml';
}

function periodOf(report: ReportDefinition, definitions: LoadedDefinitions, key: unknown, now: Date): Period {
  if (typeof key === 'string') {
    try {
      return parsePeriodKey(report.period, key);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return periodForRun(report.period, now, scheduleOf(report, definitions.settings.time_zone).timeZone);
}

function progressReporter(enabled: boolean): {
  update: (done: number, total: number) => void;
  stop: () => void;
} {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { format: 'querying Prometheus [{bar}] {value}/{total} queries', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

type Output = (line: string) => void;

/** The definitions, report, clock and period that --config, --report, --now and --period name. */
function selectRun(values: Values) {
  const definitions = loadDefinitions(configFile(values));
  const report = findReport(definitions, required(values, 'report'));
  const now = parseInstant(values.now as string | undefined, 'now', new Date());
  return { definitions, report, now, period: periodOf(report, definitions, values.period, now) };
}

async function render(values: Values, out: Output): Promise<void> {
  const { definitions, report, now, period } = selectRun(values);
  const progress = progressReporter(!values['no-progress'] && process.stderr.isTTY === true);
  const started = Date.now();
  const produced = await produceReport(definitions, report, period, {
    now,
    onProgress: progress.update,
  }).finally(progress.stop);
  const dir = path.resolve(values.out as string);
  fs.mkdirSync(dir, { recursive: true });
  for (const file of produced.files) {
    const target = path.join(dir, file.filename);
    fs.writeFileSync(target, file.content);
    out(`${target} (${file.content.length} bytes)`);
  }
  out(`${report.name} ${period.key} (${period.label}) rendered in ${Date.now() - started} ms`);
  for (const warning of produced.model.warnings) out(`warning: ${warning}`);
}

async function preview(values: Values, out: Output): Promise<void> {
  const { definitions, report, now, period } = selectRun(values);
  const to =
    typeof values.to === 'string'
      ? values.to
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean)
      : undefined;
  if (to !== undefined && (to.length === 0 || to.some((a) => !emailAddress.safeParse(a).success)))
    throw new UsageError(`--to: expected comma-separated e-mail addresses, got "${String(values.to)}"`);
  const produced = await produceReport(definitions, report, period, { now });
  const message = composeMessage(report, produced.model, produced.files, {
    from: definitions.settings.smtp.from,
    preview: true,
    ...(to ? { to } : {}),
  });
  const outcome = await sendWithRetry(
    createTransport(definitions),
    message,
    retryPolicyOf(definitions.settings.smtp),
    (error, attempt, delayMs) =>
      out(`attempt ${attempt} failed (${error.message}); retrying in ${delayMs} ms`),
  );
  out(
    `preview of ${report.name} ${period.key} sent to ${(to ?? report.recipients).join(', ')} (message ${outcome.messageId}, ${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'})`,
  );
}

function validate(values: Values, out: Output): void {
  const definitions = loadDefinitions(configFile(values));
  const problems: string[] = [];
  definitions.reports.forEach((report, index) => {
    try {
      checkPattern(scheduleOf(report, definitions.settings.time_zone));
    } catch (error) {
      problems.push(`reports[${index}].${(error as Error).message}`);
    }
  });
  if (problems.length > 0) throw new DefinitionsError(definitions.file, problems);
  out(`${definitions.file}: ${definitions.reports.length} report(s), valid`);
  for (const report of definitions.reports) {
    const spec = scheduleOf(report, definitions.settings.time_zone);
    const [next] = nextRuns(spec, 1, new Date());
    out(
      `  ${report.name}: ${report.period}, "${report.schedule.cron}" ${spec.timeZone}` +
        `${spec.workdaysOnly ? ', workdays only' : ''}${spec.lastDayOfMonth ? ', last day of month' : ''}` +
        ` → next run ${next ? next.toISOString() : 'never'}; to ${report.recipients.join(', ')}`,
    );
  }
}

function listNextRuns(values: Values, out: Output): void {
  const definitions = loadDefinitions(configFile(values));
  const reports =
    typeof values.report === 'string' ? [findReport(definitions, values.report)] : definitions.reports;
  const countText = (values.count as string | undefined) ?? '5';
  const count = Number(countText);
  if (!/^\d+$/.test(countText) || count < 1 || count > 100)
    throw new UsageError(`--count: expected an integer from 1 to 100, got "${countText}"`);
  const after = parseInstant(values.after as string | undefined, 'after', new Date());
  for (const report of reports) {
    const spec = scheduleOf(report, definitions.settings.time_zone);
    out(`${report.name} (${spec.timeZone}):`);
    for (const run of nextRuns(spec, count, after)) {
      const local = new Intl.DateTimeFormat('sv-SE', {
        timeZone: spec.timeZone,
        dateStyle: 'short',
        timeStyle: 'short',
      }).format(run);
      const period = periodForRun(report.period, run, spec.timeZone);
      out(`  ${run.toISOString()}  ${local} local  ${period.key}: ${period.label}`);
    }
  }
}

/** "HOST:PORT", ":PORT" or "off". */
export function parseListen(value: string | undefined): { host: string; port: number } | null {
  const text = value ?? '0.0.0.0:9865';
  if (text === 'off') return null;
  const m = /^(.*):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535)
    throw new UsageError(`--listen: expected HOST:PORT (e.g. 0.0.0.0:9865), :PORT or off, got "${text}"`);
  return { host: m[1] || '0.0.0.0', port };
}

async function serve(values: Values): Promise<void> {
  const definitions = loadDefinitions(configFile(values));
  const level = (values['log-level'] as string | undefined) ?? process.env.LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level))
    throw new UsageError(`--log-level: expected debug, info, warn or error, got "${level}"`);
  const listen = parseListen((values.listen as string | undefined) ?? process.env.CHOM_REPORTER_LISTEN);
  const logger = pino({ level, base: { service: 'chom-finops-reporter' } });
  const records = openSendRecordStore(definitions.settings.state, definitions.baseDir);
  const metrics = new ReporterMetrics(definitions.reports.map((r) => r.name));
  const server = listen ? await startMetricsServer(metrics, listen.host, listen.port) : null;
  const scheduler = new ReportScheduler(
    { definitions, transport: createTransport(definitions), records, logger },
    { metrics },
  );
  logger.info(
    {
      reports: definitions.reports.map((r) => r.name),
      sendRecord: records.location,
      metrics: listen ? `http://${listen.host}:${listen.port}/metrics` : null,
    },
    'reporter started',
  );
  scheduler.start();
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'stopping; waiting for deliveries under way');
      void scheduler
        .stop()
        .then(() => records.close())
        .then(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())))
        .then(() => logger.info('stopped'))
        .then(resolve);
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

/** Runs the CLI; returns the exit code. */
export async function main(
  argv: string[],
  out: Output = (line) => process.stdout.write(`${line}\n`),
  err: Output = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out(HELP.main!);
    return command === undefined ? 2 : 0;
  }
  const options = commandOptions[command];
  if (!options) {
    err(
      `unknown command "${command}"; expected one of ${Object.keys(commandOptions).join(', ')} (see --help)`,
    );
    return 2;
  }
  try {
    let values: Values;
    try {
      ({ values } = parseArgs({ args: rest, options, strict: true, allowPositionals: false }) as {
        values: Values;
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (values.help) {
      out(HELP[command]!);
      return 0;
    }
    switch (command) {
      case 'render':
        await render(values, out);
        break;
      case 'preview':
        await preview(values, out);
        break;
      case 'validate':
        validate(values, out);
        break;
      case 'next-runs':
        listNextRuns(values, out);
        break;
      case 'serve':
        await serve(values);
        break;
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`${command}: ${error.message} (see ${command} --help)`);
      return 2;
    }
    if (error instanceof DefinitionsError) {
      err(error.message);
      return 2;
    }
    err(`${command} failed: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  // Output piped into `head` and the like: a closed pipe ends the command quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
