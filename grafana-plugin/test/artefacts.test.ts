/**
 * The plugin's artefacts: plugin.json against Grafana's schema, its includes, the dashboards, the
 * provisioning files, and the production build in dist/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { execFileAsync } from '@chom/test-support';
import YAML from 'yaml';
import { validatePlugin } from '../scripts/validate-plugin';

const root = path.join(__dirname, '..');
const repo = path.join(root, '..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const readYaml = (file: string) => YAML.parse(fs.readFileSync(file, 'utf8'));

const pluginJson = readJson(path.join(root, 'src', 'plugin.json'));
const schema = readJson(path.join(__dirname, 'data', 'plugin.schema.json'));

function validator() {
  // The schema names draft-07 without the trailing "#"; ajv's draft-07 support validates it as such.
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

interface Dashboard {
  uid: string;
  title: string;
  templating: { list: Array<{ name: string; type: string; query?: unknown }> };
  panels: Array<{
    title: string;
    datasource?: { uid: string };
    targets?: Array<{ expr: string; datasource: { uid: string } }>;
  }>;
}

describe('plugin.json', () => {
  it("is valid against Grafana's plugin schema", () => {
    const validate = validator();
    const valid = validate(pluginJson);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("the catalog links point into this project's repository, at files that exist", () => {
    const repository = readJson(path.join(root, 'package.json')).repository.url.replace(/\.git$/, '');
    const links: Array<{ name: string; url: string }> = pluginJson.info.links;
    expect(links.map((l) => l.name)).toEqual(['Documentation', 'Source code', 'Changelog', 'License']);
    for (const link of links) {
      expect(link.url.startsWith(repository)).toBe(true);
      const file = link.url.slice(repository.length).replace(/^\/blob\/main\/?/, '');
      expect([link.name, !file || fs.existsSync(path.join(repo, file))]).toEqual([link.name, true]);
    }
  });

  it('the schema rejects what Grafana rejects (the check can fail)', () => {
    const validate = validator();
    expect(validate({ ...pluginJson, id: 'CHOM FinOps' })).toBe(false);
    expect(validate({ ...pluginJson, dependencies: {} })).toBe(false);
    expect(validate({ ...pluginJson, includes: [{ type: 'dashbord', path: 'x.json' }] })).toBe(false);
  });

  it('is the chom-finops-app app for Grafana 12.4 and later 12.x (the versions its tests run against)', () => {
    expect(pluginJson).toMatchObject({ id: 'chom-finops-app', type: 'app' });
    // Grafana 13 runs React 19 and @grafana/* 13: not tested here, so not declared (docs/grafana-plugin.md).
    expect(pluginJson.dependencies.grafanaDependency).toBe('>=12.4.0 <13.0.0');
    const grafanaData = readJson(path.join(root, 'package.json')).dependencies['@grafana/data'];
    expect(grafanaData).toMatch(/^\^?12\.4\./);
  });

  it('every include exists: page routes are the app routes, dashboards are files whose uid the include names', () => {
    const pages = pluginJson.includes.filter((i: { type: string }) => i.type === 'page');
    expect(pages.map((p: { path: string }) => p.path)).toEqual([
      '/a/%PLUGIN_ID%/cost-analysis',
      '/a/%PLUGIN_ID%/capacity-planning',
    ]);
    const dashboards = pluginJson.includes.filter((i: { type: string }) => i.type === 'dashboard');
    expect(dashboards).toHaveLength(2);
    const uids = new Set<string>();
    for (const include of dashboards) {
      const file = path.join(root, 'src', include.path);
      expect(fs.existsSync(file)).toBe(true);
      const dashboard: Dashboard & { revision?: number } = readJson(file);
      expect(dashboard.uid).toMatch(/^chom-[a-z-]+$/);
      // Grafana links a dashboard include into the menu by its uid (/d/<uid>); without it no entry.
      expect(include).toMatchObject({ addToNav: true, uid: dashboard.uid });
      // Grafana re-imports a plugin dashboard whose revision changed.
      expect(Number.isInteger(dashboard.revision)).toBe(true);
      uids.add(dashboard.uid);
    }
    expect(uids.size).toBe(2);
    for (const logo of Object.values(pluginJson.info.logos) as string[]) {
      expect(fs.existsSync(path.join(root, 'src', logo))).toBe(true);
    }
  });
});

describe('dashboards', () => {
  const files = ['cost-analysis.json', 'capacity-planning.json'];

  it.each(files)('%s: a Prometheus datasource variable, and every query goes through it', (file) => {
    const dashboard: Dashboard = readJson(path.join(root, 'src', 'dashboards', file));
    const datasource = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const targets = dashboard.panels.flatMap((p) => p.targets ?? []);
    expect(targets.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) {
      expect(panel.datasource?.uid).toBe('${datasource}');
      for (const target of panel.targets ?? []) {
        expect(target.datasource.uid).toBe('${datasource}');
        expect(target.expr.length).toBeGreaterThan(0);
      }
    }
    // The variable starts on the provisioned datasource; no query names a datasource UID.
    expect(datasource).toMatchObject({ current: { value: 'chom-prometheus' } });
    expect(JSON.stringify(dashboard.panels)).not.toContain('chom-prometheus');
  });

  it('the cost dashboard has the tenant filter on chom_tenant_info', () => {
    const dashboard: Dashboard = readJson(path.join(root, 'src', 'dashboards', 'cost-analysis.json'));
    const tenant = dashboard.templating.list.find((v) => v.name === 'tenant');
    expect(tenant).toMatchObject({ type: 'query', includeAll: true, allValue: '.*' });
  });
});

describe('provisioning', () => {
  const dir = path.join(repo, 'provisioning');

  it('provisions Prometheus with the UID the app and its configuration default to', () => {
    const { datasources } = readYaml(path.join(dir, 'datasources', 'prometheus.yml'));
    expect(datasources).toEqual([
      expect.objectContaining({ uid: 'chom-prometheus', type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
  });

  it('enables the app by its plugin id with jsonData the app reads', () => {
    const { apps } = readYaml(path.join(dir, 'plugins', 'chom-finops-app.yml'));
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({ type: pluginJson.id, disabled: false });
    expect(Object.keys(apps[0].jsonData).sort()).toEqual([
      'budgetThresholds',
      'currency',
      'datasourceUid',
      'tenantLimit',
    ]);
    expect(apps[0].jsonData.datasourceUid).toBe('chom-prometheus');
  });

  it('delivers the dashboards once: as plugin includes, with no dashboard provider for their uids', () => {
    const providersDir = path.join(dir, 'dashboards');
    const files = fs.existsSync(providersDir) ? fs.readdirSync(providersDir) : [];
    const uids = ['chom-cost-analysis', 'chom-capacity-planning'];
    for (const file of files.filter((f) => /\.ya?ml$/.test(f))) {
      const text = fs.readFileSync(path.join(providersDir, file), 'utf8');
      expect(text).not.toContain(`plugins/${pluginJson.id}/dashboards`);
      for (const uid of uids) {
        expect(text).not.toContain(uid);
      }
    }
  });
});

describe('production build', () => {
  const dist = path.join(root, 'dist');

  beforeAll(async () => {
    await execFileAsync('npm', ['run', 'build'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  }, 240_000);

  it('writes module.js, plugin.json, the dashboards, the logo, README and CHANGELOG', () => {
    for (const file of [
      'module.js',
      'plugin.json',
      'dashboards/cost-analysis.json',
      'dashboards/capacity-planning.json',
      'img/logo.svg',
      'module.js.map',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
    ]) {
      expect(fs.existsSync(path.join(dist, file))).toBe(true);
    }
    const module = fs.readFileSync(path.join(dist, 'module.js'), 'utf8');
    expect(module).toContain('define(');
    // The Grafana packages are provided by Grafana at runtime, not bundled.
    expect(module).toMatch(/"@grafana\/data"/);
  });

  it('replaces %VERSION%, %TODAY% and %PLUGIN_ID% in plugin.json and stays valid', () => {
    const text = fs.readFileSync(path.join(dist, 'plugin.json'), 'utf8');
    expect(text).not.toMatch(/%VERSION%|%TODAY%|%PLUGIN_ID%/);
    const built = JSON.parse(text);
    expect(built.info.version).toBe(readJson(path.join(root, 'package.json')).version);
    expect(built.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(built.includes[0].path).toBe('/a/chom-finops-app/cost-analysis');
    expect(validator()(built)).toBe(true);
  });
});

describe("Grafana's plugin validator (offline rules, scripts/validate-plugin.ts)", () => {
  const dist = path.join(root, 'dist');
  const options = (d: string) => ({
    dist: d,
    src: path.join(root, 'src'),
    schemaFile: path.join(__dirname, 'data', 'plugin.schema.json'),
    repoRoot: repo,
    repositoryUrl: readJson(path.join(root, 'package.json')).repository.url,
  });

  beforeAll(async () => {
    if (!fs.existsSync(path.join(dist, 'module.js'))) {
      await execFileAsync('npm', ['run', 'build'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    }
  }, 240_000);

  it('the built plugin passes every rule that fails with an error, and has no warning', () => {
    const findings = validatePlugin(options(dist));
    expect(findings.filter((f) => f.severity === 'error' || f.severity === 'warning')).toEqual([]);
    expect(findings.map((f) => f.rule)).toEqual(
      expect.arrayContaining([
        'valid-metadata',
        'valid-license-provided',
        'valid-grafana-dependency',
        'has-keywords',
      ]),
    );
  });

  it('the rules catch what the validator catches (the check can fail)', () => {
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'chom-plugin-'));
    try {
      fs.cpSync(dist, broken, { recursive: true });
      const built = readJson(path.join(broken, 'plugin.json'));
      fs.writeFileSync(
        path.join(broken, 'plugin.json'),
        JSON.stringify({
          ...built,
          info: { ...built.info, screenshots: [{ name: 'x', path: 'img/missing.png' }], keywords: [] },
          dependencies: { ...built.dependencies, grafanaDependency: '12.4.0' },
        }),
      );
      fs.writeFileSync(
        path.join(broken, 'LICENSE'),
        'Copyright 2026 the CHOM FinOps authors. Licensed under Apache-2.0.',
      );
      fs.writeFileSync(path.join(broken, 'img', 'logo.svg'), '<svg><script>alert(1)</script></svg>');
      fs.rmSync(path.join(broken, 'module.js.map'));
      const source = fs.mkdtempSync(path.join(os.tmpdir(), 'chom-src-'));
      fs.writeFileSync(path.join(source, 'facts.ts'), "fetch('/api/ds/query', { method: 'POST' });\n");
      const rules = validatePlugin({ ...options(broken), src: source }).map((f) => f.rule);
      fs.rmSync(source, { recursive: true });
      expect(rules).toEqual(
        expect.arrayContaining([
          'path-not-exists',
          'empty-keywords',
          'depends-on-single-release',
          'license-not-valid',
          'unsafe-svg-file',
          'js-map-not-found',
          'no-api-ds-query-endpoint',
        ]),
      );
    } finally {
      fs.rmSync(broken, { recursive: true, force: true });
    }
  });

  it('no source of the plugin calls /api/ds/query (rule no-api-ds-query-endpoint)', () => {
    const findings = validatePlugin(options(dist)).filter((f) => f.analyzer === 'coderules');
    expect(findings).toEqual([]);
  });
});
