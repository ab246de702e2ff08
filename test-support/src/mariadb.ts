import crypto from 'node:crypto';
import mysql from 'mysql2/promise';

/** The MariaDB server the tests use; override with CHOM_TEST_MYSQL_URL (no database in the path). */
export const testServerUrl = process.env.CHOM_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestDatabase {
  /** The database name, unique to this test run. */
  readonly name: string;
  /** A mysql:// URL that selects the database. */
  readonly url: string;
  /** A pool on the database, with multipleStatements enabled (for schema files). */
  readonly pool: mysql.Pool;
  drop(): Promise<void>;
}

/** Creates an empty utf8mb4 database with a unique name; drop() removes it and closes the pool. */
export async function createTestDatabase(prefix = 'chom_test'): Promise<TestDatabase> {
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = await mysql.createConnection(testServerUrl);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = `${testServerUrl}/${name}`;
  const pool = mysql.createPool({ uri: url, multipleStatements: true, connectionLimit: 4, timezone: 'Z' });
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      const conn = await mysql.createConnection(testServerUrl);
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

/** The tables the exporter's default source queries read (shared/design/app-schema.md). */
export const EXPORTER_TABLES = [
  'teams',
  'subscriptions',
  'vps_servers',
  'sites',
  'site_bandwidth_daily',
  'email_logs',
] as const;

export interface ReaderUser {
  readonly user: string;
  /** A mysql:// URL of the database that logs in as the reader. */
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A least-privilege user for the exporter, as docs/deployment.md grants it: SELECT on the tables it
 * reads and nothing else (no other table, no write, no global privilege). information_schema shows a
 * user the tables it holds a privilege on, which is all the database-size query needs.
 */
export async function createReaderUser(
  database: string,
  tables: readonly string[] = EXPORTER_TABLES,
): Promise<ReaderUser> {
  const user = `${database.slice(0, 60)}_r`;
  const password = crypto.randomBytes(12).toString('hex');
  const admin = await mysql.createConnection(testServerUrl);
  try {
    for (const host of ['%', 'localhost']) {
      await admin.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, host, password]);
      for (const table of tables) {
        await admin.query(`GRANT SELECT ON \`${database}\`.\`${table}\` TO ?@?`, [user, host]);
      }
    }
  } finally {
    await admin.end();
  }
  const server = new URL(testServerUrl);
  server.username = user;
  server.password = password;
  server.pathname = `/${database}`;
  return {
    user,
    url: server.toString(),
    async drop() {
      const conn = await mysql.createConnection(testServerUrl);
      for (const host of ['%', 'localhost']) await conn.query('DROP USER IF EXISTS ?@?', [user, host]);
      await conn.end();
    },
  };
}
