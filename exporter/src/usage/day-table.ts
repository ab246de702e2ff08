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
 * Cells indexed by key number (or group number), grown in place as keys appear, so that duplicate
 * (day, key) rows add up as they arrive and a read never holds its rows: one day's while a read
 * streams in, or the sum of several folded days'.
 */
interface Cells {
  /** per measure; NaN: the exact amount is in `big` */
  values: Float64Array[];
  big: Map<number, bigint>[];
  present: Uint8Array;
  count: number;
}

/** Where the rows of one day go: its own cells, or (a folded day) its segment's and its group totals. */
interface DayTarget {
  cells: Cells;
  /** a folded day's totals by group number (see KeyIndex.groups) */
  totals?: Cells;
}

/**
 * The days a read folds into per-key sums instead of handing them over (see UsageDays), and the
 * first day of each sum asked for later (oldest first; the first is the first folded day). The
 * folded days between two starts add up in one segment, so a row is added once whatever the sums.
 */
export interface Folding {
  days: readonly string[];
  starts: readonly string[];
}

/** What a read folded: per start, the per-key sums of the folded days from it on; per day, its totals. */
export interface FoldedRead {
  sums: Map<string, Rows>;
  days: Map<string, Pick<DayColumns, 'totals' | 'rejected'>>;
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
  private readonly targets = new Map<string, DayTarget>();
  private readonly rejected = new Map<string, RejectedRow[]>();
  /** per folded day, its segment (see Folding) */
  private readonly segmentOf = new Map<string, number>();
  private readonly segments: Cells[];
  private readonly foldedDays = new Map<string, Pick<DayColumns, 'totals' | 'rejected'>>();

  constructor(
    readonly keys: KeyIndex,
    readonly measures: number,
    /** the group a key's totals go to (e.g. the message type); one group '' when absent */
    private readonly groupOf: (key: string) => string = () => '',
    private readonly screen?: DayScreen,
    /** keys a day is expected to hold (the previous read's count): its cells start that large */
    private readonly expectedKeys = 0,
    /** days to fold: as rows arrive, or (with a screen, which must see a whole day) once read */
    private readonly folding?: Folding,
  ) {
    const starts = folding?.starts ?? [];
    let segment = 0;
    for (const day of folding?.days ?? []) {
      while (segment + 1 < starts.length && day >= (starts[segment + 1] as string)) segment++;
      this.segmentOf.set(day, segment);
    }
    this.segments = starts.map(() => emptyCells(expectedKeys, measures));
  }

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
    const target = this.target(day);
    addRow(target.cells, key, amounts, this.measures);
    if (target.totals) addRow(target.totals, this.groupNumber(key), amounts, this.measures);
  }

  /** The days read, as compact columns (rows in key-number order). */
  finish(): Map<string, DayColumns> {
    return new Map(this.drain());
  }

  /**
   * `finish` one day at a time: each day's cells go as its columns are handed over, so a caller
   * never holds every day's columns. The folded days are not handed over: see `folded`.
   */
  *drain(): Generator<[string, DayColumns]> {
    const rejectedOnly = [...this.rejected].filter(([day]) => !this.targets.has(day));
    for (const [day, target] of this.targets) {
      this.targets.delete(day);
      if (target.totals) {
        this.foldedDays.set(day, {
          totals: this.groupTotals(target.totals),
          rejected: this.rejected.get(day) ?? [],
        });
        continue;
      }
      const columns = this.columns(day, target.cells);
      const segment = this.segmentOf.get(day);
      if (segment === undefined) {
        yield [day, columns];
        continue;
      }
      // a screened day, folded once whole
      addRows(this.segments[segment] as Cells, columns, this.measures);
      this.foldedDays.set(day, { totals: columns.totals, rejected: columns.rejected });
    }
    for (const [day, rows] of rejectedOnly) {
      if (this.segmentOf.has(day)) this.foldedDays.set(day, { totals: new Map(), rejected: rows });
      else yield [day, { ...emptyDay(this.measures), rejected: rows }];
    }
    this.lastDay = undefined;
    this.lastTarget = undefined;
    this.rejected.clear();
  }

  /** After `drain`: the folded days' sums and per-day totals. */
  folded(): FoldedRead {
    const starts = this.folding?.starts ?? [];
    const sums = new Map<string, Rows>();
    // each start's sum is its segment and every later one: added up from the last segment back
    const running = emptyCells(this.keys.keys.length, this.measures);
    for (let s = starts.length - 1; s >= 0; s--) {
      addRows(running, compact(this.segments[s] as Cells, this.measures), this.measures);
      sums.set(starts[s] as string, compact(running, this.measures));
    }
    return { sums, days: this.foldedDays };
  }

  /** A day's cells as columns, screened, with its rejected rows and group totals. */
  private columns(day: string, cells: Cells): DayColumns {
    let kept = compact(cells, this.measures);
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
    return dayColumns({ ...kept, rejected }, this.keys, this.groupOf);
  }

  /** A folded day's group cells as exact totals by group name. */
  private groupTotals(cells: Cells): Map<string, bigint[]> {
    const { names } = this.keys.groups(this.groupOf);
    const totals = new Map<string, bigint[]>();
    for (let g = 0; g < cells.present.length; g++) {
      if (!cells.present[g]) continue;
      totals.set(
        names[g] as string,
        cells.values.map((v, m) => exact(cell(v, cells.big[m] as Map<number, bigint>, g))),
      );
    }
    return totals;
  }

  private groupNumber(key: number): number {
    let ofKey = this.ofKey;
    if (!ofKey || key >= ofKey.length) ofKey = this.ofKey = this.keys.groups(this.groupOf).ofKey;
    return ofKey[key] as number;
  }

  private ofKey: readonly number[] | undefined;

  /** rows come in runs of one day (e-mail groups) or cycle through a few days (a site's days) */
  private lastDay: string | undefined;
  private lastTarget: DayTarget | undefined;

  private target(day: string): DayTarget {
    if (day === this.lastDay) return this.lastTarget as DayTarget;
    let target = this.targets.get(day);
    if (!target) {
      const segment = this.segmentOf.get(day);
      target =
        segment !== undefined && !this.screen
          ? { cells: this.segments[segment] as Cells, totals: emptyCells(0, this.measures) }
          : { cells: emptyCells(this.expectedKeys, this.measures) };
      this.targets.set(day, target);
    }
    this.lastDay = day;
    this.lastTarget = target;
    return target;
  }
}

/** Rows of amounts per key number: a day's, or a sum over days. */
export type Rows = Pick<DayColumns, 'keys' | 'values' | 'big'>;

function emptyCells(size: number, measures: number): Cells {
  return {
    values: Array.from({ length: measures }, () => new Float64Array(size)),
    big: Array.from({ length: measures }, () => new Map()),
    present: new Uint8Array(size),
    count: 0,
  };
}

/** Makes room for `index` (in place: cells shared by several days see it). */
function grow(cells: Cells, index: number): void {
  const size = Math.max(64, index + 1, cells.present.length * 2);
  cells.values = cells.values.map((old) => {
    const a = new Float64Array(size);
    a.set(old);
    return a;
  });
  const present = new Uint8Array(size);
  present.set(cells.present);
  cells.present = present;
}

function addRow(cells: Cells, index: number, amounts: readonly Amount[], measures: number): void {
  if (index >= cells.present.length) grow(cells, index);
  if (!cells.present[index]) {
    cells.present[index] = 1;
    cells.count++;
  }
  for (let m = 0; m < measures; m++) {
    const given = safe(amounts[m] ?? 0);
    if (given !== 0)
      addCell(cells.values[m] as Float64Array, cells.big[m] as Map<number, bigint>, index, given);
  }
}

function addRows(cells: Cells, rows: Rows, measures: number): void {
  const amounts: Amount[] = new Array<Amount>(measures);
  for (let r = 0; r < rows.keys.length; r++) {
    for (let m = 0; m < measures; m++)
      amounts[m] = cell(rows.values[m] as Float64Array, rows.big[m] as Map<number, bigint>, r);
    addRow(cells, rows.keys[r] as number, amounts, measures);
  }
}

/** A day's cells as rows: the keys present, in key-number order. */
function compact(cells: Cells, measures: number): Rows {
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

const exact = (amount: Amount): bigint => (typeof amount === 'bigint' ? amount : BigInt(amount));

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

/** Two days hold the same rows, amounts and rejected rows. */
export function sameDay(a: DayColumns, b: DayColumns): boolean {
  const same = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++)
      if (x[i] !== y[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return false;
    return true;
  };
  return (
    same(a.keys, b.keys) &&
    a.values.every((column, m) => same(column, b.values[m] as Float64Array)) &&
    a.big.every((cells, m) => {
      const other = b.big[m] as Map<number, bigint>;
      return cells.size === other.size && [...cells].every(([row, v]) => other.get(row) === v);
    }) &&
    JSON.stringify(a.rejected) === JSON.stringify(b.rejected)
  );
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
