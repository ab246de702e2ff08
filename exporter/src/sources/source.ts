import type { SourceName } from '../config/schema';

/** One source query: its default SQL and the guard that turns a raw row into a typed one. */
export interface SourceDefinition<Row> {
  readonly name: SourceName;
  /** The default SQL, with `:name` parameters (see params.ts). */
  readonly sql: string;
  /** The columns a result must have (an override without one of them fails with a clear error). */
  readonly columns: readonly string[];
  /** The typed row, or undefined when the row is unusable (it is then counted and skipped). */
  parse(raw: Record<string, unknown>): Row | undefined;
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
