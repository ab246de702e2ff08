import { promisify } from 'node:util';
import zlib from 'node:zlib';
import express from 'express';
import type mysql from 'mysql2/promise';
import type { Logger } from 'pino';
import type { ExpositionCache } from '../cache/exposition-cache';
import { contentTypeOf, OPENMETRICS_EOF, renderFamilies } from '../exposition/format';
import type { HealthMetrics } from '../exposition/health-metrics';
import { acceptsGzip, negotiateFormat } from './negotiate';

const gzip = promisify(zlib.gzip);

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

/**
 * The /metrics body: the data metrics as rendered once per collection (or their gzip, computed once),
 * then the exporter's own metrics rendered now (gzipped now: a second gzip member, which gzip readers
 * such as Prometheus' take as the continuation of the first). Nothing is concatenated in memory.
 */
async function metricsBody(
  exposition: ExpositionCache,
  health: HealthMetrics,
  format: ReturnType<typeof negotiateFormat>,
  zipped: boolean,
): Promise<Buffer[]> {
  const data = await exposition.forScrape();
  let own = renderFamilies(await health.families(), format);
  if (format === 'openmetrics') own += OPENMETRICS_EOF;
  const chunks = zipped
    ? [data ? await data.gzip(format) : undefined, await gzip(own)]
    : [data?.body(format), Buffer.from(own)];
  return chunks.filter((c): c is Buffer => c !== undefined && c.length > 0);
}

/** /metrics, /healthz (alive), /readyz (database reachable and a first collection done). */
export function createApp(options: {
  exposition: ExpositionCache;
  health: HealthMetrics;
  pool: mysql.Pool;
  logger: Logger;
}): express.Express {
  const { exposition, health, pool, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.get('/metrics', async (req, res) => {
    try {
      const format = negotiateFormat(req.headers.accept);
      const zipped = acceptsGzip(req.headers['accept-encoding']);
      const chunks = await metricsBody(exposition, health, format, zipped);
      res.writeHead(200, {
        'Content-Type': contentTypeOf(format),
        'Content-Length': chunks.reduce((n, c) => n + c.length, 0),
        Vary: 'Accept, Accept-Encoding',
        ...(zipped ? { 'Content-Encoding': 'gzip' } : {}),
      });
      for (const chunk of chunks) res.write(chunk);
      res.end();
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
    if (reachable && exposition.ready) res.type('text/plain').send('ready\n');
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
