import type { RejectedRow } from '../plausibility/rejections';
import { addDays, queryParams, scanRange, type DayRange } from '../sources/params';
import os from 'node:os';
import {
  dayColumns,
  DayBatch,
  KeyIndex,
  KeySums,
  sameDay,
  type DayColumns,
  type DayScreen,
  type Folding,
  type Rows,
} from './day-table';

/**
 * The day tables in a binary layout, to share them between replicas (cache/shared-state.ts): a JSON
 * header (the keys, the clock marks, per day held its row count, rejected rows and the exact amounts
 * above 2^53, the same for each folded sum, and the folded days' totals and rejected rows), then the
 * rows of each day and each sum as the typed arrays hold them (key numbers, then the amounts per
 * measure; little-endian, 8-byte aligned). Encoding and decoding copy memory instead of formatting
 * and parsing numbers.
 */
const LAYOUT_VERSION = 3;

type BigCells = [number, number, string][];

interface Header {
  version: number;
  measures: number;
  keys: readonly string[];
  days: { day: string; rows: number; big: BigCells; rejected: RejectedRow[] }[];
  folded: {
    days: readonly string[];
    sums: { from: string; rows: number; big: BigCells }[];
    totals: { day: string; totals: [string, string[]][]; rejected: RejectedRow[] }[];
  };
  fullReadAt: number | null;
  readAt: number | null;
  coveredFrom: string | null;
  readThrough: string | null;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Copies `bytes` into a new, aligned typed array of `length` elements. */
function typed<T extends Int32Array | Float64Array>(
  make: new (length: number) => T,
  bytes: Buffer,
  offset: number,
  length: number,
): T {
  const array = new make(length);
  new Uint8Array(array.buffer).set(bytes.subarray(offset, offset + array.byteLength));
  return array;
}

const bigCells = (rows: Rows): BigCells =>
  rows.big.flatMap((cells, m) =>
    [...cells].map(([row, value]): [number, number, string] => [m, row, value.toString()]),
  );

const DAY_MS = 86_400_000;

/** The ranges the cost model sums usage over at `now`: the 30-day window and the month to date. */
export function sumRanges(now: Date): { window: DayRange; month: DayRange } {
  const p = queryParams(now);
  return { window: { from: p.window_start, to: p.today }, month: { from: p.month_start, to: p.today } };
}

/**
 * The days a full read at `now` folds into per-key sums: those no incremental read replaces (before
 * yesterday), except the window's first `windowDaysKept` days, which leave the window at the next
 * day changes and so must stay apart to be taken out of it.
 */
export function foldedDays(now: Date, windowDaysKept: number): string[] {
  const scan = scanRange(now);
  const { window } = sumRanges(now);
  const days: string[] = [];
  let windowDay = 0;
  for (let day = scan.from; day < addDays(scan.to, -1); day = addDays(day, 1)) {
    if (day < window.from) days.push(day);
    else if (windowDay++ >= windowDaysKept) days.push(day);
  }
  return days;
}

/** The first of the folded `days` (oldest first) in `range`: its sum stands for every folded day of it. */
const firstFoldedDay = (days: readonly string[], range: DayRange): string | undefined =>
  days.find((day) => day >= range.from && day <= range.to);

/** What a full read folded: the days before yesterday that stay as they are until the next full read. */
interface Folded {
  /** the days folded, oldest first (a day with no row too) */
  days: readonly string[];
  /** per first folded day of a sum range: the per-key sums of every folded day from it on */
  sums: Map<string, Rows>;
  /** per folded day with rows: its group totals and rejected rows */
  totals: Map<string, Pick<DayColumns, 'totals' | 'rejected'>>;
}

/** What the next read of a usage source covers. */
export type ReadPlan =
  | {
      /** a full re-read replaces every day */
      full: true;
      range: DayRange;
      /** the days it folds (see foldedDays) */
      folding: Folding;
    }
  | {
      /** an incremental read replaces only the days of its range */
      full: false;
      range: DayRange;
    };

/**
 * The days an incremental read covers at `now`, the last read's "today" being `readThrough`: from
 * that day on (it is read again until it has ended), and from yesterday while it is less than
 * `lateRowsMs` past midnight, up to today; never before the scan's first day.
 */
export function incrementalRange(now: Date, readThrough: string, lateRowsMs: number): DayRange {
  const scan = scanRange(now);
  const sinceMidnight = now.getTime() - Date.parse(`${scan.to}T00:00:00Z`);
  const earliest = sinceMidnight < lateRowsMs ? addDays(scan.to, -1) : scan.to;
  const from = readThrough < earliest ? readThrough : earliest;
  return { from: from < scan.from ? scan.from : from, to: scan.to };
}

/**
 * The day tables of one usage source (bandwidth or e-mail) and when they were read. Ended days do
 * not change, so a collection reads only the days since the last read (the last read's "today" is
 * read again until it has ended), and yesterday while it is less than `lateRowsMs` past midnight
 * (rows written late for it); every `fullReadIntervalMs` (and whenever the clock goes back) a full
 * read of the scan replaces everything, picking up corrections to older days.
 *
 * The days no incremental read replaces are folded, at the full read, into per-key sums over the
 * window and the month (see foldedDays), so that only a few days are held per key; a day change
 * that would need a folded day taken out of a sum makes the next read a full one.
 */
export class UsageDays {
  private keys = new KeyIndex();
  /** the days held one by one (see foldedDays) */
  private days = new Map<string, DayColumns>();
  private folded: Folded = { days: [], sums: new Map(), totals: new Map() };
  private fullReadAt = Number.NEGATIVE_INFINITY;
  private readAt = Number.NEGATIVE_INFINITY;
  /** the first day the tables hold completely (the full read's first day, later the scan's) */
  private coveredFrom: string | undefined;
  /** the "today" of the last read */
  private readThrough: string | undefined;
  /** changes when a read changes what the tables hold (a full read always) */
  private contentVersion = 0;

  constructor(
    readonly measures: number,
    private readonly groupOf: (key: string) => string = () => '',
    /** leaves out rows that fail a bound over several rows of a day (see DayScreen) */
    private readonly screen?: DayScreen,
  ) {}

  plan(now: Date, fullReadIntervalMs: number, lateRowsMs: number): ReadPlan {
    const scan = scanRange(now);
    const t = now.getTime();
    const { window, month } = sumRanges(now);
    const incremental =
      this.coveredFrom !== undefined &&
      this.readThrough !== undefined &&
      t - this.fullReadAt < fullReadIntervalMs &&
      t >= this.readAt &&
      this.coveredFrom <= scan.from &&
      this.readThrough >= scan.from &&
      this.canSum(window) &&
      this.canSum(month);
    if (!incremental) {
      // one window day kept apart per day change before the next full read
      const days = foldedDays(now, Math.max(1, Math.ceil(fullReadIntervalMs / DAY_MS)));
      const starts = new Set<string>();
      for (const range of [window, month]) {
        const from = firstFoldedDay(days, range);
        if (from !== undefined) starts.add(from);
      }
      return { full: true, range: scan, folding: { days, starts: [...starts].sort() } };
    }
    return { full: false, range: incrementalRange(now, this.readThrough as string, lateRowsMs) };
  }

  /** A batch for the rows of `plan` (a full read interns keys afresh, so stale ones go). */
  batch(plan: ReadPlan): DayBatch {
    return new DayBatch(
      plan.full ? new KeyIndex() : this.keys,
      this.measures,
      this.groupOf,
      this.screen,
      this.keys.keys.length,
      plan.full ? plan.folding : undefined,
    );
  }

  /** Puts a successful read in place: its days replace those of its range (a day with no row is empty). */
  commit(plan: ReadPlan, batch: DayBatch, now: Date): void {
    if (plan.full) {
      this.days = new Map(batch.drain());
      const { sums, days } = batch.folded();
      this.folded = { days: plan.folding.days, sums, totals: days };
      this.keys = batch.keys;
      this.fullReadAt = now.getTime();
      this.coveredFrom = plan.range.from;
      this.contentVersion++;
    } else {
      const replaced = new Map<string, DayColumns>();
      for (const [day, columns] of this.days)
        if (day >= plan.range.from && day <= plan.range.to) {
          replaced.set(day, columns);
          this.days.delete(day);
        }
      let changed = false;
      for (const [day, columns] of batch.drain()) {
        const before = replaced.get(day);
        if (before && sameDay(before, columns)) {
          // the same object, so that what was derived from the tables stays valid
          this.days.set(day, before);
          replaced.delete(day);
        } else {
          this.days.set(day, columns);
          changed = true;
        }
      }
      if (changed || replaced.size > 0) this.contentVersion++;
    }
    this.readAt = now.getTime();
    this.readThrough = plan.range.to;
    const scan = scanRange(now);
    for (const day of [...this.days.keys()])
      if (day < scan.from) {
        this.days.delete(day);
        this.contentVersion++;
      }
    for (const day of [...this.folded.totals.keys()]) if (day < scan.from) this.folded.totals.delete(day);
    if ((this.coveredFrom as string) < scan.from) this.coveredFrom = scan.from;
  }

  /** The folded days of `range` are all in one folded sum (they are when it ends after them). */
  private canSum(range: DayRange): boolean {
    const from = firstFoldedDay(this.folded.days, range);
    return (
      from === undefined || (this.folded.sums.has(from) && (this.folded.days.at(-1) as string) <= range.to)
    );
  }

  /** Exact per-key sums of one measure over the days from `from` to `to` (inclusive). */
  sum(measure: number, range: DayRange): KeySums {
    if (!this.canSum(range))
      throw new Error(`usage days: no folded sum for the days from ${range.from} to ${range.to}`);
    const sums = new KeySums(this.keys.keys.length);
    const from = firstFoldedDay(this.folded.days, range);
    if (from !== undefined) sums.addDay(this.folded.sums.get(from) as Rows, measure);
    for (const [day, columns] of this.days)
      if (day >= range.from && day <= range.to) sums.addDay(columns, measure);
    return sums;
  }

  /** The rows left out on a plausibility bound on the days from `from` to `to`. */
  rejected(range: DayRange): RejectedRow[] {
    const rows: RejectedRow[] = [];
    for (const [day, columns] of [...this.folded.totals, ...this.days].sort(([a], [b]) => (a < b ? -1 : 1)))
      if (day >= range.from && day <= range.to) rows.push(...columns.rejected);
    return rows;
  }

  /** The tables in the binary layout above. */
  serialize(): Buffer {
    if (os.endianness() !== 'LE') throw new Error('usage days: the binary layout is little-endian');
    const finite = (t: number) => (Number.isFinite(t) ? t : null);
    const days = [...this.days];
    const sums = [...this.folded.sums];
    const header: Header = {
      version: LAYOUT_VERSION,
      measures: this.measures,
      keys: this.keys.keys,
      days: days.map(([day, columns]) => ({
        day,
        rows: columns.keys.length,
        big: bigCells(columns),
        rejected: columns.rejected,
      })),
      folded: {
        days: this.folded.days,
        sums: sums.map(([from, rows]) => ({ from, rows: rows.keys.length, big: bigCells(rows) })),
        totals: [...this.folded.totals].map(([day, { totals, rejected }]) => ({
          day,
          totals: [...totals].map(([group, amounts]) => [group, amounts.map(String)]),
          rejected,
        })),
      },
      fullReadAt: finite(this.fullReadAt),
      readAt: finite(this.readAt),
      coveredFrom: this.coveredFrom ?? null,
      readThrough: this.readThrough ?? null,
    };
    const json = Buffer.from(JSON.stringify(header));
    const parts: Uint8Array[] = [Buffer.from(new Uint32Array([json.length]).buffer), json];
    let size = 4 + json.length;
    const pad = () => {
      const padding = align8(size) - size;
      if (padding > 0) parts.push(new Uint8Array(padding));
      size += padding;
    };
    pad();
    for (const rows of [...days.map(([, columns]) => columns), ...sums.map(([, rows]) => rows)]) {
      for (const array of [rows.keys, ...rows.values]) {
        parts.push(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
        size += array.byteLength;
        pad();
      }
    }
    return Buffer.concat(parts, size);
  }

  /** Replaces the tables with serialized ones (of the same source: same measures). */
  restore(bytes: Buffer): void {
    const headerLength = bytes.length >= 4 ? bytes.readUInt32LE(0) : 0;
    let header: Header | undefined;
    try {
      header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString()) as Header;
    } catch {
      header = undefined;
    }
    if (header?.version !== LAYOUT_VERSION || header.measures !== this.measures)
      throw new Error('usage days: another layout (version or measures differ)');
    let offset = align8(4 + headerLength);
    const rowsAt = (count: number, big: BigCells): Rows => {
      const keys = typed(Int32Array, bytes, offset, count);
      offset = align8(offset + keys.byteLength);
      const values: Float64Array[] = [];
      for (let m = 0; m < this.measures; m++) {
        values.push(typed(Float64Array, bytes, offset, count));
        offset += count * 8;
      }
      if (offset > bytes.length) throw new Error('usage days: the serialized tables are cut short');
      const cells: Map<number, bigint>[] = values.map(() => new Map());
      for (const [m, row, value] of big) cells[m]?.set(row, BigInt(value));
      return { keys, values, big: cells };
    };
    const keys = KeyIndex.of(header.keys);
    const days = new Map<string, DayColumns>();
    for (const day of header.days)
      days.set(
        day.day,
        dayColumns({ ...rowsAt(day.rows, day.big), rejected: day.rejected }, keys, this.groupOf),
      );
    const sums = new Map<string, Rows>();
    for (const sum of header.folded.sums) sums.set(sum.from, rowsAt(sum.rows, sum.big));
    const totals = new Map<string, Pick<DayColumns, 'totals' | 'rejected'>>();
    for (const day of header.folded.totals)
      totals.set(day.day, {
        totals: new Map(day.totals.map(([group, amounts]) => [group, amounts.map((a) => BigInt(a))])),
        rejected: day.rejected,
      });
    this.keys = keys;
    this.days = days;
    this.folded = { days: header.folded.days, sums, totals };
    this.contentVersion++;
    this.fullReadAt = header.fullReadAt ?? Number.NEGATIVE_INFINITY;
    this.readAt = header.readAt ?? Number.NEGATIVE_INFINITY;
    this.coveredFrom = header.coveredFrom ?? undefined;
    this.readThrough = header.readThrough ?? undefined;
  }

  /**
   * Changes when what the tables hold changes (a full read, a read that found other rows, a day
   * dropped): figures derived from them for the same day ranges need not be derived again until then.
   */
  get contentMark(): string {
    return `${this.contentVersion}`;
  }

  /** Changes when a read moves the tables on to a new full read or a new day (worth sharing again). */
  get readMark(): string {
    return `${this.fullReadAt}/${this.readThrough ?? ''}`;
  }

  /** The key behind a key number. */
  key(n: number): string {
    return this.keys.keys[n] as string;
  }

  /** Each key's group number under `groupOf` and the groups' names (see KeyIndex.groups). */
  keyGroups(groupOf: (key: string) => string): { names: readonly string[]; ofKey: readonly number[] } {
    return this.keys.groups(groupOf);
  }

  get keyCount(): number {
    return this.keys.keys.length;
  }

  /** The day's exact totals of one group (0 for a day with no row). */
  dayTotal(day: string, group: string, measure: number): bigint {
    const totals = this.days.get(day)?.totals ?? this.folded.totals.get(day)?.totals;
    return totals?.get(group)?.[measure] ?? 0n;
  }

  /** The groups that have rows on any day held. */
  groups(): string[] {
    const groups = new Set<string>();
    for (const { totals } of [...this.days.values(), ...this.folded.totals.values()])
      for (const g of totals.keys()) groups.add(g);
    return [...groups].sort();
  }
}
