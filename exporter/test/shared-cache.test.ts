import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import Redis from 'ioredis';
import mysql from 'mysql2/promise';
import {
  eventually,
  startExporter,
  startMariaDbInstance,
  startRedisInstance,
  type MariaDbInstance,
  type RedisInstance,
  type RunningExporter,
} from '@chom/test-support';
import { insert, server, site, team } from './support/fixtures';
import { parseSamples, value } from './support/exposition';

/**
 * Three exporter processes share one private Redis. Collections are counted on the database side:
 * a private MariaDB writes every statement into its general log, each replica connects as its own
 * user, and the database_size query of the configuration sleeps a second and carries a marker, so
 * one marked statement is one collection (and a holder can be caught in the middle of one).
 */

const TTL_SECONDS = 3;
const MARKER = 'chom_collection_marker';
const SLOW_DATABASE_SIZE = `SELECT (SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.TABLES WHERE table_schema = DATABASE()) AS bytes FROM (SELECT SLEEP(1) AS ${MARKER}) AS pause`;
const USERS = ['replica_a', 'replica_b', 'replica_c'];
/** a replica started late, which has never read the usage tables itself */
const LATECOMER = 'replica_d';
const schemaSql = fs.readFileSync(path.join(__dirname, '..', 'src', 'demo', 'schema.sql'), 'utf8');

interface Collection {
  user: string;
  /** database clock, seconds */
  at: number;
}

describe('three replicas sharing one Redis', () => {
  let mariadb: MariaDbInstance;
  let admin: mysql.Pool;
  let redis: RedisInstance;
  let replicas: RunningExporter[] = [];
  let configYaml: string;
  const keyPrefix = `chom-test-${crypto.randomBytes(4).toString('hex')}`;

  /** Marked statements (collections) of the replicas since `since` (database clock), oldest first. */
  async function collections(since = 0): Promise<Collection[]> {
    const [rows] = await admin.query(
      `SELECT SUBSTRING_INDEX(user_host, '[', 1) AS user, UNIX_TIMESTAMP(event_time) AS at
       FROM mysql.general_log
       WHERE command_type IN ('Query', 'Execute') AND argument LIKE ? AND user_host LIKE 'replica\\_%'
         AND event_time >= FROM_UNIXTIME(?)
       ORDER BY event_time`,
      [`%SLEEP(1) AS ${MARKER}%`, since],
    );
    return (rows as Array<{ user: string; at: string }>).map((r) => ({ user: r.user, at: Number(r.at) }));
  }

  async function databaseNow(): Promise<number> {
    const [rows] = await admin.query('SELECT UNIX_TIMESTAMP(NOW(6)) AS now');
    return Number((rows as Array<{ now: string }>)[0]?.now);
  }

  async function metric(replica: RunningExporter, name: string, labels: Record<string, string> = {}) {
    const response = await replica.request('/metrics', { timeoutMs: 5000 });
    return value(parseSamples(response.body), name, labels);
  }

  /** Scrapes `replica` back to back with `parallel` connections until `stop()`; every failure is kept. */
  function scrapeUntil(replica: RunningExporter, parallel: number, stop: () => boolean) {
    const failures: string[] = [];
    let scrapes = 0;
    const loop = async () => {
      while (!stop()) {
        try {
          const response = await replica.request('/metrics', { timeoutMs: 5000 });
          if (response.status !== 200) failures.push(`status ${response.status}`);
          else if (!response.body.includes('chom_tenant_cost_monthly{'))
            failures.push('an exposition without figures');
          scrapes++;
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    const done = Promise.all(Array.from({ length: parallel }, loop));
    return { failures, done, scrapes: () => scrapes };
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Signals the exporter's node process itself (the started process is tsx, which runs it as a child). */
  function signal(replica: RunningExporter, name: NodeJS.Signals) {
    const children = execFileSync('pgrep', ['-P', String(replica.process.child.pid)])
      .toString()
      .trim();
    for (const pid of children.split('\n')) process.kill(Number(pid), name);
  }

  beforeAll(async () => {
    mariadb = await startMariaDbInstance({ extraArgs: ['--general-log=1', '--log-output=TABLE'] });
    const root = await mysql.createConnection({ uri: mariadb.serverUrl });
    await root.query('CREATE DATABASE chom CHARACTER SET utf8mb4');
    for (const user of [...USERS, LATECOMER]) {
      await root.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'secret-${user}'`);
      await root.query(`GRANT SELECT ON chom.* TO '${user}'@'%'`);
    }
    await root.end();
    admin = mysql.createPool({ uri: `${mariadb.serverUrl}/chom`, multipleStatements: true, timezone: 'Z' });
    await admin.query(schemaSql);
    await insert(admin, 'teams', [team(1), team(2)]);
    await insert(admin, 'vps_servers', [server(1), server(2, { team_id: 2 })]);
    await insert(admin, 'sites', [site(1, 1, 1), site(2, 2, 2)]);
    const today = new Date().toISOString().slice(0, 10);
    await insert(admin, 'site_bandwidth_daily', [{ site_id: 1, day: today, bytes_in: 10, bytes_out: 20 }]);
    redis = await startRedisInstance();
    configYaml = [
      `collection: { ttl_seconds: ${TTL_SECONDS} }`,
      `shared_cache: { key_prefix: ${keyPrefix}, share_usage_tables: true }`,
      `sources: { database_size: ${JSON.stringify(SLOW_DATABASE_SIZE)} }`,
    ].join('\n');
    for (const user of USERS) {
      replicas.push(
        await startExporter({
          databaseUrl: `mysql://${user}:secret-${user}@127.0.0.1:${mariadb.port}/chom`,
          configYaml,
          env: { CHOM_REDIS_URL: redis.url, CHOM_LOG_LEVEL: 'debug' },
        }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await admin?.end();
    await mariadb?.remove();
    await redis?.remove();
  });

  test('under many concurrent scrapes, one collection per TTL across the replicas', async () => {
    const from = await databaseNow();
    const counted = async () =>
      Promise.all(replicas.map((r) => metric(r, 'chom_exporter_collections_total'))).then((v) =>
        v.reduce((a, b) => (a ?? 0) + (b ?? 0), 0),
      );
    // the exporters' own count agrees with the database's once no collection is under way
    const agree = () =>
      eventually(
        async () => {
          const exporters = await counted();
          return exporters === (await collections()).length ? exporters : undefined;
        },
        15_000,
        'the exporters and the database to agree on the collections',
      );
    await agree();

    let stopped = false;
    const loads = replicas.map((r) => scrapeUntil(r, 8, () => stopped));
    await sleep(12_000);
    stopped = true;
    await Promise.all(loads.map((l) => l.done));
    await sleep(1500); // a collection started by the last scrapes ends

    for (const load of loads) {
      expect(load.failures).toEqual([]);
      expect(load.scrapes()).toBeGreaterThan(20);
    }
    const during = await collections(from);
    // about 12 s / (TTL + 1 s collection): at least 2; never two within one TTL
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during.length).toBeLessThanOrEqual(Math.ceil(12 / TTL_SECONDS));
    for (let i = 1; i < during.length; i++) {
      expect((during[i] as Collection).at - (during[i - 1] as Collection).at).toBeGreaterThanOrEqual(
        TTL_SECONDS,
      );
    }
    await agree();
    // the replicas that did not collect served the shared figures
    const shared = await Promise.all(
      replicas.map((r) => metric(r, 'chom_exporter_cache_refreshes_total', { outcome: 'shared' })),
    );
    expect(shared.filter((n) => (n ?? 0) > 0).length).toBeGreaterThanOrEqual(2);
    for (const replica of replicas) {
      expect(await metric(replica, 'chom_exporter_shared_cache_up')).toBe(1);
      expect(await metric(replica, 'chom_exporter_up')).toBe(1);
      expect(await metric(replica, 'chom_exporter_cache_refreshes_total', { outcome: 'alone' })).toBe(0);
    }
  }, 60_000);

  /** Scrapes every replica until a collection starts after `since`; returns it. */
  async function nextCollection(since: number, users = USERS): Promise<Collection> {
    return eventually(
      async () => {
        await Promise.all(
          replicas
            .filter((r) => r.process.child.exitCode === null)
            .map((r) => r.request('/metrics', { timeoutMs: 100 }).catch(() => undefined)),
        );
        return (await collections(since)).find((c) => users.includes(c.user));
      },
      20_000,
      'a collection to start',
    );
  }

  test('a holder paused mid-collection is replaced, and its late result does not overwrite the newer one', async () => {
    const client = new Redis(redis.url);
    try {
      const entryKey = async () => {
        const keys = await client.keys(`${keyPrefix}:*:exposition:*:entry`);
        expect(keys).toHaveLength(1);
        return keys[0] as string;
      };
      const token = async () => Number(await client.hget(await entryKey(), 'token'));
      const started = await nextCollection(await databaseNow());
      const holder = replicas[USERS.indexOf(started.user)] as RunningExporter;
      signal(holder, 'SIGSTOP');
      const pausedAt = await databaseNow();
      // the paused holder cannot have published: this is the result before its collection
      const before = await token();
      let newer: number;
      try {
        const takeover = await nextCollection(
          pausedAt,
          USERS.filter((u) => u !== started.user),
        );
        expect(takeover.at - pausedAt).toBeLessThanOrEqual(TTL_SECONDS);
        newer = await eventually(
          async () => ((await token()) > before ? token() : undefined),
          15_000,
          'the newer result to be published',
        );
      } finally {
        signal(holder, 'SIGCONT');
      }
      await eventually(
        async () =>
          (await metric(holder, 'chom_exporter_cache_refreshes_total', { outcome: 'fenced_out' })) === 1
            ? true
            : undefined,
        15_000,
        'the paused holder to be fenced out',
      );
      expect(await token()).toBeGreaterThanOrEqual(newer);
      // its next refresh takes the shared figures again
      expect(await metric(holder, 'chom_exporter_up')).toBe(1);
    } finally {
      client.disconnect();
    }
  }, 60_000);

  test('a holder killed mid-collection: another replica takes over within one TTL', async () => {
    const started = await nextCollection(await databaseNow());
    const index = USERS.indexOf(started.user);
    const holder = replicas[index] as RunningExporter;
    const survivors = replicas.filter((r) => r !== holder);
    const lastSuccessBefore = await metric(
      survivors[0] as RunningExporter,
      'chom_exporter_last_success_timestamp_seconds',
    );
    let stopped = false;
    const loads = survivors.map((r) => scrapeUntil(r, 4, () => stopped));
    signal(holder, 'SIGKILL');
    const killedAt = await databaseNow();
    try {
      const takeover = await nextCollection(
        killedAt,
        USERS.filter((u) => u !== started.user),
      );
      expect(takeover.at - killedAt).toBeLessThanOrEqual(TTL_SECONDS);
      for (const survivor of survivors) {
        await eventually(
          async () => {
            const last = await metric(survivor, 'chom_exporter_last_success_timestamp_seconds');
            return last !== undefined && last > (lastSuccessBefore ?? 0) ? true : undefined;
          },
          15_000,
          'the survivors to serve the new figures',
        );
      }
    } finally {
      stopped = true;
      await Promise.all(loads.map((l) => l.done));
    }
    for (const load of loads) expect(load.failures).toEqual([]);
    await holder.stop();
    replicas = survivors;
  }, 60_000);

  test('Redis stopped and started again: no failed scrape, each replica collects alone, then they share again', async () => {
    const alone = async () =>
      Promise.all(
        replicas.map((r) => metric(r, 'chom_exporter_cache_refreshes_total', { outcome: 'alone' })),
      );
    const shared = async () =>
      Promise.all(
        replicas.map((r) => metric(r, 'chom_exporter_cache_refreshes_total', { outcome: 'shared' })),
      );
    const aloneBefore = await alone();
    let stopped = false;
    const loads = replicas.map((r) => scrapeUntil(r, 4, () => stopped));
    try {
      await redis.stop();
      for (const replica of replicas)
        await eventually(
          async () => ((await metric(replica, 'chom_exporter_shared_cache_up')) === 0 ? true : undefined),
          10_000,
          'shared_cache_up 0',
        );
      await sleep(2 * TTL_SECONDS * 1000);
      const aloneDuring = await alone();
      replicas.forEach((_, i) => expect(aloneDuring[i]).toBeGreaterThan(aloneBefore[i] ?? 0));

      await redis.start();
      for (const replica of replicas)
        await eventually(
          async () => ((await metric(replica, 'chom_exporter_shared_cache_up')) === 1 ? true : undefined),
          15_000,
          'shared_cache_up 1',
        );
      const sharedAfterRejoin = await shared();
      const aloneAfterRejoin = await alone();
      await sleep(3 * TTL_SECONDS * 1000);
      // back to sharing: nobody collects alone any more, and some replica served another's figures
      expect(await alone()).toEqual(aloneAfterRejoin);
      const sharedLater = await shared();
      expect(sharedLater.some((n, i) => (n ?? 0) > (sharedAfterRejoin[i] ?? 0))).toBe(true);
    } finally {
      stopped = true;
      await Promise.all(loads.map((l) => l.done));
    }
    for (const load of loads) expect(load.failures).toEqual([]);
  }, 90_000);

  test('a replica that has never collected continues from the shared day tables: it reads only the recent days', async () => {
    const since = await databaseNow();
    const latecomer = await startExporter({
      databaseUrl: `mysql://${LATECOMER}:secret-${LATECOMER}@127.0.0.1:${mariadb.port}/chom`,
      configYaml,
      env: { CHOM_REDIS_URL: redis.url, CHOM_LOG_LEVEL: 'debug' },
    });
    try {
      // left alone, it must collect (it may already have, on start)
      for (const replica of replicas.splice(0)) await replica.stop();
      replicas.push(latecomer);
      await nextCollection(since, [LATECOMER]);
      const [rows] = await admin.query(
        `SELECT argument FROM mysql.general_log
         WHERE user_host LIKE ? AND argument LIKE '%FROM site_bandwidth_daily%' AND event_time >= FROM_UNIXTIME(?)
         ORDER BY event_time`,
        [`${LATECOMER}[%`, since],
      );
      const statements = (rows as Array<{ argument: Buffer | string }>).map((r) => r.argument.toString());
      expect(statements.length).toBeGreaterThanOrEqual(1);
      const from = /day >= '(\d{4}-\d{2}-\d{2})'/.exec(statements[0] as string)?.[1];
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      // a full read would start 35 days back
      expect(from).toBeDefined();
      expect((from as string) >= yesterday).toBe(true);
      // and the figures it publishes are the same usage
      await eventually(
        async () =>
          ((await metric(latecomer, 'chom_exporter_cache_refreshes_total', { outcome: 'collected' })) ?? 0) >=
          1
            ? true
            : undefined,
        15_000,
        'the latecomer to publish',
      );
      expect(await metric(latecomer, 'chom_network_egress_bytes_30d')).toBe(20);
    } finally {
      if (!replicas.includes(latecomer)) await latecomer.stop();
    }
  }, 90_000);
});
