import v8 from 'node:v8';

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
