import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { collectGarbageNow, MIN_GROWTH_BYTES, RUNTIME_ENV } from '../src/runtime/heap';

const repoRoot = path.resolve(__dirname, '..', '..');

describe('runtime: memory of the exporter process', () => {
  test('collectGarbageNow frees what nothing refers to any more, without --expose-gc', () => {
    expect(process.execArgv).not.toContain('--expose-gc');
    // objects that survive young collections, as a collection's rows do
    let rows: { id: number; name: string }[] | undefined = Array.from({ length: 400_000 }, (_, i) => ({
      id: i,
      name: `tenant ${i}`,
    }));
    const held = process.memoryUsage().heapUsed;
    expect(rows.length).toBe(400_000);
    rows = undefined;
    expect(collectGarbageNow()).toBe(true);
    const freed = held - process.memoryUsage().heapUsed;
    // 400,000 objects and strings: well over 20 MB
    expect(freed).toBeGreaterThan(20 * 2 ** 20);
    expect(rows).toBeUndefined();
  });

  test('and does nothing when the heap has grown by less than MIN_GROWTH_BYTES since', () => {
    collectGarbageNow();
    const small = Array.from({ length: 1000 }, (_, i) => ({ i }));
    expect(collectGarbageNow()).toBe(false);
    expect(small).toHaveLength(1000);
    let large: number[][] | undefined = Array.from({ length: 200 }, () =>
      Array.from({ length: 20_000 }, () => 1.5),
    );
    expect(large.length * 20_000 * 8).toBeGreaterThan(MIN_GROWTH_BYTES);
    expect(collectGarbageNow()).toBe(true);
    large = undefined;
    expect(large).toBeUndefined();
  });

  test('node starts with that environment, and its young generation is the size it sets', () => {
    // garbage enough to grow the young generation to its largest, then its size
    const script = `let keep = [];
      for (let i = 0; i < 2e6; i++) { keep.push({ i }); if (keep.length > 1e5) keep = []; }
      const space = require('v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      process.stdout.write(String(space.space_size / 2 ** 20));`;
    const youngMiB = (env: NodeJS.ProcessEnv) => {
      const child = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      return Number(child.stdout);
    };
    const { NODE_OPTIONS: _, ...inherited } = process.env;
    const withDefaults = youngMiB(inherited);
    const withRuntimeEnv = youngMiB({ ...inherited, ...RUNTIME_ENV });
    expect(withRuntimeEnv).toBeGreaterThan(0);
    expect(withRuntimeEnv).toBeLessThan(withDefaults);
  });

  test("the exporter's launchers give it its runtime environment: the Docker image and npm start", () => {
    expect(Object.keys(RUNTIME_ENV).length).toBeGreaterThan(0);
    const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    const exporterStage = dockerfile.slice(
      dockerfile.indexOf('AS exporter'),
      dockerfile.indexOf('AS reporter'),
    );
    const stack = fs.readFileSync(path.join(repoRoot, 'stack', 'src', 'cli.ts'), 'utf8');
    for (const [name, value] of Object.entries(RUNTIME_ENV)) {
      expect(exporterStage).toMatch(new RegExp(`^ENV .*\\b${name}=${value}(\\s|$)`, 'm'));
      expect(stack).toContain(`${name}: '${value}'`);
    }
  });
});
