import type http from 'node:http';
import express from 'express';
import type mysql from 'mysql2/promise';
import type { Logger } from 'pino';
import type { ExpositionCache } from '../cache/exposition-cache';
import { contentTypeOf } from '../exposition/format';
import type { HealthExposition } from '../exposition/health-exposition';
import { acceptsGzip, negotiateFormat } from './negotiate';

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
 * then the exporter's own metrics (at most a second old; gzipped separately: a second gzip member,
 * which gzip readers such as Prometheus' take as the continuation of the first). Nothing is
 * concatenated in memory.
 */
async function metricsBody(
  exposition: ExpositionCache,
  health: HealthExposition,
  format: ReturnType<typeof negotiateFormat>,
  zipped: boolean,
): Promise<Buffer[]> {
  const data = await exposition.forScrape();
  const chunks = zipped
    ? [data ? await data.gzip(format) : undefined, await health.gzip(format)]
    : [...(data?.chunks(format) ?? []), await health.body(format)];
  return chunks.filter((c): c is Buffer => c !== undefined && c.length > 0);
}

/**
 * /metrics, /healthz (alive), /readyz (database reachable and a first collection done). GET and HEAD
 * of exactly /metrics skip Express (its routing costs more than the rest of such a scrape); every
 * other request, /metrics/ and the like included, goes through Express.
 */
export function createApp(options: {
  exposition: ExpositionCache;
  health: HealthExposition;
  pool: mysql.Pool;
  logger: Logger;
}): http.RequestListener {
  const { exposition, health, pool, logger } = options;
  const serveMetrics = async (req: http.IncomingMessage, res: http.ServerResponse) => {
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
      // headers and every chunk leave in one writev
      res.cork();
      for (const chunk of chunks) res.write(chunk);
      res.end();
      res.uncork();
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'rendering /metrics failed');
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
    }
  };
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.get('/metrics', serveMetrics);
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
  return (req, res) => {
    const url = req.url ?? '';
    const path = url.includes('?') ? url.slice(0, url.indexOf('?')) : url;
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) void serveMetrics(req, res);
    else void app(req, res);
  };
}
