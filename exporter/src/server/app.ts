import express from 'express';
import type mysql from 'mysql2/promise';
import type { Logger } from 'pino';
import type { Collector } from '../collector';

/** Whether the database answers within `timeoutMs`. */
export async function databaseReachable(pool: mysql.Pool, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = pool.query('SELECT 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** /metrics, /healthz (alive), /readyz (database reachable and a first collection done). */
export function createApp(options: {
  collector: Collector;
  pool: mysql.Pool;
  logger: Logger;
}): express.Express {
  const { collector, pool, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    try {
      const text = await collector.metricsText();
      res.set('Content-Type', collector.contentType).send(text);
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'rendering /metrics failed');
      res.status(500).type('text/plain').send('metrics unavailable\n');
    }
  });
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/readyz', async (_req, res) => {
    const reachable = await databaseReachable(pool);
    if (reachable && collector.ready) res.type('text/plain').send('ready\n');
    else {
      const why = !reachable ? 'database unreachable' : 'first collection not done';
      res.status(503).type('text/plain').send(`not ready: ${why}\n`);
    }
  });
  app.get('/', (_req, res) => {
    res.type('text/html').send('<h1>CHOM FinOps exporter</h1><p><a href="/metrics">/metrics</a></p>\n');
  });
  return app;
}
