import fs from 'node:fs';
import path from 'node:path';
import { execFileAsync, repoRoot, tempDir } from '@chom/test-support';
import { parseWebConfigText } from '../src/server/web-config';
import { parse } from 'yaml';

/**
 * The docker-compose stack: the file is valid for docker-compose (no Docker engine runs here, so
 * `docker-compose config` is the check), every file it mounts is in the repository, it keeps the
 * service names and ports the parts rely on, and it holds no secret.
 */

const composePath = path.join(repoRoot, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: { context: string; target: string };
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  secrets?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  command?: string[] | string;
}
interface Compose {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
}

const compose = parse(fs.readFileSync(composePath, 'utf8'), { merge: true }) as Compose;
const services = compose.services;

/** Host paths mounted that are not in the repository on purpose. */
const BUILD_OUTPUTS = ['grafana-plugin/dist'];
const OPERATOR_SECRETS_DIR = 'secrets/';

function bindMounts(): { service: string; host: string; target: string }[] {
  return Object.entries(services).flatMap(([service, s]) =>
    (s.volumes ?? [])
      .map((v) => v.split(':'))
      .filter(([host]) => host !== undefined && (host.startsWith('./') || host.startsWith('/')))
      .map(([host, target]) => ({ service, host: host as string, target: target as string })),
  );
}

describe('docker-compose stack', () => {
  test('docker-compose validates the file', async () => {
    // No skip when docker-compose is missing: scripts/setup-machine.sh installs it.
    await expect(
      execFileAsync('docker-compose', ['-f', composePath, 'config', '-q'], { cwd: repoRoot }),
    ).resolves.toBeDefined();
    const { stdout } = await execFileAsync('docker-compose', ['-f', composePath, 'config', '--services'], {
      cwd: repoRoot,
    });
    expect(stdout.trim().split('\n').sort()).toEqual(Object.keys(services).sort());
  });

  test('has every service of the stack under its contract host name', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'alertmanager',
        'exporter',
        'grafana',
        'mailpit',
        'mariadb',
        'mysqld-exporter',
        'node-exporter',
        'prometheus',
        'redis',
        'reporter',
        'seed',
      ].sort(),
    );
    expect(services.exporter?.environment?.CHOM_PORT).toBe('9864');
    expect(services.exporter?.ports).toContain('9864:9864');
    expect(services.prometheus?.ports).toContain('9090:9090');
    expect(services.alertmanager?.ports).toContain('9093:9093');
    expect(services.grafana?.ports).toContain('3000:3000');
  });

  test('every file it mounts is in the repository (except build outputs and operator secrets)', () => {
    const mounts = bindMounts().filter((m) => m.host.startsWith('./'));
    expect(mounts.length).toBeGreaterThan(5);
    const missing = mounts
      .map((m) => m.host.slice(2))
      .filter((host) => !BUILD_OUTPUTS.includes(host) && !host.startsWith(OPERATOR_SECRETS_DIR))
      .filter((host) => !fs.existsSync(path.join(repoRoot, host)));
    expect(missing).toEqual([]);
    for (const [name, secret] of Object.entries(compose.secrets)) {
      expect([name, secret.file.startsWith(`./${OPERATOR_SECRETS_DIR}`)]).toEqual([name, true]);
    }
  });

  test('no secret file is committed', async () => {
    const { stdout } = await execFileAsync('git', ['ls-files', '--', OPERATOR_SECRETS_DIR], {
      cwd: repoRoot,
    });
    expect(stdout.trim()).toBe('');
  });

  test('holds no secret: passwords come from files', () => {
    const text = fs.readFileSync(composePath, 'utf8');
    expect(text).not.toMatch(/mysql:\/\/[^:@/\s]+:[^$@\s]+@/); // a literal password in a URL
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|SECRET|TOKEN|API_KEY/.test(key)) {
          expect([name, key, /_FILE$/.test(key) && String(value).startsWith('/run/secrets/')]).toEqual([
            name,
            key,
            true,
          ]);
        }
      }
    }
  });

  test('Grafana loads the unsigned app from the plugin build and the provisioning', () => {
    const grafana = services.grafana as Service;
    expect(grafana.environment?.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).toBe('chom-finops-app');
    const targets = bindMounts()
      .filter((m) => m.service === 'grafana')
      .map((m) => `${m.host} -> ${m.target}`);
    expect(targets).toEqual(
      expect.arrayContaining([
        './grafana-plugin/dist -> /var/lib/grafana/plugins/chom-finops-app',
        './provisioning/datasources -> /etc/grafana/provisioning/datasources',
        './provisioning/plugins -> /etc/grafana/provisioning/plugins',
        './provisioning/dashboards -> /etc/grafana/provisioning/dashboards',
      ]),
    );
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

  test('/metrics is scraped with a credential: the exporter accepts the token file Prometheus sends', () => {
    const exporter = services.exporter as Service;
    const webConfigPath = exporter.environment?.CHOM_WEB_CONFIG_FILE;
    const mount = bindMounts().find((m) => m.service === 'exporter' && m.target === webConfigPath);
    expect(mount?.host).toBe('./exporter/web-config.demo.yml');
    // the demo web config, with its secret where the exporter's Docker secret puts it
    const work = tempDir('compose-web-config');
    try {
      const tokenFile = path.join(work.dir, 'token');
      fs.writeFileSync(tokenFile, 'stand-in-token-0123456789\n');
      const text = fs.readFileSync(path.join(repoRoot, mount?.host as string), 'utf8');
      const secretPath = (name: string) => `/run/secrets/${name}`;
      const secrets = (exporter.secrets ?? []).filter((name) => text.includes(secretPath(name)));
      expect(secrets).toEqual(['chom-exporter-token']);
      const config = parseWebConfigText(
        text.replace(secretPath('chom-exporter-token'), tokenFile),
        path.join(work.dir, 'web.yml'),
      );
      expect(config.bearerTokenDigests).toHaveLength(1);
    } finally {
      work.remove();
    }
    // Prometheus reads the same secret file, where prometheus.yml names it (relative to the config)
    const prometheusYml = parse(
      fs.readFileSync(path.join(repoRoot, 'alerting', 'prometheus.yml'), 'utf8'),
    ) as {
      scrape_configs: { job_name: string; authorization?: { credentials_file?: string } }[];
    };
    const job = prometheusYml.scrape_configs.find((c) => c.job_name === 'chom-exporter');
    const credentials = path.posix.join('/etc/prometheus', job?.authorization?.credentials_file ?? '');
    const prometheusMount = bindMounts().find((m) => m.service === 'prometheus' && m.target === credentials);
    expect(prometheusMount?.host).toBe(compose.secrets['chom-exporter-token']?.file);
  });

  test('long-running services have healthchecks, named volumes are declared, images are pinned', () => {
    const oneShotOrNoProbe = ['seed'];
    for (const [name, service] of Object.entries(services)) {
      if (!oneShotOrNoProbe.includes(name))
        expect([name, service.healthcheck?.test?.length ?? 0]).not.toEqual([name, 0]);
      if (service.image) expect([name, /:(latest)?$/.test(service.image)]).toEqual([name, false]);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] as string;
        if (!source.startsWith('.') && !source.startsWith('/'))
          expect(Object.keys(compose.volumes)).toContain(source);
      }
    }
    expect(services.seed?.depends_on?.mariadb?.condition).toBe('service_healthy');
    expect(services.exporter?.depends_on?.seed?.condition).toBe('service_completed_successfully');
  });

  test('the images it builds are targets of the root Dockerfile', () => {
    const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);
    const built = Object.values(services).flatMap((s) => (s.build ? [s.build.target] : []));
    expect(new Set(built)).toEqual(new Set(['exporter', 'reporter']));
    for (const target of built) expect(stages).toContain(target);
    // Files the build copies from the context exist.
    const copies = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].flatMap((m) => {
      const parts = (m[1] as string).trim().split(/\s+/);
      return parts.slice(0, -1);
    });
    expect(copies.filter((source) => !fs.existsSync(path.join(repoRoot, source)))).toEqual([]);
  });
});
