import crypto from 'node:crypto';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/schema';

/** A Redis command that gets no answer within this time fails (the replica then works alone). */
const COMMAND_TIMEOUT_MS = 1000;

/**
 * The client of the shared cache. It reconnects by itself (every 0.2 s up to every 2 s), so a
 * replica rejoins its peers when Redis comes back; meanwhile commands fail within a second instead
 * of waiting, and errors are logged once per outage, not per retry.
 */
export function createRedisClient(url: string, logger: Logger, onUp: (up: boolean) => void): Redis {
  const redis = new Redis(url, {
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let up: boolean | undefined;
  const setUp = (next: boolean, error?: Error) => {
    if (up === next) return;
    up = next;
    onUp(next);
    if (next) logger.info('shared cache connected');
    else
      logger.warn(
        { err: error?.message },
        'shared cache unreachable; replicas collect alone until it returns',
      );
  };
  redis.on('ready', () => setUp(true));
  redis.on('error', (error: Error) => setUp(false, error));
  redis.on('close', () => setUp(false));
  return redis;
}

/**
 * Key namespace of a deployment: the configured prefix and a digest of what decides the figures (the
 * configuration and the database's host, port and name, not its credentials), so exporters of other
 * databases or with another configuration never share figures with it.
 */
export function cacheNamespace(prefix: string, config: Config, databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const identity = JSON.stringify({ config, database: `${url.hostname}:${url.port}${url.pathname}` });
  const digest = crypto.createHash('sha256').update(identity).digest('hex').slice(0, 16);
  return `${prefix}:${digest}`;
}
