import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import { ConfigError } from '../config';
import { createBcryptVerifier, createCredentialChecker, type PasswordVerifier } from './auth';
import {
  clientCertificateProblem,
  createRequestGate,
  createTokenBucket,
  type ActiveWebSettings,
  type Rejection,
} from './gate';
import { describeWebConfig, loadWebConfigFile, tlsServerOptions, type WebConfig } from './web-config';

/**
 * The HTTP(S) server of the exporter: TLS, client certificates and the request gate from the web
 * configuration. The web configuration file and the files it names are checked for changes every
 * few seconds and reloaded (certificates renewed, users or tokens rotated) without a restart; an
 * invalid new version is logged and the previous settings stay.
 */

export const RELOAD_INTERVAL_MS = 5000;
/**
 * Idle keep-alive connections are kept this long (Node's default is 5 s), longer than the usual
 * scrape intervals, so Prometheus reuses its connection instead of a new TCP and TLS handshake per
 * scrape, and a scraper never races the server closing an idle connection it is about to reuse
 * (ECONNRESET). Go servers such as node_exporter keep idle connections without a limit.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 120_000;
/** At most one log line per rejection reason per this many milliseconds. */
const REJECTION_LOG_INTERVAL_MS = 60_000;

function activate(config: WebConfig, verifier: PasswordVerifier): ActiveWebSettings {
  return {
    config,
    checker: createCredentialChecker(config, verifier),
    limiter: config.rateLimit
      ? createTokenBucket(config.rateLimit.intervalMs, config.rateLimit.burst)
      : undefined,
  };
}

/** Rejections are logged at most once a minute per reason, with the count since the last line. */
function rejectionLog(logger: Logger) {
  const state = new Map<Rejection, { count: number; loggedAt: number }>();
  return (reason: Rejection, client: string | undefined) => {
    const entry = state.get(reason) ?? { count: 0, loggedAt: -Infinity };
    entry.count += 1;
    const now = performance.now();
    if (now - entry.loggedAt >= REJECTION_LOG_INTERVAL_MS) {
      logger.warn({ reason, client: client ?? null, rejected: entry.count }, 'requests rejected');
      entry.count = 0;
      entry.loggedAt = now;
    }
    state.set(reason, entry);
  };
}

/** Settings a running server cannot take over: undefined if the new configuration can be applied. */
function needsRestart(current: WebConfig, next: WebConfig): string | undefined {
  if (Boolean(current.tls) !== Boolean(next.tls)) return 'tls_server_config (TLS switched on or off)';
  if (current.tls && next.tls && current.tls.clientAuth !== next.tls.clientAuth)
    return 'tls_server_config.client_auth_type';
  return undefined;
}

function fingerprint(files: readonly string[]): string {
  return files
    .map((file) => {
      try {
        const s = fs.statSync(file);
        return `${s.ino}:${s.size}:${s.mtimeMs}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}

export interface ListenOptions {
  port: number;
  host: string;
  config: WebConfig;
  logger: Logger;
  reloadIntervalMs?: number;
  verifier?: PasswordVerifier;
}

/** Serves `handler` behind the gate; resolves once listening. Closing the server stops the reloads. */
export async function listen(handler: http.RequestListener, options: ListenOptions): Promise<http.Server> {
  const { logger } = options;
  const verifier = options.verifier ?? createBcryptVerifier();
  let active = activate(options.config, verifier);
  const onReject = rejectionLog(logger);
  const gate = createRequestGate({ settings: () => active, onReject });
  const listener: http.RequestListener = (req, res) => gate(req, res, () => handler(req, res));

  const initialTls = options.config.tls;
  const server = initialTls
    ? https.createServer(tlsServerOptions(initialTls), listener)
    : http.createServer(listener);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  if (initialTls) {
    server.on('secureConnection', (socket: tls.TLSSocket) => {
      const settings = active.config.tls;
      if (settings && clientCertificateProblem(socket, settings)) {
        onReject('client_certificate', socket.remoteAddress);
        socket.destroy();
      }
    });
    server.on('tlsClientError', (_error: Error, socket: tls.TLSSocket) =>
      onReject('tls_handshake', socket.remoteAddress),
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  logger.info(describeWebConfig(options.config), 'web security');
  for (const warning of options.config.warnings) logger.warn({ web_config: warning }, 'web config warning');

  const file = options.config.file;
  let timer: NodeJS.Timeout | undefined;
  if (file) {
    let seen = fingerprint(active.config.files);
    timer = setInterval(() => {
      const now = fingerprint(active.config.files);
      if (now === seen) return;
      seen = now;
      let next: WebConfig;
      try {
        next = loadWebConfigFile(file);
      } catch (error) {
        const problems = error instanceof ConfigError ? error.problems : [(error as Error).message];
        logger.error({ problems }, 'web config reload failed; the previous settings stay');
        return;
      }
      seen = fingerprint(next.files);
      const restart = needsRestart(active.config, next);
      if (restart) {
        logger.error({ setting: restart }, 'web config change needs a restart; the previous settings stay');
        return;
      }
      if (next.tls) (server as https.Server).setSecureContext(tlsServerOptions(next.tls));
      active = activate(next, verifier);
      logger.info(describeWebConfig(next), 'web config reloaded');
      for (const warning of next.warnings) logger.warn({ web_config: warning }, 'web config warning');
    }, options.reloadIntervalMs ?? RELOAD_INTERVAL_MS);
    timer.unref();
  }
  server.on('close', () => {
    clearInterval(timer);
    void verifier.close();
  });
  return server;
}
