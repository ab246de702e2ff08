import fs from 'node:fs';
import path from 'node:path';
import { execFileAsync, tempDir } from '@chom/test-support';
import { recordedHistory } from '../src/backfill/evaluate';
import { startQueryOnlyPrometheus } from '../src/backfill/prometheus';

// The rules backfill writes what a recording rule would have recorded, and promtool refuses a series
// whose samples are not in time order. One recorded series can come from several result series: the
// branches of an `or` that keep different metric names lose them to the rule's name. Here `aa_late_metric`
// sorts first in Prometheus' answer but holds the later hours.

jest.setTimeout(120_000);

const STEP = 300;
const start = Date.UTC(2026, 0, 1) / 1000;
const half = start + 3600;
const end = start + 2 * 3600;
const work = tempDir('recorded-history');
afterAll(() => work.remove());

test('a recorded series fed by two result series is written in time order, and promtool takes it', async () => {
  const lines = ['# TYPE zz_early_metric gauge', '# TYPE aa_late_metric gauge'];
  const early: string[] = [];
  const late: string[] = [];
  for (let t = start; t <= end; t += STEP) {
    if (t < half) early.push(`zz_early_metric{site="a"} ${t - start} ${t}`);
    else late.push(`aa_late_metric{site="a"} ${t - start} ${t}`);
  }
  const input = path.join(work.dir, 'input.om');
  fs.writeFileSync(input, `${[lines[0], ...early, lines[1], ...late].join('\n')}\n# EOF\n`);
  const data = path.join(work.dir, 'data');
  await execFileAsync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data]);
  const prometheus = await startQueryOnlyPrometheus(data, path.join(work.dir, 'prom'));
  try {
    const { text, samples } = await recordedHistory({
      prometheusUrl: prometheus.url,
      rule: { record: 'site:value:recorded', expr: 'aa_late_metric or zz_early_metric' },
      start,
      end,
      stepSeconds: STEP,
    });
    const times = text
      .split('\n')
      .filter((l) => l.startsWith('site:value:recorded{'))
      .map((l) => Number(l.split(' ')[2]));
    expect(samples).toBe(times.length);
    // every step of the two hours once (the lookback carries the last early sample for 5 minutes)
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBe(times.length);
    expect(times[0]).toBe(start);
    expect(times.at(-1)).toBe(end);
    const output = path.join(work.dir, 'recorded.om');
    fs.writeFileSync(output, `${text}# EOF\n`);
    await execFileAsync('promtool', [
      'tsdb',
      'create-blocks-from',
      'openmetrics',
      output,
      path.join(work.dir, 'out'),
    ]);
  } finally {
    await prometheus.stop();
  }
});
