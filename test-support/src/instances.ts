import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './ports';
import { execFileAsync, startProcess, type RunningProcess } from './process';
import { tempDir } from './paths';

/**
 * Private server instances for tests that stop, lock, slow or restart a server: each has its own
 * port and data folder, so the shared MariaDB (3306) and Redis (6379) are never disturbed.
 */

async function waitFor(what: string, proc: RunningProcess, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) {
      throw new Error(`${what} exited with ${proc.child.exitCode} before it was ready:\n${proc.output()}`);
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what} was not ready within ${timeoutMs} ms:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface MariaDbInstance {
  readonly port: number;
  /** mysql://root@127.0.0.1:<port> (no database in the path; root has no password). */
  readonly serverUrl: string;
  readonly dataDir: string;
  /** Whether the server process is running. */
  readonly running: boolean;
  /** Stops the server (SIGTERM, a clean InnoDB shutdown); the data folder stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
  /** Stops the server and removes its data folder (not a `dataDir` given at start). */
  remove(): Promise<void>;
}

/**
 * Initialises a data folder with mariadb-install-db and runs `mariadbd` on a free port of 127.0.0.1,
 * with a small buffer pool and no binary log. `extraArgs` are added to the server's command line
 * (e.g. `--general-log=1`).
 */
export async function startMariaDbInstance(
  options: {
    extraArgs?: string[];
    /**
     * A data folder kept across runs (benchmarks seed once and reuse it): initialised when absent,
     * never removed. Default: a temporary folder, removed by remove().
     */
    dataDir?: string;
    /** default 64M */
    bufferPoolSize?: string;
  } = {},
): Promise<MariaDbInstance> {
  const work = tempDir('mariadb');
  const dataDir = options.dataDir ?? path.join(work.dir, 'data');
  if (!fs.existsSync(path.join(dataDir, 'mysql'))) {
    await execFileAsync('mariadb-install-db', [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--user=root',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ]);
  }
  const port = await freePort();
  const serverUrl = `mysql://root@127.0.0.1:${port}`;
  let proc: RunningProcess | undefined;
  const start = async () => {
    proc = startProcess('mariadbd', [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--user=root',
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${path.join(work.dir, 'mariadb.sock')}`,
      `--pid-file=${path.join(work.dir, 'mariadb.pid')}`,
      '--skip-log-bin',
      `--innodb-buffer-pool-size=${options.bufferPoolSize ?? '64M'}`,
      '--max-connections=200',
      ...(options.extraArgs ?? []),
    ]);
    const running = proc;
    await waitFor(
      'mariadbd',
      running,
      async () => {
        const connection = await mysql.createConnection({ uri: serverUrl, connectTimeout: 1000 });
        await connection.end();
        return true;
      },
      60_000,
    );
  };
  await start();
  const instance: MariaDbInstance = {
    port,
    serverUrl,
    dataDir,
    get running() {
      return proc !== undefined && proc.child.exitCode === null && proc.child.signalCode === null;
    },
    async stop() {
      await proc?.stop();
      proc = undefined;
    },
    start,
    async remove() {
      await instance.stop();
      work.remove();
    },
  };
  return instance;
}

export interface RedisInstance {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly running: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Runs `redis-server` on a free port of 127.0.0.1, in the foreground, persisting nothing. */
export async function startRedisInstance(): Promise<RedisInstance> {
  const work = tempDir('redis');
  const port = await freePort();
  let proc: RunningProcess | undefined;
  const start = async () => {
    proc = startProcess('redis-server', [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      work.dir,
    ]);
    const running = proc;
    await waitFor('redis-server', running, () => redisAnswers(port), 30_000);
  };
  await start();
  const instance: RedisInstance = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return proc !== undefined && proc.child.exitCode === null && proc.child.signalCode === null;
    },
    async stop() {
      await proc?.stop();
      proc = undefined;
    },
    start,
    async remove() {
      await instance.stop();
      if (fs.existsSync(work.dir)) work.remove();
    },
  };
  return instance;
}
