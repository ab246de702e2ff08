import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  createTestDatabase,
  repoRoot,
  seedDemoDatabase,
  startExporter,
  startPrometheus,
  tempDir,
} from '@chom/test-support';
import { backfillHistory } from '../src/history';
import { runMain } from '../src/run-main';

const HELP = `Usage: npx tsx stack/bench/sizing.ts [--scales=small,medium] [--bytes-history=1d]

Measures what one CHOM FinOps install stores, for the sizing table of docs/long-term-storage.md. For
each scale: a new demo database (seeded), the real exporter with exporter/chom-finops.example.yml,
its /metrics counted by kind of series, and a Prometheus scraping it with alerting/rules/recording.yml
until the number of recorded series is stable. Then bytes per sample of the TSDB blocks of a backfilled
history of the first scale (--bytes-history). Prints a Markdown table and the large scale computed
from the per-tenant, per-server and per-opportunity counts measured (tenants are capped by
collection.tenant_limit). Uses the shared MariaDB (CHOM_TEST_MYSQL_URL); each database is dropped.

Options:
  --scales=LIST          demo scales to measure (default small,medium; medium seeds in about a minute)
  --bytes-history=DAYS   history backfilled to measure bytes per sample (default 1d; 0d skips it)
  --help                 this text
`;

interface Count {
  scale: string;
  tenantsInSeries: number;
  servers: number;
  exporterSeries: number;
  chomSeries: number;
  perTenant: number;
  perServer: number;
  opportunities: number;
  fleet: number;
  ruleSeries: number;
  expositionBytes: number;
}

const TENANT_LIMIT_DEFAULT = 500;
const log = (line: string) => process.stderr.write(`[sizing] ${line}\n`);

/** Series of an exposition by what they grow with. */
export function classify(exposition: string) {
  const series = exposition.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const chom = series.filter((line) => line.startsWith('chom_'));
  const tenants = new Set(chom.flatMap((line) => /tenant_id="([^"]+)"/.exec(line)?.[1] ?? []));
  const servers = new Set(chom.flatMap((line) => /server_id="([^"]+)"/.exec(line)?.[1] ?? []));
  const perTenant = chom.filter((line) => line.includes('tenant_id="')).length;
  const perServer = chom.filter((line) => line.includes('server_id="')).length;
  const opportunities = chom.filter((line) => line.includes('resource_id="')).length;
  return {
    exporterSeries: series.length,
    chomSeries: chom.length,
    tenantsInSeries: tenants.size,
    servers: servers.size,
    perTenant,
    perServer,
    opportunities,
    fleet: chom.length - perTenant - perServer - opportunities,
  };
}

async function measure(scale: string): Promise<Count> {
  const db = await createTestDatabase(`chom_sizing_${scale}`);
  try {
    log(`${scale}: seeding`);
    await seedDemoDatabase({ databaseUrl: db.url, scale: scale as 'small' | 'medium' | 'large' });
    const exporter = await startExporter({
      databaseUrl: db.url,
      configYaml: fs.readFileSync(path.join(repoRoot, 'exporter', 'chom-finops.example.yml'), 'utf8'),
      readyTimeoutMs: 600_000,
    });
    try {
      const exposition = await exporter.metrics();
      const counted = classify(exposition);
      log(`${scale}: ${counted.exporterSeries} series in /metrics; evaluating the recording rules`);
      const prometheus = await startPrometheus({
        scrapeTargets: { 'chom-exporter': [exporter.target] },
        scrapeInterval: '5s',
        evaluationInterval: '5s',
        ruleFiles: [path.join(repoRoot, 'alerting', 'rules', 'recording.yml')],
      });
      try {
        let previous = -1;
        let ruleSeries = 0;
        for (let stable = 0; stable < 3;) {
          await new Promise((resolve) => setTimeout(resolve, 5_000));
          const result = await prometheus.query('count({__name__=~"chom:.+"})');
          ruleSeries = Number(result[0]?.value[1] ?? 0);
          stable = ruleSeries > 0 && ruleSeries === previous ? stable + 1 : 0;
          previous = ruleSeries;
        }
        return { scale, ...counted, ruleSeries, expositionBytes: Buffer.byteLength(exposition) };
      } finally {
        await prometheus.stop();
      }
    } finally {
      await exporter.stop();
    }
  } finally {
    await db.drop();
  }
}

/** Bytes per sample of the blocks a backfilled history makes (exporter metrics and recording rules). */
async function bytesPerSample(
  days: number,
): Promise<{ samples: number; chunkBytes: number; indexBytes: number } | undefined> {
  if (days === 0) return undefined;
  const db = await createTestDatabase('chom_sizing_bytes');
  const work = tempDir('sizing-bytes');
  try {
    await seedDemoDatabase({ databaseUrl: db.url });
    const dataDir = path.join(work.dir, 'data');
    const to = new Date();
    log(`bytes per sample: backfilling ${days} day(s) of small-scale history`);
    await backfillHistory({
      databaseUrl: db.url,
      exporterConfig: path.join(repoRoot, 'exporter', 'chom-finops.example.yml'),
      dataDir,
      workDir: path.join(work.dir, 'work'),
      from: new Date(to.getTime() - days * 86_400_000),
      to,
      instance: 'exporter:9864',
      log,
    });
    let samples = 0;
    let chunkBytes = 0;
    let indexBytes = 0;
    for (const block of fs.readdirSync(dataDir)) {
      const meta = path.join(dataDir, block, 'meta.json');
      if (!fs.existsSync(meta)) continue;
      samples += (JSON.parse(fs.readFileSync(meta, 'utf8')) as { stats: { numSamples: number } }).stats
        .numSamples;
      const chunks = path.join(dataDir, block, 'chunks');
      for (const file of fs.readdirSync(chunks)) chunkBytes += fs.statSync(path.join(chunks, file)).size;
      indexBytes += fs.statSync(path.join(dataDir, block, 'index')).size;
    }
    return { samples, chunkBytes, indexBytes };
  } finally {
    await db.drop();
    work.remove();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scales: { type: 'string', default: 'small,medium' },
      'bytes-history': { type: 'string', default: '1d' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const scales = values.scales.split(',').map((s) => s.trim());
  const bad = scales.filter((s) => !['small', 'medium', 'large'].includes(s));
  const days = /^(\d+)d$/.exec(values['bytes-history']);
  if (bad.length || !days) {
    process.stderr.write(
      `sizing: ${bad.length ? `--scales: unknown ${bad.join(', ')}` : `--bytes-history: expected e.g. 1d, got "${values['bytes-history']}"`}\n`,
    );
    return 2;
  }
  const counts: Count[] = [];
  for (const scale of scales) counts.push(await measure(scale));
  const bytes = await bytesPerSample(Number(days[1]));

  const lines = [
    '| scale | tenants in series | servers in series | exporter series (chom_*) | per tenant | per server | opportunities | fleet | recording-rule series | /metrics bytes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...counts.map(
      (c) =>
        `| ${c.scale} | ${c.tenantsInSeries} | ${c.servers} | ${c.exporterSeries} (${c.chomSeries}) | ${c.perTenant} | ${c.perServer} | ${c.opportunities} | ${c.fleet} | ${c.ruleSeries} | ${c.expositionBytes} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  // large is computed from medium (the first scale where the tenant series reach the cap)
  const reference = counts.find((c) => c.scale === 'medium');
  if (reference && !scales.includes('large')) {
    // large: 100,000 tenants (capped like medium), 10 times medium's servers and per-server opportunities
    const serverFactor = 10;
    const tenantCapped = reference.tenantsInSeries >= TENANT_LIMIT_DEFAULT;
    const large =
      reference.exporterSeries +
      (serverFactor - 1) * (reference.perServer + reference.opportunities) +
      (tenantCapped
        ? 0
        : (reference.perTenant / reference.tenantsInSeries) *
          (TENANT_LIMIT_DEFAULT + 1 - reference.tenantsInSeries));
    process.stdout.write(
      `\nlarge (computed from ${reference.scale}: per-tenant series ${tenantCapped ? 'stay at the tenant_limit cap' : 'grow to the cap'}, per-server and opportunity series x${serverFactor}): about ${Math.round(large)} exporter series, recording-rule series as ${reference.scale} (${reference.ruleSeries})\n`,
    );
  }
  if (bytes)
    process.stdout.write(
      `\nbytes per sample of the blocks of a backfilled history (small scale, ${days[1]} day(s), ${bytes.samples} samples): chunks ${(bytes.chunkBytes / bytes.samples).toFixed(2)}, with the index ${((bytes.chunkBytes + bytes.indexBytes) / bytes.samples).toFixed(2)}\n`,
    );
  return 0;
}

if (require.main === module) runMain(main);
