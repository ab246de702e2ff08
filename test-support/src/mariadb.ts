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
