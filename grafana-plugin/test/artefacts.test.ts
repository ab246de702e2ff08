/**
 * The plugin's artefacts: plugin.json against Grafana's schema, its includes, the dashboards, the
 * provisioning files, and the production build in dist/.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { execFileAsync } from '@chom/test-support';
import YAML from 'yaml';

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

  it('the schema rejects what Grafana rejects (the check can fail)', () => {
    const validate = validator();
    expect(validate({ ...pluginJson, id: 'CHOM FinOps' })).toBe(false);
    expect(validate({ ...pluginJson, dependencies: {} })).toBe(false);
    expect(validate({ ...pluginJson, includes: [{ type: 'dashbord', path: 'x.json' }] })).toBe(false);
  });

  it('is the chom-finops-app app for Grafana 12.4 and later', () => {
    expect(pluginJson).toMatchObject({ id: 'chom-finops-app', type: 'app' });
    expect(pluginJson.dependencies.grafanaDependency).toBe('>=12.4.0');
    const grafanaData = readJson(path.join(root, 'package.json')).dependencies['@grafana/data'];
    expect(grafanaData).toMatch(/^\^?12\.4\./);
  });

  it('every include exists: page routes are the app routes, dashboards are files with unique uids', () => {
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
      expect(include.addToNav).toBe(true);
      const dashboard: Dashboard = readJson(file);
      expect(dashboard.uid).toMatch(/^chom-[a-z-]+$/);
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
    // No hard-coded datasource UID anywhere in the file.
    expect(fs.readFileSync(path.join(root, 'src', 'dashboards', file), 'utf8')).not.toContain(
      'chom-prometheus',
    );
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

  it('loads the dashboards from the installed plugin folder', () => {
    const { providers } = readYaml(path.join(dir, 'dashboards', 'chom.yml'));
    expect(providers[0]).toMatchObject({ type: 'file' });
    expect(providers[0].options.path).toBe(`/var/lib/grafana/plugins/${pluginJson.id}/dashboards`);
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
