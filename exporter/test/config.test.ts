import fs from 'node:fs';
import path from 'node:path';
import { execFileAsync, repoRoot, tempDir } from '@chom/test-support';
import {
  ConfigError,
  configSchema,
  loadConfigFile,
  loadEnvironment,
  parseConfig,
  parseConfigText,
  SOURCE_NAMES,
} from '../src/config';
import { HELP } from '../src/help';

const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
const main = path.join(repoRoot, 'exporter', 'src', 'main.ts');

function problems(yaml: string): string[] {
  try {
    parseConfigText(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`accepted: ${yaml}`);
}

describe('YAML config', () => {
  test('no file gives the documented defaults', () => {
    const config = loadConfigFile(undefined);
    expect(config.currency).toBe('USD');
    expect(config.collection).toEqual({
      ttl_seconds: 60,
      timeout_seconds: 30,
      full_read_interval_seconds: 3600,
      late_rows_seconds: 3600,
      bandwidth_chunk_sites: 20000,
      email_chunk_ids: 250000,
      tenant_limit: 500,
      expose_tenant_names: false,
    });
    expect(config.pricing.servers.stopped_factor).toBe(1);
    expect(config.budgets.alert_thresholds).toEqual([0.5, 0.75, 0.9, 1.0]);
    expect(config.allocation).toEqual({ shared_servers: 'storage_share', shared_overhead: 'unallocated' });
  });

  test('the query deadline defaults to 30 s, or to a shorter TTL', () => {
    expect(parseConfig({ collection: { ttl_seconds: 5 } }).collection.timeout_seconds).toBe(5);
    expect(
      parseConfig({ collection: { ttl_seconds: 5, timeout_seconds: 2.5 } }).collection.timeout_seconds,
    ).toBe(2.5);
  });

  test('the shipped example is valid and sets what it says', () => {
    const config = loadConfigFile(path.join(repoRoot, 'exporter', 'chom-finops.example.yml'));
    expect(config.pricing.servers.sizes).toContainEqual({ provider: 'hetzner', size: 'cx22', monthly: 4.51 });
    expect(config.fixed_items).toContainEqual({ name: 'load_balancer', category: 'network', monthly: 25 });
    expect(config.budgets.monthly_total).toBe(5000);
    expect(config.capacity.database_limit_bytes).toBe(10737418240);
  });

  test.each([
    [
      'pricing: { servers: { stopped_factor: "x" } }',
      'pricing.servers.stopped_factor: expected a number between 0 and 1, got "x"',
    ],
    [
      'pricing: { servers: { stopped_factor: 1.5 } }',
      'pricing.servers.stopped_factor: expected a number between 0 and 1, got 1.5',
    ],
    ['currency: euro', 'currency: expected a 3-letter ISO 4217 currency code'],
    ['collection: { ttl_seconds: 0 }', 'collection.ttl_seconds: expected a whole number of seconds'],
    ['collection: { tenant_limit: 2.5 }', 'collection.tenant_limit: expected a positive integer'],
    ['collection: { expose_tenant_names: "yes" }', 'collection.expose_tenant_names: expected true or false'],
    ['collection: { ttl: 5 }', 'collection.ttl: unknown setting'],
    [
      'collection: { ttl_seconds: 60, timeout_seconds: 60 }',
      'collection.timeout_seconds: expected fewer seconds than collection.ttl_seconds, got 60',
    ],
    [
      'collection: { timeout_seconds: 0 }',
      'collection.timeout_seconds: expected a number of seconds > 0, got 0',
    ],
    [
      'collection: { late_rows_seconds: 90000 }',
      'collection.late_rows_seconds: expected a whole number of seconds from 0 to 86400, got 90000',
    ],
    [
      'collection: { full_read_interval_seconds: 1.5 }',
      'collection.full_read_interval_seconds: expected a whole number of seconds ≥ 0, got 1.5',
    ],
    [
      'pricing: { storage: { gib_month: -1 } }',
      'pricing.storage.gib_month: expected a non-negative number, got -1',
    ],
    [
      'pricing: { servers: { sizes: [ { provider: hetzner, size: cx22 } ] } }',
      'pricing.servers.sizes[0].monthly: expected a non-negative number, got nothing',
    ],
    [
      'pricing: { email: { per_1000: { marketing: cheap } } }',
      'pricing.email.per_1000.marketing: expected a non-negative number',
    ],
    [
      'fixed_items: [ { name: "Load Balancer", category: network, monthly: 25 } ]',
      'fixed_items[0].name: expected a lower-case name',
    ],
    ['fixed_items: { name: lb }', 'fixed_items: expected a list of { name, category, monthly }'],
    ['budgets: { alert_thresholds: [0.5, -1] }', 'budgets.alert_thresholds[1]: expected a positive ratio'],
    ['budgets: { monthly_total: lots }', 'budgets.monthly_total: expected a non-negative number, got "lots"'],
    [
      'allocation: { shared_servers: by_cpu }',
      'allocation.shared_servers: expected storage_share, site_count or even, got "by_cpu"',
    ],
    [
      'allocation: { shared_overhead: spread }',
      'allocation.shared_overhead: expected unallocated or proportional',
    ],
    [
      'capacity: { database_limit_bytes: "10G" }',
      'capacity.database_limit_bytes: expected a non-negative number of bytes',
    ],
    [
      'plausibility: { link_speed_gbps: 0 }',
      'plausibility.link_speed_gbps: expected a positive number of Gbit/s, got 0',
    ],
    [
      'plausibility: { storage_over_disk_factor: 0.5 }',
      'plausibility.storage_over_disk_factor: expected a number ≥ 1',
    ],
    [
      'plausibility: { max_disk_gb: 1.5 }',
      'plausibility.max_disk_gb: expected a positive whole number of GiB',
    ],
    [
      'plausibility: { max_monthly_revenue: -1 }',
      'plausibility.max_monthly_revenue: expected a non-negative number',
    ],
    [
      'collection: { bandwidth_chunk_sites: 2.5 }',
      'collection.bandwidth_chunk_sites: expected a whole number of sites ≥ 0',
    ],
    [
      'collection: { email_chunk_ids: -1 }',
      'collection.email_chunk_ids: expected a whole number of row IDs ≥ 0',
    ],
    ['plausibility: { max_rows: 1 }', 'plausibility.max_rows: unknown setting'],
    ['sources: { teams: "SELECT 1" }', 'sources.teams: unknown setting'],
    ['sources: { bandwidth: "" }', 'sources.bandwidth: expected an SQL SELECT statement'],
    ['pricing: [1, 2]', 'pricing: Invalid input: expected object, received array'],
    ['currency: [', 'invalid YAML'],
  ])('%s is rejected naming the field', (yaml, message) => {
    expect(problems(yaml).join('\n')).toContain(message);
  });

  test('every problem is reported, not only the first', () => {
    expect(problems('currency: x\ncollection: { ttl_seconds: -1 }')).toHaveLength(2);
  });
});

describe('environment', () => {
  test('defaults and required database URL', () => {
    expect(loadEnvironment({ CHOM_DATABASE_URL: 'mysql://u:p@db:3306/chom' })).toEqual({
      databaseUrl: 'mysql://u:p@db:3306/chom',
      redisUrl: undefined,
      port: 9864,
      listenAddress: '0.0.0.0',
      configPath: undefined,
      logLevel: 'info',
    });
    expect(() => loadEnvironment({})).toThrow('CHOM_DATABASE_URL: expected a mysql://');
  });

  test.each([
    [{ CHOM_PORT: '70000' }, 'CHOM_PORT: expected a TCP port number'],
    [{ CHOM_PORT: 'http' }, 'CHOM_PORT: expected a TCP port number'],
    [{ CHOM_LOG_LEVEL: 'loud' }, 'CHOM_LOG_LEVEL: expected one of'],
    [{ CHOM_REDIS_URL: 'localhost:6379' }, 'CHOM_REDIS_URL: expected a redis://'],
    [{ CHOM_DATABASE_URL: 'postgres://x/y' }, 'CHOM_DATABASE_URL: expected a mysql://'],
  ])('%j is rejected', (env, message) => {
    expect(() => loadEnvironment({ CHOM_DATABASE_URL: 'mysql://u@h/db', ...env })).toThrow(message);
  });

  test('a password in the database URL is never echoed', () => {
    expect(() => loadEnvironment({ CHOM_DATABASE_URL: 'postgres://u:secret@h/db' })).toThrow(
      /^(?![\s\S]*secret)/,
    );
  });
});

describe('main.ts as a process', () => {
  test('an invalid config file stops it with exit code 2 and the field on stderr', async () => {
    const work = tempDir('config-test');
    const file = path.join(work.dir, 'bad.yml');
    fs.writeFileSync(file, 'pricing:\n  servers:\n    stopped_factor: "x"\n');
    const run = execFileAsync(tsx, [main], {
      env: { ...process.env, CHOM_DATABASE_URL: 'mysql://root@127.0.0.1:1/none', CHOM_CONFIG: file },
    });
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        'pricing.servers.stopped_factor: expected a number between 0 and 1, got "x"',
      ),
    });
    work.remove();
  });

  test('--check-config accepts the example and rejects a bad file', async () => {
    const example = path.join(repoRoot, 'exporter', 'chom-finops.example.yml');
    const ok = await execFileAsync(tsx, [main, '--check-config', example]);
    expect(ok.stdout).toContain('configuration is valid');
    const work = tempDir('config-test');
    const file = path.join(work.dir, 'bad.yml');
    fs.writeFileSync(file, 'budgets: { categories: { compute: -5 } }\n');
    await expect(execFileAsync(tsx, [main, '--check-config', file])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('budgets.categories.compute: expected a non-negative number, got -5'),
    });
    work.remove();
  });

  test('--help documents every environment variable and every setting', async () => {
    const { stdout } = await execFileAsync(tsx, [main, '--help']);
    expect(stdout).toBe(HELP);
    for (const variable of [
      'CHOM_DATABASE_URL',
      'CHOM_REDIS_URL',
      'CHOM_PORT',
      'CHOM_LISTEN_ADDRESS',
      'CHOM_CONFIG',
      'CHOM_LOG_LEVEL',
    ]) {
      expect(stdout).toContain(variable);
    }
    // every leaf of the schema (objects are walked through their default/optional wrappers)
    type Node = { def: { type: string; innerType?: Node; in?: Node; shape?: Record<string, Node> } };
    const settings = (node: Node, prefix: string): string[] => {
      if (node.def.innerType) return settings(node.def.innerType, prefix);
      if (node.def.type === 'pipe' && node.def.in) return settings(node.def.in, prefix);
      if (node.def.type === 'object' && node.def.shape) {
        return Object.entries(node.def.shape).flatMap(([k, v]) => settings(v, prefix ? `${prefix}.${k}` : k));
      }
      return [prefix];
    };
    const documented = settings(configSchema as unknown as Node, '');
    expect(documented.length).toBeGreaterThan(20);
    for (const setting of documented.filter((s) => !s.startsWith('sources.')))
      expect(stdout).toContain(setting);
    for (const source of SOURCE_NAMES) expect(stdout).toContain(source);
  });
});
