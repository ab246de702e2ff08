import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { durationSeconds, readRuleFile, recordingRulesFile } from '../rule-files';
import { startQueryOnlyPrometheus } from './prometheus';
import { backfillRecordingRules, moveBlocks, waitForSeries } from './rules';

export const HELP = `Usage: tsx alerting/src/backfill/cli.ts --data-dir=DIR --from=ISO --to=ISO [options]

Backfills the recording rules over history already in a Prometheus TSDB folder (for instance the
exporter's metrics written by exporter/src/backfill/cli.ts and promtool). Rules that read other
recorded names are evaluated once those are loaded, level by level. Each rule's expression is
evaluated by Prometheus over the range (at its group's interval, at least --step), converted to
blocks with promtool and moved into --data-dir.

Options:
  --data-dir=DIR          the TSDB folder (Prometheus' --storage.tsdb.path); blocks are moved into it
  --prometheus-url=URL    a running Prometheus on --data-dir: after each level, wait until it has
                          loaded the new blocks (it looks for new blocks about once a minute)
  --start-prometheus      instead, run a query-only Prometheus on --data-dir, restarted after each
                          level (faster; the real server must not be running on that folder)
  --from=ISO, --to=ISO    the range to backfill (the range of the backfilled exporter history)
  --step=DURATION         the exporter history's step (default 5m): no rule is evaluated more often
  --detail-step=DURATION  the step of the per-tenant/per-server series (default 1h): rules that read
                          them are evaluated at this step
  --detail-families=LIST  comma-separated metric names written at the detail step (default: the
                          exporter's per-tenant, per-server and per-opportunity families)
  --rules=FILE            the recording rules (default alerting/rules/recording.yml)
  --work-dir=DIR          scratch folder (default: a temporary folder)
  --help                  this text

Exit codes: 0 done, 2 invalid arguments, 1 failed.
`;

export const DETAIL_FAMILIES = [
  'chom_tenant_cost_monthly',
  'chom_tenant_revenue_monthly',
  'chom_tenant_sites',
  'chom_tenant_servers',
  'chom_tenant_storage_used_bytes',
  'chom_tenant_info',
  'chom_server_storage_used_bytes',
  'chom_server_disk_capacity_bytes',
  'chom_cost_optimization_savings_monthly',
];

class UsageError extends Error {}

function instant(value: string | undefined, option: string): Date {
  const date = value === undefined ? new Date(NaN) : new Date(value);
  if (!value || !/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime()))
    throw new UsageError(
      `--${option}: expected an ISO 8601 time such as 2026-10-01T00:00:00Z, got "${value ?? ''}"`,
    );
  return date;
}

function seconds(value: string, option: string): number {
  try {
    return durationSeconds(value);
  } catch {
    throw new UsageError(`--${option}: expected a duration such as 5m, got "${value}"`);
  }
}

export async function main(
  argv: string[],
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<number> {
  let options;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        'prometheus-url': { type: 'string' },
        'start-prometheus': { type: 'boolean', default: false },
        from: { type: 'string' },
        to: { type: 'string' },
        step: { type: 'string', default: '5m' },
        'detail-step': { type: 'string', default: '1h' },
        'detail-families': { type: 'string' },
        rules: { type: 'string', default: recordingRulesFile },
        'work-dir': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const dataDir = values['data-dir'];
    if (!dataDir || !fs.existsSync(dataDir))
      throw new UsageError(`--data-dir: expected an existing TSDB folder, got "${dataDir ?? ''}"`);
    if (!!values['prometheus-url'] === values['start-prometheus'])
      throw new UsageError(
        'give either --prometheus-url (a running server on --data-dir) or --start-prometheus',
      );
    const from = instant(values.from, 'from');
    const to = instant(values.to, 'to');
    if (from >= to) throw new UsageError('--from must be before --to');
    options = {
      dataDir,
      prometheusUrl: values['prometheus-url'],
      from,
      to,
      step: seconds(values.step, 'step'),
      detailStep: seconds(values['detail-step'], 'detail-step'),
      detailFamilies:
        values['detail-families']
          ?.split(',')
          .map((f) => f.trim())
          .filter(Boolean) ?? DETAIL_FAMILIES,
      rules: values.rules,
      workDir: values['work-dir'],
    };
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`backfill-rules: ${(error as Error).message} (see --help)\n`);
      return 2;
    }
    throw error;
  }
  const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chom-rules-backfill-'));
  let server = options.prometheusUrl ? undefined : await startQueryOnlyPrometheus(options.dataDir, workDir);
  const url = () => options.prometheusUrl ?? (server as { url: string }).url;
  try {
    const summary = await backfillRecordingRules({
      get prometheusUrl() {
        return url();
      },
      rules: readRuleFile(options.rules),
      start: options.from,
      end: options.to,
      stepSeconds: options.step,
      detailStepSeconds: options.detailStep,
      detailFamilies: options.detailFamilies,
      workDir,
      onProgress: log,
      load: async (blocks, probe) => {
        if (server) await server.stop();
        moveBlocks(blocks, options.dataDir);
        if (server) server = await startQueryOnlyPrometheus(options.dataDir, workDir);
        await waitForSeries(url(), probe, options.prometheusUrl ? 180_000 : 30_000);
      },
    });
    log(
      `recording rules backfilled: ${summary.rules} rules in ${summary.levels} levels, ${summary.samples} samples, ${summary.seconds.toFixed(1)} s`,
    );
    return 0;
  } catch (error) {
    log(`backfill-rules failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await server?.stop();
    if (!options.workDir) fs.rmSync(workDir, { recursive: true, force: true });
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
