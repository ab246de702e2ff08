/**
 * Usage per UTC day and key (a tenant, or a tenant and a message type), held compactly: per day, one
 * Int32Array of key numbers and one Float64Array per measure. Amounts are exact: a cell holds a
 * safe integer, or NaN with the exact bigint kept aside (above 2^53, which real usage never reaches
 * but a broken row can).
 */

import { IdIndex } from '../model/id-index';
import type { RejectedRow } from '../plausibility/rejections';

/**
 * Interns keys as small integers, so that a day's rows are typed arrays rather than objects (the
 * cost model's IdIndex: decimal tenant IDs are looked up in an array, other keys in a map).
 */
export class KeyIndex {
  private readonly index = new IdIndex();

  /** the keys, by number */
  get keys(): readonly string[] {
    return this.index.ids;
  }

  number(key: string): number {
    return this.index.of(key);
  }

  /** Each key's group number (see DayBatch) and the groups' names, computed once per key and grouping. */
  groups(groupOf: (key: string) => string): { names: readonly string[]; ofKey: readonly number[] } {
    let g = this.groupings.get(groupOf);
    if (!g) {
      g = { names: [], numbers: new Map(), ofKey: [] };
      this.groupings.set(groupOf, g);
    }
    for (let n = g.ofKey.length; n < this.keys.length; n++) {
      const name = groupOf(this.keys[n] as string);
      let number = g.numbers.get(name);
      if (number === undefined) {
        number = g.names.length;
        g.names.push(name);
        g.numbers.set(name, number);
      }
      g.ofKey.push(number);
    }
    return g;
  }

  private readonly groupings = new Map<
    (key: string) => string,
    { names: string[]; numbers: Map<string, number>; ofKey: number[] }
  >();

  /** An index of `keys`, numbered in their order. */
  static of(keys: readonly string[]): KeyIndex {
    const index = new KeyIndex();
    for (const key of keys) index.number(key);
    return index;
  }
}

export type Amount = number | bigint;

/** One day's rows: key numbers and, per measure, the amounts (NaN: see `big`). */
export interface DayColumns {
  keys: Int32Array;
  values: Float64Array[];
  /** per measure: row → exact amount of the cells above 2^53 */
  big: Map<number, bigint>[];
  /** per group (see DayBatch) and measure: the day's exact total */
  totals: Map<string, bigint[]>;
  /** the day's rows left out on a plausibility bound */
  rejected: RejectedRow[];
}

/**
 * One day's cells while a read streams in, indexed by key number (grown as keys appear), so that
 * duplicate (day, key) rows add up as they arrive and a read never holds its rows.
 */
interface DayCells {
  /** per measure; NaN: the exact amount is in `big` */
  values: Float64Array[];
  big: Map<number, bigint>[];
  present: Uint8Array;
  count: number;
}

/**
 * Looks at one day's rows (duplicates merged) and names those to leave out, with the rejections to
 * list: a bound that applies to several rows together (e.g. a tenant's messages of all types). Rows
 * give their key's number in `keys`.
 */
export type DayScreen = (
  day: string,
  rows: { key(row: number): number; amount(row: number, measure: number): Amount; count: number },
  keys: KeyIndex,
) => { drop: ReadonlySet<number>; rejected: RejectedRow[] };

/**
 * The rows of one read, gathered per day. Duplicate (day, key) rows are added up (an override
 * grouping case-sensitively, say, returns 'Marketing' and 'marketing'; a chunked read returns a group
 * split over two chunks twice).
 */
export class DayBatch {
  private readonly cells = new Map<string, DayCells>();
  private readonly rejected = new Map<string, RejectedRow[]>();

  constructor(
    readonly keys: KeyIndex,
    readonly measures: number,
    /** the group a key's totals go to (e.g. the message type); one group '' when absent */
    private readonly groupOf: (key: string) => string = () => '',
    private readonly screen?: DayScreen,
    /** keys a day is expected to hold (the previous read's count): its cells start that large */
    private readonly expectedKeys = 0,
  ) {}

  /** Rows of `day` left out on a plausibility bound (kept with the day, listed while it is held). */
  reject(day: string, rows: readonly RejectedRow[]): void {
    if (rows.length === 0) return;
    const list = this.rejected.get(day);
    if (list) list.push(...rows);
    else this.rejected.set(day, [...rows]);
  }

  add(day: string, key: string, amounts: readonly Amount[]): void {
    this.addTo(day, this.keys.number(key), amounts);
  }

  /** `add` with the key's number in `keys`; a key added with zero amounts is still a row of the day. */
  addTo(day: string, key: number, amounts: readonly Amount[]): void {
    const cells = this.day(day, key);
    if (!cells.present[key]) {
      cells.present[key] = 1;
      cells.count++;
    }
    for (let m = 0; m < this.measures; m++) {
      const given = safe(amounts[m] ?? 0);
      if (given !== 0)
        addCell(cells.values[m] as Float64Array, cells.big[m] as Map<number, bigint>, key, given);
    }
  }

  /** The days read, as compact columns (rows in key-number order). */
  finish(): Map<string, DayColumns> {
    return new Map(this.drain());
  }

  /**
   * `finish` one day at a time: each day's cells go as its columns are handed over, so a caller that
   * folds the days as they come never holds every day's columns.
   */
  *drain(): Generator<[string, DayColumns]> {
    const done = new Set<string>();
    for (const [day, cells] of this.cells) {
      let kept = compact(cells, this.measures);
      // each day's cells go as soon as its columns exist: both never held for every day at once
      this.cells.delete(day);
      let rejected = this.rejected.get(day) ?? [];
      if (this.screen) {
        const rows = kept;
        const screened = this.screen(
          day,
          {
            key: (row) => rows.keys[row] as number,
            amount: (row, m) => cell(rows.values[m] as Float64Array, rows.big[m] as Map<number, bigint>, row),
            count: rows.keys.length,
          },
          this.keys,
        );
        if (screened.drop.size > 0) kept = without(kept, screened.drop);
        rejected = [...rejected, ...screened.rejected];
      }
      done.add(day);
      yield [day, dayColumns({ ...kept, rejected }, this.keys, this.groupOf)];
    }
    for (const [day, rows] of this.rejected) {
      if (!done.has(day)) yield [day, { ...emptyDay(this.measures), rejected: rows }];
    }
    this.cells.clear();
    this.lastDay = undefined;
    this.lastCells = undefined;
    this.rejected.clear();
  }

  /** rows come in runs of one day (e-mail groups) or cycle through a few days (a site's days) */
  private lastDay: string | undefined;
  private lastCells: DayCells | undefined;

  private day(day: string, key: number): DayCells {
    let cells = day === this.lastDay ? this.lastCells : this.cells.get(day);
    if (!cells || key >= cells.present.length) {
      const size = Math.max(64, key + 1, (cells?.present.length ?? 0) * 2, cells ? 0 : this.expectedKeys);
      cells = grown(cells, size, this.measures);
      this.cells.set(day, cells);
    }
    this.lastDay = day;
    this.lastCells = cells;
    return cells;
  }
}

/** Rows of amounts per key number: a day's, or a sum over days. */
export type Rows = Pick<DayColumns, 'keys' | 'values' | 'big'>;

function grown(old: DayCells | undefined, size: number, measures: number): DayCells {
  const values = Array.from({ length: measures }, (_, m) => {
    const a = new Float64Array(size);
    if (old) a.set(old.values[m] as Float64Array);
    return a;
  });
  const present = new Uint8Array(size);
  if (old) present.set(old.present);
  return {
    values,
    present,
    big: old ? old.big : Array.from({ length: measures }, () => new Map()),
    count: old ? old.count : 0,
  };
}

/** A day's cells as rows: the keys present, in key-number order. */
function compact(cells: DayCells, measures: number): Rows {
  const keys = new Int32Array(cells.count);
  const values = Array.from({ length: measures }, () => new Float64Array(cells.count));
  const big: Map<number, bigint>[] = Array.from({ length: measures }, () => new Map());
  let row = 0;
  for (let key = 0; key < cells.present.length; key++) {
    if (!cells.present[key]) continue;
    keys[row] = key;
    for (let m = 0; m < measures; m++) {
      const v = (cells.values[m] as Float64Array)[key] as number;
      (values[m] as Float64Array)[row] = v;
      if (Number.isNaN(v)) (big[m] as Map<number, bigint>).set(row, cells.big[m]?.get(key) as bigint);
    }
    row++;
  }
  return { keys, values, big };
}

/** The rows not in `drop`, renumbered. */
function without(rows: Rows, drop: ReadonlySet<number>): Rows {
  const count = rows.keys.length - drop.size;
  const keys = new Int32Array(count);
  const values = rows.values.map(() => new Float64Array(count));
  const big: Map<number, bigint>[] = rows.big.map(() => new Map());
  let row = 0;
  for (let r = 0; r < rows.keys.length; r++) {
    if (drop.has(r)) continue;
    keys[row] = rows.keys[r] as number;
    rows.values.forEach((column, m) => {
      (values[m] as Float64Array)[row] = column[r] as number;
      const b = rows.big[m]?.get(r);
      if (b !== undefined) (big[m] as Map<number, bigint>).set(row, b);
    });
    row++;
  }
  return { keys, values, big };
}

const emptyDay = (measures: number): DayColumns => ({
  keys: new Int32Array(0),
  values: Array.from({ length: measures }, () => new Float64Array(0)),
  big: Array.from({ length: measures }, () => new Map()),
  totals: new Map(),
  rejected: [],
});

function cell(values: ArrayLike<number>, big: ReadonlyMap<number, bigint>, row: number): Amount {
  const v = values[row] as number;
  return Number.isNaN(v) ? (big.get(row) as bigint) : v;
}

/** A bigint that fits a safe integer as a number (cheaper, and what the cells hold). */
const safe = (amount: Amount): Amount =>
  typeof amount === 'bigint' && amount <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(amount) : amount;

function addCell(values: Float64Array, big: Map<number, bigint>, row: number, amount: Amount): void {
  const current = values[row] as number;
  if (!Number.isNaN(current) && typeof amount === 'number') {
    const next = current + amount;
    if (Number.isSafeInteger(next)) {
      values[row] = next;
      return;
    }
  }
  values[row] = Number.NaN;
  big.set(row, (Number.isNaN(current) ? (big.get(row) as bigint) : BigInt(current)) + BigInt(amount));
}

/** A day's columns from its rows, with the totals of each group. */
export function dayColumns(
  rows: Pick<DayColumns, 'keys' | 'values' | 'big' | 'rejected'>,
  keys: KeyIndex,
  groupOf: (key: string) => string,
): DayColumns {
  const columns: DayColumns = { ...rows, totals: new Map() };
  columns.totals = groupTotals(columns, keys, rows.values.length, groupOf);
  return columns;
}

function groupTotals(
  day: DayColumns,
  keys: KeyIndex,
  measures: number,
  groupOf: (key: string) => string,
): Map<string, bigint[]> {
  const { names, ofKey } = keys.groups(groupOf);
  // numbers while safe (fast), bigint only past 2^53 and at the end
  const small = new Float64Array(names.length * measures);
  const big = new Array<bigint>(names.length * measures).fill(0n);
  const seen = new Uint8Array(names.length);
  for (let r = 0; r < day.keys.length; r++) {
    const g = ofKey[day.keys[r] as number] as number;
    seen[g] = 1;
    for (let m = 0; m < measures; m++) {
      const i = g * measures + m;
      const v = (day.values[m] as Float64Array)[r] as number;
      const next = (small[i] as number) + v;
      if (Number.isSafeInteger(next)) small[i] = next;
      else {
        const amount = Number.isNaN(v) ? (day.big[m]?.get(r) as bigint) : BigInt(v);
        big[i] = (big[i] as bigint) + BigInt(small[i] as number) + amount;
        small[i] = 0;
      }
    }
  }
  const totals = new Map<string, bigint[]>();
  for (let g = 0; g < names.length; g++) {
    if (!seen[g]) continue;
    const sums: bigint[] = [];
    for (let m = 0; m < measures; m++)
      sums.push((big[g * measures + m] as bigint) + BigInt(small[g * measures + m] as number));
    totals.set(names[g] as string, sums);
  }
  return totals;
}

/** Exact sums per key number: numbers while safe, bigint beyond. */
export class KeySums {
  private readonly small: Float64Array;
  private readonly big = new Map<number, bigint>();
  /** keys that had at least one row in the days summed */
  readonly present: Uint8Array;

  constructor(size: number) {
    this.small = new Float64Array(size);
    this.present = new Uint8Array(size);
  }

  addDay(day: Rows, measure: number): void {
    const values = day.values[measure] as Float64Array;
    const big = day.big[measure] as Map<number, bigint>;
    for (let r = 0; r < day.keys.length; r++) {
      const key = day.keys[r] as number;
      this.present[key] = 1;
      const v = values[r] as number;
      const next = (this.small[key] as number) + v;
      if (Number.isSafeInteger(next)) this.small[key] = next;
      else {
        const current =
          this.big.get(key) ?? BigInt(Number.isNaN(this.small[key]) ? 0 : (this.small[key] as number));
        this.big.set(key, current + (Number.isNaN(v) ? (big.get(r) as bigint) : BigInt(v)));
        this.small[key] = Number.NaN;
      }
    }
  }

  get(key: number): Amount {
    const v = this.small[key] as number;
    return Number.isNaN(v) ? (this.big.get(key) as bigint) : v;
  }
}

/** Exact per-key sums of every measure over some days, as rows of the keys present once complete. */
export class RowSums {
  private readonly sums: KeySums[];

  constructor(
    private readonly size: number,
    measures: number,
  ) {
    this.sums = Array.from({ length: measures }, () => new KeySums(size));
  }

  add(rows: Rows): void {
    this.sums.forEach((sums, m) => sums.addDay(rows, m));
  }

  rows(): Rows {
    const present = this.sums[0]?.present ?? new Uint8Array(0);
    const keys: number[] = [];
    for (let key = 0; key < this.size; key++) if (present[key]) keys.push(key);
    const values = this.sums.map(() => new Float64Array(keys.length));
    const big: Map<number, bigint>[] = this.sums.map(() => new Map());
    keys.forEach((key, row) =>
      this.sums.forEach((sums, m) => {
        const amount = sums.get(key);
        if (typeof amount === 'bigint') {
          (values[m] as Float64Array)[row] = Number.NaN;
          (big[m] as Map<number, bigint>).set(row, amount);
        } else (values[m] as Float64Array)[row] = amount;
      }),
    );
    return { keys: Int32Array.from(keys), values, big };
  }
}
