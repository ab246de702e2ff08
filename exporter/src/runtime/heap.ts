import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * How far V8 lets the old generation grow past what the last full collection kept, in percent.
 *
 * Each collection builds a working set (rows of the small sources, the usage sums, the cost model's
 * shares, the exposition) that lives long enough to be promoted and is garbage once the next
 * collection has replaced it. By default V8 grows the old generation up to four times the live heap
 * before it marks and compacts, so at the large scale a few collections' garbage piled up to
 * 784–912 MiB of RSS with 128 MiB live. Growing by half instead: 559–576 MiB, with the cost model
 * within its CPU budget (docs/performance.md). The extra full collections cost a few tens of
 * milliseconds each, once or twice per collection.
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Applies HEAP_GROWING_PERCENT unless node was started with its own --heap-growing-percent. V8 reads
 * this flag each time it sizes the heap after a full collection, so setting it at startup applies.
 */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

let fullGc: (() => void) | undefined;
/** the heap in use after the last full collection run here */
let usedAfterLast = 0;

/**
 * How much the heap must have grown since the last full collection run here for collectGarbageNow to
 * run one: below it there is little to free (a small install's collection, the tests' hundreds of
 * small ones), and a full collection costs a mark of the whole live heap. At the large scale a steady
 * collection's sources grow the heap by 8–12 MiB (the rows that replace the last ones); with 16 MiB
 * the collection before the model was skipped and the model's working set (30–45 MiB) piled on that
 * garbage: peak RSS 288–292 MiB with the incremental bandwidth read of this release, 275 with 4 MiB
 * (docs/performance.md).
 */
export const MIN_GROWTH_BYTES = 4 * 2 ** 20;

/**
 * A full garbage collection, now, when the heap has grown by MIN_GROWTH_BYTES since the last one run
 * here; says whether it ran. The collector calls it at each point where most of what it allocated
 * has just died: when the sources have replaced the last collection's rows (before the cost model
 * builds its working set, which then reuses their space instead of growing the heap over them), and
 * when the figures are published (the model's working set). V8 would wait until the old generation
 * had grown by half (HEAP_GROWING_PERCENT), and the peak RSS is where that growth sits on top of a
 * collection's working set. Each costs 100–170 ms at the large scale (figures in
 * docs/performance.md). `gc` is only a global of contexts created after --expose-gc is set, hence
 * the new context.
 */
export function collectGarbageNow(): boolean {
  if (v8.getHeapStatistics().used_heap_size - usedAfterLast < MIN_GROWTH_BYTES) return false;
  if (!fullGc) {
    v8.setFlagsFromString('--expose-gc');
    fullGc = vm.runInNewContext('gc') as () => void;
  }
  fullGc();
  usedAfterLast = v8.getHeapStatistics().used_heap_size;
  return true;
}

/**
 * The environment the exporter's launchers give its process (the Docker image, `npm start`, the
 * benchmark): read before any code of ours runs, so it cannot be set from here.
 *
 * - glibc malloc's thresholds, set to glibc's own defaults, which turns off their dynamic adjustment:
 *   by default, once a large buffer is freed, malloc serves buffers up to that size from its heap
 *   instead of mapping them, and the freed space of a collection's typed arrays and driver buffers
 *   stays resident. At the large scale: 427 → 344 MiB peak RSS.
 * - V8's young generation at 8 MiB per semi-space instead of 16: the cost model allocates about
 *   320 MiB of short-lived bigints per run, which grows the young generation to its maximum on top of
 *   the live heap. 278 → 256 MiB peak RSS, the model's CPU time within the noise of the machine.
 *
 * Figures in docs/performance.md.
 */
export const RUNTIME_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
  NODE_OPTIONS: '--max-semi-space-size=8',
};
