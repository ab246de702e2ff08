import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pino from 'pino';
import {
  eventually,
  execFileAsync,
  freePort,
  repoRoot,
  startExporter,
  startMariaDbInstance,
  startProcess,
  tempDir,
  waitForHttp,
  type MariaDbInstance,
} from '@chom/test-support';
import { createCollector } from '../src/collector';
import { createPool } from '../src/sources';
import { createStatementRunner, withServerDeadline } from '../src/sources/statements';
import { config, insert, server, site, team } from './support/fixtures';
import { parseSamples, sum, value } from './support/exposition';

/**
 * A private MariaDB instance: these tests lock tables, hang queries and restart the server, which
 * must never disturb the shared one.
 */
const schemaSql = fs.readFileSync(path.join(__dirname, '..', 'src', 'demo', 'schema.sql'), 'utf8');
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
const main = path.join(repoRoot, 'exporter', 'src', 'main.ts');
const today = () => new Date().toISOString().slice(0, 10);

let instance: MariaDbInstance;
let admin: mysql.Pool;
let databaseUrl: string;

beforeAll(async () => {
  instance = await startMariaDbInstance();
  const root = await mysql.createConnection(instance.serverUrl);
  await root.query('CREATE DATABASE chom CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
  await root.end();
  databaseUrl = `${instance.serverUrl}/chom`;
  admin = mysql.createPool({ uri: databaseUrl, multipleStatements: true, connectionLimit: 2 });
  await admin.query(schemaSql);
  await insert(admin, 'teams', [team(1), team(2)]);
  await insert(admin, 'vps_servers', [server(1)]);
  await insert(admin, 'sites', [site(1, 1, 1, { storage_used_bytes: 2 ** 30 }), site(2, 2, 1)]);
  await insert(admin, 'site_bandwidth_daily', [
    { site_id: 1, day: today(), bytes_in: 5, bytes_out: 2 ** 34 },
  ]);
}, 120_000);

afterAll(async () => {
  await admin?.end();
  await instance?.remove();
});

/** Statements of other connections that still mention the table (running or waiting). */
async function queriesOn(table: string): Promise<string[]> {
  const [rows] = await admin.query(
    'SELECT INFO AS info FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE ?',
    [`%${table}%`],
  );
  return (rows as { info: string }[]).map((r) => r.info).filter((info) => !info.includes('PROCESSLIST'));
}

/** Holds LOCK TABLES … WRITE on its own connection until release() (as a long migration does). */
async function lockTable(table: string) {
  const holder = await mysql.createConnection(databaseUrl);
  await holder.query(`LOCK TABLES ${table} WRITE`);
  return {
    async release() {
      await holder.query('UNLOCK TABLES');
      await holder.end();
    },
  };
}

test('a locked table: the collection fails within the deadline, the query is gone, the next one succeeds', async () => {
  const pool = createPool(databaseUrl);
  const cfg = config({ collection: { ttl_seconds: 60, timeout_seconds: 2 } });
  const collector = createCollector({ pool, config: cfg, logger: pino({ level: 'silent' }) });
  try {
    const first = await collector.collect();
    expect(first.ok).toBe(true);
    const egress = Number(first.report?.usage.egress30dBytes);
    expect(egress).toBe(2 ** 34);

    const lock = await lockTable('site_bandwidth_daily');
    let released = false;
    try {
      const started = Date.now();
      const blocked = await collector.collect();
      const seconds = (Date.now() - started) / 1000;
      expect(blocked.ok).toBe(false);
      expect(blocked.outcomes.bandwidth).toMatchObject({ ok: false, reason: 'timeout' });
      // the deadline (2 s) plus the backstop's second at most, never the lock's duration
      expect(seconds).toBeGreaterThanOrEqual(1.9);
      expect(seconds).toBeLessThan(4);
      // every other source still succeeded, and the figures are the last good ones
      expect(blocked.outcomes.email.ok && blocked.outcomes.sites.ok).toBe(true);
      expect(Number(blocked.report?.usage.egress30dBytes)).toBe(egress);
      const samples = parseSamples(await collector.metricsText());
      expect(value(samples, 'chom_exporter_up')).toBe(0);
      expect(
        value(samples, 'chom_exporter_source_errors_total', { source: 'bandwidth', reason: 'timeout' }),
      ).toBe(1);
      expect(sum(samples, 'chom_exporter_source_errors_total')).toBe(1);
      expect(value(samples, 'chom_network_egress_bytes_30d')).toBe(egress);
      // nothing of the exporter keeps running or waiting on the database
      expect(await queriesOn('site_bandwidth_daily')).toEqual([]);
      await lock.release();
      released = true;
    } finally {
      if (!released) await lock.release();
    }
    await insert(admin, 'site_bandwidth_daily', [{ site_id: 2, day: today(), bytes_in: 1, bytes_out: 1 }]);
    const next = await collector.collect();
    expect(next.ok).toBe(true);
    expect(Number(next.report?.usage.egress30dBytes)).toBe(2 ** 34 + 1);
    expect(value(parseSamples(await collector.metricsText()), 'chom_exporter_up')).toBe(1);
  } finally {
    await pool.end();
  }
});

test('without a server-side limit (MySQL hint on MariaDB), the KILL QUERY backstop stops the query', async () => {
  const pool = createPool(databaseUrl);
  // MariaDB ignores the MySQL hint (a comment to it): only the backstop can stop the query
  const runner = createStatementRunner(pool, 1, 'mysql');
  const lock = await lockTable('site_bandwidth_daily');
  try {
    const started = Date.now();
    const error = await runner
      .stream('SELECT COUNT(*) AS n FROM site_bandwidth_daily', ['n'], () => undefined)
      .catch((e: Error & { reason?: string }) => e);
    const seconds = (Date.now() - started) / 1000;
    expect(error).toMatchObject({ reason: 'timeout', message: expect.stringContaining('KILL QUERY') });
    expect(seconds).toBeGreaterThanOrEqual(1.9);
    expect(seconds).toBeLessThan(3);
    expect(await queriesOn('site_bandwidth_daily')).toEqual([]);
  } finally {
    await lock.release();
    await pool.end();
  }
});

test('a database that accepts connections but never answers: the source fails at the deadline', async () => {
  const silent = net.createServer(() => undefined); // accepts, never speaks
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as net.AddressInfo).port;
  const pool = createPool(`mysql://root@127.0.0.1:${port}/chom`);
  const collector = createCollector({
    pool,
    config: config({ collection: { ttl_seconds: 60, timeout_seconds: 1 } }),
    logger: pino({ level: 'silent' }),
  });
  try {
    const started = Date.now();
    const result = await collector.collect();
    expect((Date.now() - started) / 1000).toBeLessThan(2);
    expect(result.ok).toBe(false);
    expect(result.outcomes.tenants).toMatchObject({ ok: false, reason: 'timeout' });
  } finally {
    pool.end().catch(() => undefined);
    silent.close();
  }
});

test('the deadline is written for each flavour', () => {
  expect(withServerDeadline('SELECT 1', 'mariadb', 2.5)).toBe(
    'SET STATEMENT max_statement_time=2.5 FOR SELECT 1',
  );
  expect(withServerDeadline('SELECT 1', 'mariadb', 1, 1024)).toBe(
    'SET STATEMENT max_statement_time=1, tmp_table_size=1024, max_heap_table_size=1024 FOR SELECT 1',
  );
  expect(withServerDeadline('/* x */ select a FROM t', 'mysql', 2.5)).toBe(
    '/* x */ SELECT /*+ MAX_EXECUTION_TIME(2500) */ a FROM t',
  );
  // MySQL reads the hint only after a leading SELECT: a WITH statement relies on the backstop
  expect(withServerDeadline('WITH x AS (SELECT 1) SELECT * FROM x', 'mysql', 1)).toBe(
    'WITH x AS (SELECT 1) SELECT * FROM x',
  );
});

test('SIGTERM during a hung query: the query is killed, the waiting scrape is answered, exit 0 in bounded time', async () => {
  const lock = await lockTable('site_bandwidth_daily');
  const work = tempDir('exporter');
  const configFile = path.join(work.dir, 'chom-finops.yml');
  fs.writeFileSync(configFile, 'collection: { ttl_seconds: 120, timeout_seconds: 100 }\n');
  const port = await freePort();
  const proc = startProcess(tsx, [main], {
    env: {
      CHOM_DATABASE_URL: databaseUrl,
      CHOM_CONFIG: configFile,
      CHOM_PORT: String(port),
      CHOM_LISTEN_ADDRESS: '127.0.0.1',
    },
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthz`, proc, 60_000);
    // the first scrape waits for the first collection, which hangs on the lock
    const scrape = fetch(`${url}/metrics`).then(
      async (r) => ({ status: r.status, text: await r.text() }),
      (error: Error) => ({ status: 0, text: error.message }),
    );
    await eventually(
      async () => ((await queriesOn('site_bandwidth_daily')).length > 0 ? true : undefined),
      20_000,
      'the bandwidth query waiting for the lock',
    );
    const exited = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
    // The signal goes to the exporter's node process itself, as in production (node main.js): tsx,
    // which runs it here, relays a signal only when its child answers quickly, which a loaded
    // machine does not guarantee.
    const { stdout } = await execFileAsync('pgrep', ['-P', String(proc.child.pid)]);
    const exporterPid = Number(stdout.trim().split('\n')[0]);
    const started = Date.now();
    process.kill(exporterPid, 'SIGTERM');
    const code = await exited;
    const seconds = (Date.now() - started) / 1000;
    expect(code).toBe(0);
    expect(seconds).toBeLessThan(5);
    // the scrape got an answer: the exposition of a failed first collection
    const answer = await scrape;
    expect(answer.status).toBe(200);
    expect(value(parseSamples(answer.text), 'chom_exporter_up')).toBe(0);
    expect(await queriesOn('site_bandwidth_daily')).toEqual([]);
    const logs = proc
      .output()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(logs.filter((l) => l.msg === 'unhandled promise rejection')).toEqual([]);
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  } finally {
    await proc.stop();
    await lock.release();
    work.remove();
  }
});

test('the database stopped and restarted while scrapes run: no failed scrape, up 0 then 1 within one TTL', async () => {
  const ttl = 2;
  const exporter = await startExporter({
    databaseUrl,
    configYaml: `collection: { ttl_seconds: ${ttl}, timeout_seconds: 1 }\n`,
  });
  let scraping = true;
  let scrapes = 0;
  const failures: string[] = [];
  const ups: { at: number; up: number | undefined }[] = [];
  const scraper = (async () => {
    while (scraping) {
      try {
        const response = await fetch(`${exporter.url}/metrics`);
        const text = await response.text();
        scrapes++;
        if (response.status !== 200) failures.push(`status ${response.status}`);
        ups.push({ at: Date.now(), up: value(parseSamples(text), 'chom_exporter_up') });
      } catch (error) {
        failures.push((error as Error).message);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    await new Promise((r) => setTimeout(r, 1000));
    await instance.stop();
    await eventually(
      async () => (ups.at(-1)?.up === 0 ? true : undefined),
      30_000,
      'chom_exporter_up 0 while the database is down',
    );
    await instance.start();
    const back = Date.now();
    await eventually(
      async () => (ups.at(-1)?.up === 1 ? true : undefined),
      30_000,
      'chom_exporter_up 1 after the restart',
    );
    const upAgain = ups.find((u) => u.at >= back && u.up === 1)?.at ?? Date.now();
    // one TTL, plus the collection it starts and the scrape interval
    expect((upAgain - back) / 1000).toBeLessThan(ttl + 1.5);
    scraping = false;
    await scraper;
    expect(failures).toEqual([]);
    expect(scrapes).toBeGreaterThan(10);
    const samples = parseSamples(await exporter.metrics());
    expect(value(samples, 'chom_network_egress_bytes_30d')).toBeGreaterThan(0);
    expect(
      value(samples, 'chom_exporter_source_errors_total', { source: 'bandwidth', reason: 'connection' }),
    ).toBeGreaterThan(0);
    expect(exporter.process.output()).not.toContain('unhandled promise rejection');
  } finally {
    scraping = false;
    await scraper;
    await exporter.stop();
    if (!instance.running) await instance.start();
  }
});
