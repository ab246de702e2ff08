/**
 * Usage per UTC day and key (a tenant, or a tenant and a message type), held compactly: per day, one
 * Int32Array of key numbers and one Float64Array per measure. Amounts are exact: a cell holds a
 * safe integer, or NaN with the exact bigint kept aside (above 2^53, which real usage never reaches
 * but a broken row can).
 */

import type { RejectedRow } from '../plausibility/rejections';

/** Interns keys as small integers, so that a day's rows are typed arrays rather than objects. */
export class KeyIndex {
  private readonly numbers = new Map<string, number>();
  readonly keys: string[] = [];

  number(key: string): number {
    let n = this.numbers.get(key);
    if (n === undefined) {
      n = this.keys.length;
      this.keys.push(key);
      this.numbers.set(key, n);
    }
    return n;
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

interface Growing {
  keys: number[];
  values: number[][];
  big: Map<number, bigint>[];
}

/**
 * The rows of one read, gathered per day. Duplicate (day, key) rows are added up (an override
 * grouping case-sensitively, say, returns 'Marketing' and 'marketing').
 */
/**
 * Looks at one day's rows (duplicates merged) and names those to leave out, with the rejections to
 * list: a bound that applies to several rows together (e.g. a tenant's messages of all types).
 */
export type DayScreen = (
  day: string,
  rows: { key(row: number): string; amount(row: number, measure: number): Amount; count: number },
) => { drop: ReadonlySet<number>; rejected: RejectedRow[] };

export class DayBatch {
  private readonly growing = new Map<string, Growing>();
  private readonly rejected = new Map<string, RejectedRow[]>();

  constructor(
    readonly keys: KeyIndex,
    readonly measures: number,
    /** the group a key's totals go to (e.g. the message type); one group '' when absent */
    private readonly groupOf: (key: string) => string = () => '',
    private readonly screen?: DayScreen,
  ) {}

  /** Rows of `day` left out on a plausibility bound (kept with the day, listed while it is held). */
  reject(day: string, rows: readonly RejectedRow[]): void {
    if (rows.length === 0) return;
    const list = this.rejected.get(day);
    if (list) list.push(...rows);
    else this.rejected.set(day, [...rows]);
  }

  add(day: string, key: string, amounts: readonly Amount[]): void {
    let g = this.growing.get(day);
    if (!g) {
      g = {
        keys: [],
        values: Array.from({ length: this.measures }, () => []),
        big: Array.from({ length: this.measures }, () => new Map()),
      };
      this.growing.set(day, g);
    }
    const row = g.keys.length;
    g.keys.push(this.keys.number(key));
    for (let m = 0; m < this.measures; m++) {
      const given = amounts[m] ?? 0;
      const amount =
        typeof given === 'bigint' && given <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(given) : given;
      if (typeof amount === 'bigint') {
        (g.values[m] as number[]).push(Number.NaN);
        (g.big[m] as Map<number, bigint>).set(row, amount);
      } else (g.values[m] as number[]).push(amount);
    }
  }

  /** The days read, as compact columns, duplicates merged. */
  finish(): Map<string, DayColumns> {
    const days = new Map<string, DayColumns>();
    const slot = new Int32Array(this.keys.keys.length).fill(-1);
    for (const [day, g] of this.growing) {
      const keys: number[] = [];
      const values: number[][] = Array.from({ length: this.measures }, () => []);
      const big: Map<number, bigint>[] = Array.from({ length: this.measures }, () => new Map());
      for (let r = 0; r < g.keys.length; r++) {
        const key = g.keys[r] as number;
        let row = slot[key] as number;
        if (row < 0) {
          row = keys.length;
          slot[key] = row;
          keys.push(key);
          for (let m = 0; m < this.measures; m++) (values[m] as number[]).push(0);
        }
        for (let m = 0; m < this.measures; m++) {
          const amount = cell(g.values[m] as number[], g.big[m] as Map<number, bigint>, r);
          addCell(values[m] as number[], big[m] as Map<number, bigint>, row, amount);
        }
      }
      for (const key of keys) slot[key] = -1;
      let rejected = this.rejected.get(day) ?? [];
      let kept = { keys, values, big };
      if (this.screen) {
        const screened = this.screen(day, {
          key: (row) => this.keys.keys[keys[row] as number] as string,
          amount: (row, m) => cell(values[m] as number[], big[m] as Map<number, bigint>, row),
          count: keys.length,
        });
        if (screened.drop.size > 0) kept = without(kept, screened.drop);
        rejected = [...rejected, ...screened.rejected];
      }
      const columns: DayColumns = {
        keys: Int32Array.from(kept.keys),
        values: kept.values.map((v) => Float64Array.from(v)),
        big: kept.big,
        totals: new Map(),
        rejected,
      };
      columns.totals = groupTotals(columns, this.keys, this.measures, this.groupOf);
      days.set(day, columns);
    }
    for (const [day, rows] of this.rejected) {
      if (!days.has(day)) days.set(day, { ...emptyDay(this.measures), rejected: rows });
    }
    this.growing.clear();
    this.rejected.clear();
    return days;
  }
}

/** The rows not in `drop`, renumbered. */
function without(
  rows: { keys: number[]; values: number[][]; big: Map<number, bigint>[] },
  drop: ReadonlySet<number>,
): { keys: number[]; values: number[][]; big: Map<number, bigint>[] } {
  const keys: number[] = [];
  const values: number[][] = rows.values.map(() => []);
  const big: Map<number, bigint>[] = rows.big.map(() => new Map());
  for (let r = 0; r < rows.keys.length; r++) {
    if (drop.has(r)) continue;
    const row = keys.length;
    keys.push(rows.keys[r] as number);
    rows.values.forEach((column, m) => {
      (values[m] as number[]).push(column[r] as number);
      const b = rows.big[m]?.get(r);
      if (b !== undefined) (big[m] as Map<number, bigint>).set(row, b);
    });
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

function addCell(values: number[], big: Map<number, bigint>, row: number, amount: Amount): void {
  const current = cell(values, big, row);
  if (typeof current === 'number' && typeof amount === 'number') {
    const next = current + amount;
    if (Number.isSafeInteger(next)) {
      values[row] = next;
      return;
    }
  }
  values[row] = Number.NaN;
  big.set(row, BigInt(current) + BigInt(amount));
}

function groupTotals(
  day: DayColumns,
  keys: KeyIndex,
  measures: number,
  groupOf: (key: string) => string,
): Map<string, bigint[]> {
  const totals = new Map<string, bigint[]>();
  // numbers first (fast), bigint only per group and at the end
  const partial = new Map<string, { small: number[]; big: bigint[] }>();
  for (let r = 0; r < day.keys.length; r++) {
    const group = groupOf(keys.keys[day.keys[r] as number] as string);
    let p = partial.get(group);
    if (!p) {
      p = { small: new Array<number>(measures).fill(0), big: new Array<bigint>(measures).fill(0n) };
      partial.set(group, p);
    }
    for (let m = 0; m < measures; m++) {
      const amount = cell(day.values[m] as Float64Array, day.big[m] as Map<number, bigint>, r);
      const next = typeof amount === 'number' ? (p.small[m] as number) + amount : Number.NaN;
      if (Number.isSafeInteger(next)) p.small[m] = next;
      else {
        p.big[m] = (p.big[m] as bigint) + BigInt(p.small[m] as number) + BigInt(amount);
        p.small[m] = 0;
      }
    }
  }
  for (const [group, p] of partial) {
    totals.set(
      group,
      p.big.map((b, m) => b + BigInt(p.small[m] as number)),
    );
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

  addDay(day: DayColumns, measure: number): void {
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
