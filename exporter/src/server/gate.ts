import http from 'node:http';
import net from 'node:net';
import type tls from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { CredentialChecker } from './auth';
import { isAllowedClient, type TlsSettings, type WebConfig } from './web-config';

/**
 * What every request passes before the application sees it: the configured response headers, then,
 * for everything but the health probes, the network allowlist (403), the rate limit (429) and the
 * credentials (401). Refusals carry no detail. The client address is the TCP peer's: forwarding
 * headers (X-Forwarded-For, Forwarded, X-Real-IP) are never trusted.
 */

/** Paths that stay open to every client, compared with the raw request target. */
export const OPEN_PATHS: readonly string[] = ['/healthz', '/readyz'];

/**
 * Whether the request target is exactly a health probe (a query string allowed). Anything else,
 * /healthz/ or /HEALTHZ or an absolute-form target included, goes through the checks.
 */
export function isOpenPath(target: string | undefined): boolean {
  if (!target) return false;
  const query = target.indexOf('?');
  return OPEN_PATHS.includes(query < 0 ? target : target.slice(0, query));
}

export type Rejection =
  | 'network'
  | 'rate_limit'
  | 'missing_credentials'
  | 'invalid_credentials'
  | 'verifier_busy'
  | 'verifier_error'
  | 'client_certificate'
  | 'tls_handshake';

/** Token bucket of exporter-toolkit's rate_limit: one token per interval, at most `burst` saved. */
export function createTokenBucket(intervalMs: number, burst: number, now = () => performance.now()) {
  let tokens = burst;
  let last = now();
  return {
    take(): boolean {
      const t = now();
      tokens = Math.min(burst, tokens + (t - last) / intervalMs);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

export interface ActiveWebSettings {
  readonly config: WebConfig;
  readonly checker: CredentialChecker;
  readonly limiter?: ReturnType<typeof createTokenBucket>;
}

function refuse(res: http.ServerResponse, status: number, headers: Record<string, string | string[]> = {}) {
  const body = `${http.STATUS_CODES[status]}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}

export function createRequestGate(options: {
  settings: () => ActiveWebSettings;
  onReject: (reason: Rejection, client: string | undefined) => void;
}) {
  return (req: http.IncomingMessage, res: http.ServerResponse, next: () => void): void => {
    const { config, checker, limiter } = options.settings();
    for (const [name, value] of Object.entries(config.headers)) res.setHeader(name, value);
    if (isOpenPath(req.url)) return next();

    const client = req.socket.remoteAddress;
    const reject = (reason: Rejection, status: number, headers?: Record<string, string | string[]>) => {
      options.onReject(reason, client);
      refuse(res, status, headers);
    };
    if (config.allowedNetworks && !isAllowedClient(config.allowedNetworks, client))
      return reject('network', 403);
    if (limiter && !limiter.take())
      return reject('rate_limit', 429, {
        'Retry-After': String(Math.max(1, Math.ceil((config.rateLimit?.intervalMs ?? 1000) / 1000))),
      });
    if (!checker.required) return next();

    checker.check(req.headers.authorization).then(
      (outcome) => {
        if (outcome === 'ok') next();
        else if (outcome === 'busy') reject('verifier_busy', 503, { 'Retry-After': '1' });
        else
          reject(outcome === 'missing' ? 'missing_credentials' : 'invalid_credentials', 401, {
            'WWW-Authenticate': [...checker.challenges],
          });
      },
      () => reject('verifier_error', 503, { 'Retry-After': '1' }),
    );
  };
}

/** `DNS:a, IP Address:1.2.3.4, URI:"x,y"` (Node quotes values with special characters) → values. */
export function subjectAltNames(certificate: X509Certificate): string[] {
  const text = certificate.subjectAltName ?? '';
  const values: string[] = [];
  for (const [, , quoted, plain] of text.matchAll(/(?:^|, )([^:,]+):(?:("(?:[^"\\]|\\.)*")|([^,]*))/g)) {
    values.push(quoted !== undefined ? (JSON.parse(quoted) as string) : (plain ?? ''));
  }
  return values;
}

/** An IP address in one spelling (`0:0:0:0:0:0:0:1` and `::1` are the same), other names as they are. */
function canonicalName(value: string): string {
  const family = net.isIPv4(value) ? 'ipv4' : net.isIPv6(value) ? 'ipv6' : undefined;
  return family ? new net.SocketAddress({ address: value, family }).address : value;
}

/**
 * Why a TLS connection breaks the client-certificate policy, or undefined if it does not.
 * RequireAndVerifyClientCert is also enforced in the handshake; the other policies only here.
 */
export function clientCertificateProblem(socket: tls.TLSSocket, settings: TlsSettings): string | undefined {
  if (settings.clientAuth === 'NoClientCert' || settings.clientAuth === 'RequestClientCert') return undefined;
  const peer = socket.getPeerX509Certificate();
  if (!peer) return settings.clientAuth === 'VerifyClientCertIfGiven' ? undefined : 'no client certificate';
  if (settings.clientAuth !== 'RequireAnyClientCert' && !socket.authorized)
    return 'client certificate not signed by client_ca';
  if (settings.allowedSans) {
    const allowed = new Set(settings.allowedSans.map(canonicalName));
    if (!subjectAltNames(peer).some((name) => allowed.has(canonicalName(name))))
      return 'client certificate has no allowed subject alternative name';
  }
  return undefined;
}
