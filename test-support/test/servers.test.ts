import mysql from 'mysql2/promise';
import {
  createTestDatabase,
  startPrometheus,
  startAlertmanager,
  backfillOpenMetrics,
  tempDir,
  startMariaDbInstance,
  startRedisInstance,
} from '../src';

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

  test('a private MariaDB instance keeps its data across a stop and a start', async () => {
    const instance = await startMariaDbInstance();
    try {
      const first = await mysql.createConnection(instance.serverUrl);
      await first.query('CREATE DATABASE kept');
      await first.query('CREATE TABLE kept.t (id INT PRIMARY KEY)');
      await first.query('INSERT INTO kept.t VALUES (7)');
      await first.end();
      await instance.stop();
      expect(instance.running).toBe(false);
      await expect(
        mysql.createConnection({ uri: instance.serverUrl, connectTimeout: 1000 }),
      ).rejects.toThrow();
      await instance.start();
      const second = await mysql.createConnection(instance.serverUrl);
      const [rows] = await second.query('SELECT id FROM kept.t');
      expect(rows).toEqual([{ id: 7 }]);
      await second.end();
    } finally {
      await instance.remove();
    }
  });

  test('a private Redis instance answers, stops and starts again', async () => {
    const instance = await startRedisInstance();
    const ping = async () => {
      const net = await import('node:net');
      return new Promise<string>((resolve, reject) => {
        const socket = net.connect(instance.port, '127.0.0.1', () => socket.write('PING\r\n'));
        socket.once('data', (d) => {
          socket.destroy();
          resolve(d.toString().trim());
        });
        socket.once('error', reject);
      });
    };
    try {
      expect(await ping()).toBe('+PONG');
      await instance.stop();
      await expect(ping()).rejects.toThrow();
      await instance.start();
      expect(await ping()).toBe('+PONG');
    } finally {
      await instance.remove();
    }
  });
});
