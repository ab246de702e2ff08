import type { RejectedRow } from '../plausibility/rejections';
import type { BandwidthRow } from '../sources/bandwidth';
import type { EmailRow } from '../sources/email';
import type { UsageSnapshot } from './snapshot';
import { SumColumn } from './sum-column';

/**
 * Usage rows held in columns: the figures as exact sums by row (SumColumn: a double while a safe
 * integer), each row's labels as references to strings the collection already holds. A large
 * install's usage rows are kept between collections as the sources' last good rows: as objects with
 * a bigint per figure, 100,000 tenants' traffic and 200,000 (tenant, type) e-mail rows took about
 * 33 MiB, in columns about 8.
 */
abstract class UsageTable<Row> {
  /** the rows left out of the sums on a plausibility bound (site or tenant ID@day) */
  rejected: RejectedRow[] = [];
  private rows = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.rows;
  }

  /** Row i as an object (tests, debugging; the model reads the columns). */
  abstract row(i: number): Row;

  *[Symbol.iterator](): IterableIterator<Row> {
    for (let i = 0; i < this.rows; i++) yield this.row(i);
  }

  /** Σ of a figure over the rows, exact. */
  total(column: SumColumn): bigint {
    return column.sumFirst(this.rows);
  }

  /** The number of the next row (an error past the capacity the table was made for). */
  protected nextRow(): number {
    if (this.rows === this.capacity) throw new Error(`usage table: more than ${this.capacity} rows`);
    return this.rows++;
  }
}

/** Traffic per tenant (null: of sites missing from `sites`) over the 30-day window and the month. */
export class TrafficTable extends UsageTable<BandwidthRow> {
  readonly tenantIds: (string | null)[] = [];
  readonly egress30d = new SumColumn(this.capacity);
  readonly ingress30d = new SumColumn(this.capacity);
  readonly egressMonthToDate = new SumColumn(this.capacity);

  push(
    tenantId: string | null,
    egress30d: number | bigint,
    ingress30d: number | bigint,
    egressMtd: number | bigint,
  ) {
    const r = this.nextRow();
    this.tenantIds.push(tenantId);
    this.egress30d.add(r, egress30d);
    this.ingress30d.add(r, ingress30d);
    this.egressMonthToDate.add(r, egressMtd);
  }

  row(i: number): BandwidthRow {
    return {
      tenantId: this.tenantIds[i] as string | null,
      egress30d: this.egress30d.get(i),
      ingress30d: this.ingress30d.get(i),
      egressMonthToDate: this.egressMonthToDate.get(i),
    };
  }

  static from(rows: readonly BandwidthRow[]): TrafficTable {
    const table = new TrafficTable(rows.length);
    for (const row of rows) {
      table.push(row.tenantId, row.egress30d, row.ingress30d, row.egressMonthToDate);
      if (row.rejected) table.rejected.push(...row.rejected);
    }
    return table;
  }
}

/** Messages per tenant and type over the 30-day window and the month. */
export class EmailTable extends UsageTable<EmailRow> {
  readonly tenantIds: string[] = [];
  readonly types: string[] = [];
  readonly sent30d = new SumColumn(this.capacity);
  readonly sentMonthToDate = new SumColumn(this.capacity);

  push(tenantId: string, type: string, sent30d: number | bigint, sentMtd: number | bigint) {
    const r = this.nextRow();
    this.tenantIds.push(tenantId);
    this.types.push(type);
    this.sent30d.add(r, sent30d);
    this.sentMonthToDate.add(r, sentMtd);
  }

  row(i: number): EmailRow {
    return {
      tenantId: this.tenantIds[i] as string,
      type: this.types[i] as string,
      sent30d: this.sent30d.get(i),
      sentMonthToDate: this.sentMonthToDate.get(i),
    };
  }

  static from(rows: readonly EmailRow[]): EmailTable {
    const table = new EmailTable(rows.length);
    for (const row of rows) {
      table.push(row.tenantId, row.type, row.sent30d, row.sentMonthToDate);
      if (row.rejected) table.rejected.push(...row.rejected);
    }
    return table;
  }
}

export interface UsageInputs {
  traffic: TrafficTable;
  email: EmailTable;
}

/**
 * The usage (bandwidth, e-mail) the model prices, from the snapshot. The one place that knows how
 * the collection hands usage over: in columns from the sources (not copied, as the model runs on
 * every collection), or as plain rows (tests, other callers).
 */
export function usageInputs(snapshot: Pick<UsageSnapshot, 'bandwidth' | 'email'>): UsageInputs {
  const { bandwidth, email } = snapshot;
  return {
    traffic: bandwidth instanceof TrafficTable ? bandwidth : TrafficTable.from(bandwidth),
    email: email instanceof EmailTable ? email : EmailTable.from(email),
  };
}
