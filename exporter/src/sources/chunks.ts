import { ALL_IDS, type ChunkIds, type IdRange } from './params';

/**
 * How a full usage read is split into statements over ranges of a primary key, so that no statement
 * scans or groups the whole window at once (each has its own deadline, and the database keeps at
 * most one chunk's rows or groups in memory).
 */
export interface Chunking {
  /** which ID range of the query parameters a chunk sets */
  ids: keyof ChunkIds;
  /** the SQL parameters that bound a chunk, both included */
  fromParam: string;
  toParam: string;
  /** the first ID at or after the chunk's `fromParam` that has rows (NULL: none), as column `id` */
  nextIdSql: string;
  /**
   * The source's default SQL and the same statement without the ID range, run instead of the default
   * when a read is not chunked: a range over every ID can make the optimizer scan the whole primary
   * key where an index on the read's days finds its rows (MariaDB does so for bandwidth).
   */
  unchunked?: { defaultSql: string; sql: string };
}

/** The SQL a read over every ID runs: the default without its ID range where the source has one. */
export const unchunkedSql = (sql: string, chunking: Chunking): string =>
  chunking.unchunked && sql === chunking.unchunked.defaultSql ? chunking.unchunked.sql : sql;

/** Whether an SQL text reads by chunks (an override without both parameters is run once). */
export const readsInChunks = (sql: string, chunking: Chunking) =>
  new RegExp(`:${chunking.fromParam}\\b`).test(sql) && new RegExp(`:${chunking.toParam}\\b`).test(sql);

/**
 * The chunks of a full read, `width` IDs wide, each starting at the next ID that has rows (`nextId`,
 * one primary-key lookup), so gaps in the IDs cost no empty statements.
 */
export async function* idChunks(
  nextId: (from: bigint) => Promise<bigint | null>,
  width: number,
): AsyncGenerator<IdRange> {
  let from = ALL_IDS.from;
  for (;;) {
    const first = await nextId(from);
    if (first === null) return;
    const to = first + BigInt(width) - 1n;
    if (to >= ALL_IDS.to) {
      yield { from: first, to: ALL_IDS.to };
      return;
    }
    yield { from: first, to };
    from = to + 1n;
  }
}

/**
 * The statements of one usage read: with `chunkWidth` > 0 and a full read, one per chunk of IDs
 * (after its `nextId` lookup, which gets the rendered lookup statement); otherwise one over every ID.
 */
export async function* usageStatements(
  sql: string,
  chunking: Chunking,
  chunkWidth: number,
  full: boolean,
  render: (sql: string, ids: ChunkIds) => string,
  nextId: (lookup: string) => Promise<bigint | null>,
): AsyncGenerator<string> {
  if (!full || chunkWidth === 0 || !readsInChunks(sql, chunking)) {
    yield render(unchunkedSql(sql, chunking), {});
    return;
  }
  const lookup = (from: bigint) =>
    nextId(render(chunking.nextIdSql, { [chunking.ids]: { from, to: ALL_IDS.to } }));
  for await (const chunk of idChunks(lookup, chunkWidth)) yield render(sql, { [chunking.ids]: chunk });
}
