import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { freePort } from './ports';
import { startProcess, waitForHttp, execFileAsync, type RunningProcess } from './process';
import { tempDir } from './paths';

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}
export interface PromSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface StartPrometheusOptions {
  /** Scrape targets, by job name: ['127.0.0.1:9100', …]. */
  scrapeTargets?: Record<string, string[]>;
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** Rule files (absolute paths), loaded as they are. */
  ruleFiles?: string[];
  /** Alertmanager URLs (http://host:port) to send alerts to. */
  alertmanagers?: string[];
  /** Use an existing TSDB folder, for example one filled by promtool backfill. */
  dataDir?: string;
  retention?: string;
  /** How far back an instant selector looks for a sample (--query.lookback-delta; Prometheus: 5m). */
  lookbackDelta?: string;
  /** A whole prometheus.yml instead of the generated one; scrapeTargets etc. are then ignored. */
  configYaml?: string;
}

export interface RunningPrometheus {
  readonly url: string;
  readonly dataDir: string;
  readonly process: RunningProcess;
  /** Instant query; `time` in seconds (defaults to now). Throws on an API error. */
  query(expr: string, time?: number): Promise<PromSample[]>;
  queryRange(expr: string, start: number, end: number, step: number): Promise<PromSeries[]>;
  /** GET /api/v1/<path> with query parameters, returning `data`. */
  api<T = unknown>(apiPath: string, params?: Record<string, string>): Promise<T>;
  stop(): Promise<void>;
}

export function prometheusConfig(options: StartPrometheusOptions): string {
  if (options.configYaml) return options.configYaml;
  const config: Record<string, unknown> = {
    global: {
      scrape_interval: options.scrapeInterval ?? '1s',
      evaluation_interval: options.evaluationInterval ?? '1s',
    },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: Object.entries(options.scrapeTargets ?? {}).map(([job, targets]) => ({
      job_name: job,
      static_configs: [{ targets }],
    })),
  };
  if (options.alertmanagers?.length) {
    config.alerting = {
      alertmanagers: [{ static_configs: [{ targets: options.alertmanagers.map((u) => new URL(u).host) }] }],
    };
  }
  return YAML.stringify(config);
}

/** Starts the Debian `prometheus` binary on a free port with its own TSDB folder; waits for /-/ready. */
export async function startPrometheus(options: StartPrometheusOptions = {}): Promise<RunningPrometheus> {
  const work = tempDir('prometheus');
  const dataDir = options.dataDir ?? path.join(work.dir, 'data');
  const configFile = path.join(work.dir, 'prometheus.yml');
  fs.writeFileSync(configFile, prometheusConfig(options));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess('prometheus', [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    `--storage.tsdb.retention.time=${options.retention ?? '400d'}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle',
    '--web.enable-admin-api',
    ...(options.lookbackDelta ? [`--query.lookback-delta=${options.lookbackDelta}`] : []),
  ]);
  await waitForHttp(`${url}/-/ready`, proc, 60_000);

  const api = async <T>(apiPath: string, params: Record<string, string> = {}): Promise<T> => {
    const response = await fetch(`${url}/api/v1/${apiPath}?${new URLSearchParams(params)}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success')
      throw new Error(`Prometheus ${apiPath} ${JSON.stringify(params)}: ${body.error}`);
    return body.data;
  };
  return {
    url,
    dataDir,
    process: proc,
    api,
    async query(expr, time) {
      const params: Record<string, string> = { query: expr };
      if (time !== undefined) params.time = String(time);
      const data = await api<{ resultType: string; result: PromSample[] | [number, string] }>(
        'query',
        params,
      );
      if (data.resultType === 'scalar') {
        return [{ metric: {}, value: data.result as [number, string] }];
      }
      return data.result as PromSample[];
    },
    async queryRange(expr, start, end, step) {
      const data = await api<{ result: PromSeries[] }>('query_range', {
        query: expr,
        start: String(start),
        end: String(end),
        step: String(step),
      });
      return data.result;
    },
    async stop() {
      await proc.stop();
      work.remove();
    },
  };
}

/**
 * Writes OpenMetrics text (it must end with `# EOF`) into TSDB blocks in `dataDir` with
 * `promtool tsdb create-blocks-from openmetrics`. Timestamps in the text are in seconds.
 */
export async function backfillOpenMetrics(openMetrics: string, dataDir: string): Promise<void> {
  const work = tempDir('backfill');
  try {
    const input = path.join(work.dir, 'input.om');
    fs.writeFileSync(
      input,
      openMetrics.endsWith('# EOF\n') ? openMetrics : `${openMetrics.trimEnd()}\n# EOF\n`,
    );
    fs.mkdirSync(dataDir, { recursive: true });
    await execFileAsync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, dataDir], {
      maxBuffer: 64 * 1024 * 1024,
    });
  } finally {
    work.remove();
  }
}

/**
 * Evaluates recording rules over a past range against a running Prometheus and writes the results as
 * blocks into `outputDir` (`promtool tsdb create-blocks-from rules`). Copy the blocks into a TSDB
 * folder and restart Prometheus on it to query them.
 */
export async function backfillRecordingRules(options: {
  prometheusUrl: string;
  ruleFiles: string[];
  start: Date;
  end: Date;
  outputDir: string;
  evalInterval?: string;
}): Promise<void> {
  await execFileAsync(
    'promtool',
    [
      'tsdb',
      'create-blocks-from',
      'rules',
      `--start=${options.start.toISOString()}`,
      `--end=${options.end.toISOString()}`,
      `--url=${options.prometheusUrl}`,
      `--output-dir=${options.outputDir}`,
      `--eval-interval=${options.evalInterval ?? '60s'}`,
      ...options.ruleFiles,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
}
