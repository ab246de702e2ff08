import type { Connection as CallbackConnection } from 'mysql2';
import mysql from 'mysql2/promise';

/**
 * Runs source statements with a deadline and streams their rows.
 *
 * The deadline is enforced three ways, so that a blocked query neither hangs the collection nor
 * keeps running on the database:
 * 1. on the server: MariaDB `SET STATEMENT max_statement_time=… FOR …`, MySQL's
 *    `MAX_EXECUTION_TIME` optimizer hint (the flavour is asked once per pool);
 * 2. a backstop one second later: `KILL QUERY <connection id>` from a separate connection (covers
 *    what the server-side limit does not, e.g. MySQL waiting for a table lock);
 * 3. two seconds after that the connection is destroyed on the client (a server that no longer
 *    answers at all), and the statement fails.
 */

export type FailureReason = 'timeout' | 'connection' | 'permission' | 'query';
export const FAILURE_REASONS: readonly FailureReason[] = ['timeout', 'connection', 'permission', 'query'];

/** A failed statement, with the reason it is counted under. */
export class StatementError extends Error {
  constructor(
    message: string,
    readonly reason: FailureReason,
  ) {
    super(message);
    this.name = 'StatementError';
  }
}

const BACKSTOP_GRACE_MS = 1000;
const DESTROY_GRACE_MS = 2000;

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);
const PERMISSION_ERRNOS = new Set([1044, 1045, 1142, 1143, 1227, 1370]);
/** MariaDB ER_STATEMENT_TIMEOUT, MySQL ER_QUERY_TIMEOUT */
const TIMEOUT_ERRNOS = new Set([1969, 3024]);
const ER_QUERY_INTERRUPTED = 1317;

/** The reason a driver error is counted under. */
export function failureReason(error: unknown): FailureReason {
  if (error instanceof StatementError) return error.reason;
  const e = error as { code?: string; errno?: number; fatal?: boolean };
  if (e.errno !== undefined && TIMEOUT_ERRNOS.has(e.errno)) return 'timeout';
  if (e.errno !== undefined && PERMISSION_ERRNOS.has(e.errno)) return 'permission';
  if ((e.code !== undefined && CONNECTION_CODES.has(e.code)) || e.fatal === true) return 'connection';
  return 'query';
}

export type Flavour = 'mariadb' | 'mysql';

/** The statement with the server-side deadline added for the flavour. */
export function withServerDeadline(
  sql: string,
  flavour: Flavour,
  seconds: number,
  /** MariaDB: in-memory temporary tables up to this size for this statement (a full usage read) */
  memoryBytes?: number,
): string {
  if (flavour === 'mariadb') {
    const memory = memoryBytes ? `, tmp_table_size=${memoryBytes}, max_heap_table_size=${memoryBytes}` : '';
    return `SET STATEMENT max_statement_time=${seconds}${memory} FOR ${sql}`;
  }
  // MySQL reads the hint only right after the first SELECT keyword (comments before it are fine)
  const leading = /^(\s*(?:\/\*[\s\S]*?\*\/\s*)*)select\b/i;
  if (!leading.test(sql)) return sql; // e.g. WITH …: only the backstop applies
  return sql.replace(leading, `$1SELECT /*+ MAX_EXECUTION_TIME(${Math.round(seconds * 1000)}) */`);
}

export interface StatementRunner {
  /**
   * Runs one SELECT and hands each row to `onRow` as it arrives (no array of the whole result).
   * `columns` must all be in the result. Rejects with a StatementError.
   */
  stream(
    sql: string,
    columns: readonly string[],
    onRow: (row: Record<string, unknown>) => void,
    options?: { memoryBytes?: number },
  ): Promise<void>;
  /** Kills every running statement (shutdown); later statements fail at once. */
  cancelAll(): Promise<void>;
}

/** The options a pool was made with, so that a side connection for KILL QUERY can be opened. */
const poolOptions = new WeakMap<mysql.Pool, mysql.PoolOptions>();

export function rememberPoolOptions(pool: mysql.Pool, options: mysql.PoolOptions): void {
  poolOptions.set(pool, options);
}

interface Running {
  threadId: number;
  connection: mysql.PoolConnection;
  kill(): Promise<void>;
}

export function createStatementRunner(
  pool: mysql.Pool,
  timeoutSeconds: number,
  /** the server's flavour when known (tests); asked from the server otherwise */
  knownFlavour?: Flavour,
): StatementRunner {
  let flavour: Promise<Flavour> | undefined = knownFlavour && Promise.resolve(knownFlavour);
  let cancelled = false;
  const running = new Set<Running>();

  async function killQuery(threadId: number): Promise<void> {
    const options = poolOptions.get(pool);
    if (!options) return;
    const side = await mysql.createConnection({
      ...options,
      connectTimeout: 2000,
    } as mysql.ConnectionOptions);
    try {
      await side.query(`KILL QUERY ${Number(threadId)}`);
    } finally {
      side.destroy();
    }
  }

  async function detectFlavour(connection: mysql.PoolConnection): Promise<Flavour> {
    const [rows] = await connection.query('SELECT VERSION() AS version');
    const version = String((rows as { version?: unknown }[])[0]?.version ?? '');
    return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  }

  async function acquire(deadline: number): Promise<mysql.PoolConnection> {
    let timer: NodeJS.Timeout | undefined;
    let late = false;
    const acquisition = pool.getConnection();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          late = true;
          reject(new StatementError('no database connection within the deadline', 'timeout'));
        },
        Math.max(0, deadline - Date.now()),
      );
    });
    // a connection that arrives after the deadline goes back to the pool
    acquisition.then(
      (c) => {
        if (late) c.release();
      },
      () => undefined,
    );
    try {
      return await Promise.race([acquisition, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function runOnce(
    sql: string,
    columns: readonly string[],
    onRow: (row: Record<string, unknown>) => void,
    memoryBytes: number | undefined,
  ): Promise<void> {
    const timeoutMs = timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    const connection = await acquire(deadline);
    let release = true;
    try {
      if (!flavour) flavour = detectFlavour(connection);
      const kind = await flavour.catch((error: unknown) => {
        flavour = undefined;
        throw error;
      });
      const text = withServerDeadline(
        sql,
        kind,
        Math.max(0.001, (deadline - Date.now()) / 1000),
        memoryBytes,
      );
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        let killed = false;
        const settle = (error?: Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(backstop);
          clearTimeout(destroy);
          running.delete(entry);
          if (error) reject(error);
          else resolve();
        };
        const entry: Running = {
          threadId: connection.threadId,
          connection,
          kill: async () => {
            killed = true;
            await killQuery(connection.threadId).catch(() => undefined);
          },
        };
        running.add(entry);
        const backstop = setTimeout(
          () => void entry.kill(),
          Math.max(0, deadline - Date.now()) + BACKSTOP_GRACE_MS,
        );
        const destroy = setTimeout(
          () => {
            release = false;
            connection.destroy();
            settle(
              new StatementError(`no answer within ${timeoutSeconds} s (connection dropped)`, 'timeout'),
            );
          },
          Math.max(0, deadline - Date.now()) + BACKSTOP_GRACE_MS + DESTROY_GRACE_MS,
        );
        let checked = false;
        // the callback connection underneath streams rows as events
        const query = (connection.connection as unknown as CallbackConnection).query(text);
        query.on('fields', (fields: { name: string }[] | undefined) => {
          if (checked || !fields) return;
          checked = true;
          const names = new Set(fields.map((f) => f.name));
          const missing = columns.filter((c) => !names.has(c));
          if (missing.length > 0) {
            settle(new StatementError(`the result has no column ${missing.join(', ')}`, 'query'));
          }
        });
        query.on('result', (row: unknown) => {
          if (settled) return;
          if (Array.isArray(row) || typeof row !== 'object' || row === null || !checked) {
            // an OK packet: a statement that is not a SELECT
            if (!checked)
              settle(new StatementError('the statement returned no result set (expected a SELECT)', 'query'));
            return;
          }
          try {
            onRow(row as Record<string, unknown>);
          } catch (error) {
            settle(error as Error);
          }
        });
        query.on('error', (error: Error & { errno?: number; fatal?: boolean }) => {
          if (error.fatal) release = false;
          if (cancelled) {
            settle(new StatementError('cancelled: the exporter is stopping', 'connection'));
          } else if (killed && error.errno === ER_QUERY_INTERRUPTED) {
            settle(new StatementError(`stopped after ${timeoutSeconds} s (KILL QUERY)`, 'timeout'));
          } else {
            settle(
              new StatementError(
                failureReason(error) === 'timeout' ? `stopped after ${timeoutSeconds} s` : error.message,
                failureReason(error),
              ),
            );
          }
        });
        query.on('end', () =>
          settle(
            checked
              ? undefined
              : new StatementError('the statement returned no result set (expected a SELECT)', 'query'),
          ),
        );
      });
    } finally {
      if (release) connection.release();
    }
  }

  return {
    async stream(sql, columns, onRow, options = {}) {
      if (cancelled) throw new StatementError('cancelled: the exporter is stopping', 'connection');
      let delivered = 0;
      const counted = (row: Record<string, unknown>) => {
        delivered++;
        onRow(row);
      };
      try {
        await runOnce(sql, columns, counted, options.memoryBytes);
      } catch (error) {
        // A pooled connection the server closed meanwhile (e.g. it restarted) fails once: retry on a
        // fresh one, unless rows were already handed over (they would count twice).
        if (failureReason(error) !== 'connection' || cancelled || delivered > 0) throw wrap(error);
        try {
          await runOnce(sql, columns, onRow, options.memoryBytes);
        } catch (again) {
          throw wrap(again);
        }
      }
    },
    async cancelAll() {
      cancelled = true;
      await Promise.all([...running].map((r) => r.kill()));
    },
  };
}

function wrap(error: unknown): StatementError {
  if (error instanceof StatementError) return error;
  return new StatementError((error as Error).message, failureReason(error));
}
