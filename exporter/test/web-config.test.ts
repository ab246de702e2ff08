import fs from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { createTestPki, repoRoot, tempDir, type TestPki } from '@chom/test-support';
import { ConfigError } from '../src/config';
import {
  createBcryptVerifier,
  createCredentialChecker,
  parseAuthorization,
  VerifierBusyError,
  type PasswordVerifier,
} from '../src/server/auth';
import { createTokenBucket, isOpenPath } from '../src/server/gate';
import {
  describeWebConfig,
  isAllowedClient,
  parseNetwork,
  parseWebConfigText,
  requiresCredentials,
  type WebConfig,
} from '../src/server/web-config';

const work = tempDir('web-config-test');
let pki: TestPki;
const HASH = bcrypt.hashSync('right password', 4).replace(/^\$2b\$/, '$2y$'); // as htpasswd writes it
const TOKEN = 'tok-0123456789abcdef-0123456789abcdef';

beforeAll(async () => {
  pki = await createTestPki(work.dir);
  fs.writeFileSync(path.join(work.dir, 'token'), `${TOKEN}\n`);
  fs.writeFileSync(path.join(work.dir, 'short-token'), 'abc\n');
});
afterAll(() => work.remove());

/** Parses `yaml` as if it were the file web.yml in the test folder. */
const parse = (yaml: string) => parseWebConfigText(yaml, path.join(work.dir, 'web.yml'));

function problems(yaml: string): string {
  try {
    parse(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error(`accepted: ${yaml}`);
}

describe('web configuration file', () => {
  test('an empty file is plain HTTP without authentication, as in exporter-toolkit', () => {
    const config = parse('');
    expect(config.tls).toBeUndefined();
    expect(requiresCredentials(config)).toBe(false);
    expect(config.allowedNetworks).toBeUndefined();
  });

  test('a node_exporter web config is taken as it is: relative files, users, headers, ciphers, curves', () => {
    const config = parse(
      [
        'tls_server_config:',
        '  cert_file: server.crt', // relative to the file's folder
        '  key_file: server.key',
        '  min_version: TLS12',
        '  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]',
        '  curve_preferences: [X25519, CurveP256]',
        '  prefer_server_cipher_suites: false',
        'http_server_config:',
        '  http2: true',
        '  headers:',
        '    X-Frame-Options: deny',
        '    X-Content-Type-Options: nosniff',
        '    X-XSS-Protection: 1',
        '    Strict-Transport-Security: max-age=31536000; includeSubDomains',
        `basic_auth_users:`,
        `  alice: ${HASH}`,
        'rate_limit: { interval: 1m30s, burst: 5 }',
      ].join('\n'),
    );
    expect(config.tls).toMatchObject({
      clientAuth: 'NoClientCert',
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256', // TLS 1.3 suites are not configurable, as in Go
      ecdhCurve: 'X25519:P-256',
      honorCipherOrder: false,
    });
    expect(config.tls?.cert.toString()).toBe(fs.readFileSync(pki.serverCert, 'utf8'));
    expect(config.headers).toEqual({
      'X-Frame-Options': 'deny',
      'X-Content-Type-Options': 'nosniff',
      'X-XSS-Protection': '1',
      'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
    });
    expect([...config.basicAuthUsers.keys()]).toEqual(['alice']);
    expect(config.rateLimit).toEqual({ intervalMs: 90_000, burst: 5 });
    expect(config.files).toEqual([path.join(work.dir, 'web.yml'), pki.serverCert, pki.serverKey]);
  });

  test('inline PEM, client CAs, allowed SANs, bearer token files and client networks', () => {
    const indent = (file: string) => fs.readFileSync(file, 'utf8').replace(/^/gm, '    ');
    const config = parse(
      [
        'tls_server_config:',
        '  cert: |',
        indent(pki.serverCert),
        '  key: |',
        indent(pki.serverKey),
        `  client_ca_file: ${pki.caCert}`,
        '  client_auth_type: RequireAndVerifyClientCert',
        '  client_allowed_sans: [prometheus]',
        'bearer_auth: { token_files: [token] }',
        'client_allowed_networks: [10.0.0.0/8, "2001:db8::/32", 192.0.2.7]',
      ].join('\n'),
    );
    expect(config.tls).toMatchObject({
      clientAuth: 'RequireAndVerifyClientCert',
      allowedSans: ['prometheus'],
    });
    expect(config.bearerTokenDigests).toHaveLength(1);
    expect(requiresCredentials(config)).toBe(true);
    const allow = config.allowedNetworks as NonNullable<WebConfig['allowedNetworks']>;
    expect(isAllowedClient(allow, '10.200.1.1')).toBe(true);
    expect(isAllowedClient(allow, '::ffff:10.200.1.1')).toBe(true); // IPv4-mapped IPv6
    expect(isAllowedClient(allow, '2001:db8:ffff::1')).toBe(true);
    expect(isAllowedClient(allow, '192.0.2.7')).toBe(true);
    expect(isAllowedClient(allow, '192.0.2.8')).toBe(false);
    expect(isAllowedClient(allow, '11.0.0.1')).toBe(false);
    expect(isAllowedClient(allow, '2001:db9::1')).toBe(false);
    expect(isAllowedClient(allow, undefined)).toBe(false);
  });

  test('an IPv4 network never admits an IPv6 client, nor the reverse', () => {
    const v4 = parse('client_allowed_networks: [0.0.0.0/0]').allowedNetworks;
    const v6 = parse('client_allowed_networks: ["::1/128"]').allowedNetworks;
    expect(isAllowedClient(v4 as never, '::1')).toBe(false);
    expect(isAllowedClient(v4 as never, '127.0.0.1')).toBe(true);
    expect(isAllowedClient(v6 as never, '127.0.0.1')).toBe(false);
    expect(isAllowedClient(v6 as never, '::ffff:127.0.0.1')).toBe(false);
  });

  test("the reference in docs/configuration.md is a valid file (with this test's certificates and secrets)", () => {
    const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'configuration.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Web configuration'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] as string;
    const config = parse(
      yaml
        .replace('/etc/chom/tls/exporter.crt', pki.serverCert)
        .replace('/etc/chom/tls/exporter.key', pki.serverKey)
        .replace('/etc/chom/tls/clients-ca.crt', pki.caCert)
        .replace('$2y$10$...', HASH)
        .replace('/run/secrets/chom-exporter-token', 'token'),
    );
    expect(config.tls?.clientAuth).toBe('RequireAndVerifyClientCert');
    expect(config.basicAuthUsers.size).toBe(1);
    expect(config.bearerTokenDigests).toHaveLength(1);
    expect(config.allowedNetworks?.networks).toHaveLength(3);
    expect(config.rateLimit).toEqual({ intervalMs: 100, burst: 50 });
    expect(Object.keys(config.headers)).toHaveLength(5);
  });

  test.each([
    ['tls_server_config: { cert_filse: server.crt }', 'tls_server_config.cert_filse: unknown setting'],
    ['tls_server_config: { cert_file: server.crt }', 'tls_server_config.key_file: required to enable TLS'],
    ['tls_server_config: { min_version: TLS13 }', 'tls_server_config.cert_file: required to enable TLS'],
    [
      'tls_server_config: { cert_file: nope.crt, key_file: server.key }',
      `tls_server_config.cert_file: cannot read ${path.join(work.dir, 'nope.crt')}: ENOENT`,
    ],
    [
      'tls_server_config: { cert_file: server.crt, key_file: client.key }',
      'tls_server_config.key_file: the private key does not match the certificate of tls_server_config.cert_file',
    ],
    [
      'tls_server_config: { cert_file: token, key_file: server.key }',
      'tls_server_config.cert_file: expected a PEM certificate',
    ],
    [
      'tls_server_config: { cert_file: server.crt, key_file: server.key, cert: x }',
      'tls_server_config.cert_file: set cert or cert_file, not both',
    ],
    [
      'tls_server_config: { cert_file: server.crt, key_file: server.key, client_auth_type: Sometimes }',
      'tls_server_config.client_auth_type: expected one of NoClientCert',
    ],
    [
      'tls_server_config: { cert_file: server.crt, key_file: server.key, client_ca_file: ca.crt }',
      'tls_server_config.client_auth_type: client CAs are set without a client authentication policy',
    ],
    [
      'tls_server_config: { cert_file: server.crt, key_file: server.key, client_auth_type: RequireAndVerifyClientCert }',
      'tls_server_config.client_ca_file: required when client_auth_type is RequireAndVerifyClientCert',
    ],
    [
      'tls_server_config: { cert_file: server.crt, key_file: server.key, client_auth_type: RequireAnyClientCert, client_allowed_sans: [a] }',
      'tls_server_config.client_allowed_sans: needs client_auth_type RequireAndVerifyClientCert',
    ],
    [
      'tls_server_config: { cert_file: server.crt, key_file: server.key, min_version: TLS10 }',
      'tls_server_config.min_version: TLS 1.0 and 1.1 are not supported (insecure)',
    ],
    [
      'tls_server_config: { cert_file: server.crt, key_file: server.key, min_version: TLS13, max_version: TLS12 }',
      'tls_server_config.min_version: is above max_version',
    ],
    [
      'tls_server_config: { cert_file: server.crt, key_file: server.key, cipher_suites: [TLS_RSA_WITH_RC4_128_SHA] }',
      'tls_server_config.cipher_suites[0]: expected a cipher suite',
    ],
    [
      'tls_server_config: { cert_file: server.crt, key_file: server.key, curve_preferences: [CurveP999] }',
      'tls_server_config.curve_preferences[0]: expected one of CurveP256',
    ],
    [
      'http_server_config: { headers: { X-Powered-By: me } }',
      'http_server_config.headers.X-Powered-By: this header',
    ],
    [
      'http_server_config: { headers: { X-Frame-Options: allow } }',
      'http_server_config.headers.X-Frame-Options: expected deny or sameorigin, got "allow"',
    ],
    [
      'http_server_config: { headers: { Content-Security-Policy: "a\\r\\nSet-Cookie: x" } }',
      'http_server_config.headers.Content-Security-Policy: expected printable ASCII without line breaks',
    ],
    ['http_server_config: { http2: maybe }', 'http_server_config.http2: expected true or false'],
    ['basic_auth_users: { alice: plaintext-password }', 'basic_auth_users.alice: expected a bcrypt hash'],
    ['basic_auth_users: { alice: 12 }', 'basic_auth_users.alice: expected a bcrypt hash'],
    ['basic_auth_users: [alice]', 'basic_auth_users: expected a map of user name to bcrypt hash'],
    [
      `basic_auth_users: { "a:b": "${HASH}" }`,
      'basic_auth_users.a:b: a user name must be non-empty and cannot contain ":"',
    ],
    ['bearer_auth: { token_files: [] }', 'bearer_auth.token_files: expected a list of files'],
    ['bearer_auth: { token_files: [short-token] }', 'bearer_auth.token_files[0]: the token in'],
    ['bearer_auth: { token_files: [missing-token] }', 'bearer_auth.token_files[0]: cannot read'],
    ['bearer_auth: { token: abc }', 'bearer_auth.token: unknown setting'],
    ['client_allowed_networks: []', 'client_allowed_networks: expected a list of networks'],
    [
      'client_allowed_networks: [10.0.0.0/33]',
      'client_allowed_networks[0]: expected an IPv4 or IPv6 network',
    ],
    ['client_allowed_networks: [intranet]', 'client_allowed_networks[0]: expected an IPv4 or IPv6 network'],
    [
      'client_allowed_networks: ["fe80::1%eth0"]',
      'client_allowed_networks[0]: expected an IPv4 or IPv6 network',
    ],
    ['rate_limit: { interval: fast, burst: 1 }', 'rate_limit.interval: expected a duration'],
    ['rate_limit: { interval: 1s, burst: 0 }', 'rate_limit.burst: expected at least 1'],
    ['web: {}', 'web: unknown setting'],
    ['tls_server_config: [', 'invalid YAML'],
  ])('%s is rejected naming the field', (yaml, message) => {
    expect(problems(yaml)).toContain(message);
  });

  test('every problem is reported, each naming the file', () => {
    const lines = problems('basic_auth_users: { a: x }\nclient_allowed_networks: [nope]\nextra: 1').split(
      '\n',
    );
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.startsWith(`${path.join(work.dir, 'web.yml')}: `)).toBe(true);
  });

  test('secrets are never quoted: hashes, inline keys and token contents', () => {
    const key = fs.readFileSync(pki.serverKey, 'utf8');
    const text = [
      problems(`basic_auth_users: { alice: "not-a-hash-secret-value" }`),
      problems(`tls_server_config: { cert_file: server.crt, key: 12345, bogus: 1 }`),
      problems(`tls_server_config: { cert_file: server.crt, key: ${JSON.stringify(key.slice(0, 40))} }`),
      problems('bearer_auth: { token_files: [short-token] }'),
    ].join('\n');
    expect(text).toContain('basic_auth_users.alice: expected a bcrypt hash');
    expect(text).toContain('(hidden');
    expect(text).not.toContain('not-a-hash-secret-value');
    expect(text).not.toContain('12345');
    expect(text).not.toContain(key.slice(30, 40));
    expect(text).not.toMatch(/\babc\b/);
    const described = JSON.stringify(
      describeWebConfig(
        parse(`basic_auth_users: { alice: "${HASH}" }\nbearer_auth: { token_files: [token] }`),
      ),
    );
    expect(described).not.toContain(HASH);
    expect(described).not.toContain(TOKEN);
  });

  test('networks parse as IPv4 or IPv6 with a prefix; a bare address is one host', () => {
    expect(parseNetwork('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseNetwork('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
    expect(parseNetwork('10.0.0.0/8/8')).toBeUndefined();
    expect(parseNetwork('10.0.0.0/-1')).toBeUndefined();
    expect(parseNetwork('2001:db8::/129')).toBeUndefined();
  });
});

describe('the request gate', () => {
  test('only the exact probe paths are open; every variant of them is checked', () => {
    for (const open of ['/healthz', '/readyz', '/healthz?verbose=1'])
      expect([open, isOpenPath(open)]).toEqual([open, true]);
    for (const closed of [
      '/healthz/',
      '/HEALTHZ',
      '/healthz/../metrics',
      '/healthz%2F..%2Fmetrics',
      '//healthz',
      'http://127.0.0.1/healthz',
      '/metrics',
      '/healthz;x',
      '',
      undefined,
    ])
      expect([closed, isOpenPath(closed)]).toEqual([closed, false]);
  });

  test('the token bucket lets `burst` requests through, then one per interval', () => {
    let now = 0;
    const bucket = createTokenBucket(1000, 2, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
    now = 999;
    expect(bucket.take()).toBe(false);
    now = 1500;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now = 100_000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });
});

describe('credentials', () => {
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  test('Authorization headers are parsed strictly', () => {
    expect(parseAuthorization(basic('alice', 'p:w'))).toEqual({
      scheme: 'basic',
      user: 'alice',
      password: 'p:w',
    });
    expect(parseAuthorization(`bAsIc ${basic('a', 'b').slice(6)}`)).toMatchObject({ user: 'a' });
    expect(parseAuthorization('Bearer abc.def')).toEqual({ scheme: 'bearer', token: 'abc.def' });
    for (const bad of [
      'Basic',
      'Basic ',
      'Basic YWxpY2U=', // no colon
      'Basic YWxpY2U6cA', // unpadded
      'Basic YWxp Y2U6cA==',
      'Basic !!!!',
      `Basic ${Buffer.from([0x61, 0x3a, 0xff]).toString('base64')}`, // not UTF-8
      'Bearer',
      'Bearer a b',
      'Digest username="a"',
      'abc',
      `Basic ${'A'.repeat(5000)}`,
    ])
      expect([bad.slice(0, 30), parseAuthorization(bad)]).toEqual([bad.slice(0, 30), undefined]);
  });

  /** The real worker-thread verifier, counting the comparisons it is asked for. */
  function countingVerifier(): PasswordVerifier & { calls: number } {
    const inner = createBcryptVerifier();
    const counting = {
      calls: 0,
      compare(password: string, hash: string) {
        counting.calls += 1;
        return inner.compare(password, hash);
      },
      close: () => inner.close(),
    };
    return counting;
  }

  test('50 concurrent requests with the same credentials cost one bcrypt run; results are cached', async () => {
    const verifier = countingVerifier();
    const users = new Map([
      ['alice', bcrypt.hashSync('right password', 10)],
      ['bob', bcrypt.hashSync('bob password', 4)],
    ]);
    const checker = createCredentialChecker({ basicAuthUsers: users, bearerTokenDigests: [] }, verifier);
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () => checker.check(basic('alice', 'right password'))),
      );
      expect(new Set(outcomes)).toEqual(new Set(['ok']));
      expect(verifier.calls).toBe(1);
      expect(await checker.check(basic('alice', 'right password'))).toBe('ok');
      expect(verifier.calls).toBe(1);
      // a wrong password costs one run, then is answered from the cache
      expect(await checker.check(basic('alice', 'wrong'))).toBe('invalid');
      expect(await checker.check(basic('alice', 'wrong'))).toBe('invalid');
      expect(verifier.calls).toBe(2);
      // one user's password does not open another's account; unknown users never match
      expect(await checker.check(basic('bob', 'right password'))).toBe('invalid');
      expect(await checker.check(basic('carol', 'right password'))).toBe('invalid');
      expect(await checker.check(basic('ALICE', 'right password'))).toBe('invalid');
      expect(await checker.check(basic('bob', 'bob password'))).toBe('ok');
      expect(await checker.check(undefined)).toBe('missing');
      expect(await checker.check('Bearer 0123456789abcdef0123')).toBe('invalid');
      expect(checker.challenges).toEqual(['Basic realm="chom-finops-exporter", charset="UTF-8"']);
    } finally {
      await verifier.close();
    }
  });

  test('bcrypt reads only 72 bytes: a longer password never matches on its prefix', async () => {
    const verifier = createBcryptVerifier();
    const long = 'x'.repeat(72);
    const checker = createCredentialChecker(
      { basicAuthUsers: new Map([['u', bcrypt.hashSync(long, 4)]]), bearerTokenDigests: [] },
      verifier,
    );
    try {
      expect(await checker.check(basic('u', long))).toBe('ok');
      expect(await checker.check(basic('u', `${long}y`))).toBe('invalid');
      expect(bcrypt.compareSync(`${long}y`, bcrypt.hashSync(long, 4))).toBe(true); // what is avoided
    } finally {
      await verifier.close();
    }
  });

  test('bearer tokens match exactly; basic and bearer work side by side', async () => {
    const config = parse(`basic_auth_users: { alice: "${HASH}" }\nbearer_auth: { token_files: [token] }`);
    const verifier = createBcryptVerifier();
    const checker = createCredentialChecker(config, verifier);
    try {
      expect(await checker.check(`Bearer ${TOKEN}`)).toBe('ok');
      expect(await checker.check(`bearer ${TOKEN}`)).toBe('ok');
      for (const wrong of [TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase(), `${TOKEN}\n`])
        expect(await checker.check(`Bearer ${wrong}`)).toBe('invalid');
      expect(await checker.check(`Basic ${TOKEN}`)).toBe('invalid');
      expect(await checker.check(basic('alice', 'right password'))).toBe('ok');
      expect(checker.challenges).toHaveLength(2);
    } finally {
      await verifier.close();
    }
  });

  test('a flood of new credentials is refused fast once the verifier queue is full', async () => {
    const verifier = createBcryptVerifier({ maxPending: 2 });
    const hash = bcrypt.hashSync('pw', 8);
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => verifier.compare(`guess${i}`, hash)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
      const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(refused).toHaveLength(4);
      for (const r of refused) expect(r.reason).toBeInstanceOf(VerifierBusyError);
      expect(await verifier.compare('pw', hash)).toBe(true);
    } finally {
      await verifier.close();
    }
  });
});
