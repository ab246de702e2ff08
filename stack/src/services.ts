import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** One long-running program of the stack, in its own process group, its output in a log file. */
export interface Service {
  name: string;
  pid: number;
  logFile: string;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  readonly exited: boolean;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
}

export function startService(options: {
  name: string;
  command: string;
  args: string[];
  logDir: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): Service {
  fs.mkdirSync(options.logDir, { recursive: true });
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const log = fs.openSync(logFile, 'a');
  // Its own process group: the terminal's Ctrl-C reaches only the stack runner, which stops the
  // services in order, and a stop reaches the service's own children (tsx starts node) too.
  const child: ChildProcess = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', log, log],
    detached: true,
  });
  fs.closeSync(log);
  let exited = false;
  const listeners: Array<(code: number | null, signal: string | null) => void> = [];
  const done = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      for (const l of listeners) l(code, signal);
      resolve();
    });
    child.once('error', (error) => {
      fs.appendFileSync(logFile, `failed to start ${options.command}: ${error.message}\n`);
      exited = true;
      for (const l of listeners) l(null, null);
      resolve();
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // already gone
    }
  };
  return {
    name: options.name,
    pid: child.pid ?? -1,
    logFile,
    get exited() {
      return exited;
    },
    onExit: (listener) => listeners.push(listener),
    async stop(graceMs = 10_000) {
      if (!exited) signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await done;
      clearTimeout(timer);
      // Anything the service left in its group goes too.
      signalGroup('SIGKILL');
    },
  };
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 20): string {
  if (!fs.existsSync(file)) return '';
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Polls `check` until it is true; fails early when the service exits. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; service?: Service },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.service?.exited)
      throw new Error(
        `${what}: the process exited; its log ${options.service.logFile} ends with:\n${tail(options.service.logFile)}`,
      );
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not ready within ${options.timeoutMs / 1000} s${options.service ? `; see ${options.service.logFile}:\n${tail(options.service.logFile)}` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export const httpOk = (url: string) => async () => (await fetch(url)).ok;

/** Whether something accepts connections on 127.0.0.1:port. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Whether 127.0.0.1:port can be listened on now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port the OS hands out as free. */
export function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The start time of a process (clock ticks since boot), to tell a pid from a reused one. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
