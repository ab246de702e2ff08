/**
 * The `k` first items under `compare` (sorted), and the others (in no order), in O(n) on average:
 * a quickselect with a median-of-three pivot that falls back to sorting the range it is narrowing
 * when it takes too many rounds (so the worst case is O(n log n)). Cheaper than sorting everything
 * when only the first few matter: the cents left over in an apportionment, the costliest tenants.
 */
export function selectFirst<T>(
  items: readonly T[],
  k: number,
  compare: (a: T, b: T) => number,
): { first: T[]; rest: T[] } {
  const a = [...items];
  if (k <= 0) return { first: [], rest: a };
  if (k >= a.length) return { first: a.sort(compare), rest: [] };
  let lo = 0;
  let hi = a.length - 1;
  let rounds = 2 * Math.ceil(Math.log2(a.length)) + 8;
  while (hi > lo) {
    if (--rounds < 0) {
      const range = a.slice(lo, hi + 1).sort(compare);
      for (let i = 0; i < range.length; i++) a[lo + i] = range[i] as T;
      break;
    }
    const pivotIndex = medianOfThree(a, lo, (lo + hi) >>> 1, hi, compare);
    const p = partition(a, lo, hi, pivotIndex, compare);
    if (p === k) break;
    if (p < k) lo = p + 1;
    else hi = p - 1;
  }
  return { first: a.slice(0, k).sort(compare), rest: a.slice(k) };
}

function medianOfThree<T>(a: T[], i: number, j: number, k: number, compare: (x: T, y: T) => number): number {
  const [x, y, z] = [a[i] as T, a[j] as T, a[k] as T];
  if (compare(x, y) < 0) {
    if (compare(y, z) < 0) return j;
    return compare(x, z) < 0 ? k : i;
  }
  if (compare(x, z) < 0) return i;
  return compare(y, z) < 0 ? k : j;
}

/** Lomuto partition of a[lo..hi] around a[pivotIndex]; returns the pivot's final index. */
function partition<T>(
  a: T[],
  lo: number,
  hi: number,
  pivotIndex: number,
  compare: (x: T, y: T) => number,
): number {
  const pivot = a[pivotIndex] as T;
  a[pivotIndex] = a[hi] as T;
  a[hi] = pivot;
  let store = lo;
  for (let i = lo; i < hi; i++) {
    const item = a[i] as T;
    if (compare(item, pivot) < 0) {
      a[i] = a[store] as T;
      a[store] = item;
      store++;
    }
  }
  a[hi] = a[store] as T;
  a[store] = pivot;
  return store;
}
