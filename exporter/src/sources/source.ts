import type { SourceName } from '../config/schema';

/** Where the rows of a read go: an array, or a more compact holder a source defines. */
export interface RowCollector<Row> {
  push(row: Row): unknown;
}

/** The row type a holder of rows takes. */
export type RowOf<Rows> = Rows extends readonly (infer Row)[]
  ? Row
  : Rows extends RowCollector<infer Row>
    ? Row
    : never;

/**
 * One source query: its default SQL, the guard that turns a raw row into a typed one and, when the
 * rows are not held in an array, the holder they go to.
 */
export interface SourceDefinition<Row, Rows = Row[]> {
  readonly name: SourceName;
  /** The default SQL, with `:name` parameters (see params.ts). */
  readonly sql: string;
  /** The columns a result must have (an override without one of them fails with a clear error). */
  readonly columns: readonly string[];
  /** The typed row, or undefined when the row is unusable (it is then counted and skipped). */
  parse(raw: Record<string, unknown>): Row | undefined;
  /** A new, empty holder for the rows of one read (default: an array). */
  readonly rows?: () => Rows;
}

/** Builds a guard from field guards; the row is bad as soon as one field is. */
export function rowGuard<Row>(fields: {
  [K in keyof Row]: (raw: Record<string, unknown>) => Row[K] | undefined;
}): (raw: Record<string, unknown>) => Row | undefined {
  const entries = Object.entries(fields) as [keyof Row, (raw: Record<string, unknown>) => unknown][];
  return (raw) => {
    const row = {} as Row;
    for (const [key, guard] of entries) {
      const value = guard(raw);
      if (value === undefined) return undefined;
      row[key] = value as Row[keyof Row];
    }
    return row;
  };
}

/**
 * A row equal to another, field by field (dates by their time; a list only when both are empty):
 * the reader then keeps the earlier object, so that an unchanged row costs no memory that outlives
 * the read.
 */
export function sameRow(a: object, b: object): boolean {
  const fields = Object.keys(a);
  if (fields.length !== Object.keys(b).length) return false;
  for (const field of fields) {
    const x = (a as Record<string, unknown>)[field];
    const y = (b as Record<string, unknown>)[field];
    if (x === y) continue;
    if (x instanceof Date && y instanceof Date && x.getTime() === y.getTime()) continue;
    if (Array.isArray(x) && Array.isArray(y) && x.length === 0 && y.length === 0) continue;
    return false;
  }
  return true;
}
