import fs from 'node:fs';
import path from 'node:path';
import { execFileAsync, repoRoot, tempDir } from '@chom/test-support';
import { parse } from 'yaml';

/**
 * The docker-compose stack. No Docker engine runs here, so `docker-compose config` is the check of the
 * file, and the parts that run in containers but are plain scripts (the secret generator, the
 * Prometheus configuration with remote_write) are run here for real. What is asserted: `up` needs no
 * manual step (secrets generated into volumes, the plugin built in an image, the demo seeded once
 * and its history backfilled before Prometheus starts), nothing host-built or secret is mounted,
 * every file a service reads from a secret volume is one the generator writes, and the long-term
 * profile stays out of the default stack.
 */

const composePath = path.join(repoRoot, 'docker-compose.yml');
const secretsScript = path.join(repoRoot, 'stack', 'compose', 'secrets.sh');
const prometheusConfigScript = path.join(repoRoot, 'stack', 'compose', 'prometheus-config.sh');
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');

interface Service {
  image?: string;
  build?: { context: string; target: string };
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  tmpfs?: string[];
  ports?: string[];
  profiles?: string[];
  restart?: string;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  command?: string[] | string;
  user?: string;
}
interface Compose {
  services: Record<string, Service>;
  secrets?: unknown;
  volumes: Record<string, unknown>;
}

const compose = parse(fs.readFileSync(composePath, 'utf8'), { merge: true }) as Compose;
const services = compose.services;
const service = (name: string): Service => {
  const found = services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
};
const commandText = (s: Service) => [s.command ?? []].flat().join(' ');

interface Mount {
  service: string;
  source: string;
  target: string;
  readOnly: boolean;
}
const mounts: Mount[] = Object.entries(services).flatMap(([name, s]) =>
  (s.volumes ?? []).map((v) => {
    const [source, target, mode] = v.split(':') as [string, string, string | undefined];
    return { service: name, source, target, readOnly: (mode ?? '').split(',').includes('ro') };
  }),
);
const isBind = (m: Mount) => m.source.startsWith('.') || m.source.startsWith('/');

const ONE_SHOTS = ['secrets', 'seed', 'history'];
const LONG_TERM = ['vmstorage', 'vminsert', 'vmselect'];

async function compose_(args: string[], env: NodeJS.ProcessEnv = {}) {
  return execFileAsync('docker-compose', ['-f', composePath, ...args], {
    cwd: repoRoot,
    // hermetic: the variables the file reads come only from `env`, not from the caller's shell
    env: {
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          ([key]) => !key.startsWith('CHOM_') && !key.startsWith('COMPOSE_'),
        ),
      ),
      ...env,
    },
  });
}

async function runScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync('sh', [script, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('docker-compose stack: the file', () => {
  test('docker-compose validates it, with and without the long-term profile', async () => {
    // No skip when docker-compose is missing: scripts/setup-machine.sh installs it.
    await compose_(['config', '-q']);
    await compose_(['--profile', 'long-term', 'config', '-q'], {
      CHOM_REMOTE_WRITE_URL: 'http://vminsert:8480/insert/0/prometheus/api/v1/write',
    });
    const { stdout } = await compose_(['config']);
    const resolved = parse(stdout) as Compose;
    expect(Object.keys(resolved.services).sort()).toEqual(Object.keys(services).sort());
    // the variables resolve to their demo defaults
    expect(resolved.services.prometheus?.environment?.CHOM_REMOTE_WRITE_URL ?? '').toBe('');
    expect(resolved.services.seed?.environment?.CHOM_DEMO_SCALE).toBe('small');
    expect(resolved.services.secrets?.environment?.CHOM_DEMO_SECRETS).toBe('true');
  });

  test('every variable it reads is documented in docs/deployment.md', () => {
    const text = fs.readFileSync(composePath, 'utf8');
    const variables = [...new Set([...text.matchAll(/(?<!\$)\$\{(\w+)(?::-[^}]*)?\}/g)].map((m) => m[1]))];
    expect(variables.sort()).toEqual(
      [
        'CHOM_DEMO_SCALE',
        'CHOM_DEMO_SECRETS',
        'CHOM_DEMO_SEED',
        'CHOM_HISTORY',
        'CHOM_REMOTE_WRITE_URL',
      ].sort(),
    );
    const docs = fs.readFileSync(path.join(repoRoot, 'docs', 'deployment.md'), 'utf8');
    for (const variable of variables)
      expect([variable, docs.includes(`| \`${variable}\``)]).toEqual([variable, true]);
  });

  test('has every service of the stack under its contract host name and port', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'alertmanager',
        'exporter',
        'grafana',
        'history',
        'mailpit',
        'mariadb',
        'mysqld-exporter',
        'node-exporter',
        'prometheus',
        'redis',
        'reporter',
        'secrets',
        'seed',
        ...LONG_TERM,
      ].sort(),
    );
    expect(service('exporter').environment?.CHOM_PORT).toBe('9864');
    expect(service('exporter').ports).toContain('9864:9864');
    expect(service('prometheus').ports).toContain('9090:9090');
    expect(service('alertmanager').ports).toContain('9093:9093');
    expect(service('grafana').ports).toContain('3000:3000');
  });

  test('mounts only files of the repository: nothing built on the host, no secret folder', async () => {
    const binds = mounts.filter(isBind);
    expect(binds.length).toBeGreaterThan(5);
    const outside = binds.filter((m) => !m.source.startsWith('./'));
    expect(outside.map((m) => `${m.service} ${m.source}`)).toEqual(['node-exporter /']);
    const relative = binds.filter((m) => m.source.startsWith('./')).map((m) => m.source.slice(2));
    expect(relative.filter((p) => !fs.existsSync(path.join(repoRoot, p)))).toEqual([]);
    expect(relative.filter((p) => /(^|\/)(dist|secrets|node_modules)(\/|$)/.test(p))).toEqual([]);
    // tracked by git, so a fresh clone has them
    for (const p of relative) {
      const { stdout } = await execFileAsync('git', ['ls-files', '--', p], { cwd: repoRoot });
      expect([p, stdout.trim().length > 0]).toEqual([p, true]);
    }
    expect(compose.secrets).toBeUndefined();
  });

  test('no secret file is committed and none is written in the file', async () => {
    const { stdout } = await execFileAsync('git', ['ls-files', '--', 'secrets/'], { cwd: repoRoot });
    expect(stdout.trim()).toBe('');
    const text = fs.readFileSync(composePath, 'utf8');
    expect(text).not.toMatch(/mysql:\/\/[^:@/\s]+:[^$@\s]+@/); // a literal password in a URL
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (
          /PASSWORD|SECRET|TOKEN|API_KEY/.test(key) &&
          !['CHOM_DEMO_SECRETS', 'CHOM_SECRETS_ROOT'].includes(key)
        ) {
          expect([name, key, /_FILE$/.test(key) && String(value).startsWith('/run/secrets/')]).toEqual([
            name,
            key,
            true,
          ]);
        }
      }
    }
  });

  test('one-shot services prepare the first start in order: secrets, seed (once), history, then Prometheus', () => {
    for (const name of ONE_SHOTS) {
      expect([name, service(name).restart]).toEqual([name, 'no']);
    }
    const completed = (name: string, on: string) =>
      expect([name, on, service(name).depends_on?.[on]?.condition]).toEqual([
        name,
        on,
        'service_completed_successfully',
      ]);
    for (const name of ['mariadb', 'alertmanager', 'grafana']) completed(name, 'secrets');
    expect(service('seed').depends_on?.mariadb?.condition).toBe('service_healthy');
    expect(commandText(service('seed'))).toContain('--if-empty');
    completed('history', 'seed');
    completed('exporter', 'seed');
    completed('prometheus', 'history');
    // history writes where Prometheus reads: the same volume at its --storage.tsdb.path
    const tsdbPath = /--storage\.tsdb\.path=(\S+)/.exec(commandText(service('prometheus')))?.[1];
    const historyPath = /--data-dir=(\S+)/.exec(commandText(service('history')))?.[1];
    const volumeAt = (name: string, target?: string) =>
      mounts.find((m) => m.service === name && m.target === target)?.source;
    expect(tsdbPath).toBe('/prometheus');
    expect(volumeAt('history', historyPath)).toBe('prometheus-data');
    expect(volumeAt('prometheus', tsdbPath)).toBe('prometheus-data');
    // its series carry the live scrape's job and instance labels
    const prometheusYml = parse(
      fs.readFileSync(path.join(repoRoot, 'alerting', 'prometheus.yml'), 'utf8'),
    ) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const job = prometheusYml.scrape_configs.find((c) => c.job_name === 'chom-exporter');
    expect(commandText(service('history'))).toContain(`--instance=${job?.static_configs[0]?.targets[0]}`);
    // and leaves the storage alone while Prometheus runs on it (a second `up`)
    expect(service('prometheus').ports).toContain('9090:9090');
    expect(commandText(service('history'))).toContain('--prometheus-url=http://prometheus:9090');
    // and the exporter config is the one the live exporter prices with
    expect(volumeAt('history', '/etc/chom/chom-finops.yml')).toBe(
      volumeAt('exporter', '/etc/chom/chom-finops.yml'),
    );
  });

  test('long-running services have healthchecks, named volumes are declared, images are pinned', () => {
    for (const [name, s] of Object.entries(services)) {
      if (!ONE_SHOTS.includes(name)) expect([name, s.healthcheck?.test?.length ?? 0]).not.toEqual([name, 0]);
      if (s.image) expect([name, /:(latest)?$/.test(s.image)]).toEqual([name, false]);
    }
    const named = mounts.filter((m) => !isBind(m)).map((m) => m.source);
    expect(named.filter((v) => !(v in compose.volumes))).toEqual([]);
    expect(Object.keys(compose.volumes).filter((v) => !named.includes(v))).toEqual([]);
  });

  test('the long-term profile adds only the VictoriaMetrics cluster; the default stack does not depend on it', () => {
    for (const [name, s] of Object.entries(services)) {
      expect([name, s.profiles ?? []]).toEqual([name, LONG_TERM.includes(name) ? ['long-term'] : []]);
      for (const dependency of Object.keys(s.depends_on ?? {}))
        if (!LONG_TERM.includes(name)) expect([name, LONG_TERM.includes(dependency)]).toEqual([name, false]);
    }
    expect(commandText(service('vminsert'))).toContain('-storageNode=vmstorage:8400');
    expect(commandText(service('vmselect'))).toContain('-storageNode=vmstorage:8401');
    expect(service('prometheus').environment).toHaveProperty('CHOM_REMOTE_WRITE_URL');
  });

  test('Prometheus scrapes and alerts only services of the stack', () => {
    const prometheus = parse(fs.readFileSync(path.join(repoRoot, 'alerting', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { static_configs?: { targets: string[] }[] }[];
      alerting?: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    };
    const targets = [
      ...prometheus.scrape_configs.flatMap((c) => (c.static_configs ?? []).flatMap((s) => s.targets)),
      ...(prometheus.alerting?.alertmanagers ?? []).flatMap((a) =>
        a.static_configs.flatMap((s) => s.targets),
      ),
    ];
    const hosts = targets.map((t) => t.split(':')[0]).filter((h) => h !== 'localhost');
    expect(hosts.filter((h) => h === undefined || !(h in services))).toEqual([]);
    expect(targets).toEqual(expect.arrayContaining(['exporter:9864', 'reporter:9865', 'alertmanager:9093']));
  });
});

describe('docker-compose stack: images', () => {
  const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);

  test('every image it builds is a target of the root Dockerfile, Grafana included', () => {
    const built = Object.values(services).flatMap((s) => (s.build ? [s.build.target] : []));
    expect(new Set(built)).toEqual(new Set(['exporter', 'reporter', 'history', 'grafana']));
    for (const target of built) expect(stages).toContain(target);
    expect(service('grafana').build?.target).toBe('grafana');
  });

  test('the Grafana image carries the plugin built in a stage of the image', () => {
    const grafanaStage = dockerfile.slice(dockerfile.search(/^FROM\s+\S+\s+AS\s+grafana$/m));
    const copy = /^COPY --from=(\S+) \/app\/grafana-plugin\/dist (\S+)$/m.exec(grafanaStage);
    expect(copy?.[1]).toBe('plugin-build');
    const pluginsPath = /GF_PATHS_PLUGINS=(\S+)/.exec(grafanaStage)?.[1];
    expect(copy?.[2]).toBe(`${pluginsPath}/chom-finops-app`);
    // outside the grafana-data volume, so a new image brings the new plugin
    expect(pluginsPath?.startsWith('/var/lib/grafana')).toBe(false);
    expect(dockerfile).toMatch(/^RUN npm run build --workspace=chom-finops-app/m);
  });

  test('the history image has the Prometheus tools of the compose Prometheus, and writes as its user', () => {
    const promImage = /^ARG PROMETHEUS_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(promImage).toBe(service('prometheus').image);
    const historyStage = dockerfile.slice(dockerfile.search(/^FROM\s+\S+\s+AS\s+history$/m));
    const stageEnd = historyStage.search(/\n\n# /);
    const stage = stageEnd > 0 ? historyStage.slice(0, stageEnd) : historyStage;
    expect(stage).toMatch(/^COPY --from=prometheus \/bin\/prometheus \/bin\/promtool \S+$/m);
    expect(dockerfile).toMatch(/^FROM \$\{PROMETHEUS_IMAGE\} AS prometheus$/m);
    // prom/prometheus runs as nobody (65534): the blocks the history writes must be its own
    expect(stage).toMatch(/^USER 65534:65534$/m);
    expect(stage).toMatch(/chown 65534:65534 \/prometheus/);
    expect(stage).toMatch(/^COPY alerting\/ alerting\/$/m);
    expect(stage).toMatch(/^COPY stack\/ stack\/$/m);
    const grafanaImage = /^ARG GRAFANA_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(grafanaImage).toBe('grafana/grafana-oss:12.4.0');
  });

  test('files the build copies exist and are not excluded by .dockerignore', () => {
    const ignored = fs
      .readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && !line.startsWith('**'));
    const copies = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].flatMap((m) =>
      (m[1] as string).trim().split(/\s+/).slice(0, -1),
    );
    expect(copies.length).toBeGreaterThan(5);
    expect(copies.filter((source) => !fs.existsSync(path.join(repoRoot, source)))).toEqual([]);
    expect(
      copies.filter((source) => ignored.some((i) => source === i || source.startsWith(`${i}/`))),
    ).toEqual([]);
    // each workspace manifest is copied, or npm ci cannot check the lockfile
    const workspaces = (
      JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] }
    ).workspaces;
    for (const ws of workspaces) expect(copies).toContain(`${ws}/package.json`);
  });
});

describe('docker-compose stack: secrets', () => {
  const secretVolumes = Object.keys(compose.volumes).filter((v) => v.startsWith('secrets-'));

  test('the secrets service fills every secret volume; each is mounted read-only elsewhere', () => {
    expect(secretVolumes.length).toBeGreaterThanOrEqual(5);
    const own = mounts.filter((m) => m.service === 'secrets');
    for (const volume of secretVolumes) {
      expect(own.find((m) => m.source === volume)?.target).toBe(
        `/secrets/${volume.replace(/^secrets-/, '')}`,
      );
      for (const m of mounts.filter((x) => x.source === volume && x.service !== 'secrets'))
        expect([m.service, volume, m.readOnly]).toEqual([m.service, volume, true]);
    }
    expect(service('secrets').environment?.CHOM_SECRETS_ROOT).toBe('/secrets');
  });

  describe('generated by stack/compose/secrets.sh', () => {
    // created in beforeAll, so a run that filters these tests out leaves no folder behind
    let work: ReturnType<typeof tempDir>;
    let root: string;
    let first: { code: number; stdout: string; stderr: string };

    beforeAll(async () => {
      work = tempDir('compose-secrets');
      root = path.join(work.dir, 'secrets');
      first = await runScript(secretsScript, [], { CHOM_SECRETS_ROOT: root });
    });
    afterAll(() => work?.remove());

    /** A path in a container, resolved to the generated file through that service's secret volume mounts. */
    const hostPath = (serviceName: string, containerPath: string): string | undefined => {
      const m = mounts.find(
        (x) =>
          x.service === serviceName &&
          x.source.startsWith('secrets-') &&
          containerPath.startsWith(`${x.target}/`),
      );
      return (
        m && path.join(root, m.source.replace(/^secrets-/, ''), containerPath.slice(m.target.length + 1))
      );
    };
    const readable = (serviceName: string, containerPath: string) => {
      const file = hostPath(serviceName, containerPath);
      return [serviceName, containerPath, !!file && fs.existsSync(file) && fs.statSync(file).size > 0];
    };

    test('at the first start it writes every file, random, readable, and says so', () => {
      expect(first.code).toBe(0);
      const files = filesUnder(root);
      expect(Object.keys(files).sort()).toEqual(
        [
          'alertmanager/heartbeat-token',
          'alertmanager/pagerduty-routing-key',
          'alertmanager/slack-api-url',
          'alertmanager/smtp-password',
          'exporter/chom-exporter-token',
          'exporter/mariadb-password',
          'grafana/grafana-admin-password',
          'mariadb/mariadb-password',
          'mariadb/mariadb-root-password',
          'mysqld-exporter/mysqld-exporter.cnf',
          'prometheus/chom-exporter-token',
        ].sort(),
      );
      for (const name of Object.keys(files)) expect(first.stdout).toContain(`generated ${name}`);
      expect(files['mariadb/mariadb-password']).toMatch(/^[0-9a-f]{48}$/); // URL-safe
      expect(files['mariadb/mariadb-root-password']).not.toBe(files['mariadb/mariadb-password']);
      expect(files['exporter/mariadb-password']).toBe(files['mariadb/mariadb-password']);
      expect(files['prometheus/chom-exporter-token']).toBe(files['exporter/chom-exporter-token']);
      expect(files['mysqld-exporter/mysqld-exporter.cnf']).toContain(
        `password=${files['mariadb/mariadb-password']}`,
      );
      expect(fs.statSync(path.join(root, 'grafana/grafana-admin-password')).mode & 0o777).toBe(0o444);
    });

    test('every secret a service reads is a generated file in a volume mounted into that service', () => {
      const checks: unknown[][] = [];
      // *_FILE variables
      for (const [name, s] of Object.entries(services))
        for (const [key, value] of Object.entries(s.environment ?? {}))
          if (/_FILE$/.test(key) && value.startsWith('/run/secrets/')) checks.push(readable(name, value));
      // files named in commands
      for (const [name, s] of Object.entries(services))
        for (const match of commandText(s).matchAll(/(\/run\/secrets\/[\w.-]+)/g))
          checks.push(readable(name, match[1] as string));
      // the exporter's web config, Prometheus' scrape credential, Alertmanager's *_file settings
      const webConfig = fs.readFileSync(path.join(repoRoot, 'exporter', 'web-config.demo.yml'), 'utf8');
      for (const match of webConfig.matchAll(/(\/run\/secrets\/[\w.-]+)/g))
        checks.push(readable('exporter', match[1] as string));
      const prometheusYml = parse(
        fs.readFileSync(path.join(repoRoot, 'alerting', 'prometheus.yml'), 'utf8'),
      ) as {
        scrape_configs: { authorization?: { credentials_file?: string } }[];
      };
      for (const job of prometheusYml.scrape_configs)
        if (job.authorization?.credentials_file)
          checks.push(
            readable('prometheus', path.posix.join('/etc/prometheus', job.authorization.credentials_file)),
          );
      const alertmanagerYml = fs.readFileSync(path.join(repoRoot, 'alerting', 'alertmanager.yml'), 'utf8');
      for (const match of alertmanagerYml.matchAll(/_file:\s*(\S+)/g))
        checks.push(readable('alertmanager', match[1] as string));
      expect(checks.length).toBeGreaterThanOrEqual(10);
      expect(checks.filter((c) => c[2] !== true)).toEqual([]);
    });

    test("the exporter's web config accepts the generated token Prometheus sends", async () => {
      const webConfig = fs
        .readFileSync(path.join(repoRoot, 'exporter', 'web-config.demo.yml'), 'utf8')
        .replaceAll(
          '/run/secrets/chom-exporter-token',
          hostPath('exporter', '/run/secrets/chom-exporter-token') as string,
        );
      const file = path.join(work.dir, 'web.yml');
      fs.writeFileSync(file, webConfig);
      const { stdout } = await execFileAsync(tsx, [
        path.join(repoRoot, 'exporter/src/main.ts'),
        '--check-web-config',
        file,
      ]);
      expect(stdout).toContain('web configuration is valid');
    });

    test('a second start changes nothing; files of your own are kept and shared with their twins', async () => {
      const before = filesUnder(root);
      const again = await runScript(secretsScript, [], { CHOM_SECRETS_ROOT: root });
      expect(again.code).toBe(0);
      expect(again.stdout).not.toContain('generated');
      expect(filesUnder(root)).toEqual(before);

      const own = tempDir('compose-secrets-own');
      try {
        const ownRoot = path.join(own.dir, 's');
        fs.mkdirSync(path.join(ownRoot, 'alertmanager'), { recursive: true });
        fs.mkdirSync(path.join(ownRoot, 'prometheus'), { recursive: true });
        fs.writeFileSync(
          path.join(ownRoot, 'alertmanager', 'slack-api-url'),
          'https://hooks.slack.com/services/REAL',
        );
        fs.writeFileSync(path.join(ownRoot, 'prometheus', 'chom-exporter-token'), 'my-own-token-0123456789');
        const run = await runScript(secretsScript, [], {
          CHOM_SECRETS_ROOT: ownRoot,
          CHOM_DEMO_SECRETS: 'false',
        });
        // the other external credentials are missing, and nothing invents them
        expect(run.code).not.toBe(0);
        expect(run.stderr).toContain('alertmanager/pagerduty-routing-key');
        expect(run.stderr).toContain('alertmanager/smtp-password');
        expect(run.stderr).not.toContain('alertmanager/slack-api-url');
        const files = filesUnder(ownRoot);
        expect(files['alertmanager/slack-api-url']).toBe('https://hooks.slack.com/services/REAL');
        expect(files['alertmanager/pagerduty-routing-key']).toBeUndefined();
        expect(files['exporter/chom-exporter-token']).toBe('my-own-token-0123456789');
      } finally {
        own.remove();
      }
    });

    test('two files that must agree but do not are an error naming both', async () => {
      const other = tempDir('compose-secrets-mismatch');
      try {
        const r = path.join(other.dir, 's');
        fs.cpSync(root, r, { recursive: true });
        fs.chmodSync(path.join(r, 'prometheus', 'chom-exporter-token'), 0o644);
        fs.writeFileSync(path.join(r, 'prometheus', 'chom-exporter-token'), 'a-different-token-0123456789');
        const run = await runScript(secretsScript, [], { CHOM_SECRETS_ROOT: r });
        expect(run.code).not.toBe(0);
        expect(run.stderr).toContain(
          'exporter/chom-exporter-token and prometheus/chom-exporter-token differ',
        );
      } finally {
        other.remove();
      }
    });
  });
});

describe('docker-compose stack: Prometheus configuration (long-term storage)', () => {
  let work: ReturnType<typeof tempDir>;
  let etc: string;
  beforeAll(() => {
    work = tempDir('compose-prometheus-config');
    etc = path.join(work.dir, 'etc');
    // the container's /etc/prometheus: the mounts of the prometheus service
    for (const m of mounts.filter(
      (x) => x.service === 'prometheus' && x.target.startsWith('/etc/prometheus/'),
    )) {
      const target = path.join(etc, m.target.slice('/etc/prometheus/'.length));
      if (isBind(m)) fs.cpSync(path.join(repoRoot, m.source), target, { recursive: true });
      else fs.mkdirSync(target, { recursive: true });
    }
    fs.writeFileSync(path.join(etc, 'secrets', 'chom-exporter-token'), 'stand-in-token-0123456789');
  });
  afterAll(() => work?.remove());

  test('without CHOM_REMOTE_WRITE_URL Prometheus reads alerting/prometheus.yml as it is', async () => {
    const run = await runScript(
      prometheusConfigScript,
      [path.join(etc, 'prometheus.yml'), path.join(etc, 'generated')],
      {
        CHOM_REMOTE_WRITE_URL: '',
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(path.join(etc, 'prometheus.yml'));
    expect(service('prometheus').tmpfs).toContain('/etc/prometheus/generated');
    expect(commandText(service('prometheus'))).toContain('/etc/prometheus/chom/prometheus-config.sh');
  });

  test('with it, the same configuration plus remote_write, valid for promtool with its rules and token', async () => {
    const url = 'http://vminsert:8480/insert/0/prometheus/api/v1/write';
    const run = await runScript(
      prometheusConfigScript,
      [path.join(etc, 'prometheus.yml'), path.join(etc, 'generated')],
      {
        CHOM_REMOTE_WRITE_URL: url,
      },
    );
    expect(run.code).toBe(0);
    const generated = run.stdout.trim();
    expect(generated).toBe(path.join(etc, 'generated', 'prometheus.yml'));
    const original = parse(fs.readFileSync(path.join(etc, 'prometheus.yml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const config = parse(fs.readFileSync(generated, 'utf8')) as Record<string, unknown>;
    expect(config.remote_write).toEqual([{ url, queue_config: { max_samples_per_send: 5000 } }]);
    delete config.remote_write;
    expect(config).toEqual(original);
    const check = await execFileAsync('promtool', ['check', 'config', generated]);
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  test('a URL that is not http(s) is refused with a message naming the variable', async () => {
    const run = await runScript(
      prometheusConfigScript,
      [path.join(etc, 'prometheus.yml'), path.join(etc, 'generated2')],
      {
        CHOM_REMOTE_WRITE_URL: 'vminsert:8480',
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('CHOM_REMOTE_WRITE_URL must be an http:// or https:// URL');
    expect(fs.existsSync(path.join(etc, 'generated2'))).toBe(false);
  });
});
