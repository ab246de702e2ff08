import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import YAML from 'yaml';
import {
  acceleratedRuleFile,
  alertingDir,
  alertRulesFile,
  readRuleFile,
  recordingRulesFile,
  writeRuleFile,
} from './rule-files';

/**
 * Test copies of the production rule files: the same expressions, labels and annotations, every
 * group evaluated every `interval`, every `for:` divided by `forDivisor`. Returns the file paths.
 */
export function writeAcceleratedRules(
  dir: string,
  options: { interval: string; forDivisor: number },
): string[] {
  return [recordingRulesFile, alertRulesFile].map((source) => {
    const target = path.join(dir, path.basename(source));
    writeRuleFile(
      target,
      acceleratedRuleFile(readRuleFile(source), {
        interval: options.interval,
        forSeconds: (s) => s / options.forDivisor,
      }),
    );
    return target;
  });
}

/**
 * prometheus.yml with the exporter job pointed at `exporterTarget` and only that job kept. The job
 * keeps its credential settings with `exporterCredentialsFile` as the file (the exporter must then
 * accept that token); without it they are removed (an exporter without a web config).
 */
export function testPrometheusConfig(options: {
  exporterTarget: string;
  exporterCredentialsFile?: string;
  ruleFiles: string[];
  alertmanagerUrl: string;
  interval: string;
}): string {
  const config = YAML.parse(fs.readFileSync(path.join(alertingDir, 'prometheus.yml'), 'utf8')) as {
    global: Record<string, unknown>;
    rule_files: string[];
    alerting: unknown;
    scrape_configs: Array<{
      job_name: string;
      scrape_interval?: string;
      scrape_timeout?: string;
      static_configs: Array<{ targets: string[] }>;
      authorization?: { type?: string; credentials_file?: string };
    }>;
  };
  config.global.scrape_interval = options.interval;
  config.global.evaluation_interval = options.interval;
  config.rule_files = options.ruleFiles;
  config.alerting = {
    alertmanagers: [{ static_configs: [{ targets: [new URL(options.alertmanagerUrl).host] }] }],
  };
  config.scrape_configs = config.scrape_configs
    .filter((job) => job.job_name === 'chom-exporter')
    .map(({ authorization, ...job }) => ({
      ...job,
      ...(authorization && options.exporterCredentialsFile
        ? { authorization: { ...authorization, credentials_file: options.exporterCredentialsFile } }
        : {}),
      scrape_interval: options.interval,
      scrape_timeout: options.interval,
      static_configs: [{ targets: [options.exporterTarget] }],
    }));
  return YAML.stringify(config);
}

interface Route {
  receiver?: string;
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
}

/**
 * alertmanager.yml with its routing tree and inhibitions unchanged, but every receiver replaced by a
 * webhook to `${webhookBase}/<receiver name>`, and short group timings.
 */
export function testAlertmanagerConfig(webhookBase: string): string {
  const config = YAML.parse(fs.readFileSync(path.join(alertingDir, 'alertmanager.yml'), 'utf8')) as {
    global?: unknown;
    templates?: unknown;
    route: Route;
    receivers: Array<{ name: string }>;
  };
  delete config.templates;
  delete config.global;
  const shorten = (route: Route) => {
    if (route.group_wait) route.group_wait = '1s';
    if (route.group_interval) route.group_interval = '2s';
    if (route.repeat_interval) route.repeat_interval = '1h';
    route.routes?.forEach(shorten);
  };
  config.route.group_wait = '1s';
  config.route.group_interval = '2s';
  config.route.repeat_interval = '1h';
  shorten(config.route);
  config.receivers = config.receivers.map(({ name }) =>
    name === 'null'
      ? { name }
      : { name, webhook_configs: [{ url: `${webhookBase}/${name}`, send_resolved: false }] },
  );
  return YAML.stringify(config);
}

export interface WebhookNotification {
  receiver: string;
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

/** An HTTP server on 127.0.0.1 that records the Alertmanager webhook notifications it gets. */
export async function startWebhookReceiver(): Promise<{
  url: string;
  notifications: Array<{ path: string; body: WebhookNotification }>;
  stop(): Promise<void>;
}> {
  const notifications: Array<{ path: string; body: WebhookNotification }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      notifications.push({ path: req.url ?? '', body: JSON.parse(body) as WebhookNotification });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    notifications,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
