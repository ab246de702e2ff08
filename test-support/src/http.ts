import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpRequestOptions {
  method?: string;
  /** the request target as sent, unnormalised (`/metrics/../x`, `//metrics`, `http://host/metrics`) */
  path?: string;
  headers?: Record<string, string>;
  /** TLS: CA to trust (PEM), client certificate and key, server name, highest version */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  servername?: string;
  maxVersion?: tls.SecureVersion;
  /** default: a new connection for this request */
  agent?: http.Agent;
  timeoutMs?: number;
}

/**
 * One HTTP(S) request with node:http, which (unlike fetch) sends the path as given and takes a CA
 * and a client certificate. Rejects on a network or TLS error and on the timeout (default 10 s).
 */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(
      {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port,
        path: options.path ?? `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 10_000,
        ...(secure
          ? {
              ca: options.ca,
              cert: options.cert,
              key: options.key,
              servername: options.servername,
              maxVersion: options.maxVersion,
            }
          : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () =>
      request.destroy(new Error(`timeout after ${options.timeoutMs ?? 10_000} ms`)),
    );
    // tells a keep-alive race (the server closed an idle connection as it was reused) from other errors
    request.on('error', (error: Error & { reusedSocket?: boolean }) =>
      reject(Object.assign(error, { reusedSocket: request.reusedSocket })),
    );
    request.end();
  });
}
