import pino from 'pino';
import { ExpositionCache } from './cache/exposition-cache';
import { cacheNamespace, createRedisClient } from './cache/redis';
import { gzipCodec, SharedSlot } from './cache/shared-cache';
import { SharedState } from './cache/shared-state';
import { createCollector, VERSION } from './collector';
import { ConfigError, loadConfigFile, loadEnvironment } from './config';
import { DATA_EXPOSITION_VERSION, dataExpositionCodec } from './exposition/data-exposition';
import { HealthExposition } from './exposition/health-exposition';
import { createHealthMetrics } from './exposition/health-metrics';
import { HELP } from './help';
import { limitHeapGrowth } from './runtime/heap';
import { createApp } from './server/app';
import { listen } from './server/listen';
import { loadWebConfigFile } from './server/web-config';
import { createPool, USAGE_STATE_VERSION, type UsageState } from './sources';

function fail(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`invalid configuration:\n${error.problems.map((p) => `  ${p}`).join('\n')}\n`);
    process.exit(2);
  }
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  limitHeapGrowth();
  const checkAt = argv.indexOf('--check-config');
  if (checkAt >= 0) {
    const file = argv[checkAt + 1] ?? process.env.CHOM_CONFIG;
    loadConfigFile(file);
    process.stdout.write(`${file ?? '(no file: defaults)'}: configuration is valid\n`);
    return;
  }
  const checkWebAt = argv.indexOf('--check-web-config');
  if (checkWebAt >= 0) {
    const file = argv[checkWebAt + 1] ?? process.env.CHOM_WEB_CONFIG_FILE;
    if (!file) throw new ConfigError(['--check-web-config: expected a FILE or CHOM_WEB_CONFIG_FILE']);
    loadWebConfigFile(file);
    process.stdout.write(`${file}: web configuration is valid\n`);
    return;
  }
  const unknown = argv.filter((a) => a.startsWith('-'));
  if (unknown.length > 0) throw new ConfigError([`${unknown[0]}: unknown option (see --help)`]);

  const env = loadEnvironment(process.env);
  const config = loadConfigFile(env.configPath);
  const webConfig = loadWebConfigFile(env.webConfigPath);
  const logger = pino({ level: env.logLevel, base: { service: 'chom-finops-exporter' } });
  process.on('unhandledRejection', (reason) => {
    // every promise is handled on purpose: one that is not is a bug, logged as such (the process goes on)
    logger.error(
      { err: reason instanceof Error ? reason.stack : String(reason), bug: true },
      'unhandled promise rejection',
    );
  });
  const pool = createPool(env.databaseUrl);
  const health = createHealthMetrics(config, VERSION, { sharedCache: env.redisUrl !== undefined });
  const collector = createCollector({ pool, config, logger, health });
  const healthExposition = new HealthExposition(health);
  const redis = env.redisUrl
    ? createRedisClient(env.redisUrl, logger, (up) => {
        health.sharedCacheUp?.set(up ? 1 : 0);
        healthExposition.invalidate();
      })
    : undefined;
  const namespace = cacheNamespace(config.shared_cache.key_prefix, config, env.databaseUrl);
  const exposition = new ExpositionCache({
    collector,
    ttlMs: config.collection.ttl_seconds * 1000,
    logger,
    onRefreshed: () => healthExposition.invalidate(),
    shared: redis
      ? new SharedSlot(redis, namespace, 'exposition', DATA_EXPOSITION_VERSION, dataExpositionCodec)
      : undefined,
    // the day tables go with the result, so the replica that collects next reads only the recent days
    state:
      redis && config.shared_cache.share_usage_tables
        ? new SharedState(
            new SharedSlot<UsageState>(redis, namespace, 'usage-days', USAGE_STATE_VERSION, gzipCodec),
            {
              state: () => collector.usageState(),
              restore: (state) => collector.restoreUsage(state),
              mark: () => collector.usageMark(),
            },
            logger,
          )
        : undefined,
  });
  const app = createApp({ exposition, health: healthExposition, pool, logger });

  const server = await listen(app, { port: env.port, host: env.listenAddress, config: webConfig, logger });
  logger.info(
    { port: env.port, address: env.listenAddress, config: env.configPath ?? null, version: VERSION },
    'exporter listening',
  );
  void exposition.refresh(); // it logs its own failures and never rejects

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info({ signal }, 'shutting down');
    // the last resort: a stop never takes longer than this
    setTimeout(() => {
      logger.error({ seconds: STOP_LIMIT_MS / 1000 }, 'shutdown took too long; exiting');
      process.exit(1);
    }, STOP_LIMIT_MS).unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // running queries are killed on the database, so an in-flight scrape gets its answer at once
    await collector
      .stop()
      .catch((error: Error) => logger.warn({ err: error.message }, 'cancelling queries failed'));
    // a scrape answered meanwhile leaves an idle keep-alive connection, which close() would wait for
    let done = false;
    void closed.then(() => (done = true));
    for (const until = Date.now() + IN_FLIGHT_LIMIT_MS; !done && Date.now() < until;) {
      server.closeIdleConnections();
      await sleep(50);
    }
    server.closeAllConnections();
    redis?.disconnect();
    await Promise.race([pool.end().catch(() => undefined), sleep(POOL_END_LIMIT_MS)]);
    logger.info({ seconds: (Date.now() - started) / 1000 }, 'stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** In-flight scrapes get this long to finish after SIGTERM; then their connections are closed. */
const IN_FLIGHT_LIMIT_MS = 5000;
const POOL_END_LIMIT_MS = 2000;
const STOP_LIMIT_MS = 10_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

main(process.argv.slice(2)).catch(fail);
