import mysql from 'mysql2/promise';
import { startMariaDbInstance } from '@chom/test-support';
async function main() {
  const instance = await startMariaDbInstance({ dataDir: '/work/bench-data/mariadb', bufferPoolSize: '2G', extraArgs: ['--tmpdir=/work/bench-data/mariadb-tmp'] });
  try {
    const c = await mysql.createConnection(`${instance.serverUrl}/chom_bench_large`);
    for (const q of process.argv.slice(2)) {
      const t = Date.now();
      const [rows] = await c.query(q);
      console.log(q, JSON.stringify(rows).slice(0, 400), Date.now() - t, 'ms');
    }
    await c.end();
  } finally { await instance.stop(); }
}
main();
