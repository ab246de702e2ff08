import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './ports';
import { startProcess, waitForHttp, type RunningProcess } from './process';
import { tempDir } from './paths';

export interface RunningAlertmanager {
  readonly url: string;
  readonly process: RunningProcess;
  /** GET /api/v2/alerts (optionally with `filter` matchers like 'alertname="X"'). */
  alerts(
    filter?: string[],
  ): Promise<Array<{ labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }>>;
  stop(): Promise<void>;
}

/**
 * Starts the Debian `prometheus-alertmanager` binary with the given configuration on a free port,
 * clustering off. Extra files (templates, secrets) are written beside the config first: their keys
 * are file names, so the config can refer to them by relative path.
 */
export async function startAlertmanager(
  configYaml: string,
  extraFiles: Record<string, string> = {},
): Promise<RunningAlertmanager> {
  const work = tempDir('alertmanager');
  for (const [name, content] of Object.entries(extraFiles)) {
    const file = path.join(work.dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  const configFile = path.join(work.dir, 'alertmanager.yml');
  fs.writeFileSync(configFile, configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess(
    'prometheus-alertmanager',
    [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(work.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { cwd: work.dir },
  );
  await waitForHttp(`${url}/-/ready`, proc, 30_000);
  return {
    url,
    process: proc,
    async alerts(filter = []) {
      const params = new URLSearchParams();
      for (const f of filter) params.append('filter', f);
      const response = await fetch(`${url}/api/v2/alerts?${params}`);
      if (!response.ok) throw new Error(`Alertmanager alerts: HTTP ${response.status}`);
      return (await response.json()) as Awaited<ReturnType<RunningAlertmanager['alerts']>>;
    },
    async stop() {
      await proc.stop();
      work.remove();
    },
  };
}
