import path from 'node:path';
import {
  eventually,
  freePort,
  promtoolCheckMetrics,
  repoRoot,
  startExporter,
  startProcess,
  waitForHttp,
  type RunningExporter,
} from '@chom/test-support';
import { createSchemaDatabase, insert, server, site, team } from './support/fixtures';
import { badValues, parseSamples, sum, value } from './support/exposition';

type Db = Awaited<ReturnType<typeof createSchemaDatabase>>;
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
const main = path.join(repoRoot, 'exporter', 'src', 'main.ts');
const MAX = '18446744073709551615';

/** Rows an application database should not have, but might. */
async function fillHostile(db: Db) {
  await insert(db.pool, 'teams', [
    team(1, { name: 'Quote " back\\slash\nnewline', plan: 'weird "plan"\n' }),
    team(2, { plan: '' }),
    team(3), // no sites, no servers, no revenue
    team(Number.MAX_SAFE_INTEGER, { plan: 'enterprise' }),
  ]);
  await insert(db.pool, 'subscriptions', [
    { team_id: 1, plan: 'x', amount_monthly: '9999999999.99', status: 'active' },
    { team_id: 2, plan: 'x', amount_monthly: '0.00', status: 'ACTIVE' },
  ]);
  await insert(db.pool, 'vps_servers', [
    server(1, { disk_gb: 0, max_sites: 0, size: 'never-heard-of-it', status: 'exploded' }),
    server(2, { disk_gb: 4294967295, max_sites: 4294967295, created_at: null }),
    server(3, { team_id: 424242, status: 'stopped', provider: 'ünïcödé "p"' }), // dedicated to an unknown tenant
    server(4, { status: 'decommissioned', created_at: '2030-01-01 00:00:00' }),
  ]);
  await insert(db.pool, 'sites', [
    site(1, 1, 1, { storage_used_bytes: MAX }),
    site(2, 1, 1, { storage_used_bytes: MAX }),
    site(3, 2, 2, { storage_used_bytes: 0 }),
    site(4, 2, 404, { storage_used_bytes: MAX }), // missing server
    site(5, 9999, null, { storage_used_bytes: 5 }), // unknown tenant, not placed
  ]);
  await insert(db.pool, 'site_bandwidth_daily', [
    { site_id: 1, day: new Date().toISOString().slice(0, 10), bytes_in: MAX, bytes_out: MAX },
    { site_id: 2, day: new Date().toISOString().slice(0, 10), bytes_in: MAX, bytes_out: MAX },
    { site_id: 12345, day: new Date().toISOString().slice(0, 10), bytes_in: 0, bytes_out: 0 },
  ]);
  await insert(db.pool, 'email_logs', [
    { team_id: 1, type: 'carrier-pigeon', sent_at: new Date().toISOString().slice(0, 19).replace('T', ' ') },
    { team_id: 77, type: 'transactional', sent_at: new Date().toISOString().slice(0, 19).replace('T', ' ') },
  ]);
}

describe('a running exporter', () => {
  let db: Db;
  let exporter: RunningExporter;

  beforeAll(async () => {
    db = await createSchemaDatabase();
    await fillHostile(db);
    exporter = await startExporter({
      databaseUrl: db.readerUrl,
      configYaml: [
        'currency: EUR',
        'collection: { ttl_seconds: 1, expose_tenant_names: true }',
        'fixed_items: [ { name: load_balancer, category: network, monthly: 25 } ]',
        'budgets: { monthly_total: 5000, categories: { compute: 3000 } }',
        'capacity: { database_limit_bytes: 1 }',
        // an override whose rows are partly unusable: they are skipped, not fatal
        `sources:\n  subscriptions: "SELECT team_id AS tenant_id, amount_monthly AS revenue_monthly FROM subscriptions UNION ALL SELECT 'x', 'y' UNION ALL SELECT -1, -5"`,
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await exporter?.stop();
    await db?.close();
  });

  test('its exposition of hostile rows passes promtool check metrics with no output', async () => {
    const text = await exporter.metrics();
    const check = await promtoolCheckMetrics(text);
    expect(check).toEqual({ code: 0, output: '' });
  });

  test('no NaN, no infinity, no negative cost; BIGINT maxima are rejected, counted and left out', async () => {
    const samples = parseSamples(await exporter.metrics());
    expect(badValues(samples)).toEqual([]);
    // the three sites at 2^64−1 bytes are left out; the unplaced site's 5 bytes count
    expect(value(samples, 'chom_storage_used_bytes')).toBe(5);
    expect(
      value(samples, 'chom_exporter_rejected_rows', { source: 'sites', reason: 'storage_above_limit' }),
    ).toBe(3);
    expect(
      value(samples, 'chom_exporter_rejected_rows', { source: 'servers', reason: 'disk_above_limit' }),
    ).toBe(1);
    expect(value(samples, 'chom_exporter_up')).toBe(1);
    // the override's rows: 9,999,999,999.99 is rejected (the override has no bounds of its own, the
    // model's backstop applies), the two unreadable rows are skipped and counted
    expect(value(samples, 'chom_tenant_revenue_monthly', { tenant_id: '1' })).toBe(0);
    expect(
      value(samples, 'chom_exporter_rejected_rows', {
        source: 'subscriptions',
        reason: 'revenue_above_limit',
      }),
    ).toBe(1);
    expect(
      value(samples, 'chom_exporter_rejected_rows', { source: 'subscriptions', reason: 'unreadable' }),
    ).toBe(2);
    expect(value(samples, 'chom_tenant_info', { tenant_id: '1', name: 'Quote " back\\slash\nnewline' })).toBe(
      1,
    );
    expect(value(samples, 'chom_servers', { status: 'other' })).toBe(1);
    expect(value(samples, 'chom_tenant_cost_monthly', { tenant_id: '424242', category: 'compute' })).toBe(20);
    expect(value(samples, 'chom_capacity_headroom_ratio', { resource: 'database' })).toBeLessThan(0);
  });

  test('HELP texts state the currency and the refresh interval; budgets and thresholds come from the config', async () => {
    const text = await exporter.metrics();
    expect(text).toContain(
      '# HELP chom_infrastructure_cost_monthly Monthly run-rate cost in EUR; refreshed every 1 s.',
    );
    expect(text).toMatch(/# HELP chom_tenant_cost_monthly .*in EUR.*refreshed every 1 s/);
    const samples = parseSamples(text);
    expect(value(samples, 'chom_cost_budget_monthly', { category: 'total' })).toBe(5000);
    expect(value(samples, 'chom_cost_budget_monthly', { category: 'compute' })).toBe(3000);
    expect(value(samples, 'chom_cost_budget_alert_threshold_ratio', { threshold: '0.75' })).toBe(0.75);
    expect(value(samples, 'chom_exporter_info', { currency: 'EUR' })).toBe(1);
    expect(value(samples, 'chom_infrastructure_cost_monthly', { resource_type: 'load_balancer' })).toBe(25);
    expect(value(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  test('a source that starts failing keeps the last good values, sets up to 0 and counts errors', async () => {
    const before = parseSamples(await exporter.metrics());
    await db.pool.query('RENAME TABLE sites TO sites_gone');
    try {
      await eventually(
        async () => {
          const samples = parseSamples(await exporter.metrics());
          expect(value(samples, 'chom_exporter_up')).toBe(0);
          // a missing table is a query error
          expect(
            value(samples, 'chom_exporter_source_errors_total', { source: 'sites', reason: 'query' }),
          ).toBeGreaterThan(0);
          return true;
        },
        15_000,
        'the sites source to fail',
      );
      const text = await exporter.metrics();
      expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
      const after = parseSamples(text);
      expect(value(after, 'chom_storage_used_bytes')).toBe(value(before, 'chom_storage_used_bytes'));
      expect(value(after, 'chom_tenant_sites', { tenant_id: '1' })).toBe(2);
      expect(sum(after, 'chom_exporter_source_errors_total', { source: 'servers' })).toBe(0);
      expect(value(after, 'chom_exporter_source_errors_total', { source: 'sites', reason: 'timeout' })).toBe(
        0,
      );
      const ready = await fetch(`${exporter.url}/readyz`);
      expect(ready.status).toBe(200); // the database answers and a collection succeeded before
    } finally {
      await db.pool.query('RENAME TABLE sites_gone TO sites');
    }
    await eventually(
      async () => {
        expect(value(parseSamples(await exporter.metrics()), 'chom_exporter_up')).toBe(1);
        return true;
      },
      15_000,
      'recovery',
    );
  });
});

describe('the cache', () => {
  test('scrapes within ttl_seconds share one collection, concurrent ones too', async () => {
    const db = await createSchemaDatabase();
    await insert(db.pool, 'teams', [team(1)]);
    const exporter = await startExporter({
      databaseUrl: db.readerUrl,
      configYaml: 'collection: { ttl_seconds: 3600 }',
    });
    try {
      const stamps = async () =>
        parseSamples(await exporter.metrics()).find(
          (s) => s.name === 'chom_exporter_last_success_timestamp_seconds',
        )?.value;
      const first = await stamps();
      await insert(db.pool, 'teams', [team(2)]);
      const concurrent = await Promise.all([stamps(), stamps(), stamps()]);
      expect(concurrent).toEqual([first, first, first]);
      // the new tenant is not visible before the TTL expires
      expect(
        value(parseSamples(await exporter.metrics()), 'chom_tenant_info', { tenant_id: '2' }),
      ).toBeUndefined();
    } finally {
      await exporter.stop();
      await db.close();
    }
  });
});

test('after the TTL a scrape does not wait: it gets the previous figures while the next collection runs', async () => {
  const db = await createSchemaDatabase();
  await insert(db.pool, 'teams', [team(1)]);
  const exporter = await startExporter({
    databaseUrl: db.readerUrl,
    configYaml: 'collection: { ttl_seconds: 1 }',
  });
  try {
    const tenant2 = async () =>
      value(parseSamples(await exporter.metrics()), 'chom_tenant_info', { tenant_id: '2' });
    expect(await tenant2()).toBeUndefined();
    await insert(db.pool, 'teams', [team(2)]);
    await new Promise((r) => setTimeout(r, 1100));
    // This scrape starts the refresh and is answered from the cache.
    expect(await tenant2()).toBeUndefined();
    await eventually(
      async () => ((await tenant2()) === 1 ? true : undefined),
      10_000,
      'the refreshed figures',
    );
  } finally {
    await exporter.stop();
    await db.close();
  }
});

describe('with the database down', () => {
  test('it stays alive, is not ready, and serves a valid exposition with chom_exporter_up 0', async () => {
    const port = await freePort();
    const deadDb = await freePort(); // nothing listens there
    const proc = startProcess(tsx, [main], {
      env: {
        CHOM_DATABASE_URL: `mysql://root@127.0.0.1:${deadDb}/chom`,
        CHOM_PORT: String(port),
        CHOM_LISTEN_ADDRESS: '127.0.0.1',
        CHOM_LOG_LEVEL: 'error',
      },
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(`${url}/healthz`, proc, 60_000);
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
      const samples = parseSamples(text);
      expect(value(samples, 'chom_exporter_up')).toBe(0);
      expect(
        value(samples, 'chom_exporter_source_errors_total', { source: 'bandwidth', reason: 'connection' }),
      ).toBeGreaterThanOrEqual(1);
      expect(sum(samples, 'chom_exporter_source_errors_total', { reason: 'query' })).toBe(0);
      expect(samples.some((s) => s.name === 'chom_infrastructure_cost_monthly')).toBe(false);
      // logs are JSON lines
      for (const line of proc.output().trim().split('\n').filter(Boolean))
        expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      await proc.stop();
    }
    // SIGTERM is a graceful stop
    expect(proc.child.exitCode).toBe(0);
  });
});
