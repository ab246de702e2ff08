import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { repoRoot, type Ports } from './layout';

/**
 * The stack's configuration files, generated from the project's own (alerting/prometheus.yml,
 * alerting/alertmanager.yml, reporter/reports.example.yml, exporter/chom-finops.example.yml,
 * provisioning/): the same rules, routes, reports and settings, with the compose host names replaced
 * by loopback ports and every external receiver by the local sink. Nothing is kept by hand.
 */

const readYaml = <T>(file: string): T => YAML.parse(fs.readFileSync(path.join(repoRoot, file), 'utf8')) as T;

/** Speeds a stack up for tests: rules every few seconds, `for:` durations divided. */
export interface Acceleration {
  /** scrape and evaluation interval, e.g. "2s" */
  interval: string;
  forDivisor: number;
}

/** The compose service host names of alerting/prometheus.yml, by the port each stands for. */
const HOSTS: Record<string, keyof Ports> = {
  exporter: 'exporter',
  reporter: 'reporter',
  'node-exporter': 'node-exporter',
  'mysqld-exporter': 'mysqld-exporter',
  alertmanager: 'alertmanager',
  localhost: 'prometheus',
  prometheus: 'prometheus',
};

function loopback(target: string, ports: Ports, where: string): string {
  const host = target.replace(/:\d+$/, '');
  const service = HOSTS[host];
  if (!service) throw new Error(`${where}: no stack service for the host "${host}" of target ${target}`);
  return `127.0.0.1:${ports[service]}`;
}

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
  [key: string]: unknown;
}

/**
 * Rewrites every `*_file` setting of a scrape config (basic_auth.password_file, authorization.
 * credentials_file, tls_config.ca_file, …) with `files`: the stack generates those files itself.
 */
function rewriteFiles(value: unknown, files: (key: string, original: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteFiles(v, files));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k.endsWith('_file') && typeof v === 'string' ? files(k, v) : rewriteFiles(v, files),
      ]),
    );
  }
  return value;
}

/** prometheus.yml for the stack: alerting/prometheus.yml with loopback targets and absolute rule files. */
export function stackPrometheusConfig(options: {
  ports: Ports;
  ruleFiles: string[];
  /** where the stack keeps a file a scrape config names (credentials, CA) */
  fileFor?: (key: string, original: string) => string;
  accelerate?: Acceleration;
}): string {
  const config = readYaml<{
    global: Record<string, unknown>;
    rule_files: string[];
    alerting: unknown;
    scrape_configs: ScrapeConfig[];
  }>('alerting/prometheus.yml');
  config.rule_files = options.ruleFiles;
  config.alerting = {
    alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${options.ports.alertmanager}`] }] }],
  };
  if (options.accelerate) {
    config.global.scrape_interval = options.accelerate.interval;
    config.global.evaluation_interval = options.accelerate.interval;
  }
  config.scrape_configs = config.scrape_configs.map((job) => {
    const rewritten = rewriteFiles(job, options.fileFor ?? ((_k, v) => v)) as ScrapeConfig;
    return {
      ...rewritten,
      ...(options.accelerate
        ? { scrape_interval: options.accelerate.interval, scrape_timeout: options.accelerate.interval }
        : {}),
      static_configs: job.static_configs.map((group) => ({
        ...group,
        targets: group.targets.map((t) =>
          loopback(t, options.ports, `alerting/prometheus.yml job ${job.job_name}`),
        ),
      })),
    };
  });
  return YAML.stringify(config, { lineWidth: 0 });
}

/**
 * The file holding the bearer token Prometheus sends to the exporter: the `credentials_file` of the
 * chom-exporter job of alerting/prometheus.yml, as written there. The stack generates it and gives
 * the exporter a web configuration that requires the same token.
 */
export function exporterScrapeTokenFile(): string {
  const config = readYaml<{ scrape_configs: ScrapeConfig[] }>('alerting/prometheus.yml');
  const job = config.scrape_configs.find((c) => c.job_name === 'chom-exporter');
  const authorization = job?.authorization as { type?: string; credentials_file?: string } | undefined;
  if (!authorization?.credentials_file || (authorization.type ?? 'Bearer') !== 'Bearer')
    throw new Error(
      'alerting/prometheus.yml: the chom-exporter job scrapes without authorization.credentials_file (type Bearer); the stack generates the exporter web config for a bearer token only',
    );
  return authorization.credentials_file;
}

/**
 * The exporter's web configuration for the stack: exporter/web-config.demo.yml (bearer token and
 * headers) with its token file replaced by the one Prometheus sends, so /metrics needs a credential
 * here as in production.
 */
export function stackExporterWebConfig(tokenFile: string): string {
  const config = readYaml<{ bearer_auth?: { token_files?: string[] } }>('exporter/web-config.demo.yml');
  config.bearer_auth = { ...config.bearer_auth, token_files: [tokenFile] };
  return YAML.stringify(config, { lineWidth: 0 });
}

/** The exporter's scrape target in the stack: the instance label of its live and backfilled series. */
export function exporterInstance(ports: Ports): string {
  return `127.0.0.1:${ports.exporter}`;
}

interface Route {
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
}

type ReceiverConfig = Record<string, unknown>;

/**
 * alertmanager.yml for the stack: alerting/alertmanager.yml with its routes, inhibitions and
 * templates unchanged, and every receiver delivering to the local sink: e-mail over its SMTP port,
 * Slack, PagerDuty and webhook payloads to its HTTP endpoint /notify/<receiver>/<kind>. Secret files
 * are not needed: the sink asks for no credentials.
 */
export function stackAlertmanagerConfig(options: { ports: Ports; accelerate?: Acceleration }): string {
  const config = readYaml<{
    global?: Record<string, unknown>;
    templates?: string[];
    route: Route;
    receivers: Array<Record<string, unknown> & { name: string }>;
  }>('alerting/alertmanager.yml');
  const sinkHttp = `http://127.0.0.1:${options.ports['sink-web']}`;
  config.global = {
    ...config.global,
    smtp_smarthost: `127.0.0.1:${options.ports['sink-smtp']}`,
    smtp_require_tls: false,
  };
  config.templates = (config.templates ?? []).map((t) => path.join(repoRoot, 'alerting', t));
  const withoutSecrets = (c: ReceiverConfig): ReceiverConfig =>
    Object.fromEntries(
      Object.entries(c).filter(
        ([k]) => !k.endsWith('_file') && k !== 'http_config' && !k.startsWith('auth_'),
      ),
    );
  config.receivers = config.receivers.map((receiver) => {
    const out: Record<string, unknown> & { name: string } = { name: receiver.name };
    const url = (kind: string) => `${sinkHttp}/notify/${encodeURIComponent(receiver.name)}/${kind}`;
    for (const [key, value] of Object.entries(receiver)) {
      if (key === 'name' || !Array.isArray(value)) continue;
      const kind = key.replace(/_configs$/, '');
      out[key] = (value as ReceiverConfig[]).map((c) => {
        const base = withoutSecrets(c);
        switch (kind) {
          case 'email':
            return base;
          case 'slack':
            return { ...base, api_url: url('slack') };
          case 'pagerduty':
            return { ...base, routing_key: 'chom-finops-stack', url: url('pagerduty') };
          case 'webhook':
            return { ...base, url: url('webhook') };
          default:
            return { ...base, url: url(kind) };
        }
      });
    }
    return out;
  });
  if (options.accelerate) {
    const shorten = (route: Route) => {
      if (route.group_wait) route.group_wait = '1s';
      if (route.group_interval) route.group_interval = '2s';
      route.routes?.forEach(shorten);
    };
    config.route.group_wait = '1s';
    config.route.group_interval = '2s';
    shorten(config.route);
  }
  return YAML.stringify(config, { lineWidth: 0 });
}

/**
 * The reporter's definitions for the stack: reporter/reports.example.yml with Prometheus and SMTP on
 * loopback and the send record in the state folder, plus one report the stack delivers at once: the
 * month to date, run every hour, so the first start (and every new day) shows a report in the sink.
 */
export function stackReportsConfig(options: { ports: Ports; sendRecordFile: string }): string {
  const config = readYaml<{
    settings: Record<string, Record<string, unknown>>;
    reports: Array<Record<string, unknown>>;
  }>('reporter/reports.example.yml');
  config.settings.prometheus = {
    ...config.settings.prometheus,
    url: `http://127.0.0.1:${options.ports.prometheus}`,
  };
  config.settings.smtp = {
    ...config.settings.smtp,
    host: '127.0.0.1',
    port: options.ports['sink-smtp'],
    secure: false,
    retries: 2,
    retry_delay_ms: 500,
  };
  delete config.settings.smtp.auth;
  config.settings.state = { file: options.sendRecordFile };
  const monthly = config.reports.find((r) => r.period === 'previous_month') ?? config.reports[0] ?? {};
  config.reports.unshift({
    ...monthly,
    name: 'stack-month-to-date',
    period: 'month_to_date',
    schedule: { cron: '0 * * * *', time_zone: 'UTC' },
    recipients: ['finops@example.com'],
    subject: '{title}: month to date {period} (demo stack)',
    message:
      'This report was sent by the demo stack (npm start) when it started: the month so far, from the\nbackfilled history and the live exporter. The monthly report goes out on the first workday.\n',
  });
  return YAML.stringify(config, { lineWidth: 0 });
}

/** The exporter's settings for the stack: the example file, collected more often when accelerated. */
export function stackExporterConfig(options: { accelerate?: Acceleration }): string {
  const text = fs.readFileSync(path.join(repoRoot, 'exporter/chom-finops.example.yml'), 'utf8');
  if (!options.accelerate) return text;
  const config = YAML.parse(text) as { collection?: Record<string, unknown> };
  // fresh figures at every 2 s scrape; each query's deadline must stay below the TTL
  config.collection = { ...config.collection, ttl_seconds: 3, timeout_seconds: 2 };
  return YAML.stringify(config);
}

/** Grafana's provisioning for the stack: provisioning/ with the datasource on the stack's Prometheus. */
export function writeGrafanaProvisioning(target: string, ports: Ports, pluginsDir: string): void {
  const source = path.join(repoRoot, 'provisioning');
  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(source, target, { recursive: true });
  const rewrite = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) rewrite(full);
      else if (/\.ya?ml$/.test(entry.name))
        fs.writeFileSync(
          full,
          fs
            .readFileSync(full, 'utf8')
            .replace(/http:\/\/prometheus:9090/g, `http://127.0.0.1:${ports.prometheus}`)
            .replace(/\/var\/lib\/grafana\/plugins/g, pluginsDir),
        );
    }
  };
  rewrite(target);
}
