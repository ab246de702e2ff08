import crypto from 'node:crypto';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import {
  createTestDatabase,
  execFileAsync,
  repoRoot,
  seedDemoDatabase,
  type TestDatabase,
} from '@chom/test-support';
import { buildDataset, DAY_MS, type Dataset } from '../src/demo/dataset';
import { REFERENCE_TABLES, databaseNameOf } from '../src/demo/database';
import { SCALES } from '../src/demo/scales';
import { bandwidthRows, emailRows, splitByWeight } from '../src/demo/usage';
import { bandwidthCapacity, startOfUtcDay } from '../src/demo/window';
import { parseSeedArguments } from '../src/demo/seed';

const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
const seedCli = path.join(repoRoot, 'exporter', 'src', 'demo', 'seed.ts');
const now = new Date('2026-11-22T15:30:00Z');

function sha256(value: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

function fingerprint(dataset: Dataset): string {
  const hash = crypto.createHash('sha256');
  hash.update(JSON.stringify([dataset.teams, dataset.subscriptions, dataset.servers, dataset.sites]));
  for (const row of bandwidthRows(dataset))
    hash.update(`${row.siteId},${row.day},${row.bytesIn},${row.bytesOut};`);
  for (const row of emailRows(dataset)) hash.update(`${row.id},${row.teamId},${row.type},${row.sentAt};`);
  return hash.digest('hex');
}

describe('demo data generation (pure)', () => {
  const dataset = buildDataset({ scale: 'small', seed: 7, now });
  const bandwidth = [...bandwidthRows(dataset)];
  const email = [...emailRows(dataset)];

  test('small scale has the row counts of the scale table', () => {
    expect(dataset.teams).toHaveLength(SCALES.small.tenants);
    expect(dataset.sites).toHaveLength(SCALES.small.sites);
    expect(dataset.servers).toHaveLength(SCALES.small.servers);
    expect(bandwidth).toHaveLength(SCALES.small.bandwidthRows);
    expect(email).toHaveLength(SCALES.small.emailRows);
  });

  test('the same seed and now give the same rows; another seed or now does not', () => {
    const again = fingerprint(buildDataset({ scale: 'small', seed: 7, now }));
    expect(again).toBe(fingerprint(dataset));
    expect(fingerprint(buildDataset({ scale: 'small', seed: 8, now }))).not.toBe(again);
    const later = new Date(now.getTime() + DAY_MS);
    expect(fingerprint(buildDataset({ scale: 'small', seed: 7, now: later }))).not.toBe(again);
  });

  test.each([1, 2, 3, 42, 4294967295])('seed %i lays out exactly the scale row counts', (seed) => {
    const other = buildDataset({ scale: 'small', seed, now });
    let bandwidthCount = 0;
    for (const _ of bandwidthRows(other)) bandwidthCount++;
    let emailCount = 0;
    for (const _ of emailRows(other)) emailCount++;
    expect([bandwidthCount, emailCount]).toEqual([SCALES.small.bandwidthRows, SCALES.small.emailRows]);
  });

  test('keys are unique and every reference points at an existing row', () => {
    const teamIds = new Set(dataset.teams.map((t) => t.id));
    const serverIds = new Set(dataset.servers.map((s) => s.id));
    const siteIds = new Set(dataset.sites.map((s) => s.id));
    expect(teamIds.size).toBe(dataset.teams.length);
    expect(serverIds.size).toBe(dataset.servers.length);
    expect(siteIds.size).toBe(dataset.sites.length);
    expect(new Set(bandwidth.map((b) => `${b.siteId}/${b.day}`)).size).toBe(bandwidth.length);
    expect(new Set(email.map((e) => e.id)).size).toBe(email.length);
    const dangling = [
      ...dataset.sites.filter((s) => !teamIds.has(s.teamId)).map((s) => `site ${s.id} → team ${s.teamId}`),
      ...dataset.sites
        .filter((s) => s.vpsId !== null && !serverIds.has(s.vpsId))
        .map((s) => `site ${s.id} → server ${s.vpsId}`),
      ...dataset.servers
        .filter((s) => s.teamId !== null && !teamIds.has(s.teamId))
        .map((s) => `server ${s.id} → team ${s.teamId}`),
      ...dataset.subscriptions.filter((s) => !teamIds.has(s.teamId)).map((s) => `subscription ${s.id}`),
      ...bandwidth.filter((b) => !siteIds.has(b.siteId)).map((b) => `bandwidth ${b.siteId}/${b.day}`),
      ...email.filter((e) => !teamIds.has(e.teamId)).map((e) => `email ${e.id}`),
    ];
    expect(dangling).toEqual([]);
  });

  test('usage lies in its window and only while the site or tenant exists', () => {
    const firstBandwidthDay = new Date(startOfUtcDay(now.getTime()) - 35 * DAY_MS).toISOString().slice(0, 10);
    const today = now.toISOString().slice(0, 10);
    const sites = new Map(dataset.sites.map((s) => [s.id, s]));
    const badBandwidth = bandwidth.filter((row) => {
      const site = sites.get(row.siteId);
      return (
        row.day < firstBandwidthDay ||
        row.day > today ||
        site === undefined ||
        site.vpsId === null ||
        Date.parse(`${row.day}T23:59:59Z`) < site.createdAt ||
        (site.deletedAt !== null && Date.parse(`${row.day}T00:00:00Z`) >= site.deletedAt) ||
        !(row.bytesOut >= 0 && row.bytesIn >= 0)
      );
    });
    expect(badBandwidth).toEqual([]);
    const teams = new Map(dataset.teams.map((t) => [t.id, t]));
    const badEmail = email.filter(
      (row) =>
        row.sentAt < now.getTime() - 40 * DAY_MS ||
        row.sentAt > now.getTime() ||
        row.sentAt < (teams.get(row.teamId)?.createdAt ?? Infinity),
    );
    expect(badEmail).toEqual([]);
  });

  test('weekdays carry more traffic and e-mail than weekends', () => {
    const weekend = (day: string) => [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
    const today = now.toISOString().slice(0, 10);
    const full = bandwidth.filter((b) => b.day !== today);
    const mean = (rows: typeof full) => rows.reduce((sum, r) => sum + r.bytesOut, 0) / rows.length;
    expect(mean(full.filter((b) => !weekend(b.day)))).toBeGreaterThan(
      1.3 * mean(full.filter((b) => weekend(b.day))),
    );
    const perDay = new Map<string, number>();
    for (const row of email) {
      const day = new Date(row.sentAt).toISOString().slice(0, 10);
      if (day !== today) perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    const days = [...perDay.entries()];
    const avg = (list: [string, number][]) => list.reduce((s, [, n]) => s + n, 0) / list.length;
    expect(avg(days.filter(([d]) => !weekend(d)))).toBeGreaterThan(
      1.5 * avg(days.filter(([d]) => weekend(d))),
    );
  });

  test('traffic grows over the window', () => {
    const byDay = new Map<string, number>();
    for (const row of bandwidth) byDay.set(row.day, (byDay.get(row.day) ?? 0) + row.bytesOut);
    const days = [...byDay.keys()].sort();
    // Same weekdays, four weeks apart: the first and the last complete week.
    const week = (from: number) => days.slice(from, from + 7).reduce((s, d) => s + (byDay.get(d) ?? 0), 0);
    expect(week(days.length - 8)).toBeGreaterThan(week(0));
  });

  test('the data covers the cases the exporter must price', () => {
    const statuses = (rows: { status: string }[]) => new Set(rows.map((r) => r.status));
    expect(statuses(dataset.subscriptions)).toEqual(new Set(['active', 'trialing', 'canceled']));
    expect(statuses(dataset.servers)).toEqual(
      new Set(['active', 'stopped', 'provisioning', 'decommissioned']),
    );
    expect(statuses(dataset.sites)).toEqual(new Set(['active', 'suspended']));
    expect(dataset.teams.map((t) => t.plan)).toEqual(expect.arrayContaining(['starter', 'pro', 'business']));
    const hosting = new Set(dataset.sites.map((s) => s.vpsId));
    const shared = dataset.servers.filter(
      (s) => s.teamId === null && s.status === 'active' && s.deletedAt === null,
    );
    expect(shared.length).toBeGreaterThan(0);
    for (const server of shared) expect(server.maxSites).not.toBeNull();
    expect(dataset.servers.some((s) => s.teamId !== null && hosting.has(s.id))).toBe(true); // dedicated
    expect(
      dataset.servers.some((s) => s.status === 'active' && s.deletedAt === null && !hosting.has(s.id)),
    ).toBe(true); // idle
    expect(dataset.servers.some((s) => s.deletedAt !== null)).toBe(true);
    expect(dataset.sites.some((s) => s.deletedAt !== null)).toBe(true);
    expect(dataset.sites.some((s) => s.vpsId === null)).toBe(true);
    expect(dataset.teams.some((t) => t.deletedAt !== null)).toBe(true);
    expect(dataset.teams.some((t) => /[^\x20-\x7e]/.test(t.name))).toBe(true);
    expect(new Set(email.map((e) => e.type))).toEqual(new Set(['transactional', 'marketing']));
    // Growth: more tenants signed up in the last year than in the year before.
    const year = 365 * DAY_MS;
    const signedUp = (from: number, to: number) =>
      dataset.teams.filter((t) => t.createdAt >= now.getTime() - from && t.createdAt < now.getTime() - to)
        .length;
    expect(signedUp(year, 0)).toBeGreaterThan(signedUp(2 * year, year));
  });

  test('medium scale has the row counts of the scale table, with room for every bandwidth row', () => {
    const medium = buildDataset({ scale: 'medium', seed: 1, now });
    expect([medium.teams.length, medium.sites.length, medium.servers.length]).toEqual([
      10_000, 100_000, 2_000,
    ]);
    const capacity = bandwidthCapacity(medium.sites, medium.now);
    expect(capacity.complete + capacity.today).toBeGreaterThanOrEqual(SCALES.medium.bandwidthRows);
  });

  test('splitByWeight keeps the total exactly', () => {
    expect(splitByWeight(10, [1, 1, 1])).toEqual([3, 4, 3]);
    expect(splitByWeight(7, [0, 2, 0])).toEqual([0, 7, 0]);
    expect(splitByWeight(5, [0, 0])).toEqual([0, 0]);
  });
});

describe('seeder arguments', () => {
  test.each([
    [[], '--database-url is required'],
    [['--database-url='], '--database-url is required'],
    [['--database-url=mysql://root@h/db', '--scale=huge'], '--scale: expected one of small, medium, large'],
    [['--database-url=mysql://root@h/db', '--seed=-1'], '--seed: expected an integer'],
    [['--database-url=mysql://root@h/db', '--seed=abc'], '--seed: expected an integer'],
    [['--database-url=mysql://root@h/db', '--now=yesterday'], '--now: expected an ISO 8601 date-time'],
    [['--database-url=mysql://root@h/db', '--bogus'], "Unknown option '--bogus'"],
  ])('%j is rejected naming the option', (argv, message) => {
    expect(() => parseSeedArguments(argv)).toThrow(message);
  });

  test('defaults: small scale, seed 1, now', () => {
    const current = new Date('2026-01-01T00:00:00Z');
    expect(parseSeedArguments(['--database-url=mysql://root@h/db'], current)).toEqual({
      databaseUrl: 'mysql://root@h/db',
      scale: 'small',
      seed: 1,
      now: current,
      force: false,
      ifEmpty: false,
      progress: true,
    });
  });

  test.each([
    ['mysql://root@127.0.0.1:3306', 'names no database'],
    ['mysql://root@127.0.0.1:3306/', 'names no database'],
    ['mysql://root@127.0.0.1:3306/mysql', 'system schema'],
    ['postgres://root@127.0.0.1/app', 'expected a mysql:// URL'],
    ['not a url', 'is not a URL'],
  ])('database URL %s is refused', (url, message) => {
    expect(() => databaseNameOf(url)).toThrow(message);
  });
});

async function runSeeder(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(tsx, [seedCli, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function checksums(pool: mysql.Pool): Promise<Record<string, string>> {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(`CHECKSUM TABLE ${REFERENCE_TABLES.join(', ')}`);
  return Object.fromEntries(rows.map((r) => [String(r.Table).split('.').pop(), String(r.Checksum)]));
}

async function counts(pool: mysql.Pool): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of REFERENCE_TABLES) {
    const [rows] = await pool.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
    result[table] = Number(rows[0]?.n);
  }
  return result;
}

async function one<T = number>(pool: mysql.Pool, sql: string): Promise<T> {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(sql);
  return Object.values(rows[0] ?? {})[0] as T;
}

describe('seeder against MariaDB', () => {
  let first: TestDatabase;
  let second: TestDatabase;
  let other: TestDatabase;

  beforeAll(async () => {
    [first, second, other] = await Promise.all([
      createTestDatabase('chom_seed'),
      createTestDatabase('chom_seed'),
      createTestDatabase('chom_seed'),
    ]);
    await Promise.all([
      seedDemoDatabase({ databaseUrl: first.url, seed: 11, now }),
      seedDemoDatabase({ databaseUrl: second.url, seed: 11, now }),
      seedDemoDatabase({ databaseUrl: other.url, seed: 12, now }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([first?.drop(), second?.drop(), other?.drop()]);
  });

  test('small scale: the row counts of the scale table', async () => {
    const rows = await counts(first.pool);
    expect(rows).toEqual({
      teams: 50,
      subscriptions: rows.subscriptions,
      vps_servers: 20,
      sites: 500,
      site_bandwidth_daily: 17_500,
      email_logs: 20_000,
    });
    expect(rows.subscriptions).toBeGreaterThanOrEqual(50);
  });

  test('the same seed and now give identical tables; another seed does not', async () => {
    const a = await checksums(first.pool);
    expect(Object.keys(a).sort()).toEqual([...REFERENCE_TABLES].sort());
    expect(await checksums(second.pool)).toEqual(a);
    const c = await checksums(other.pool);
    for (const table of REFERENCE_TABLES) expect(c[table]).not.toBe(a[table]);
  });

  test('the database holds what the generator produced', async () => {
    const dataset = buildDataset({ scale: 'small', seed: 11, now });
    const [teams] = await first.pool.query<mysql.RowDataPacket[]>(
      "SELECT id, name, plan, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') AS created FROM teams ORDER BY id",
    );
    expect(sha256(teams.map((t) => [t.id, t.name, t.plan, t.created]))).toBe(
      sha256(
        dataset.teams.map((t) => [
          t.id,
          t.name,
          t.plan,
          new Date(t.createdAt).toISOString().replace('.000', ''),
        ]),
      ),
    );
  });

  test('invariants hold in SQL', async () => {
    const pool = first.pool;
    const nowSql = `'${now.toISOString().slice(0, 19).replace('T', ' ')}'`;
    await pool.query("SET time_zone = '+00:00'");
    expect(
      await one(
        pool,
        `SELECT COUNT(*) FROM site_bandwidth_daily WHERE day < DATE(${nowSql}) - INTERVAL 35 DAY`,
      ),
    ).toBe(0);
    expect(await one(pool, `SELECT COUNT(*) FROM site_bandwidth_daily WHERE day > DATE(${nowSql})`)).toBe(0);
    expect(
      await one(
        pool,
        `SELECT COUNT(*) FROM email_logs WHERE sent_at < ${nowSql} - INTERVAL 40 DAY OR sent_at > ${nowSql}`,
      ),
    ).toBe(0);
    expect(
      await one(
        pool,
        'SELECT COUNT(*) FROM sites s LEFT JOIN teams t ON t.id = s.team_id WHERE t.id IS NULL',
      ),
    ).toBe(0);
    expect(
      await one(
        pool,
        'SELECT COUNT(*) FROM sites s LEFT JOIN vps_servers v ON v.id = s.vps_id WHERE s.vps_id IS NOT NULL AND v.id IS NULL',
      ),
    ).toBe(0);
    const weekday = Number(
      await one(
        pool,
        'SELECT AVG(bytes_out) FROM site_bandwidth_daily WHERE WEEKDAY(day) < 5 AND day < CURDATE()',
      ),
    );
    const weekend = Number(
      await one(
        pool,
        'SELECT AVG(bytes_out) FROM site_bandwidth_daily WHERE WEEKDAY(day) >= 5 AND day < CURDATE()',
      ),
    );
    expect(weekday).toBeGreaterThan(weekend);
    // utf8mb4 names arrive intact.
    expect(
      Number(await one(pool, 'SELECT COUNT(*) FROM teams WHERE CHAR_LENGTH(name) < LENGTH(name)')),
    ).toBeGreaterThan(0);
    // Only active subscriptions are revenue; there are some of each status.
    const [statuses] = await pool.query<mysql.RowDataPacket[]>(
      'SELECT DISTINCT status FROM subscriptions ORDER BY status',
    );
    expect(statuses.map((r) => r.status)).toEqual(['active', 'canceled', 'trialing']);
  });

  test('seeding again replaces the demo tables and gives the same data', async () => {
    const before = await checksums(first.pool);
    await seedDemoDatabase({ databaseUrl: first.url, seed: 11, now });
    expect(await checksums(first.pool)).toEqual(before);
  });
});

describe('seeder CLI refusals', () => {
  test('--help documents every option and exits 0', async () => {
    const result = await runSeeder(['--help']);
    expect(result.code).toBe(0);
    for (const option of [
      '--database-url',
      '--scale',
      '--seed',
      '--now',
      '--force',
      '--if-empty',
      '--no-progress',
      '--help',
    ]) {
      expect(result.stdout).toContain(option);
    }
  });

  test('refuses to run without --database-url', async () => {
    const result = await runSeeder(['--scale=small']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--database-url is required');
  });

  test('refuses a URL that names no database', async () => {
    const result = await runSeeder(['--database-url=mysql://root@127.0.0.1:3306']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('names no database');
  });

  test('refuses a database with foreign tables unless --force', async () => {
    const db = await createTestDatabase('chom_seed_foreign');
    try {
      await db.pool.query(
        'CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255)); INSERT INTO users VALUES (1, "a@b.c")',
      );
      const refused = await runSeeder([`--database-url=${db.url}`, '--no-progress']);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain('users');
      expect(refused.stderr).toContain('--force');
      const [tables] = await db.pool.query<mysql.RowDataPacket[]>('SHOW TABLES');
      expect(tables.map((r) => Object.values(r)[0])).toEqual(['users']);

      const forced = await runSeeder([`--database-url=${db.url}`, '--no-progress', '--force', '--seed=3']);
      expect(forced.code).toBe(0);
      expect(await one(db.pool, 'SELECT COUNT(*) FROM teams')).toBe(50);
      expect(await one(db.pool, 'SELECT COUNT(*) FROM users')).toBe(1);
    } finally {
      await db.drop();
    }
  });

  test('--if-empty seeds an empty database and leaves a seeded one alone; an emptied table is seeded again', async () => {
    const db = await createTestDatabase('chom_seed_if_empty');
    const args = [`--database-url=${db.url}`, '--no-progress', '--if-empty', `--now=${now.toISOString()}`];
    try {
      expect((await runSeeder([...args, '--seed=5'])).code).toBe(0);
      expect(await one(db.pool, 'SELECT COUNT(*) FROM teams')).toBe(50);
      const seeded = await checksums(db.pool);
      await db.pool.query(
        'UPDATE teams SET name = CONCAT(name, " (kept)") WHERE id = (SELECT MIN(id) FROM (SELECT id FROM teams) t)',
      );
      const changed = await checksums(db.pool);
      const again = await runSeeder([...args, '--seed=6']);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('nothing to do (--if-empty)');
      expect(await checksums(db.pool)).toEqual(changed);
      await db.pool.query('DELETE FROM email_logs');
      expect((await runSeeder([...args, '--seed=5'])).code).toBe(0);
      expect(await checksums(db.pool)).toEqual(seeded);
    } finally {
      await db.drop();
    }
  });

  test('a database that does not exist is an error, not created', async () => {
    const name = `chom_seed_missing_${crypto.randomBytes(4).toString('hex')}`;
    const result = await runSeeder([`--database-url=mysql://root@127.0.0.1:3306/${name}`, '--no-progress']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(name);
  });
});
