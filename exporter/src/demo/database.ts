import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';

/** Writing the demo data set into MariaDB/MySQL, with the safety checks that come first. */

export const REFERENCE_TABLES = [
  'teams',
  'subscriptions',
  'vps_servers',
  'sites',
  'site_bandwidth_daily',
  'email_logs',
] as const;

const SYSTEM_SCHEMAS = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);

/** A reason not to seed: shown to the user as is, with a non-zero exit. */
export class SeedRefusal extends Error {}

/** The database a URL selects; refuses URLs that select none (the seeder never picks one itself). */
export function databaseNameOf(databaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new SeedRefusal(
      `--database-url: "${redact(databaseUrl)}" is not a URL (expected mysql://user@host:3306/database)`,
    );
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new SeedRefusal(`--database-url: expected a mysql:// URL, got ${url.protocol}//…`);
  }
  const name = decodeURIComponent(url.pathname.replace(/^\/+/, '').replace(/\/+$/, ''));
  if (name === '') {
    throw new SeedRefusal(
      '--database-url names no database: the seeder only writes to a database named explicitly (mysql://user@host:3306/database)',
    );
  }
  if (name.includes('/')) throw new SeedRefusal(`--database-url: "${name}" is not a database name`);
  if (SYSTEM_SCHEMAS.has(name.toLowerCase())) {
    throw new SeedRefusal(`--database-url: refusing to write to the system schema "${name}"`);
  }
  return name;
}

/** The URL without its password, for messages and logs. */
export function redact(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return databaseUrl.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

export function openPool(databaseUrl: string, connections: number): mysql.Pool {
  const pool = mysql.createPool({
    uri: databaseUrl.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: connections,
    multipleStatements: true,
    timezone: 'Z',
    charset: 'utf8mb4',
  });
  // Bulk load: the generator guarantees unique keys, so the server need not check them row by row.
  pool.on('connection', (connection) => {
    connection.query("SET SESSION unique_checks = 0, foreign_key_checks = 0, time_zone = '+00:00'");
  });
  return pool;
}

/**
 * Refuses a database that holds tables other than the reference schema's (it is probably not a demo
 * database), unless `force`.
 */
export async function assertSeedable(pool: mysql.Pool, force: boolean): Promise<void> {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME',
  );
  const reference = new Set<string>(REFERENCE_TABLES);
  const foreign = rows.map((r) => String(r.name)).filter((name) => !reference.has(name));
  if (foreign.length > 0 && !force) {
    const listed =
      foreign.slice(0, 10).join(', ') + (foreign.length > 10 ? `, … (${foreign.length} in all)` : '');
    throw new SeedRefusal(
      `the database holds tables that are not the demo schema's (${listed}); refusing to touch it. ` +
        'Point --database-url at an empty or demo database, or pass --force to seed it anyway.',
    );
  }
}

/** True when every reference table exists and holds at least one row (a seeded demo database). */
export async function demoTablesFilled(pool: mysql.Pool): Promise<boolean> {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()',
  );
  const present = new Set(rows.map((r) => String(r.name)));
  for (const table of REFERENCE_TABLES) {
    if (!present.has(table)) return false;
    const [filled] = await pool.query<mysql.RowDataPacket[]>(`SELECT 1 FROM \`${table}\` LIMIT 1`);
    if (filled.length === 0) return false;
  }
  return true;
}

export function schemaSqlPath(): string {
  return path.join(__dirname, 'schema.sql');
}

/** Drops the six reference tables and creates them again from schema.sql. */
export async function recreateSchema(pool: mysql.Pool): Promise<void> {
  const schema = fs.readFileSync(schemaSqlPath(), 'utf8');
  await pool.query(`DROP TABLE IF EXISTS ${REFERENCE_TABLES.map((t) => `\`${t}\``).join(', ')}`);
  await pool.query(schema);
}

interface SecondaryIndex {
  name: string;
  unique: boolean;
  columns: string[];
}

/**
 * Drops the secondary indexes of `table` (as schema.sql created them) and returns a function that
 * adds them back: building an index once after a bulk load is much faster than maintaining it row by
 * row when the index does not fit in the buffer pool.
 */
export async function deferSecondaryIndexes(pool: mysql.Pool, table: string): Promise<() => Promise<void>> {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(
    `SELECT INDEX_NAME AS name, NON_UNIQUE AS nonUnique, COLUMN_NAME AS columnName
       FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME <> 'PRIMARY'
      ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [table],
  );
  const indexes = new Map<string, SecondaryIndex>();
  for (const row of rows) {
    const name = String(row.name);
    const index = indexes.get(name) ?? { name, unique: Number(row.nonUnique) === 0, columns: [] };
    index.columns.push(String(row.columnName));
    indexes.set(name, index);
  }
  if (indexes.size === 0) return async () => {};
  const list = [...indexes.values()];
  await pool.query(`ALTER TABLE \`${table}\` ${list.map((i) => `DROP INDEX \`${i.name}\``).join(', ')}`);
  return async () => {
    const adds = list.map(
      (i) =>
        `ADD ${i.unique ? 'UNIQUE ' : ''}INDEX \`${i.name}\` (${i.columns.map((c) => `\`${c}\``).join(', ')})`,
    );
    await pool.query(`ALTER TABLE \`${table}\` ${adds.join(', ')}`);
  };
}

/** A TIMESTAMP literal in UTC. */
export function sqlTimestamp(ms: number | null): string {
  if (ms === null) return 'NULL';
  return `'${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}'`;
}

export function sqlString(value: string): string {
  return mysql.escape(value);
}

export function sqlNullable(value: number | null): string {
  return value === null ? 'NULL' : String(value);
}

export interface BulkInsertOptions {
  /** Rows per INSERT statement. */
  batchRows?: number;
  /** INSERT statements in flight at once. */
  inFlight?: number;
  /** Called with the number of rows written so far, after each statement. */
  onProgress?: (written: number) => void;
}

/**
 * Writes `rows` with multi-row INSERT statements, several in flight on the pool. `toTuple` renders
 * one row as "(v1, v2, …)" with every value already escaped.
 */
export async function bulkInsert<T>(
  pool: mysql.Pool,
  table: string,
  columns: readonly string[],
  rows: Iterable<T>,
  toTuple: (row: T) => string,
  options: BulkInsertOptions = {},
): Promise<number> {
  const batchRows = options.batchRows ?? 5000;
  const inFlight = options.inFlight ?? 3;
  const head = `INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES `;
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  let written = 0;
  let batch: string[] = [];
  let batchBytes = 0;

  let first = true;
  const send = async (tuples: string[]) => {
    while (pending.size >= inFlight) await Promise.race(pending);
    if (failure !== undefined) throw failure;
    const statement = pool
      .query(head + tuples.join(','))
      .then(() => {
        written += tuples.length;
        options.onProgress?.(written);
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => pending.delete(statement));
    pending.add(statement);
    // The first statement into the empty table runs alone: MariaDB's bulk-insert path for an empty
    // table takes a table lock, and concurrent first statements deadlock.
    if (first) {
      first = false;
      await statement;
    }
  };

  for (const row of rows) {
    const tuple = toTuple(row);
    batch.push(tuple);
    batchBytes += tuple.length;
    // Stay well below max_allowed_packet (16 MiB by default).
    if (batch.length >= batchRows || batchBytes > 4 * 1024 * 1024) {
      await send(batch);
      batch = [];
      batchBytes = 0;
    }
  }
  if (batch.length > 0) await send(batch);
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  return written;
}
