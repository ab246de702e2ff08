import fs from 'node:fs';
import path from 'node:path';
import { collectGarbageNow, MALLOC_ENV } from '../src/runtime/heap';

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
    collectGarbageNow();
    const freed = held - process.memoryUsage().heapUsed;
    // 400,000 objects and strings: well over 20 MB
    expect(freed).toBeGreaterThan(20 * 2 ** 20);
    expect(rows).toBeUndefined();
  });

  test("the exporter's launchers set the malloc settings: the Docker image and npm start", () => {
    expect(Object.keys(MALLOC_ENV).length).toBeGreaterThan(0);
    const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    const exporterStage = dockerfile.slice(
      dockerfile.indexOf('AS exporter'),
      dockerfile.indexOf('AS reporter'),
    );
    const stack = fs.readFileSync(path.join(repoRoot, 'stack', 'src', 'cli.ts'), 'utf8');
    for (const [name, value] of Object.entries(MALLOC_ENV)) {
      expect(exporterStage).toMatch(new RegExp(`^ENV .*\\b${name}=${value}\\b`, 'm'));
      expect(stack).toContain(`${name}: '${value}'`);
    }
  });
});
