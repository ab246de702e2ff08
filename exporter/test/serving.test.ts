import http from 'node:http';
import zlib from 'node:zlib';
import {
  backfillOpenMetrics,
  eventually,
  promtoolCheckMetrics,
  startExporter,
  startPrometheus,
  tempDir,
  type RunningExporter,
  type RunningPrometheus,
} from '@chom/test-support';
import { createSchemaDatabase, insert, server, site, team } from './support/fixtures';
import { parseSamples } from './support/exposition';

type Db = Awaited<ReturnType<typeof createSchemaDatabase>>;

const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** GET with the given headers; the body as sent (not decompressed). */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    http
      .request(url, { method, headers, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      })
      .on('error', reject)
      .end();
  });
}

/** The data metrics (cost, tenant, usage, capacity) of an exposition: identical for one collection. */
function dataSamples(text: string) {
  return parseSamples(text)
    .filter((s) => s.name.startsWith('chom_') && !s.name.startsWith('chom_exporter_'))
    .map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`)
    .sort();
}

/** OpenMetrics validated by Prometheus' own parser (promtool's backfill needs a timestamp per sample). */
async function checkOpenMetrics(text: string): Promise<void> {
  const at = Math.floor(Date.now() / 1000);
  const stamped = text
    .split('\n')
    .map((line) => (line === '' || line.startsWith('#') ? line : `${line} ${at}`))
    .join('\n');
  const work = tempDir('om-check');
  try {
    await backfillOpenMetrics(stamped, work.dir);
  } finally {
    work.remove();
  }
}

describe('serving /metrics', () => {
  let db: Db;
  let exporter: RunningExporter;

  beforeAll(async () => {
    db = await createSchemaDatabase();
    await insert(db.pool, 'teams', [team(1, { name: 'Quote " and \\ back', plan: 'pro' }), team(2)]);
    await insert(db.pool, 'vps_servers', [server(1), server(2, { team_id: 2 })]);
    await insert(db.pool, 'sites', [site(1, 1, 1, { storage_used_bytes: 5 * 2 ** 30 }), site(2, 2, 2)]);
    exporter = await startExporter({
      databaseUrl: db.url,
      // long enough that every request of a test sees the same collection
      configYaml: 'collection: { ttl_seconds: 600, expose_tenant_names: true }',
    });
  });
  afterAll(async () => {
    await exporter?.stop();
    await db?.close();
  });

  test('without Accept: the text format 0.0.4, promtool-clean, no # EOF, Vary and Content-Length set', async () => {
    const response = await get(`${exporter.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.headers.vary).toBe('Accept, Accept-Encoding');
    expect(response.headers.etag).toBeUndefined();
    expect(Number(response.headers['content-length'])).toBe(response.body.length);
    const text = response.body.toString();
    expect(text).not.toContain('# EOF');
    expect(text).toContain('# TYPE chom_exporter_source_errors_total counter');
    expect(text).toContain('chom_tenant_info{tenant_id="1",plan="pro",name="Quote \\" and \\\\ back"} 1');
    expect(dataSamples(text).length).toBeGreaterThan(20);
    expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
  });

  test("with Prometheus' Accept: OpenMetrics 1.0.0 that Prometheus' parser accepts, with the same samples", async () => {
    const text = (await get(`${exporter.url}/metrics`)).body.toString();
    const response = await get(`${exporter.url}/metrics`, { Accept: PROMETHEUS_ACCEPT });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    );
    const om = response.body.toString();
    expect(om.endsWith('\n# EOF\n')).toBe(true);
    expect(om.indexOf('# EOF')).toBe(om.length - 6);
    // counters: the family without _total, the samples with it; units of base-unit families stated
    expect(om).toContain('# TYPE chom_exporter_source_errors counter\n');
    expect(om).toContain('chom_exporter_source_errors_total{source="tenants",reason="timeout"} 0\n');
    expect(om).not.toContain('# TYPE chom_exporter_source_errors_total');
    expect(om).toContain('# UNIT chom_tenant_storage_used_bytes bytes\n');
    expect(om).toContain('# UNIT process_cpu_seconds seconds\n');
    expect(dataSamples(om.replace(/# EOF\n$/, ''))).toEqual(dataSamples(text));
    await checkOpenMetrics(om);
    // the check is not a formality: a unit that is not the name's suffix is refused
    const wrongUnit = om.replace('# UNIT process_cpu_seconds seconds', '# UNIT process_cpu_seconds bytes');
    await expect(checkOpenMetrics(wrongUnit)).rejects.toThrow(/unit not a suffix/);
  });

  test.each([
    ['text', undefined],
    ['openmetrics', PROMETHEUS_ACCEPT],
  ] as const)('gzip of the %s format decompresses to the same exposition', async (format, accept) => {
    const plain = await get(`${exporter.url}/metrics`, accept ? { Accept: accept } : {});
    const zipped = await get(`${exporter.url}/metrics`, {
      ...(accept ? { Accept: accept } : {}),
      'Accept-Encoding': 'gzip, deflate, br',
    });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-type']).toBe(plain.headers['content-type']);
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    expect(zipped.body.length).toBeLessThan(plain.body.length / 3);
    const unzipped = zlib.gunzipSync(zipped.body).toString();
    const text = plain.body.toString();
    expect(dataSamples(unzipped.replace(/# EOF\n$/, ''))).toEqual(dataSamples(text.replace(/# EOF\n$/, '')));
    // the exporter's own metrics follow the data metrics in the same order, once
    expect(unzipped.match(/^# HELP chom_exporter_up /gm)).toHaveLength(1);
    if (format === 'text') expect(await promtoolCheckMetrics(unzipped)).toEqual({ code: 0, output: '' });
    else await checkOpenMetrics(unzipped);
  });

  test('a query string, a trailing slash and HEAD are answered like GET /metrics', async () => {
    for (const target of ['/metrics?debug=1', '/metrics/']) {
      const response = await get(`${exporter.url}${target}`, { Accept: PROMETHEUS_ACCEPT });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toContain('application/openmetrics-text');
      expect(response.body.toString().endsWith('# EOF\n')).toBe(true);
    }
    const head = await get(`${exporter.url}/metrics`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(1000);
    expect(head.body.length).toBe(0);
    expect((await get(`${exporter.url}/metrics`, {}, 'POST')).status).toBe(404);
  });

  test('gzip refused with q=0 is not sent', async () => {
    const response = await get(`${exporter.url}/metrics`, { 'Accept-Encoding': 'gzip;q=0, identity' });
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body.toString()).toContain('chom_exporter_up 1');
  });

  describe('scraped by Prometheus', () => {
    let prometheus: RunningPrometheus;
    beforeAll(async () => {
      prometheus = await startPrometheus({
        scrapeTargets: { chom: [exporter.target] },
        scrapeInterval: '1s',
      });
    });
    afterAll(async () => {
      await prometheus?.stop();
    });

    test('Prometheus (it asks for OpenMetrics and gzip) reads the OpenMetrics body and stores every series', async () => {
      await eventually(
        async () => {
          const up = await prometheus.query('up{job="chom"}');
          return up[0]?.value[1] === '1' ? true : undefined;
        },
        30_000,
        'the exporter target up',
      );
      // units exist only in OpenMetrics: Prometheus read the OpenMetrics body
      const metadata = await prometheus.api<Array<{ metric: string; unit: string; type: string }>>(
        'targets/metadata',
        { match_target: '{job="chom"}' },
      );
      const byName = new Map(metadata.map((m) => [m.metric, m]));
      expect(byName.get('process_cpu_seconds')).toMatchObject({ type: 'counter', unit: 'seconds' });
      expect(byName.get('chom_tenant_storage_used_bytes')).toMatchObject({ type: 'gauge', unit: 'bytes' });
      const stored = await prometheus.query('chom_tenant_storage_used_bytes{tenant_id="1"}');
      expect(Number(stored[0]?.value[1])).toBe(5 * 2 ** 30);
      const errors = await prometheus.query('chom_exporter_source_errors_total');
      expect(errors).toHaveLength(8 * 4); // every source × reason
    });
  });
});
