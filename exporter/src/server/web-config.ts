import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type tls from 'node:tls';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError, formatIssues } from '../config';

/**
 * The web configuration file (CHOM_WEB_CONFIG_FILE): TLS, basic auth and response headers in the
 * format of the Prometheus exporter-toolkit (`--web.config.file` of node_exporter), so the same
 * settings work here, plus two CHOM extensions: `bearer_auth` and `client_allowed_networks`.
 * Relative file names are resolved against the folder of the file, as exporter-toolkit does.
 */

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** exporter-toolkit's (Go) names of the TLS 1.2 cipher suites it accepts, and OpenSSL's names for them. */
const TLS12_CIPHERS: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
};
/** TLS 1.3 suites are not configurable (as in Go): their names are accepted and change nothing. */
const TLS13_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const CURVES: Record<string, string> = {
  CurveP256: 'P-256',
  CurveP384: 'P-384',
  CurveP521: 'P-521',
  X25519: 'X25519',
};
const TLS_VERSIONS: Record<string, tls.SecureVersion> = { TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

/** Headers exporter-toolkit lets an operator add, with their allowed values where it restricts them. */
const EXTRA_HEADERS: Record<string, readonly string[] | null> = {
  'Strict-Transport-Security': null,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': null,
  'Content-Security-Policy': null,
};

/** A bcrypt hash as htpasswd -B, Go's and OpenBSD's bcrypt write it; cost 4 to 31. */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;
/** Bearer tokens shorter than this are refused: they could be guessed. */
export const MIN_TOKEN_LENGTH = 16;
/** Go duration syntax (`1s`, `250ms`, `1m30s`), as exporter-toolkit's rate_limit.interval takes it. */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const DURATION_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION_EXPECTED = 'expected a duration such as 1s or 250ms (0 disables the limit)';
const NETWORK_EXPECTED = 'expected an IPv4 or IPv6 network such as 10.0.0.0/8 or 2001:db8::/32';

/** Why a header of http_server_config.headers cannot be set, or undefined. */
function headerProblem(name: string, value: string): string | undefined {
  const allowed = EXTRA_HEADERS[name];
  if (allowed === undefined)
    return `this header cannot be set (allowed: ${Object.keys(EXTRA_HEADERS).join(', ')})`;
  if (allowed && value !== '' && !allowed.includes(value)) return `expected ${allowed.join(' or ')}`;
  if (/[^\t\x20-\x7e]/.test(value)) return 'expected printable ASCII without line breaks';
  return undefined;
}

const text = (expected: string) => z.string({ error: expected }).min(1, expected);
const fileName = () => text('expected a file name');
const list = <T extends z.ZodType>(item: T, expected: string) =>
  z.array(item, { error: expected }).min(1, expected);

const tlsVersion = z.enum(['TLS12', 'TLS13'], {
  error: (issue) =>
    issue.input === 'TLS10' || issue.input === 'TLS11'
      ? 'TLS 1.0 and 1.1 are not supported (insecure); expected TLS12 or TLS13'
      : 'expected TLS12 or TLS13',
});

const schema = z
  .strictObject({
    tls_server_config: z
      .strictObject({
        cert: text('expected a PEM certificate').optional(),
        key: text('expected a PEM private key').optional(),
        client_ca: text('expected PEM CA certificates').optional(),
        cert_file: fileName().optional(),
        key_file: fileName().optional(),
        client_ca_file: fileName().optional(),
        client_auth_type: z
          .enum([...CLIENT_AUTH_TYPES, 'RequireClientCert'], {
            error: `expected one of ${CLIENT_AUTH_TYPES.join(', ')}`,
          })
          .optional(),
        client_allowed_sans: list(
          text('expected a subject alternative name'),
          'expected a list of subject alternative names',
        ).optional(),
        min_version: tlsVersion.optional(),
        max_version: tlsVersion.optional(),
        cipher_suites: list(
          z.enum([...Object.keys(TLS12_CIPHERS), ...TLS13_CIPHERS], {
            error: `expected a cipher suite: ${[...Object.keys(TLS12_CIPHERS), ...TLS13_CIPHERS].join(', ')}`,
          }),
          'expected a list of cipher suites',
        ).optional(),
        prefer_server_cipher_suites: z.boolean({ error: 'expected true or false' }).optional(),
        curve_preferences: list(
          z.enum(Object.keys(CURVES), { error: `expected one of ${Object.keys(CURVES).join(', ')}` }),
          'expected a list of curves',
        ).optional(),
      })
      .nullish(),
    http_server_config: z
      .strictObject({
        http2: z.boolean({ error: 'expected true or false' }).optional(),
        headers: z
          .record(z.string(), z.union([z.string(), z.number(), z.boolean()]), {
            error: 'expected a map of header name to value',
          })
          .superRefine((headers, ctx) => {
            for (const [name, raw] of Object.entries(headers)) {
              const problem = headerProblem(name, String(raw));
              if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
            }
          })
          .optional(),
      })
      .nullish(),
    basic_auth_users: z
      .record(
        z.string(),
        z
          .string({ error: 'expected a bcrypt hash ($2y$…, e.g. from htpasswd -nBC 10)' })
          .regex(BCRYPT_HASH, 'expected a bcrypt hash ($2a$, $2b$ or $2y$, cost 4 to 31)'),
        { error: 'expected a map of user name to bcrypt hash' },
      )
      .superRefine((users, ctx) => {
        for (const user of Object.keys(users))
          if (user === '' || user.includes(':'))
            ctx.addIssue({
              code: 'custom',
              path: [user],
              message: 'a user name must be non-empty and cannot contain ":"',
            });
      })
      .nullish(),
    rate_limit: z
      .strictObject({
        interval: z
          .union([z.literal(0), z.string()], { error: DURATION_EXPECTED })
          .refine((value) => value === 0 || DURATION.test(value), DURATION_EXPECTED),
        burst: z
          .number({ error: 'expected a whole number of requests ≥ 0' })
          .int({ error: 'expected a whole number of requests ≥ 0' })
          .min(0, { error: 'expected a whole number of requests ≥ 0' }),
      })
      .refine((limit) => durationMs(limit.interval) === 0 || limit.burst >= 1, {
        path: ['burst'],
        message: 'expected at least 1 (0 would refuse every request)',
      })
      .nullish(),
    bearer_auth: z
      .strictObject({
        token_files: list(fileName(), 'expected a list of files, each holding one token'),
      })
      .nullish(),
    client_allowed_networks: list(
      z
        .string({ error: NETWORK_EXPECTED })
        .refine((value) => parseNetwork(value) !== undefined, NETWORK_EXPECTED),
      'expected a list of networks such as [10.0.0.0/8, "2001:db8::/32"] (leave it out to allow any client)',
    ).nullish(),
  })
  .nullish();

type Document = NonNullable<z.output<typeof schema>>;

export interface TlsSettings {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientCa?: Buffer;
  readonly clientAuth: ClientAuthType;
  readonly allowedSans?: readonly string[];
  readonly minVersion: tls.SecureVersion;
  readonly maxVersion: tls.SecureVersion;
  /** OpenSSL cipher list for TLS ≤ 1.2; undefined = Node's defaults */
  readonly ciphers?: string;
  readonly honorCipherOrder: boolean;
  readonly ecdhCurve?: string;
  readonly certificateNotAfter: Date;
}

export interface NetworkAllowlist {
  readonly networks: readonly string[];
  readonly blockList: net.BlockList;
}

export interface WebConfig {
  /** the file it was read from; undefined = no web configuration (plain HTTP, no auth) */
  readonly file?: string;
  readonly tls?: TlsSettings;
  readonly headers: Readonly<Record<string, string>>;
  /** user name → bcrypt hash */
  readonly basicAuthUsers: ReadonlyMap<string, string>;
  /** SHA-256 digests of the accepted bearer tokens (the tokens themselves are not kept) */
  readonly bearerTokenDigests: readonly Buffer[];
  readonly allowedNetworks?: NetworkAllowlist;
  readonly rateLimit?: { readonly intervalMs: number; readonly burst: number };
  /** every file read: a change to any of them triggers a reload */
  readonly files: readonly string[];
  /** sound but doubtful settings, to log */
  readonly warnings: readonly string[];
}

/** No file: plain HTTP, no authentication, every client. */
export const OPEN_WEB_CONFIG: WebConfig = {
  headers: {},
  basicAuthUsers: new Map(),
  bearerTokenDigests: [],
  files: [],
  warnings: [],
};

/** Whether requests other than the health probes need a credential. */
export function requiresCredentials(config: WebConfig): boolean {
  return config.basicAuthUsers.size > 0 || config.bearerTokenDigests.length > 0;
}

export function sha256(data: string | Buffer): Buffer {
  return crypto.createHash('sha256').update(data).digest();
}

/** Copy of the document with every secret replaced, so that error messages can quote the rest. */
function masked(document: unknown): unknown {
  if (document === null || typeof document !== 'object') return document;
  const copy = structuredClone(document) as Record<string, Record<string, unknown> | undefined>;
  const hide = (value: unknown) =>
    typeof value === 'string' ? `(hidden, ${value.length} characters)` : '(hidden)';
  const tlsSection = copy.tls_server_config;
  if (tlsSection && typeof tlsSection === 'object' && 'key' in tlsSection)
    tlsSection.key = hide(tlsSection.key);
  const users = copy.basic_auth_users;
  if (users && typeof users === 'object')
    for (const user of Object.keys(users)) users[user] = hide(users[user]);
  return copy;
}

/** Parses `10.0.0.0/8`, `2001:db8::/32` or a single address; undefined if it is none of those. */
export function parseNetwork(
  value: string,
): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const parts = value.trim().split('/');
  if (parts.length > 2) return undefined;
  const [address = '', bits] = parts;
  if (address.includes('%')) return undefined; // a zone (fe80::1%eth0) names an interface, not a network
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
  if (!family) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, family };
}

/** Whether the peer address is in the allowlist (IPv4-mapped IPv6 addresses count as IPv4). */
export function isAllowedClient(allowlist: NetworkAllowlist, address: string | undefined): boolean {
  if (!address) return false;
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
  return family !== undefined && allowlist.blockList.check(address, family);
}

function pemBlocks(pem: string, label: string): string[] {
  return pem.match(new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, 'g')) ?? [];
}

function durationMs(value: string | 0): number {
  if (value === 0) return 0;
  let total = 0;
  for (const [, amount, , unit] of value.matchAll(/(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    total += Number(amount) * (DURATION_MS[unit as string] as number);
  return total;
}

/**
 * Checks and resolves a parsed document: reads the files it names (relative to `dir`), checks the
 * certificate against its key, the client-authentication policy against the CA, the networks, the
 * headers and the tokens. Problems are collected, one line each, and thrown as a ConfigError.
 */
function resolve(doc: Document, source: string, dir: string): WebConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const files = [source];
  const problem = (where: string, message: string) => problems.push(`${source}: ${where}: ${message}`);
  const readFile = (where: string, name: string): Buffer | undefined => {
    const file = path.resolve(dir, name);
    files.push(file);
    try {
      return fs.readFileSync(file);
    } catch (error) {
      problem(where, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      return undefined;
    }
  };

  let tlsSettings: TlsSettings | undefined;
  const t = doc.tls_server_config;
  if (t && Object.keys(t).length > 0) {
    const where = (key: string) => `tls_server_config.${key}`;
    const material = (
      inline: 'cert' | 'key' | 'client_ca',
      file: 'cert_file' | 'key_file' | 'client_ca_file',
    ) => {
      if (t[inline] !== undefined && t[file] !== undefined) {
        problem(where(file), `set ${inline} or ${file}, not both`);
        return undefined;
      }
      if (t[file] !== undefined) return { from: where(file), data: readFile(where(file), t[file]) };
      if (t[inline] !== undefined) return { from: where(inline), data: Buffer.from(t[inline]) };
      return undefined;
    };
    const cert = material('cert', 'cert_file');
    const key = material('key', 'key_file');
    const clientCa = material('client_ca', 'client_ca_file');
    if (!cert) problem(where('cert_file'), 'required to enable TLS (or cert, the PEM text)');
    if (!key) problem(where('key_file'), 'required to enable TLS (or key, the PEM text)');

    let certificate: X509Certificate | undefined;
    if (cert?.data) {
      try {
        certificate = new X509Certificate(cert.data);
      } catch {
        problem(cert.from, 'expected a PEM certificate');
      }
    }
    let privateKey: crypto.KeyObject | undefined;
    if (key?.data) {
      try {
        privateKey = crypto.createPrivateKey(key.data);
      } catch {
        problem(key.from, 'expected an unencrypted PEM private key');
      }
    }
    if (certificate && privateKey && !certificate.checkPrivateKey(privateKey))
      problem(key?.from as string, `the private key does not match the certificate of ${cert?.from}`);
    if (certificate && new Date(certificate.validTo) < new Date())
      warnings.push(
        `${cert?.from}: the certificate expired on ${new Date(certificate.validTo).toISOString()}`,
      );

    if (clientCa?.data) {
      const blocks = pemBlocks(clientCa.data.toString(), 'CERTIFICATE');
      if (blocks.length === 0) problem(clientCa.from, 'expected PEM CA certificates');
      for (const block of blocks) {
        try {
          new X509Certificate(block);
        } catch {
          problem(clientCa.from, 'holds a certificate that cannot be read');
          break;
        }
      }
    }

    const clientAuth: ClientAuthType =
      t.client_auth_type === 'RequireClientCert'
        ? 'RequireAnyClientCert'
        : (t.client_auth_type ?? 'NoClientCert');
    const verifies = clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert';
    if (clientCa && clientAuth === 'NoClientCert')
      problem(where('client_auth_type'), 'client CAs are set without a client authentication policy');
    if (verifies && !clientCa)
      problem(where('client_ca_file'), `required when client_auth_type is ${clientAuth}`);
    if (t.client_allowed_sans && clientAuth !== 'RequireAndVerifyClientCert')
      problem(where('client_allowed_sans'), 'needs client_auth_type RequireAndVerifyClientCert');
    if (clientAuth === 'RequestClientCert' || clientAuth === 'RequireAnyClientCert')
      warnings.push(
        `${where('client_auth_type')}: ${clientAuth} does not verify client certificates (use RequireAndVerifyClientCert)`,
      );

    const minVersion = TLS_VERSIONS[t.min_version ?? 'TLS12'] as tls.SecureVersion;
    const maxVersion = TLS_VERSIONS[t.max_version ?? 'TLS13'] as tls.SecureVersion;
    if (minVersion > maxVersion) problem(where('min_version'), 'is above max_version');
    const ciphers = (t.cipher_suites ?? []).flatMap((name) => TLS12_CIPHERS[name] ?? []);

    if (cert?.data && key?.data && problems.length === 0) {
      tlsSettings = {
        cert: cert.data,
        key: key.data,
        clientCa: clientCa?.data,
        clientAuth,
        allowedSans: t.client_allowed_sans,
        minVersion,
        maxVersion,
        ciphers: ciphers.length > 0 ? ciphers.join(':') : undefined,
        honorCipherOrder: t.prefer_server_cipher_suites ?? true,
        ecdhCurve: t.curve_preferences?.map((c) => CURVES[c]).join(':'),
        certificateNotAfter: new Date((certificate as X509Certificate).validTo),
      };
    }
  }

  // blank values leave a header unset, as in exporter-toolkit
  const headers = Object.fromEntries(
    Object.entries(doc.http_server_config?.headers ?? {})
      .map(([name, value]) => [name, String(value)])
      .filter(([, value]) => value !== ''),
  );
  const basicAuthUsers = new Map(Object.entries(doc.basic_auth_users ?? {}));

  const bearerTokenDigests: Buffer[] = [];
  (doc.bearer_auth?.token_files ?? []).forEach((name, i) => {
    const where = `bearer_auth.token_files[${i}]`;
    const data = readFile(where, name);
    if (!data) return;
    const token = data.toString('utf8').trim();
    if (token.length < MIN_TOKEN_LENGTH)
      problem(
        where,
        `the token in ${path.resolve(dir, name)} is shorter than ${MIN_TOKEN_LENGTH} characters`,
      );
    else if (!/^[\x21-\x7e]+$/.test(token))
      problem(where, `the token in ${path.resolve(dir, name)} must be printable ASCII without spaces`);
    else bearerTokenDigests.push(sha256(token));
  });

  let allowedNetworks: NetworkAllowlist | undefined;
  if (doc.client_allowed_networks) {
    const blockList = new net.BlockList();
    for (const value of doc.client_allowed_networks) {
      const network = parseNetwork(value) as NonNullable<ReturnType<typeof parseNetwork>>;
      blockList.addSubnet(network.address, network.prefix, network.family);
    }
    allowedNetworks = { networks: doc.client_allowed_networks, blockList };
  }
  const intervalMs = doc.rate_limit ? durationMs(doc.rate_limit.interval) : 0;
  const rateLimit =
    doc.rate_limit && intervalMs > 0 ? { intervalMs, burst: doc.rate_limit.burst } : undefined;

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    file: source,
    tls: tlsSettings,
    headers,
    basicAuthUsers,
    bearerTokenDigests,
    allowedNetworks,
    rateLimit,
    files,
    warnings,
  };
}

/** Parses the YAML text of a web configuration file named `source` (paths relative to its folder). */
export function parseWebConfigText(text: string, source: string): WebConfig {
  const parsed = YAML.parseDocument(text);
  if (parsed.errors.length > 0) {
    throw new ConfigError(parsed.errors.map((e) => `${source}: invalid YAML: ${e.message.split('\n')[0]}`));
  }
  const document: unknown = parsed.toJS();
  const result = schema.safeParse(document);
  if (!result.success) {
    throw new ConfigError(
      formatIssues(result.error.issues, masked(document)).map((line) => `${source}: ${line}`),
    );
  }
  return resolve(result.data ?? {}, path.resolve(source), path.dirname(path.resolve(source)));
}

/** Reads the web configuration file, or returns the open configuration when no file is given. */
export function loadWebConfigFile(file: string | undefined): WebConfig {
  if (!file) return OPEN_WEB_CONFIG;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `CHOM_WEB_CONFIG_FILE: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    ]);
  }
  return parseWebConfigText(text, file);
}

/** What the configuration enables, for the logs: never a secret. */
export function describeWebConfig(config: WebConfig): Record<string, unknown> {
  return {
    web_config: config.file ?? null,
    tls: config.tls
      ? {
          client_auth_type: config.tls.clientAuth,
          min_version: config.tls.minVersion,
          max_version: config.tls.maxVersion,
          certificate_not_after: config.tls.certificateNotAfter.toISOString(),
        }
      : false,
    basic_auth_users: config.basicAuthUsers.size,
    bearer_tokens: config.bearerTokenDigests.length,
    client_allowed_networks: config.allowedNetworks?.networks ?? 'any',
    rate_limit: config.rateLimit ?? false,
  };
}

/** Options of tls.createServer / server.setSecureContext for the settings. */
export function tlsServerOptions(t: TlsSettings): tls.TlsOptions {
  return {
    cert: t.cert,
    key: t.key,
    ca: t.clientCa,
    requestCert: t.clientAuth !== 'NoClientCert',
    // Only the strict policy is enforced in the handshake; the others are checked on the connection.
    rejectUnauthorized: t.clientAuth === 'RequireAndVerifyClientCert',
    minVersion: t.minVersion,
    maxVersion: t.maxVersion,
    ciphers: t.ciphers,
    honorCipherOrder: t.honorCipherOrder,
    ecdhCurve: t.ecdhCurve,
  };
}
