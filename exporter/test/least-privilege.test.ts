import mysql from 'mysql2/promise';
import { collectOnce } from '../src/collector';
import { config, createSchemaDatabase, insert, team } from './support/fixtures';

describe('the least-privilege database user (SELECT on the six tables read)', () => {
  test('collects every source, database size included, and can do nothing else', async () => {
    const db = await createSchemaDatabase();
    const reader = await mysql.createConnection(db.readerUrl);
    try {
      await insert(db.pool, 'teams', [team(1)]);
      await db.pool.query('CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255))');
      const { outcomes, report } = await collectOnce(db.exporterPool, config(), new Date());
      const failed = Object.entries(outcomes).filter(([, o]) => !o.ok);
      expect(failed).toEqual([]);
      // information_schema shows the user the tables it may read: their size is the database size
      expect(report?.usage.databaseSizeBytes).toBeGreaterThan(0n);
      await expect(reader.query('SELECT * FROM users')).rejects.toThrow(/denied/);
      await expect(reader.query("INSERT INTO teams (id, name, plan) VALUES (2, 'x', 'pro')")).rejects.toThrow(
        /denied/,
      );
      await expect(reader.query('DELETE FROM sites')).rejects.toThrow(/denied/);
      const [grants] = await reader.query('SHOW GRANTS');
      const text = JSON.stringify(grants);
      expect(text).not.toMatch(/ALL PRIVILEGES|INSERT|UPDATE|DELETE|PROCESS|SUPER/);
    } finally {
      await reader.end();
      await db.close();
    }
  });
});
