import fs from 'node:fs';
import path from 'node:path';
import {
  createTestDatabase,
  execFileAsync,
  repoRoot,
  seedDemoDatabase,
  startPrometheus,
  tempDir,
  type RunningPrometheus,
  type TestDatabase,
} from '@chom/test-support';
import { tsdbHasData } from '../src/compose-history';

/**
 * The compose `history` service's command, run as the service runs it (one day of history instead of
 * 35, to keep the test short) on a real demo database: it fills an empty TSDB folder with the
 * exporter's metrics and the recording rules, labelled like the live scrape, and leaves a folder
 * that already holds data alone.
 */

const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
const cli = path.join(repoRoot, 'stack', 'src', 'compose-history.ts');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(tsx, [cli, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('compose history service', () => {
  let work: ReturnType<typeof tempDir>;
  let dataDir: string;
  let db: TestDatabase;
  let first: { code: number; stdout: string; stderr: string };
  let prometheus: RunningPrometheus | undefined;
  const startedAt = Date.now();

  beforeAll(async () => {
    work = tempDir('compose-history');
    dataDir = path.join(work.dir, 'prometheus');
    db = await createTestDatabase('chom_stack_history');
    await seedDemoDatabase({ databaseUrl: db.url });
    first = await run([
      `--database-url=${db.url}`,
      `--data-dir=${dataDir}`,
      `--config=${path.join(repoRoot, 'exporter', 'chom-finops.example.yml')}`,
      '--history=1d',
      '--instance=exporter:9864',
    ]);
  }, 300_000);

  afterAll(async () => {
    await prometheus?.stop();
    await db?.drop();
    work?.remove();
  });

  test('fills an empty folder with the exporter history and the recording rules, as the live scrape labels them', async () => {
    expect([first.code, first.stderr.slice(-2000)]).toEqual([0, expect.stringContaining('done:')]);
    expect(tsdbHasData(dataDir)).toBe(true);
    prometheus = await startPrometheus({ dataDir, retention: '400d' });
    const at = Math.floor(startedAt / 1000) - 3600;
    const cost = await prometheus.query('chom_infrastructure_cost_monthly', at);
    expect(cost.length).toBeGreaterThan(0);
    expect(cost.every((s) => s.metric.job === 'chom-exporter' && s.metric.instance === 'exporter:9864')).toBe(
      true,
    );
    // a day back, not only the last instant
    expect(
      (await prometheus.query('chom_infrastructure_cost_monthly', at - 20 * 3600)).length,
    ).toBeGreaterThan(0);
    // and a recording rule, over the same range
    const recorded = await prometheus.api<{ result: unknown[] }>('query', {
      query: 'count({__name__=~"chom:.+"})',
      time: String(at),
    });
    expect(recorded.result.length).toBe(1);
  });

  test('a folder that already holds data is left alone', async () => {
    const before = fs.readdirSync(dataDir).sort();
    const again = await run([
      `--database-url=${db.url}`,
      `--data-dir=${dataDir}`,
      `--config=${path.join(repoRoot, 'exporter', 'chom-finops.example.yml')}`,
    ]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already holds data: nothing to backfill');
    expect(fs.readdirSync(dataDir).sort()).toEqual(before);
  });

  test('invalid arguments name the option and exit 2; --help documents every option', async () => {
    const missing = await run([
      `--data-dir=${dataDir}`,
      '--config=/nonexistent.yml',
      `--database-url=${db.url}`,
    ]);
    expect([missing.code, missing.stderr.trim()]).toEqual([
      2,
      'history: --config: /nonexistent.yml does not exist',
    ]);
    const history = await run([
      `--data-dir=${dataDir}`,
      `--config=${path.join(repoRoot, 'exporter', 'chom-finops.example.yml')}`,
      `--database-url=${db.url}`,
      '--history=5w',
    ]);
    expect([history.code, history.stderr]).toEqual([
      2,
      expect.stringContaining('--history: expected a number of days'),
    ]);
    const help = await run(['--help']);
    for (const option of [
      '--database-url',
      '--data-dir',
      '--config',
      '--history',
      '--instance',
      '--work-dir',
    ])
      expect(help.stdout).toContain(option);
  });

  test('tsdbHasData: a block or write-ahead log segments count, an empty wal or other files do not', () => {
    const dir = tempDir('tsdb-has-data');
    try {
      expect(tsdbHasData(path.join(dir.dir, 'missing'))).toBe(false);
      fs.mkdirSync(path.join(dir.dir, 'wal'));
      fs.writeFileSync(path.join(dir.dir, 'queries.active'), '');
      fs.mkdirSync(path.join(dir.dir, 'chunks_head'));
      expect(tsdbHasData(dir.dir)).toBe(false);
      fs.writeFileSync(path.join(dir.dir, 'wal', '00000000'), 'x');
      expect(tsdbHasData(dir.dir)).toBe(true);
      fs.rmSync(path.join(dir.dir, 'wal'), { recursive: true });
      fs.mkdirSync(path.join(dir.dir, '01JABCDEF'));
      fs.writeFileSync(path.join(dir.dir, '01JABCDEF', 'meta.json'), '{}');
      expect(tsdbHasData(dir.dir)).toBe(true);
    } finally {
      dir.remove();
    }
  });
});
