import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  createTestDatabase,
  eventually,
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
 * exporter's metrics and the recording rules, labelled like the live scrape; on a later start it
 * fills only the gap since the newest sample, which may be in Prometheus' write-ahead log.
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
  const startedAt = Date.now();
  const hoursAgo = (hours: number) => Math.floor((startedAt - hours * 3_600_000) / 1000);
  const config = path.join(repoRoot, 'exporter', 'chom-finops.example.yml');
  const history = (extra: string[]) =>
    run([`--database-url=${db.url}`, `--data-dir=${dataDir}`, `--config=${config}`, ...extra]);

  /** Runs `check` against a Prometheus on the folder, stopped afterwards (the folder is exclusive). */
  async function withPrometheus<T>(check: (p: RunningPrometheus) => Promise<T>): Promise<T> {
    const prometheus = await startPrometheus({ dataDir, retention: '400d' });
    try {
      return await check(prometheus);
    } finally {
      await prometheus.stop();
    }
  }
  const costSeries = (p: RunningPrometheus, at: number) => p.query('chom_infrastructure_cost_monthly', at);

  beforeAll(async () => {
    work = tempDir('compose-history');
    dataDir = path.join(work.dir, 'prometheus');
    db = await createTestDatabase('chom_stack_history');
    await seedDemoDatabase({ databaseUrl: db.url });
    // the first start, three hours ago
    first = await history([
      '--history=1d',
      '--instance=exporter:9864',
      `--now=${new Date(hoursAgo(3) * 1000).toISOString()}`,
    ]);
  }, 300_000);

  afterAll(async () => {
    await db?.drop();
    work?.remove();
  });

  test('fills an empty folder with the exporter history and the recording rules, as the live scrape labels them', async () => {
    expect([first.code, first.stderr.slice(-2000)]).toEqual([0, expect.stringContaining('done:')]);
    expect(tsdbHasData(dataDir)).toBe(true);
    await withPrometheus(async (prometheus) => {
      const cost = await costSeries(prometheus, hoursAgo(4));
      expect(cost.length).toBeGreaterThan(0);
      expect(
        cost.every((s) => s.metric.job === 'chom-exporter' && s.metric.instance === 'exporter:9864'),
      ).toBe(true);
      // a day back, not only the last instant, and nothing after its end
      expect((await costSeries(prometheus, hoursAgo(3 + 20))).length).toBeGreaterThan(0);
      expect(await costSeries(prometheus, hoursAgo(1))).toEqual([]);
      // and a recording rule, over the same range
      const recorded = await prometheus.api<{ result: unknown[] }>('query', {
        query: 'count({__name__=~"chom:.+"})',
        time: String(hoursAgo(4)),
      });
      expect(recorded.result.length).toBe(1);
    });
  });

  test('a folder that holds data gets the gap since its newest sample, not the whole history again', async () => {
    const gap = await history([`--now=${new Date(hoursAgo(1) * 1000).toISOString()}`]);
    expect([gap.code, gap.stderr]).toEqual([0, expect.stringContaining('filling the gap')]);
    // the first run's last instant: the last 5-minute step before its end
    const until = Date.parse(/holds data until (\S+):/.exec(gap.stderr)?.[1] ?? '');
    expect(until).toBeLessThanOrEqual(hoursAgo(3) * 1000);
    expect(until).toBeGreaterThan(hoursAgo(3) * 1000 - 5 * 60_000);
    expect(gap.stderr).toContain(`backfilling ${new Date(until + 1000).toISOString()}`);
    await withPrometheus(async (prometheus) => {
      expect((await costSeries(prometheus, hoursAgo(1.5))).length).toBeGreaterThan(0);
      expect((await costSeries(prometheus, hoursAgo(2.5))).length).toBeGreaterThan(0);
    });
  });

  test('what Prometheus ingested live (its write-ahead log) counts as the newest sample: then there is no gap', async () => {
    // a live Prometheus on the folder scrapes a target for a few seconds, then stops
    const target = http.createServer((_req, res) => res.end('chom_probe 1\n'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as { port: number }).port;
    try {
      const live = await startPrometheus({
        dataDir,
        retention: '400d',
        scrapeTargets: { probe: [`127.0.0.1:${port}`] },
      });
      try {
        await eventually(
          async () => ((await live.query('up{job="probe"}')).length ? true : undefined),
          30_000,
          'a live scrape',
        );
      } finally {
        await live.stop();
      }
    } finally {
      target.close();
    }
    const before = fs.readdirSync(dataDir).sort();
    const again = await history([]);
    expect([again.code, again.stderr]).toEqual([0, expect.stringContaining('is up to date')]);
    expect(fs.readdirSync(dataDir).sort()).toEqual(before);
  });

  test('a folder a running Prometheus uses is left alone', async () => {
    const running = await startPrometheus({ dataDir, retention: '400d' });
    try {
      const before = fs.readdirSync(dataDir).sort();
      const skipped = await history([`--prometheus-url=${running.url}`, `--now=${new Date().toISOString()}`]);
      expect([skipped.code, skipped.stderr]).toEqual([0, expect.stringContaining('is running on')]);
      expect(fs.readdirSync(dataDir).sort()).toEqual(before);
    } finally {
      await running.stop();
    }
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
    const weeks = await history(['--history=5w']);
    expect([weeks.code, weeks.stderr]).toEqual([
      2,
      expect.stringContaining('--history: expected a number of days'),
    ]);
    const yesterday = await history(['--now=yesterday']);
    expect([yesterday.code, yesterday.stderr]).toEqual([
      2,
      expect.stringContaining('--now: expected an ISO 8601 time'),
    ]);
    const help = await run(['--help']);
    for (const option of [
      '--database-url',
      '--data-dir',
      '--config',
      '--history',
      '--instance',
      '--now',
      '--prometheus-url',
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
      fs.writeFileSync(
        path.join(dir.dir, '01JABCDEF', 'meta.json'),
        '{"minTime": 1795900000000, "maxTime": 1795907200000}',
      );
      expect(tsdbHasData(dir.dir)).toBe(true);
    } finally {
      dir.remove();
    }
  });
});
