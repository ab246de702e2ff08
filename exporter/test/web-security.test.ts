import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { Writable } from 'node:stream';
import bcrypt from 'bcryptjs';
import pino from 'pino';
import {
  createTestPki,
  eventually,
  execFileAsync,
  httpRequest,
  repoRoot,
  startExporter,
  startPrometheus,
  tempDir,
  type HttpRequestOptions,
  type HttpResponse,
  type RunningExporter,
  type TestPki,
} from '@chom/test-support';
import { listen } from '../src/server/listen';
import { parseWebConfigText } from '../src/server/web-config';
import { createSchemaDatabase, insert, server, team } from './support/fixtures';

/**
 * The auth matrix against real servers: the exporter as a process behind TLS, basic auth and bearer
 * tokens; client certificates; the network allowlist over IPv4 and IPv6; and, in process, reloads
 * and the rate limit. A "bypass" is any answer that carries metrics without the right credential.
 */

jest.setTimeout(120_000);

const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
const main = path.join(repoRoot, 'exporter', 'src', 'main.ts');
const PASSWORD = 'correct horse battery staple';
const GRAFANA_PASSWORD = 'grafana-0nly-passw0rd';
const LONG_PASSWORD = 'L'.repeat(72); // bcrypt's limit
const TOKEN = crypto.randomBytes(24).toString('hex');
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

type Db = Awaited<ReturnType<typeof createSchemaDatabase>>;
const work = tempDir('web-security');
let pki: TestPki;
let db: Db;
let hashes: Record<string, string>;
let tokenFile: string;

beforeAll(async () => {
  pki = await createTestPki(work.dir);
  tokenFile = path.join(work.dir, 'scrape-token');
  fs.writeFileSync(tokenFile, `${TOKEN}\n`);
  hashes = {
    // htpasswd writes $2y$; bcryptjs $2b$: both are read
    prometheus: bcrypt.hashSync(PASSWORD, 8).replace(/^\$2b\$/, '$2y$'),
    grafana: bcrypt.hashSync(GRAFANA_PASSWORD, 8),
    long: bcrypt.hashSync(LONG_PASSWORD, 4),
  };
  db = await createSchemaDatabase();
  await insert(db.pool, 'teams', [team(1)]);
  await insert(db.pool, 'vps_servers', [server(1)]);
});
afterAll(async () => {
  await db?.close();
  work.remove();
});

/** Metrics in a body: the sign of a bypass. */
const leaksMetrics = (response: HttpResponse) => /chom_exporter_up|# TYPE/.test(response.body);

/** A request that ends in an answer or in a network/TLS error (reported as status 0). */
async function attempt(exporterUrl: string, options: HttpRequestOptions): Promise<HttpResponse> {
  try {
    return await httpRequest(exporterUrl, options);
  } catch (error) {
    return { status: 0, headers: {}, body: String((error as Error).message) };
  }
}

describe('TLS, basic auth and bearer tokens on the exporter', () => {
  let exporter: RunningExporter;
  let ca: Buffer;

  beforeAll(async () => {
    ca = fs.readFileSync(pki.caCert);
    exporter = await startExporter({
      databaseUrl: db.readerUrl,
      configYaml: 'collection: { ttl_seconds: 3600 }\n',
      tls: { ca },
      webConfigYaml: [
        'tls_server_config:',
        `  cert_file: ${pki.serverCert}`,
        `  key_file: ${pki.serverKey}`,
        'http_server_config:',
        '  headers: { X-Content-Type-Options: nosniff, X-Frame-Options: deny }',
        'basic_auth_users:',
        ...Object.entries(hashes).map(([user, hash]) => `  ${user}: "${hash}"`),
        `bearer_auth: { token_files: [${tokenFile}] }`,
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await exporter?.stop();
  });

  const TARGETS = [
    '/metrics',
    '/metrics/',
    '/METRICS',
    '/Metrics',
    '/metrics?format=openmetrics',
    '/metrics/?',
    '/metrics%2F',
    '/%6Detrics',
    '//metrics',
    '/./metrics',
    '/healthz/../metrics',
    '/readyz/../metrics',
    '/healthz%2F..%2Fmetrics',
    '/healthz/',
    '/HEALTHZ',
    '/healthz;/metrics',
    '/',
    '/index.html',
    'http://127.0.0.1/metrics',
    'http://127.0.0.1/healthz/../metrics',
  ];
  const METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS', 'PUT', 'DELETE'];

  const WRONG: Record<string, Record<string, string>> = {
    'no credentials': {},
    'wrong password': { Authorization: basic('prometheus', 'wrong') },
    "another user's password": { Authorization: basic('grafana', PASSWORD) },
    'unknown user': { Authorization: basic('nobody', PASSWORD) },
    'user name in another case': { Authorization: basic('PROMETHEUS', PASSWORD) },
    'password with a trailing space': { Authorization: basic('prometheus', `${PASSWORD} `) },
    'empty password': { Authorization: basic('prometheus', '') },
    'empty user': { Authorization: basic('', PASSWORD) },
    'right 72 bytes plus one': { Authorization: basic('long', `${LONG_PASSWORD}x`) },
    'no colon': { Authorization: `Basic ${Buffer.from('prometheus').toString('base64')}` },
    'unpadded base64': {
      Authorization: basic('grafana', GRAFANA_PASSWORD).replace(/=+$/, ''),
    },
    'Basic alone': { Authorization: 'Basic' },
    'token as basic': { Authorization: `Basic ${TOKEN}` },
    'wrong token': { Authorization: `Bearer ${crypto.randomBytes(24).toString('hex')}` },
    'token minus a character': { Authorization: `Bearer ${TOKEN.slice(0, -1)}` },
    'token plus a character': { Authorization: `Bearer ${TOKEN}0` },
    'token in upper case': { Authorization: `Bearer ${TOKEN.toUpperCase()}` },
    'token with a second word': { Authorization: `Bearer ${TOKEN} x` },
    'token without a scheme': { Authorization: TOKEN },
    'basic blob as a token': { Authorization: `Bearer ${basic('prometheus', PASSWORD).slice(6)}` },
    'Digest scheme': { Authorization: `Digest username="prometheus", response="${TOKEN}"` },
    'credentials in another header': {
      'Proxy-Authorization': basic('prometheus', PASSWORD),
      'X-Authorization': `Bearer ${TOKEN}`,
    },
    'a 5000-character header': { Authorization: `Basic ${'QUFB'.repeat(1250)}` },
    'forwarded from localhost': {
      'X-Forwarded-For': '127.0.0.1',
      'X-Real-IP': '127.0.0.1',
      Forwarded: 'for=127.0.0.1',
    },
  };

  test('0 bypasses: every method and path variant without credentials gets 401 with a challenge', async () => {
    const bypasses: string[] = [];
    for (const method of METHODS) {
      for (const target of TARGETS) {
        const response = await exporter.request(target, { method });
        if (response.status !== 401 || leaksMetrics(response))
          bypasses.push(`${method} ${target}: ${response.status}`);
        else {
          // node joins the two WWW-Authenticate lines with ", "
          expect(response.headers['www-authenticate']).toMatch(/^Basic realm=.*, Bearer realm=/);
          if (method !== 'HEAD') expect(response.body).toBe('Unauthorized\n'); // no detail
        }
      }
    }
    expect(bypasses).toEqual([]);
  });

  test('0 bypasses: every wrong credential gets 401, whatever the path or method', async () => {
    const bypasses: string[] = [];
    for (const [name, headers] of Object.entries(WRONG)) {
      for (const method of ['GET', 'HEAD']) {
        for (const target of ['/metrics', '/METRICS', '/metrics/', '/metrics?x=1', '/']) {
          const response = await exporter.request(target, { method, headers });
          if (response.status !== 401 || leaksMetrics(response))
            bypasses.push(`${name}: ${method} ${target}: ${response.status}`);
        }
      }
    }
    expect(bypasses).toEqual([]);
  });

  test('a header past the size limit is refused before anything else', async () => {
    for (const headers of [
      { 'X-Padding': 'p'.repeat(20_000) } as Record<string, string>,
      { Authorization: basic('prometheus', PASSWORD), 'X-Padding': 'p'.repeat(20_000) },
      { Authorization: `Bearer ${'t'.repeat(20_000)}` },
    ]) {
      const response = await attempt(exporter.url, { path: '/metrics', headers, ca });
      expect(response.status).toBe(431);
      expect(leaksMetrics(response)).toBe(false);
    }
  });

  test('the right credentials, in any scheme case, get the metrics; HEAD gets the headers', async () => {
    const right = [
      basic('prometheus', PASSWORD),
      `basic ${basic('prometheus', PASSWORD).slice(6)}`,
      `BASIC ${basic('prometheus', PASSWORD).slice(6)}`,
      basic('grafana', GRAFANA_PASSWORD),
      basic('long', LONG_PASSWORD),
      `Bearer ${TOKEN}`,
      `bearer ${TOKEN}`,
    ];
    for (const authorization of right) {
      const response = await exporter.request('/metrics', { headers: { Authorization: authorization } });
      expect([authorization.slice(0, 12), response.status]).toEqual([authorization.slice(0, 12), 200]);
      expect(response.body).toContain('chom_exporter_up 1');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('deny');
    }
    // idle keep-alive connections outlive a scrape interval (Node's default would close them after 5 s)
    const agent = new https.Agent({ keepAlive: true });
    const keepAlive = await exporter.request('/metrics', {
      agent,
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    agent.destroy();
    expect(keepAlive.headers['keep-alive']).toBe('timeout=120');
    const head = await exporter.request('/metrics', {
      method: 'HEAD',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  test('/healthz and /readyz stay open, with or without (wrong) credentials, and leak nothing', async () => {
    for (const headers of [
      {},
      { Authorization: basic('prometheus', 'wrong') },
      { Authorization: 'Bearer x' },
    ] as Record<string, string>[]) {
      const healthz = await exporter.request('/healthz', { headers });
      expect([healthz.status, healthz.body]).toEqual([200, 'ok\n']);
      expect(healthz.headers['x-frame-options']).toBe('deny');
      const readyz = await exporter.request('/readyz?probe=kubelet', { headers });
      expect([readyz.status, readyz.body]).toEqual([200, 'ready\n']);
    }
  });

  test('TLS is real: plain HTTP on the port, an untrusting client, and TLS 1.2 and 1.3', async () => {
    const port = new URL(exporter.url).port;
    const plain = await attempt(`http://127.0.0.1:${port}`, {
      path: '/metrics',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(plain.status === 200 || leaksMetrics(plain)).toBe(false);
    const untrusting = await attempt(exporter.url, { path: '/healthz' });
    expect(untrusting.status).toBe(0);
    expect(untrusting.body).toMatch(/self.signed|unable to (get|verify)/i);
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const response = await exporter.request('/metrics', {
        maxVersion,
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      expect([maxVersion, response.status]).toEqual([maxVersion, 200]);
    }
  });

  test('Prometheus scrapes it with basic_auth or authorization credentials files over TLS', async () => {
    const passwordFile = path.join(work.dir, 'prometheus-password');
    const wrongFile = path.join(work.dir, 'wrong-password');
    fs.writeFileSync(passwordFile, PASSWORD);
    fs.writeFileSync(wrongFile, 'not the password');
    const job = (name: string, auth: Record<string, unknown>) => ({
      job_name: name,
      scheme: 'https',
      tls_config: { ca_file: pki.caCert },
      static_configs: [{ targets: [exporter.target] }],
      ...auth,
    });
    const prometheus = await startPrometheus({
      configYaml: JSON.stringify({
        global: { scrape_interval: '1s' },
        scrape_configs: [
          job('basic', { basic_auth: { username: 'prometheus', password_file: passwordFile } }),
          job('bearer', { authorization: { type: 'Bearer', credentials_file: tokenFile } }),
          job('wrong', { basic_auth: { username: 'prometheus', password_file: wrongFile } }),
          job('none', {}),
        ],
      }),
    });
    try {
      const up = await eventually(
        async () => {
          const samples = await prometheus.query('up');
          return samples.length === 4 ? samples : undefined;
        },
        30_000,
        'four scrapes',
      );
      const byJob = Object.fromEntries(up.map((s) => [s.metric.job, s.value[1]]));
      expect(byJob).toEqual({ basic: '1', bearer: '1', wrong: '0', none: '0' });
      const scraped = await prometheus.query('chom_exporter_up');
      expect(scraped.map((s) => s.metric.job).sort()).toEqual(['basic', 'bearer']);
    } finally {
      await prometheus.stop();
    }
  });

  test('no secret in the logs: passwords, token, hashes, private key', () => {
    const output = exporter.process.output();
    expect(output).toContain('"msg":"web security"');
    expect(output).toContain('"reason":"invalid_credentials"');
    const key = fs.readFileSync(pki.serverKey, 'utf8').split('\n')[1] as string;
    for (const secret of [PASSWORD, GRAFANA_PASSWORD, LONG_PASSWORD, TOKEN, key, ...Object.values(hashes)])
      expect(output.includes(secret)).toBe(false);
  });
});

describe('client certificates (RequireAndVerifyClientCert, allowed SANs, TLS 1.3 only)', () => {
  let exporter: RunningExporter;

  beforeAll(async () => {
    exporter = await startExporter({
      databaseUrl: db.readerUrl,
      configYaml: 'collection: { ttl_seconds: 3600 }\n',
      webConfigYaml: [
        'tls_server_config:',
        `  cert_file: ${pki.serverCert}`,
        `  key_file: ${pki.serverKey}`,
        `  client_ca_file: ${pki.caCert}`,
        '  client_auth_type: RequireAndVerifyClientCert',
        '  client_allowed_sans: [prometheus]',
        '  min_version: TLS13',
      ].join('\n'),
      tls: {
        ca: fs.readFileSync(pki.caCert),
        cert: fs.readFileSync(pki.clientCert),
        key: fs.readFileSync(pki.clientKey),
      },
    });
  });
  afterAll(async () => {
    await exporter?.stop();
  });

  test('0 bypasses: no certificate, a foreign CA, a name not allowed, or TLS 1.2 never get through', async () => {
    const ca = fs.readFileSync(pki.caCert);
    const read = (file: string) => fs.readFileSync(file);
    const refused: Record<string, HttpRequestOptions> = {
      'no certificate': {},
      'certificate of another CA': { cert: read(pki.foreignClientCert), key: read(pki.foreignClientKey) },
      'our CA, SAN not allowed': { cert: read(pki.intruderCert), key: read(pki.intruderKey) },
      'the right certificate over TLS 1.2': {
        cert: read(pki.clientCert),
        key: read(pki.clientKey),
        maxVersion: 'TLSv1.2',
      },
    };
    const bypasses: string[] = [];
    for (const [name, options] of Object.entries(refused)) {
      for (const target of ['/metrics', '/healthz']) {
        const response = await attempt(exporter.url, { ...options, ca, path: target });
        if (response.status !== 0 || leaksMetrics(response))
          bypasses.push(`${name} ${target}: ${response.status}`);
      }
    }
    expect(bypasses).toEqual([]);
    const right = await exporter.request('/metrics');
    expect(right.status).toBe(200);
    expect(right.body).toContain('chom_exporter_up 1');
  });
});

describe('client network allowlist over IPv4 and IPv6', () => {
  let exporter: RunningExporter;
  let v4: string;
  let v6: string;
  const auth = { Authorization: basic('prometheus', PASSWORD) };

  beforeAll(async () => {
    exporter = await startExporter({
      databaseUrl: db.readerUrl,
      configYaml: 'collection: { ttl_seconds: 3600 }\n',
      listenAddress: '::', // both families; IPv4 peers appear as ::ffff:127.0.0.1
      webConfigYaml: `basic_auth_users: { prometheus: "${hashes.prometheus}" }\nclient_allowed_networks: [127.0.0.0/8]\n`,
    });
    const port = exporter.target.split(':')[1];
    v4 = `http://127.0.0.1:${port}`;
    v6 = `http://[::1]:${port}`;
  });
  afterAll(async () => {
    await exporter?.stop();
  });

  test('an allowed network still needs credentials; another network is refused even with them', async () => {
    expect((await httpRequest(`${v4}/metrics`, { headers: auth })).status).toBe(200);
    expect((await httpRequest(`${v4}/metrics`)).status).toBe(401);
    const refused = await httpRequest(`${v6}/metrics`, { headers: auth });
    expect([refused.status, refused.body]).toEqual([403, 'Forbidden\n']);
  });

  test('0 bypasses: forwarding headers naming an allowed address are not trusted', async () => {
    const spoofs: Record<string, string>[] = [
      { 'X-Forwarded-For': '127.0.0.1' },
      { 'X-Forwarded-For': '127.0.0.1, ::1' },
      { 'X-Forwarded-For': '::1, 127.0.0.1' },
      { Forwarded: 'for=127.0.0.1;proto=https' },
      { 'X-Real-IP': '127.0.0.1' },
      { 'X-Client-IP': '127.0.0.1' },
      { 'True-Client-IP': '127.0.0.1' },
      { 'X-Originating-IP': '127.0.0.1' },
      { Host: '127.0.0.1' },
    ];
    const bypasses: string[] = [];
    for (const spoof of spoofs) {
      for (const target of ['/metrics', '/METRICS', '/metrics/', '/']) {
        const response = await httpRequest(`${v6}${target}`, { headers: { ...auth, ...spoof } });
        if (response.status !== 403 || leaksMetrics(response))
          bypasses.push(`${JSON.stringify(spoof)} ${target}: ${response.status}`);
      }
    }
    expect(bypasses).toEqual([]);
  });

  test('the health probes stay open to every network', async () => {
    expect((await httpRequest(`${v6}/healthz`)).status).toBe(200);
    expect((await httpRequest(`${v6}/readyz`)).status).toBe(200);
  });
});

describe('configuration errors and --help', () => {
  test('an invalid web config stops the exporter with exit code 2, naming each field and no secret', async () => {
    const file = path.join(work.dir, 'bad-web.yml');
    fs.writeFileSync(
      file,
      [
        'tls_server_config:',
        '  cert_filse: server.crt',
        'basic_auth_users:',
        '  alice: "my-plaintext-secret"',
        'client_allowed_networks: [10.0.0.0/40]',
      ].join('\n'),
    );
    const run = execFileAsync(tsx, [main], {
      env: { ...process.env, CHOM_DATABASE_URL: 'mysql://root@127.0.0.1:1/none', CHOM_WEB_CONFIG_FILE: file },
    });
    const failure = (await run.then(
      () => undefined,
      (error: unknown) => error,
    )) as { code: number; stderr: string; stdout: string };
    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain(`${file}: tls_server_config.cert_filse: unknown setting`);
    expect(failure.stderr).toContain(`${file}: basic_auth_users.alice: expected a bcrypt hash`);
    expect(failure.stderr).toContain(`${file}: client_allowed_networks[0]: expected an IPv4 or IPv6 network`);
    expect(failure.stderr + failure.stdout).not.toContain('my-plaintext-secret');

    await expect(execFileAsync(tsx, [main, '--check-web-config', file])).rejects.toMatchObject({ code: 2 });
    const good = path.join(work.dir, 'good-web.yml');
    fs.writeFileSync(good, `basic_auth_users: { prometheus: "${hashes.prometheus}" }\n`);
    const ok = await execFileAsync(tsx, [main, '--check-web-config', good]);
    expect(ok.stdout).toContain('web configuration is valid');
    expect(ok.stdout).not.toContain(hashes.prometheus as string);
  });

  test('--help documents the web config and shows no secret from the environment', async () => {
    const { stdout } = await execFileAsync(tsx, [main, '--help'], {
      env: {
        ...process.env,
        CHOM_DATABASE_URL: 'mysql://chom:db-secret-password@db:3306/chom',
        CHOM_WEB_CONFIG_FILE: tokenFile,
      },
    });
    expect(stdout).toContain('CHOM_WEB_CONFIG_FILE');
    expect(stdout).toContain('--check-web-config');
    for (const secret of ['db-secret-password', TOKEN, tokenFile])
      expect(stdout.includes(secret)).toBe(false);
  });
});

/** A pino logger writing JSON lines into an array. */
function captureLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** The gate and TLS in this process, with a stand-in application that serves "metrics". */
async function serveInProcess(webConfigFile: string, reloadIntervalMs = 100) {
  const { logger, lines } = captureLogs();
  const config = parseWebConfigText(fs.readFileSync(webConfigFile, 'utf8'), webConfigFile);
  const app: http.RequestListener = (_req, res) =>
    res.end('# TYPE chom_exporter_up gauge\nchom_exporter_up 1\n');
  const server = await listen(app, { port: 0, host: '127.0.0.1', config, logger, reloadIntervalMs });
  const port = (server.address() as { port: number }).port;
  return {
    url: (scheme: 'http' | 'https' = config.tls ? 'https' : 'http') => `${scheme}://127.0.0.1:${port}`,
    lines,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('in process: reloads, the rate limit, a closed allowlist', () => {
  test('users, tokens and certificates are reloaded; an invalid or restart-only change keeps the old settings', async () => {
    const dir = tempDir('web-reload');
    const file = path.join(dir.dir, 'web.yml');
    const certFile = path.join(dir.dir, 'server.crt');
    const keyFile = path.join(dir.dir, 'server.key');
    fs.copyFileSync(pki.serverCert, certFile);
    fs.copyFileSync(pki.serverKey, keyFile);
    const tlsPart = 'tls_server_config: { cert_file: server.crt, key_file: server.key }\n';
    fs.writeFileSync(file, `${tlsPart}basic_auth_users: { prometheus: "${hashes.prometheus}" }\n`);
    const running = await serveInProcess(file);
    const status = async (authorization: string, ca: string | Buffer = fs.readFileSync(pki.caCert)) =>
      (await attempt(running.url(), { path: '/metrics', ca, headers: { Authorization: authorization } }))
        .status;
    try {
      expect(await status(basic('prometheus', PASSWORD))).toBe(200);

      // rotate: a new user replaces the old one
      fs.writeFileSync(file, `${tlsPart}basic_auth_users: { grafana: "${hashes.grafana}" }\n`);
      await eventually(
        async () => ((await status(basic('grafana', GRAFANA_PASSWORD))) === 200 ? true : undefined),
        10_000,
        'the new user',
      );
      expect(await status(basic('prometheus', PASSWORD))).toBe(401);

      // an invalid file is logged; the previous settings stay
      fs.writeFileSync(file, `${tlsPart}basic_auth_users: { grafana: "oops" }\n`);
      await eventually(
        async () =>
          running.lines.find((l) => l.msg === 'web config reload failed; the previous settings stay'),
        10_000,
        'the reload error',
      );
      expect(await status(basic('grafana', GRAFANA_PASSWORD))).toBe(200);
      expect(JSON.stringify(running.lines)).not.toContain('oops');

      // switching TLS off needs a restart
      fs.writeFileSync(file, `basic_auth_users: { grafana: "${hashes.grafana}" }\n`);
      await eventually(
        async () => running.lines.find((l) => l.setting === 'tls_server_config (TLS switched on or off)'),
        10_000,
        'the restart notice',
      );
      expect(await status(basic('grafana', GRAFANA_PASSWORD))).toBe(200);

      // a renewed certificate (from another CA) is served to new connections
      const renewed = tempDir('web-reload-pki');
      const next = await createTestPki(renewed.dir);
      fs.writeFileSync(file, `${tlsPart}basic_auth_users: { grafana: "${hashes.grafana}" }\n`);
      fs.copyFileSync(next.serverKey, keyFile);
      fs.copyFileSync(next.serverCert, certFile);
      await eventually(
        async () =>
          (await status(basic('grafana', GRAFANA_PASSWORD), fs.readFileSync(next.caCert))) === 200
            ? true
            : undefined,
        10_000,
        'the renewed certificate',
      );
      expect(await status(basic('grafana', GRAFANA_PASSWORD))).toBe(0); // the old CA no longer matches
      renewed.remove();
    } finally {
      await running.close();
      dir.remove();
    }
  });

  test('rate_limit answers 429 past the burst; the probes are not limited', async () => {
    const dir = tempDir('web-rate');
    const file = path.join(dir.dir, 'web.yml');
    fs.writeFileSync(file, 'rate_limit: { interval: 1h, burst: 2 }\n');
    const running = await serveInProcess(file);
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await httpRequest(`${running.url()}/metrics`)).status);
      expect(statuses).toEqual([200, 200, 429, 429]);
      const limited = await httpRequest(`${running.url()}/metrics`);
      expect(limited.headers['retry-after']).toBe('3600');
      expect((await httpRequest(`${running.url()}/healthz`)).status).toBe(200);
    } finally {
      await running.close();
      dir.remove();
    }
  });

  test('an allowlist without loopback refuses every local client, whatever it claims', async () => {
    const dir = tempDir('web-allow');
    const file = path.join(dir.dir, 'web.yml');
    fs.writeFileSync(file, 'client_allowed_networks: [10.0.0.0/8, "fd00::/8"]\n');
    const running = await serveInProcess(file);
    try {
      for (const headers of [
        {},
        { 'X-Forwarded-For': '10.1.2.3' },
        { Forwarded: 'for="[fd00::1]"' },
      ] as Record<string, string>[]) {
        const response = await httpRequest(`${running.url()}/metrics`, { headers });
        expect([JSON.stringify(headers), response.status, leaksMetrics(response)]).toEqual([
          JSON.stringify(headers),
          403,
          false,
        ]);
      }
      expect(running.lines.some((l) => l.reason === 'network' && l.client === '127.0.0.1')).toBe(true);
    } finally {
      await running.close();
      dir.remove();
    }
  });
});
