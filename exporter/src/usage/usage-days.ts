import type { RejectedRow } from '../plausibility/rejections';
import { addDays, scanRange, type DayRange } from '../sources/params';
import os from 'node:os';
import { dayColumns, DayBatch, KeyIndex, KeySums, type DayColumns, type DayScreen } from './day-table';

/**
 * The day tables in a binary layout, to share them between replicas (cache/shared-state.ts): a JSON
 * header (the keys, the clock marks, per day its row count, rejected rows and the exact amounts
 * above 2^53), then each day's key numbers and amounts as the typed arrays hold them (little-endian,
 * 8-byte aligned). Encoding and decoding copy memory instead of formatting and parsing numbers.
 */
const LAYOUT_VERSION = 2;

interface Header {
  version: number;
  measures: number;
  keys: readonly string[];
  days: { day: string; rows: number; big: [number, number, string][]; rejected: RejectedRow[] }[];
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

/** What the next read of a usage source covers. */
export interface ReadPlan {
  /** a full re-read replaces every day; an incremental one only the days of its range */
  full: boolean;
  range: DayRange;
}

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
 */
export class UsageDays {
  private keys = new KeyIndex();
  private days = new Map<string, DayColumns>();
  private fullReadAt = Number.NEGATIVE_INFINITY;
  private readAt = Number.NEGATIVE_INFINITY;
  /** the first day the tables hold completely (the full read's first day, later the scan's) */
  private coveredFrom: string | undefined;
  /** the "today" of the last read */
  private readThrough: string | undefined;

  constructor(
    readonly measures: number,
    private readonly groupOf: (key: string) => string = () => '',
    /** leaves out rows that fail a bound over several rows of a day (see DayScreen) */
    private readonly screen?: DayScreen,
  ) {}

  plan(now: Date, fullReadIntervalMs: number, lateRowsMs: number): ReadPlan {
    const scan = scanRange(now);
    const t = now.getTime();
    const incremental =
      this.coveredFrom !== undefined &&
      this.readThrough !== undefined &&
      t - this.fullReadAt < fullReadIntervalMs &&
      t >= this.readAt &&
      this.coveredFrom <= scan.from &&
      this.readThrough >= scan.from;
    if (!incremental) return { full: true, range: scan };
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
    );
  }

  /** Puts a successful read in place: its days replace those of its range (a day with no row is empty). */
  commit(plan: ReadPlan, batch: DayBatch, now: Date): void {
    const read = batch.finish();
    if (plan.full) {
      this.keys = batch.keys;
      this.days = read;
      this.fullReadAt = now.getTime();
      this.coveredFrom = plan.range.from;
    } else {
      for (const day of [...this.days.keys()])
        if (day >= plan.range.from && day <= plan.range.to) this.days.delete(day);
      for (const [day, columns] of read) this.days.set(day, columns);
    }
    this.readAt = now.getTime();
    this.readThrough = plan.range.to;
    const scan = scanRange(now);
    for (const day of [...this.days.keys()]) if (day < scan.from) this.days.delete(day);
    if ((this.coveredFrom as string) < scan.from) this.coveredFrom = scan.from;
  }

  /** Exact per-key sums of one measure over the days from `from` to `to` (inclusive). */
  sum(measure: number, range: DayRange): KeySums {
    const sums = new KeySums(this.keys.keys.length);
    for (const [day, columns] of this.days)
      if (day >= range.from && day <= range.to) sums.addDay(columns, measure);
    return sums;
  }

  /** The rows left out on a plausibility bound on the days from `from` to `to`. */
  rejected(range: DayRange): RejectedRow[] {
    const rows: RejectedRow[] = [];
    for (const [day, columns] of this.days)
      if (day >= range.from && day <= range.to) rows.push(...columns.rejected);
    return rows;
  }

  /** The tables in the binary layout above. */
  serialize(): Buffer {
    if (os.endianness() !== 'LE') throw new Error('usage days: the binary layout is little-endian');
    const finite = (t: number) => (Number.isFinite(t) ? t : null);
    const days = [...this.days];
    const header: Header = {
      version: LAYOUT_VERSION,
      measures: this.measures,
      keys: this.keys.keys,
      days: days.map(([day, columns]) => ({
        day,
        rows: columns.keys.length,
        big: columns.big.flatMap((cells, m) =>
          [...cells].map(([row, value]): [number, number, string] => [m, row, value.toString()]),
        ),
        rejected: columns.rejected,
      })),
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
    for (const [, columns] of days) {
      for (const array of [columns.keys, ...columns.values]) {
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
    const keys = KeyIndex.of(header.keys);
    const days = new Map<string, DayColumns>();
    let offset = align8(4 + headerLength);
    for (const day of header.days) {
      const dayKeys = typed(Int32Array, bytes, offset, day.rows);
      offset = align8(offset + dayKeys.byteLength);
      const values: Float64Array[] = [];
      for (let m = 0; m < this.measures; m++) {
        values.push(typed(Float64Array, bytes, offset, day.rows));
        offset += day.rows * 8;
      }
      if (offset > bytes.length) throw new Error('usage days: the serialized tables are cut short');
      const big: Map<number, bigint>[] = values.map(() => new Map());
      for (const [m, row, value] of day.big) big[m]?.set(row, BigInt(value));
      days.set(
        day.day,
        dayColumns({ keys: dayKeys, values, big, rejected: day.rejected }, keys, this.groupOf),
      );
    }
    this.keys = keys;
    this.days = days;
    this.fullReadAt = header.fullReadAt ?? Number.NEGATIVE_INFINITY;
    this.readAt = header.readAt ?? Number.NEGATIVE_INFINITY;
    this.coveredFrom = header.coveredFrom ?? undefined;
    this.readThrough = header.readThrough ?? undefined;
  }

  /** Changes when a read moves the tables on to a new full read or a new day (worth sharing again). */
  get readMark(): string {
    return `${this.fullReadAt}/${this.readThrough ?? ''}`;
  }

  /** The key behind a key number. */
  key(n: number): string {
    return this.keys.keys[n] as string;
  }

  get keyCount(): number {
    return this.keys.keys.length;
  }

  /** The day's exact totals of one group (0 for a day with no row). */
  dayTotal(day: string, group: string, measure: number): bigint {
    return this.days.get(day)?.totals.get(group)?.[measure] ?? 0n;
  }

  /** The groups that have rows on any day held. */
  groups(): string[] {
    const groups = new Set<string>();
    for (const columns of this.days.values()) for (const g of columns.totals.keys()) groups.add(g);
    return [...groups].sort();
  }
}
