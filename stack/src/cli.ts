import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { acceleratedRuleFile, readRuleFile } from '@chom/alerting/src/rule-files';
import mysql from 'mysql2/promise';
import YAML from 'yaml';
import {
  exporterInstance,
  exporterScrapeTokenFile,
  stackAlertmanagerConfig,
  stackExporterConfig,
  stackExporterWebConfig,
  stackPrometheusConfig,
  stackReportsConfig,
  writeGrafanaProvisioning,
  type Acceleration,
} from './configs';
import { backfillHistory } from './history';
import { DEFAULT_PORTS, repoRoot, stateLayout, type PortName, type Ports, type StateLayout } from './layout';
import {
  ephemeralPort,
  httpOk,
  portFree,
  processStartTime,
  startService,
  waitUntil,
  type Service,
} from './services';
import { startSink, type Sink } from './sink';
import { runMain } from './run-main';

const execFileAsync = promisify(execFile);
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');

export const HELP = `Usage: npm start [-- options]     (tsx stack/src/cli.ts [options])

Runs the whole CHOM FinOps product on this machine, without Docker: a demo application database
(MariaDB) with 35 days of history, the exporter, Prometheus with the project's recording and alert
rules and the history backfilled, Alertmanager routed to a local mail and notification sink, the
reporter's scheduled service delivering to that sink, node_exporter and mysqld_exporter, and Grafana
with the app when a grafana-server binary is installed. Every file is kept in one state folder;
a second start reuses it (and fills the gap in the history since the last run). Ctrl-C stops all.

Options:
  --state-dir=DIR        the state folder (default $CHOM_STATE_DIR, else .chom in the repository)
  --reset                delete the state folder first: new database, new history
  --history=DURATION     history backfilled at the first start (default 35d)
  --scale=NAME           demo data: small (default, $CHOM_DEMO_SCALE), medium or large
  --seed=N               demo data seed (default 1, $CHOM_DEMO_SEED)
  --database-server=URL  use this MariaDB/MySQL server (mysql://root@127.0.0.1:3306) for the demo
                         database instead of a private one in the state folder ($CHOM_DEMO_SERVER_URL)
  --ports=default|auto   default: the usual ports (the next free one when taken); auto: any free
                         ports (for tests). Ports chosen once are kept in the state folder.
  --accelerate           for tests: scrape and evaluate every 2 s, alert "for" durations / 60
  --exit-when-ready      start, print the table, stop again (a smoke test)
  --help                 this text
`;

interface StackState {
  ports?: Ports;
  database?: { serverUrl: string; name: string; seededAt: string; scale: string; seed: number };
  history?: { from: string; to: string };
  /** the last moment the live stack was known to run: the next start backfills from here */
  liveUntil?: string;
}

interface RunRecord {
  runner: number;
  services: Array<{ name: string; pid: number; start?: string }>;
}

const log = (line: string) => process.stderr.write(`[stack] ${line}\n`);

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

/** Stops what a previous run left behind (it was killed without its clean stop). */
function stopLeftovers(layout: StateLayout): void {
  const run = readJson<RunRecord>(layout.runFile);
  if (!run) return;
  if (run.runner !== process.pid && processStartTime(run.runner) !== undefined) {
    throw new UsageError(
      `a stack is already running from ${layout.root} (process ${run.runner}); stop it with Ctrl-C first, or use another --state-dir`,
    );
  }
  for (const service of run.services) {
    if (service.start && processStartTime(service.pid) === service.start) {
      log(`stopping ${service.name} (process ${service.pid}) left by a previous run`);
      try {
        process.kill(-service.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  fs.rmSync(layout.runFile, { force: true });
}

class UsageError extends Error {}

async function choosePorts(previous: Ports | undefined, mode: string): Promise<Ports> {
  const ports = {} as Ports;
  const taken = new Set<number>();
  for (const name of Object.keys(DEFAULT_PORTS) as PortName[]) {
    let port = previous?.[name] ?? (mode === 'auto' ? await ephemeralPort() : DEFAULT_PORTS[name]);
    while (taken.has(port) || !(await portFree(port)))
      port = mode === 'auto' ? await ephemeralPort() : port + 1;
    if (previous?.[name] && previous[name] !== port)
      log(`port ${previous[name]} of ${name} is taken; using ${port}`);
    taken.add(port);
    ports[name] = port;
  }
  return ports;
}

function findGrafana(): { command: string; args: string[]; home: string } | undefined {
  const which = (name: string) => {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const home = ['/usr/share/grafana', '/opt/grafana'].find((dir) =>
    fs.existsSync(path.join(dir, 'conf', 'defaults.ini')),
  );
  const server = process.env.CHOM_GRAFANA_SERVER ?? which('grafana-server');
  if (server) return { command: server, args: [], home: home ?? path.resolve(path.dirname(server), '..') };
  const grafana = which('grafana');
  if (grafana)
    return { command: grafana, args: ['server'], home: home ?? path.resolve(path.dirname(grafana), '..') };
  return undefined;
}

const GRAFANA_MISSING = `Grafana is not installed, so the app's pages are not served. Install it from Grafana's APT repository
    (https://grafana.com/docs/grafana/latest/setup-grafana/installation/debian/: apt-get install grafana,
    version 12.4 or later) and run npm start again; the stack finds grafana-server on the PATH
    (or set CHOM_GRAFANA_SERVER=/path/to/grafana-server).`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'state-dir': { type: 'string' },
        reset: { type: 'boolean', default: false },
        history: { type: 'string', default: '35d' },
        scale: { type: 'string' },
        seed: { type: 'string' },
        'database-server': { type: 'string' },
        ports: { type: 'string', default: 'default' },
        accelerate: { type: 'boolean', default: false },
        'exit-when-ready': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`stack: ${(error as Error).message} (see --help)\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const historyMatch = /^(\d+)d$/.exec(values.history);
  if (!historyMatch || Number(historyMatch[1]) < 1) {
    process.stderr.write(
      `stack: --history: expected a number of days such as 35d, got "${values.history}"\n`,
    );
    return 2;
  }
  if (!['default', 'auto'].includes(values.ports)) {
    process.stderr.write(`stack: --ports: expected default or auto, got "${values.ports}"\n`);
    return 2;
  }
  const scale = values.scale ?? process.env.CHOM_DEMO_SCALE ?? 'small';
  if (!['small', 'medium', 'large'].includes(scale)) {
    process.stderr.write(`stack: --scale: expected small, medium or large, got "${scale}"\n`);
    return 2;
  }
  const seed = Number(values.seed ?? process.env.CHOM_DEMO_SEED ?? '1');
  const stateDir = path.resolve(
    values['state-dir'] ?? process.env.CHOM_STATE_DIR ?? path.join(repoRoot, '.chom'),
  );
  const layout = stateLayout(stateDir);
  const accelerate: Acceleration | undefined = values.accelerate
    ? { interval: '2s', forDivisor: 60 }
    : undefined;

  const startedAt = Date.now();
  const services: Service[] = [];
  let sink: Sink | undefined;
  let stopping: Promise<void> | undefined;
  let state: StackState = {};

  const stopAll = (reason: string): Promise<void> => {
    if (stopping) return stopping;
    stopping = (async () => {
      log(`stopping (${reason})`);
      if (state.history) state.liveUntil = new Date().toISOString();
      for (const service of [...services].reverse()) await service.stop();
      await sink?.stop();
      if (fs.existsSync(layout.root)) {
        writeJson(layout.stateFile, state);
        fs.rmSync(layout.runFile, { force: true });
      }
      log('stopped; nothing of the stack is left running');
    })();
    return stopping;
  };
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      log('second interrupt: stopping at once');
      for (const service of services) void service.stop(0);
      return;
    }
    interrupted = true;
    void stopAll(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (values.reset && fs.existsSync(layout.root)) {
      stopLeftovers(layout);
      log(`--reset: removing ${layout.root}`);
      fs.rmSync(layout.root, { recursive: true, force: true });
    }
    for (const dir of [layout.root, layout.config, layout.logs, layout.secrets, layout.history])
      fs.mkdirSync(dir, { recursive: true });
    stopLeftovers(layout);
    state = readJson<StackState>(layout.stateFile) ?? {};
    const run: RunRecord = { runner: process.pid, services: [] };
    writeJson(layout.runFile, run);
    const track = (service: Service) => {
      services.push(service);
      run.services.push({ name: service.name, pid: service.pid, start: processStartTime(service.pid) });
      writeJson(layout.runFile, run);
      service.onExit((code, signal) => {
        if (!stopping)
          log(`${service.name} exited unexpectedly (code ${code}, signal ${signal}); see ${service.logFile}`);
      });
      return service;
    };
    const checkInterrupted = () => {
      if (interrupted) throw new Interrupted();
    };

    const ports = await choosePorts(state.ports, values.ports);
    state.ports = ports;
    writeJson(layout.stateFile, state);

    // The sink first: Alertmanager and the reporter deliver to it.
    sink = await startSink({ dir: layout.sink, smtpPort: ports['sink-smtp'], httpPort: ports['sink-web'] });

    // The demo database: a private MariaDB in the state folder unless a server is named.
    const externalServer = values['database-server'] ?? process.env.CHOM_DEMO_SERVER_URL;
    let serverUrl: string;
    if (externalServer) {
      serverUrl = externalServer.replace(/\/$/, '');
    } else {
      if (!fs.existsSync(path.join(layout.mariadb, 'mysql'))) {
        log('creating a private MariaDB data folder');
        fs.mkdirSync(layout.mariadb, { recursive: true });
        await execFileAsync('mariadb-install-db', [
          '--no-defaults',
          `--datadir=${layout.mariadb}`,
          '--user=root',
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
        ]);
      }
      const mariadb = track(
        startService({
          name: 'mariadb',
          command: 'mariadbd',
          args: [
            '--no-defaults',
            `--datadir=${layout.mariadb}`,
            '--user=root',
            `--port=${ports.mariadb}`,
            '--bind-address=127.0.0.1',
            `--socket=${path.join(layout.root, 'mariadb.sock')}`,
            `--pid-file=${path.join(layout.root, 'mariadb.pid')}`,
            '--skip-log-bin',
            '--innodb-buffer-pool-size=128M',
          ],
          logDir: layout.logs,
        }),
      );
      serverUrl = `mysql://root@127.0.0.1:${ports.mariadb}`;
      await waitUntil(
        'MariaDB',
        async () => {
          const c = await mysql.createConnection({ uri: serverUrl, connectTimeout: 1000 });
          await c.end();
          return true;
        },
        { timeoutMs: 60_000, service: mariadb },
      );
    }
    const databaseName = process.env.CHOM_DEMO_DATABASE ?? 'chom_demo';
    const databaseUrl = `${serverUrl}/${databaseName}`;
    checkInterrupted();

    if (!state.database || state.database.serverUrl !== serverUrl || state.database.name !== databaseName) {
      const admin = await mysql.createConnection(serverUrl);
      await admin.query(
        `CREATE DATABASE IF NOT EXISTS \`${databaseName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
      await admin.end();
      log(`seeding the demo database ${databaseName} (${scale} scale, seed ${seed})`);
      const seededAt = new Date();
      await execFileAsync(
        tsx,
        [
          path.join(repoRoot, 'exporter/src/demo/seed.ts'),
          `--database-url=${databaseUrl}`,
          `--scale=${scale}`,
          `--seed=${seed}`,
          `--now=${seededAt.toISOString()}`,
          '--no-progress',
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      state.database = { serverUrl, name: databaseName, seededAt: seededAt.toISOString(), scale, seed };
      delete state.history;
      delete state.liveUntil;
      fs.rmSync(layout.prometheus, { recursive: true, force: true });
      writeJson(layout.stateFile, state);
    } else {
      const ageDays = (Date.now() - Date.parse(state.database.seededAt)) / 86_400_000;
      log(`keeping the demo database seeded ${ageDays.toFixed(1)} days ago (--reset seeds a new one)`);
      if (ageDays > 7)
        log(
          'the demo data ends when it was seeded, so recent usage looks low; --reset lays it out around now',
        );
    }
    checkInterrupted();

    // Configuration, generated from the project's files.
    const file = (name: string, text: string) => {
      const target = path.join(layout.config, name);
      fs.writeFileSync(target, text);
      return target;
    };
    const exporterConfig = file('chom-finops.yml', stackExporterConfig({ accelerate }));
    const ruleFiles = ['recording.yml', 'alerts.yml'].map((name) => {
      const source = path.join(repoRoot, 'alerting/rules', name);
      if (!accelerate) return source;
      return file(`rules-${name}`, acceleratedRules(source, accelerate));
    });
    const prometheusConfig = file(
      'prometheus.yml',
      stackPrometheusConfig({
        ports,
        ruleFiles,
        accelerate,
        fileFor: (key, original) => secretFile(layout, key, original),
      }),
    );
    // /metrics requires the token Prometheus sends (the same generated file on both sides).
    const exporterWebConfig = file(
      'exporter-web.yml',
      stackExporterWebConfig(secretFile(layout, 'credentials_file', exporterScrapeTokenFile())),
    );
    const alertmanagerConfig = file('alertmanager.yml', stackAlertmanagerConfig({ ports, accelerate }));
    fs.mkdirSync(layout.reporter, { recursive: true });
    const reportsConfig = file(
      'reports.yml',
      stackReportsConfig({ ports, sendRecordFile: path.join(layout.reporter, 'sent.json') }),
    );
    // Database users as in production: SELECT only for the exporter, PROCESS/REPLICATION CLIENT/SELECT
    // for mysqld_exporter, with passwords generated into the state folder.
    const users = await databaseUsers(layout, serverUrl, databaseName);
    const mysqldCnf = file(
      'mysqld-exporter.cnf',
      `[client]\nhost=${new URL(serverUrl).hostname}\nport=${new URL(serverUrl).port || 3306}\nuser=${users.monitor.user}\npassword=${users.monitor.password}\n`,
    );
    fs.chmodSync(mysqldCnf, 0o600);

    // History: 35 days at the first start; afterwards the gap since the stack last ran.
    const now = new Date();
    const historyFrom = state.history
      ? new Date(state.liveUntil ?? state.history.to)
      : new Date(Date.parse(state.database.seededAt) - Number(historyMatch[1]) * 86_400_000);
    if (now.getTime() - historyFrom.getTime() >= 10 * 60_000) {
      log(`backfilling history from ${historyFrom.toISOString()} to ${now.toISOString()}`);
      await backfillHistory({
        databaseUrl: users.exporterUrl,
        exporterConfig,
        dataDir: layout.prometheus,
        workDir: layout.history,
        from: historyFrom,
        to: now,
        instance: exporterInstance(ports),
        log,
      });
      state.history = { from: state.history?.from ?? historyFrom.toISOString(), to: now.toISOString() };
      state.liveUntil = now.toISOString();
      writeJson(layout.stateFile, state);
    }
    checkInterrupted();

    // The services, each waited for before the next that needs it.
    const start = (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv) =>
      track(startService({ name, command, args, env, logDir: layout.logs, cwd: repoRoot }));
    const exporter = start('exporter', tsx, [path.join(repoRoot, 'exporter/src/main.ts')], {
      CHOM_DATABASE_URL: users.exporterUrl,
      CHOM_CONFIG: exporterConfig,
      CHOM_PORT: String(ports.exporter),
      CHOM_LISTEN_ADDRESS: '127.0.0.1',
      CHOM_WEB_CONFIG_FILE: exporterWebConfig,
      // as the Docker image (exporter/src/runtime/heap.ts, RUNTIME_ENV)
      MALLOC_MMAP_THRESHOLD_: '131072',
      MALLOC_TRIM_THRESHOLD_: '131072',
      NODE_OPTIONS: '--max-semi-space-size=8',
    });
    const nodeExporter = start('node-exporter', 'prometheus-node-exporter', [
      `--web.listen-address=127.0.0.1:${ports['node-exporter']}`,
    ]);
    const mysqldExporter = start('mysqld-exporter', 'prometheus-mysqld-exporter', [
      `--config.my-cnf=${mysqldCnf}`,
      `--web.listen-address=127.0.0.1:${ports['mysqld-exporter']}`,
    ]);
    const alertmanager = start('alertmanager', 'prometheus-alertmanager', [
      `--config.file=${alertmanagerConfig}`,
      `--storage.path=${layout.alertmanager}`,
      `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
      `--web.external-url=http://127.0.0.1:${ports.alertmanager}`,
      '--cluster.listen-address=',
    ]);
    await waitUntil('exporter', httpOk(`http://127.0.0.1:${ports.exporter}/readyz`), {
      timeoutMs: 120_000,
      service: exporter,
    });
    await waitUntil('node_exporter', httpOk(`http://127.0.0.1:${ports['node-exporter']}/metrics`), {
      timeoutMs: 30_000,
      service: nodeExporter,
    });
    await waitUntil('mysqld_exporter', httpOk(`http://127.0.0.1:${ports['mysqld-exporter']}/metrics`), {
      timeoutMs: 30_000,
      service: mysqldExporter,
    });
    await waitUntil('Alertmanager', httpOk(`http://127.0.0.1:${ports.alertmanager}/-/ready`), {
      timeoutMs: 30_000,
      service: alertmanager,
    });
    const prometheus = start('prometheus', 'prometheus', [
      `--config.file=${prometheusConfig}`,
      `--storage.tsdb.path=${layout.prometheus}`,
      '--storage.tsdb.retention.time=400d',
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
      `--web.external-url=http://127.0.0.1:${ports.prometheus}`,
      '--web.enable-lifecycle',
    ]);
    await waitUntil('Prometheus', httpOk(`http://127.0.0.1:${ports.prometheus}/-/ready`), {
      timeoutMs: 120_000,
      service: prometheus,
    });
    const reporter = start('reporter', tsx, [
      path.join(repoRoot, 'reporter/src/cli.ts'),
      'serve',
      `--config=${reportsConfig}`,
      `--listen=127.0.0.1:${ports.reporter}`,
    ]);
    await waitUntil('reporter', httpOk(`http://127.0.0.1:${ports.reporter}/healthz`), {
      timeoutMs: 60_000,
      service: reporter,
    });

    const grafana = findGrafana();
    let grafanaNote = GRAFANA_MISSING;
    if (grafana) {
      const service = await startGrafana(layout, ports, grafana, start);
      await waitUntil('Grafana', httpOk(`http://127.0.0.1:${ports.grafana}/api/health`), {
        timeoutMs: 120_000,
        service,
      });
      grafanaNote = `Grafana: user admin, password in ${path.join(layout.secrets, 'grafana-admin-password')}`;
    }
    checkInterrupted();

    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    printTable(ports, layout, !!grafana, state);
    process.stdout.write(
      `\n${grafanaNote}\nReady in ${seconds} s. Logs: ${layout.logs}. Ctrl-C stops everything.\n`,
    );
    log(`ready in ${seconds} s`);
    if (values['exit-when-ready']) {
      await stopAll('--exit-when-ready');
      return 0;
    }
    const heartbeat = setInterval(() => {
      state.liveUntil = new Date().toISOString();
      writeJson(layout.stateFile, state);
    }, 60_000);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (stopping) {
          clearInterval(check);
          void stopping.then(resolve);
        }
      }, 200);
    });
    clearInterval(heartbeat);
    return 0;
  } catch (error) {
    if (error instanceof Interrupted) {
      await stopAll('interrupted');
      return 130;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`stack: ${error.message}\n`);
      await stopAll('refused');
      return 3;
    }
    log(`start failed: ${(error as Error).message}`);
    await stopAll('start failed');
    return 1;
  }
}

class Interrupted extends Error {}

/** A copy of a rule file for tests: every group every `interval`, every for: divided. */
function acceleratedRules(source: string, accelerate: Acceleration): string {
  return YAML.stringify(
    acceleratedRuleFile(readRuleFile(source), {
      interval: accelerate.interval,
      forSeconds: (s) => s / accelerate.forDivisor,
    }),
    { lineWidth: 0 },
  );
}

/** A password kept in the state folder's secrets, created on first use. */
function secret(layout: StateLayout, name: string): string {
  const file = path.join(layout.secrets, name);
  if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(18).toString('hex'), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

/** The exporter's read-only user and mysqld_exporter's monitoring user (created or updated). */
async function databaseUsers(layout: StateLayout, serverUrl: string, database: string) {
  const exporter = { user: 'chom_exporter', password: secret(layout, 'exporter-database-password') };
  const monitor = { user: 'chom_monitor', password: secret(layout, 'mysqld-exporter-password') };
  const admin = await mysql.createConnection(serverUrl);
  try {
    for (const host of ['127.0.0.1', 'localhost']) {
      for (const u of [exporter, monitor]) {
        await admin.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [u.user, host, u.password]);
        await admin.query('ALTER USER ?@? IDENTIFIED BY ?', [u.user, host, u.password]);
      }
      await admin.query(`GRANT SELECT ON \`${database}\`.* TO ?@?`, [exporter.user, host]);
      await admin.query('GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO ?@?', [monitor.user, host]);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(`${serverUrl}/${database}`);
  url.username = exporter.user;
  url.password = exporter.password;
  return { exporterUrl: url.toString(), monitor };
}

/** The stack keeps the files a scrape config names (passwords, CAs) in its secrets folder. */
function secretFile(layout: StateLayout, key: string, original: string): string {
  const target = path.join(layout.secrets, path.basename(original));
  if (!fs.existsSync(target)) {
    fs.writeFileSync(target, crypto.randomBytes(18).toString('base64url'), { mode: 0o600 });
    log(`generated ${target} for ${key} ${original}`);
  }
  return target;
}

async function startGrafana(
  layout: StateLayout,
  ports: Ports,
  grafana: { command: string; args: string[]; home: string },
  start: (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv) => Service,
): Promise<Service> {
  const plugins = path.join(layout.grafana, 'plugins');
  fs.mkdirSync(plugins, { recursive: true });
  const dist = path.join(repoRoot, 'grafana-plugin', 'dist');
  if (!fs.existsSync(path.join(dist, 'plugin.json'))) {
    log('building the Grafana app (npm run build -w grafana-plugin)');
    await execFileAsync('npm', ['run', 'build', '-w', 'grafana-plugin'], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
  }
  const link = path.join(plugins, 'chom-finops-app');
  fs.rmSync(link, { force: true, recursive: true });
  fs.symlinkSync(dist, link);
  const provisioning = path.join(layout.grafana, 'provisioning');
  writeGrafanaProvisioning(provisioning, ports, plugins);
  const passwordFile = path.join(layout.secrets, 'grafana-admin-password');
  if (!fs.existsSync(passwordFile))
    fs.writeFileSync(passwordFile, crypto.randomBytes(12).toString('base64url'), { mode: 0o600 });
  const ini = path.join(layout.config, 'grafana.ini');
  fs.writeFileSync(
    ini,
    `[paths]\ndata = ${path.join(layout.grafana, 'data')}\nlogs = ${path.join(layout.grafana, 'logs')}\nplugins = ${plugins}\nprovisioning = ${provisioning}\n\n[server]\nhttp_addr = 127.0.0.1\nhttp_port = ${ports.grafana}\n\n[security]\nadmin_user = admin\nadmin_password = $__file{${passwordFile}}\n\n[users]\nallow_sign_up = false\n\n[plugins]\nallow_loading_unsigned_plugins = chom-finops-app\n\n[analytics]\nreporting_enabled = false\ncheck_for_updates = false\n`,
  );
  return start('grafana', grafana.command, [
    ...grafana.args,
    `--homepath=${grafana.home}`,
    `--config=${ini}`,
  ]);
}

function printTable(ports: Ports, layout: StateLayout, grafana: boolean, state: StackState): void {
  const rows: Array<[string, string, string]> = [
    [
      'Grafana (CHOM FinOps app)',
      grafana ? `http://127.0.0.1:${ports.grafana}/a/chom-finops-app` : 'not installed (see below)',
      layout.grafana,
    ],
    [
      'Mail and notifications',
      `http://127.0.0.1:${ports['sink-web']}/ (SMTP 127.0.0.1:${ports['sink-smtp']})`,
      layout.sink,
    ],
    ['Prometheus', `http://127.0.0.1:${ports.prometheus}/`, layout.prometheus],
    ['Alertmanager', `http://127.0.0.1:${ports.alertmanager}/`, layout.alertmanager],
    ['Exporter', `http://127.0.0.1:${ports.exporter}/metrics`, path.join(layout.config, 'chom-finops.yml')],
    ['Reporter (serve)', `http://127.0.0.1:${ports.reporter}/metrics`, layout.reporter],
    ['node_exporter', `http://127.0.0.1:${ports['node-exporter']}/metrics`, '-'],
    ['mysqld_exporter', `http://127.0.0.1:${ports['mysqld-exporter']}/metrics`, '-'],
    [
      'Demo database',
      state.database ? `${state.database.serverUrl}/${state.database.name}` : '-',
      state.database?.serverUrl.includes(`:${ports.mariadb}`) ? layout.mariadb : 'external server',
    ],
  ];
  const widths = [0, 1, 2].map((i) =>
    Math.max(...rows.map((r) => r[i]!.length), ['What', 'Where', 'Data'][i]!.length),
  );
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`;
  const out = [line(['What', 'Where', 'Data']), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (state.history)
    out.push('', `  History: ${state.history.from} … now (backfilled until ${state.history.to}, then live)`);
  out.push(
    `  Exporter /metrics needs the bearer token Prometheus sends: curl -H "Authorization: Bearer $(cat ${path.join(layout.secrets, path.basename(exporterScrapeTokenFile()))})" …`,
  );
  process.stdout.write(`\nCHOM FinOps is running:\n\n${out.join('\n')}\n`);
}

if (require.main === module) runMain(main);
