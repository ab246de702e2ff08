import fs from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import {
  createTestDatabase,
  createTestPki,
  runScrapeLoad,
  seedDemoDatabase,
  startExporter,
  tempDir,
  type RunningExporter,
  type TestDatabase,
} from '@chom/test-support';
import { parseSamples, value } from './support/exposition';

/**
 * A short load test (the long one, with database restarts, is bench/scrape-under-failure.ts):
 * 50 concurrent scrapers for 20 s against the exporter behind TLS and basic auth, on the small demo
 * data set. Every scrape must succeed and carry a complete exposition.
 */

jest.setTimeout(180_000);

const SCRAPERS = 50;
const DURATION_MS = 20_000;
const PASSWORD = 'load-test-password';

describe('under load', () => {
  const work = tempDir('web-load');
  let db: TestDatabase;
  let exporter: RunningExporter;

  beforeAll(async () => {
    const pki = await createTestPki(work.dir);
    db = await createTestDatabase('chom_exporter_load');
    await seedDemoDatabase({ databaseUrl: db.url, scale: 'small' });
    const authorization = `Basic ${Buffer.from(`prometheus:${PASSWORD}`).toString('base64')}`;
    exporter = await startExporter({
      databaseUrl: db.url,
      configYaml: 'collection: { ttl_seconds: 2 }\n', // several collections run during the test
      webConfigYaml: [
        `tls_server_config: { cert_file: ${pki.serverCert}, key_file: ${pki.serverKey} }`,
        `basic_auth_users: { prometheus: "${bcrypt.hashSync(PASSWORD, 10)}" }`,
      ].join('\n'),
      tls: { ca: fs.readFileSync(pki.caCert) },
      scrapeHeaders: { Authorization: authorization },
      env: { CHOM_LOG_LEVEL: 'warn' },
    });
  });
  afterAll(async () => {
    await exporter?.stop();
    await db?.drop();
    work.remove();
  });

  test(`${SCRAPERS} concurrent scrapers for ${DURATION_MS / 1000} s: 0 errors`, async () => {
    const expected = parseSamples(await exporter.metrics()).length;
    expect(value(parseSamples(await exporter.metrics()), 'chom_exporter_up')).toBe(1);
    const result = await runScrapeLoad({
      url: `${exporter.url}/metrics`,
      concurrency: SCRAPERS,
      durationMs: DURATION_MS,
      request: {
        ca: fs.readFileSync(path.join(work.dir, 'ca.crt')),
        headers: { Authorization: `Basic ${Buffer.from(`prometheus:${PASSWORD}`).toString('base64')}` },
      },
      check: (status, body) => {
        if (status !== 200) return `status ${status}`;
        if (!body.includes('chom_exporter_up 1')) return 'no chom_exporter_up 1';
        // a truncated or half-built exposition would have fewer samples
        if (parseSamples(body).length < expected) return 'incomplete exposition';
        return undefined;
      },
    });
    process.stdout.write(
      `load: ${result.requests} scrapes by ${SCRAPERS} scrapers in ${(result.elapsedMs / 1000).toFixed(1)} s, ` +
        `${result.errors} errors, p50 ${result.p50Ms.toFixed(0)} ms, p99 ${result.p99Ms.toFixed(0)} ms\n`,
    );
    expect(result.errorsByReason).toEqual({});
    expect(result.errors).toBe(0);
    expect(result.requests).toBeGreaterThanOrEqual(SCRAPERS);
  });
});
