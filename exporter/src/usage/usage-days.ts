import type { RejectedRow } from '../plausibility/rejections';
import { addDays, scanRange, type DayRange } from '../sources/params';
import { DayBatch, KeyIndex, KeySums, type DayColumns, type DayScreen } from './day-table';

/**
 * The day tables as plain JSON (e.g. to share them between replicas): amounts as decimal strings,
 * so that nothing is lost above 2^53.
 */
export interface SerializedUsageDays {
  version: 1;
  measures: number;
  keys: string[];
  days: { day: string; keys: number[]; amounts: string[][]; rejected: RejectedRow[] }[];
  fullReadAt: number | null;
  readAt: number | null;
  coveredFrom: string | null;
  readThrough: string | null;
}

/** A serialized amount: a number while it is a safe integer (cheaper than a bigint per cell). */
function exactAmount(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** What the next read of a usage source covers. */
export interface ReadPlan {
  /** a full re-read replaces every day; an incremental one only the days of its range */
  full: boolean;
  range: DayRange;
}

/**
 * The day tables of one usage source (bandwidth or e-mail) and when they were read. Ended days do
 * not change, so a collection reads only the days since the last read, yesterday included (rows that
 * arrive late); every `fullReadIntervalMs` (and whenever the clock goes back) a full read of the scan
 * replaces everything, picking up corrections to older days.
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

  plan(now: Date, fullReadIntervalMs: number): ReadPlan {
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
    const yesterday = addDays(scan.to, -1);
    const from = (this.readThrough as string) < yesterday ? (this.readThrough as string) : yesterday;
    return { full: false, range: { from: from < scan.from ? scan.from : from, to: scan.to } };
  }

  /** A batch for the rows of `plan` (a full read interns keys afresh, so stale ones go). */
  batch(plan: ReadPlan): DayBatch {
    return new DayBatch(plan.full ? new KeyIndex() : this.keys, this.measures, this.groupOf, this.screen);
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

  serialize(): SerializedUsageDays {
    const finite = (t: number) => (Number.isFinite(t) ? t : null);
    return {
      version: 1,
      measures: this.measures,
      keys: [...this.keys.keys],
      days: [...this.days].map(([day, columns]) => ({
        day,
        keys: [...columns.keys],
        amounts: columns.values.map((values, m) =>
          [...values].map((v, row) =>
            Number.isNaN(v) ? (columns.big[m]?.get(row) ?? 0n).toString() : String(v),
          ),
        ),
        rejected: columns.rejected,
      })),
      fullReadAt: finite(this.fullReadAt),
      readAt: finite(this.readAt),
      coveredFrom: this.coveredFrom ?? null,
      readThrough: this.readThrough ?? null,
    };
  }

  /** Replaces the tables with serialized ones (of the same source: same measures). */
  restore(data: SerializedUsageDays): void {
    if (data.version !== 1 || data.measures !== this.measures)
      throw new Error('usage days: another layout (version or measures differ)');
    const batch = new DayBatch(new KeyIndex(), this.measures, this.groupOf);
    for (const day of data.days) {
      day.keys.forEach((k, row) =>
        batch.add(
          day.day,
          data.keys[k] as string,
          day.amounts.map((column) => exactAmount(column[row] as string)),
        ),
      );
      batch.reject(day.day, day.rejected);
    }
    this.days = batch.finish();
    this.keys = batch.keys;
    this.fullReadAt = data.fullReadAt ?? Number.NEGATIVE_INFINITY;
    this.readAt = data.readAt ?? Number.NEGATIVE_INFINITY;
    this.coveredFrom = data.coveredFrom ?? undefined;
    this.readThrough = data.readThrough ?? undefined;
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
