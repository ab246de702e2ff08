import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './ports';
import { startProcess, waitForHttp, execFileAsync, type ClientTls, type RunningProcess } from './process';
import { httpRequest, type HttpRequestOptions, type HttpResponse } from './http';
import { repoRoot, tempDir } from './paths';

const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');

export interface RunningExporter {
  /** http://127.0.0.1:<port>, or https:// when the web configuration enables TLS */
  readonly url: string;
  /** host:port, for a Prometheus scrape target. */
  readonly target: string;
  readonly process: RunningProcess;
  /** The current /metrics text (with the `scrapeHeaders` given at start). */
  metrics(): Promise<string>;
  /** A request to `path` (sent as is) with the `tls` settings given at start. */
  request(path: string, options?: HttpRequestOptions): Promise<HttpResponse>;
  stop(): Promise<void>;
}

/**
 * Starts the real exporter (exporter/src/main.ts) against `databaseUrl` on a free port and waits for
 * /readyz. `configYaml` is written to a temp file and passed as CHOM_CONFIG, `webConfigYaml` likewise
 * as CHOM_WEB_CONFIG_FILE; with `tls` the URLs are https, trust `tls.ca` and present `tls.cert`.
 */
export async function startExporter(options: {
  databaseUrl: string;
  configYaml?: string;
  webConfigYaml?: string;
  tls?: ClientTls;
  /** headers of metrics(), e.g. the credentials */
  scrapeHeaders?: Record<string, string>;
  /** default 127.0.0.1; `::` listens on IPv6 and IPv4 (the URLs still use 127.0.0.1) */
  listenAddress?: string;
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}): Promise<RunningExporter> {
  const work = tempDir('exporter');
  const env: NodeJS.ProcessEnv = { CHOM_DATABASE_URL: options.databaseUrl, ...options.env };
  if (options.configYaml !== undefined) {
    const configFile = path.join(work.dir, 'chom-finops.yml');
    fs.writeFileSync(configFile, options.configYaml);
    env.CHOM_CONFIG = configFile;
  }
  if (options.webConfigYaml !== undefined) {
    const webConfigFile = path.join(work.dir, 'web.yml');
    fs.writeFileSync(webConfigFile, options.webConfigYaml);
    env.CHOM_WEB_CONFIG_FILE = webConfigFile;
  }
  const port = await freePort();
  env.CHOM_PORT = String(port);
  env.CHOM_LISTEN_ADDRESS = options.listenAddress ?? '127.0.0.1';
  const proc = startProcess(tsx, [path.join(repoRoot, 'exporter', 'src', 'main.ts')], { env });
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, proc, options.readyTimeoutMs ?? 60_000, options.tls);
  const request = (requestPath: string, requestOptions: HttpRequestOptions = {}) =>
    httpRequest(url, { ...options.tls, ...requestOptions, path: requestPath });
  return {
    url,
    target: `127.0.0.1:${port}`,
    process: proc,
    request,
    async metrics() {
      if (options.tls || options.scrapeHeaders) {
        const response = await request('/metrics', { headers: options.scrapeHeaders });
        if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
        return response.body;
      }
      const response = await fetch(`${url}/metrics`);
      return response.text();
    },
    async stop() {
      await proc.stop();
      work.remove();
    },
  };
}

/**
 * Creates the reference schema in the database of `databaseUrl` and fills it with the deterministic
 * demo data set (exporter/src/demo/seed.ts).
 */
export async function seedDemoDatabase(options: {
  databaseUrl: string;
  scale?: 'small' | 'medium' | 'large';
  seed?: number;
  now?: Date;
}): Promise<void> {
  const args = [
    path.join(repoRoot, 'exporter', 'src', 'demo', 'seed.ts'),
    `--database-url=${options.databaseUrl}`,
    `--scale=${options.scale ?? 'small'}`,
    `--seed=${options.seed ?? 1}`,
    '--no-progress',
  ];
  if (options.now) args.push(`--now=${options.now.toISOString()}`);
  await execFileAsync(tsx, args, { maxBuffer: 64 * 1024 * 1024 });
}
