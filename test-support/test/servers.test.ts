import { createTestDatabase, startPrometheus, startAlertmanager, backfillOpenMetrics, tempDir } from '../src';

describe('test-support starts the real servers', () => {
  test('a test database is created, usable and dropped', async () => {
    const db = await createTestDatabase();
    const [rows] = await db.pool.query('SELECT DATABASE() AS name');
    expect((rows as Array<{ name: string }>)[0]?.name).toBe(db.name);
    await db.drop();
    const other = await createTestDatabase();
    const [dbs] = await other.pool.query('SHOW DATABASES LIKE ?', [db.name]);
    expect(dbs).toHaveLength(0);
    await other.drop();
  });

  test('Prometheus answers queries over backfilled OpenMetrics history', async () => {
    const data = tempDir('tsdb');
    const now = Math.floor(Date.now() / 1000);
    const lines = ['# TYPE demo_value gauge'];
    for (let i = 10; i >= 1; i--) lines.push(`demo_value{kind="a"} ${i * 2} ${now - i * 3600}`);
    await backfillOpenMetrics(lines.join('\n') + '\n# EOF\n', data.dir);
    const prom = await startPrometheus({ dataDir: data.dir });
    try {
      const result = await prom.query('demo_value', now - 3600);
      expect(result).toHaveLength(1);
      expect(result[0]?.value[1]).toBe('2');
      const scalar = await prom.query('vector(3)');
      expect(scalar[0]?.value[1]).toBe('3');
      await expect(prom.query('sum(')).rejects.toThrow(/parse error/);
    } finally {
      await prom.stop();
      data.remove();
    }
  });

  test('Alertmanager starts with a minimal config', async () => {
    const am = await startAlertmanager('route:\n  receiver: none\nreceivers:\n  - name: none\n');
    try {
      expect(await am.alerts()).toEqual([]);
    } finally {
      await am.stop();
    }
  });
});
