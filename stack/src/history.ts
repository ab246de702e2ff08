import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './layout';

const execFileAsync = promisify(execFile);
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');

export interface HistoryRun {
  from: Date;
  to: Date;
  samples: number;
  bytes: number;
  seconds: { exporter: number; blocks: number; rules: number };
}

/**
 * History for a Prometheus TSDB folder that no server runs on yet: the exporter's metrics computed at
 * past instants from the database (exporter/src/backfill), turned into blocks by promtool, then the
 * recording rules over them level by level (alerting/src/backfill). The same commands a real install
 * runs once (docs/backfill.md).
 */
export async function backfillHistory(options: {
  databaseUrl: string;
  exporterConfig: string;
  dataDir: string;
  workDir: string;
  from: Date;
  to: Date;
  instance: string;
  step?: string;
  detailStep?: string;
  log: (line: string) => void;
}): Promise<HistoryRun> {
  fs.mkdirSync(options.workDir, { recursive: true });
  fs.mkdirSync(options.dataDir, { recursive: true });
  const input = path.join(options.workDir, 'exporter-history.om');
  const step = options.step ?? '5m';
  const detailStep = options.detailStep ?? '1h';
  const seconds = { exporter: 0, blocks: 0, rules: 0 };
  let started = performance.now();
  const exporter = await execFileAsync(
    tsx,
    [
      path.join(repoRoot, 'exporter/src/backfill/cli.ts'),
      `--out=${input}`,
      `--database-url=${options.databaseUrl}`,
      `--config=${options.exporterConfig}`,
      `--from=${options.from.toISOString()}`,
      `--to=${options.to.toISOString()}`,
      `--step=${step}`,
      `--detail-step=${detailStep}`,
      `--instance=${options.instance}`,
      '--no-progress',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  seconds.exporter = (performance.now() - started) / 1000;
  const summary = exporter.stderr
    .trim()
    .split('\n')
    .map((line) => {
      try {
        return JSON.parse(line) as { msg?: string; samples?: number; bytes?: number; instants?: number };
      } catch {
        return {};
      }
    })
    .find((entry) => entry.msg === 'backfill written') ?? { samples: 0, bytes: 0, instants: 0 };
  options.log(
    `exporter history: ${summary.instants} instants, ${summary.samples} samples in ${seconds.exporter.toFixed(1)} s`,
  );
  started = performance.now();
  const hours = Math.ceil((options.to.getTime() - options.from.getTime()) / 3_600_000) + 2;
  await execFileAsync(
    'promtool',
    [
      'tsdb',
      'create-blocks-from',
      'openmetrics',
      `--max-block-duration=${Math.max(2, hours)}h`,
      input,
      options.dataDir,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  fs.rmSync(input);
  seconds.blocks = (performance.now() - started) / 1000;
  started = performance.now();
  await execFileAsync(
    tsx,
    [
      path.join(repoRoot, 'alerting/src/backfill/cli.ts'),
      `--data-dir=${options.dataDir}`,
      '--start-prometheus',
      `--from=${options.from.toISOString()}`,
      `--to=${options.to.toISOString()}`,
      `--step=${step}`,
      `--detail-step=${detailStep}`,
      `--work-dir=${path.join(options.workDir, 'rules')}`,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  fs.rmSync(path.join(options.workDir, 'rules'), { recursive: true, force: true });
  seconds.rules = (performance.now() - started) / 1000;
  options.log(`recording rules backfilled in ${seconds.rules.toFixed(1)} s`);
  return {
    from: options.from,
    to: options.to,
    samples: summary.samples ?? 0,
    bytes: summary.bytes ?? 0,
    seconds,
  };
}
