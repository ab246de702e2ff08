import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import {
  createReaderUser,
  createTestDatabase,
  execFileAsync,
  repoRoot,
  seedDemoDatabase,
  tempDir,
  type ReaderUser,
  type TestDatabase,
} from '@chom/test-support';
import { backfillInstants, parseDuration, parseInstant } from '../src/backfill/instants';
import { createCollector } from '../src/collector';
import { loadConfigFile } from '../src/config';
import { createPool } from '../src/sources';
import { parseSamples } from './support/exposition';

const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
const cli = path.join(repoRoot, 'exporter', 'src', 'backfill', 'cli.ts');
const configFile = path.join(repoRoot, 'exporter', 'chom-finops.example.yml');
const seededAt = new Date('2026-11-20T09:17:00Z');

let db: TestDatabase;
/** the backfill reads as the exporter does: a least-privilege user with SELECT on its tables */
let reader: ReaderUser;
const work = tempDir('backfill-test');

beforeAll(async () => {
  db = await createTestDatabase('chom_backfill');
  await seedDemoDatabase({ databaseUrl: db.url, scale: 'small', seed: 3, now: seededAt });
  reader = await createReaderUser(db.name);
}, 120_000);
afterAll(async () => {
  await reader.drop();
  await db.drop();
  work.remove();
});

test('instants lie on a grid aligned to the step; the detail ones on the detail step', () => {
  const instants = backfillInstants(
    new Date('2026-11-01T00:07:00Z'),
    new Date('2026-11-01T02:00:00Z'),
    300_000,
    3_600_000,
  );
  expect(instants[0]!.at.toISOString()).toBe('2026-11-01T00:10:00.000Z');
  expect(instants.at(-1)!.at.toISOString()).toBe('2026-11-01T02:00:00.000Z');
  expect(instants.filter((i) => i.detail).map((i) => i.at.toISOString())).toEqual([
    '2026-11-01T01:00:00.000Z',
    '2026-11-01T02:00:00.000Z',
  ]);
  expect(parseDuration('1h30m')).toBe(5_400_000);
  expect(parseDuration('5 m')).toBeUndefined();
  expect(parseInstant('35d', seededAt)?.toISOString()).toBe('2026-10-16T09:17:00.000Z');
  expect(parseInstant('yesterday', seededAt)).toBeUndefined();
});

test('backfilled values equal what the exporter computes live at the same instants', async () => {
  const out = path.join(work.dir, 'history.om');
  const from = '2026-11-10T00:00:00Z';
  const to = seededAt.toISOString();
  await execFileAsync(tsx, [
    cli,
    `--out=${out}`,
    `--database-url=${reader.url}`,
    `--config=${configFile}`,
    `--from=${from}`,
    `--to=${to}`,
    '--step=12h',
    '--detail-step=12h',
    '--instance=exporter.test:9864',
    '--no-progress',
  ]);
  const text = fs.readFileSync(out, 'utf8');
  expect(text.endsWith('# EOF\n')).toBe(true);
  // Group the backfilled samples by timestamp (the last field of each sample line).
  const byTime = new Map<number, string[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const t = Number(line.slice(space + 1));
    byTime.set(t, [...(byTime.get(t) ?? []), line.slice(0, space)]);
  }
  expect([...byTime.keys()].length).toBe(21); // every 12 h from the 10th 00:00 to the 20th 00:00
  const config = loadConfigFile(configFile);
  const pool = createPool(reader.url);
  try {
    // Three instants: the start, a month-day boundary mid-history, the last one.
    for (const at of ['2026-11-10T00:00:00Z', '2026-11-15T12:00:00Z', '2026-11-20T00:00:00Z']) {
      const clock = new Date(at);
      const collector = createCollector({
        pool,
        config,
        logger: pino({ level: 'silent' }),
        clock: () => clock,
      });
      await collector.collect();
      const live = parseSamples(await collector.metricsText()).filter(
        (s) => s.name.startsWith('chom_') && !s.name.startsWith('chom_exporter_'),
      );
      const backfilled = parseSamples((byTime.get(clock.getTime() / 1000) ?? []).join('\n'));
      for (const s of backfilled)
        expect(s.labels).toMatchObject({ job: 'chom-exporter', instance: 'exporter.test:9864' });
      const key = (s: { name: string; labels: Record<string, string> }) => {
        const { job: _job, instance: _instance, ...labels } = s.labels;
        return `${s.name}${JSON.stringify(Object.entries(labels).sort())}`;
      };
      const backfilledByKey = new Map(
        backfilled.filter((s) => !s.name.startsWith('chom_exporter_')).map((s) => [key(s), s.value]),
      );
      expect(live.length).toBeGreaterThan(100);
      expect(backfilledByKey.size).toBe(live.length);
      for (const s of live) expect([key(s), backfilledByKey.get(key(s))]).toEqual([key(s), s.value]);
      expect(backfilled.find((s) => s.name === 'chom_exporter_last_success_timestamp_seconds')?.value).toBe(
        clock.getTime() / 1000,
      );
    }
  } finally {
    await pool.end();
  }
  // promtool turns it into blocks.
  const blocks = path.join(work.dir, 'blocks');
  await execFileAsync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', out, blocks]);
  expect(fs.readdirSync(blocks).length).toBeGreaterThan(0);
}, 120_000);

test('a bad option exits 2 and names it', async () => {
  const result = await execFileAsync(tsx, [
    cli,
    '--out=-',
    `--database-url=${reader.url}`,
    '--step=5x',
  ]).catch((error: { code: number; stderr: string }) => error);
  expect(result).toMatchObject({ code: 2 });
  expect((result as { stderr: string }).stderr).toContain('--step');
});
