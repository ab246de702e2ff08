/**
 * Heap held by each source's parsed rows (a script, not a test), as the source reader keeps them
 * between collections (its "last good rows"):
 *   node --expose-gc --import tsx bench/rows-heap.ts --rows-cache=/tmp/chom-model-large-rows.json
 * The rows come from the cache `bench/model.ts --rows-cache` writes (the rows the default queries
 * return on the demo data set). Per source: parse every row into the source's holder, drop the raw
 * rows, collect garbage, and compare the heap (with array buffers) with and without the holder.
 */
import fs from 'node:fs';
import { SOURCE_NAMES, type SourceName } from '../src/config/schema';
import { SOURCES, type RowCollector, type SourceDefinition } from '../src/sources';

type Raw = Record<string, unknown>;

function option(name: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  // typed arrays keep their contents outside the JS heap
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

const MiB = 2 ** 20;

function main() {
  const cache = option('rows-cache');
  if (!cache || process.argv.includes('--help')) {
    process.stdout.write(
      'Usage: node --expose-gc --import tsx bench/rows-heap.ts --rows-cache=FILE (written by bench/model.ts)\n',
    );
    return;
  }
  const raw = JSON.parse(fs.readFileSync(cache, 'utf8')) as Record<string, Raw[] | undefined>;
  const box: { rows?: RowCollector<unknown> } = {};
  let total = 0;
  for (const name of SOURCE_NAMES) {
    if (name === 'bandwidth' || name === 'email') continue; // held as day tables (usage/), not as rows
    const count = parseInto(box, name, raw);
    const withRows = heapAfterGc();
    box.rows = undefined;
    const held = withRows - heapAfterGc();
    total += held;
    process.stdout.write(
      `${name}: ${count} rows, ${(held / MiB).toFixed(1)} MiB held (${Math.round(held / Math.max(count, 1))} bytes a row)\n`,
    );
  }
  process.stdout.write(`all these sources: ${(total / MiB).toFixed(1)} MiB\n`);
}

/** Parses the raw rows of `name` into `box.rows` as the source reader holds them, and drops the raw rows. */
function parseInto(
  box: { rows?: RowCollector<unknown> },
  name: SourceName,
  raw: Record<string, Raw[] | undefined>,
) {
  const definition = SOURCES[name] as SourceDefinition<unknown, RowCollector<unknown>>;
  const holder: RowCollector<unknown> = definition.rows ? definition.rows() : [];
  for (const row of raw[name] ?? []) {
    const parsed = definition.parse(row);
    if (parsed !== undefined) holder.push(parsed);
  }
  raw[name] = undefined;
  box.rows = holder;
  return (holder as unknown as { length: number }).length;
}

main();
