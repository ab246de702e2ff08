/**
 * Rendering the data exposition at a size where the per-tenant series dominate: the exposition
 * writer (bytes written as samples are set) against the families kept as data and rendered after
 * (what the exporter did before), each in a process of its own so that its peak RSS is its own.
 *   npm run bench:exposition -w exporter -- [--tenants=100000]
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ExpositionWriter } from '../src/exposition/data-exposition';
import { FamilyCollector, renderFamilies, type FamilySink } from '../src/exposition/format';

const HELP = `Usage: npm run bench:exposition -w exporter -- [options]
  --tenants=N     tenants, each with 5 cost categories and 5 more per-tenant series (default 100000:
                  a million samples, tenant_limit raised to keep them all)
  --help          this text
`;

const CATEGORIES = ['compute', 'storage', 'bandwidth', 'email', 'database'];

/** The per-tenant families of the data metrics, as the exporter sets them (tenant by tenant). */
function writeTenants(sink: FamilySink, tenants: number): void {
  const family = (name: string) => sink.family(name, `${name} help`, 'gauge', true);
  const cost = family('chom_tenant_cost_monthly');
  const revenue = family('chom_tenant_revenue_monthly');
  const sites = family('chom_tenant_sites');
  const servers = family('chom_tenant_servers');
  const storage = family('chom_tenant_storage_used_bytes');
  const info = family('chom_tenant_info');
  for (let t = 1; t <= tenants; t++) {
    const tenant_id = String(t * 7);
    for (const category of CATEGORIES) cost({ tenant_id, category }, (t % 977) * 0.37);
    revenue({ tenant_id }, (t % 113) * 1.5);
    sites({ tenant_id }, t % 40);
    servers({ tenant_id }, t % 3);
    storage({ tenant_id }, t * 1_000_003);
    info({ tenant_id, plan: 'pro' }, 1);
  }
}

/** One way of rendering, in this process: seconds, bytes of the text body, peak RSS. */
function measure(way: string, tenants: number): { seconds: number; bytes: number; peakRssMiB: number } {
  const started = process.hrtime.bigint();
  let bytes: number;
  if (way === 'writer') {
    const writer = new ExpositionWriter();
    writeTenants(writer, tenants);
    const exposition = writer.finish({ ok: true, lastSuccessSeconds: 0, collectSeconds: 0 });
    bytes = exposition.chunks('text').reduce((n, c) => n + c.length, 0);
  } else {
    const collector = new FamilyCollector();
    writeTenants(collector, tenants);
    const families = collector.families();
    const [text] = (['text', 'openmetrics'] as const).map((format) =>
      Buffer.from(renderFamilies(families, format)),
    );
    bytes = text?.length ?? 0;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, bytes, peakRssMiB: (process.resourceUsage().maxRSS * 1024) / 2 ** 20 };
}

function main() {
  const { values } = parseArgs({
    options: {
      tenants: { type: 'string', default: '100000' },
      way: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const tenants = Number(values.tenants);
  if (!Number.isInteger(tenants) || tenants < 1) throw new Error('--tenants: expected a positive integer');
  if (values.way) {
    process.stdout.write(JSON.stringify(measure(values.way, tenants)));
    return;
  }
  const run = (way: string) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [...process.execArgv, __filename, `--tenants=${tenants}`, `--way=${way}`],
        {
          encoding: 'utf8',
        },
      ),
    ) as ReturnType<typeof measure>;
  const rows = [
    ['families as data, rendered after (before)', run('families')],
    ['exposition writer (now)', run('writer')],
  ] as const;
  process.stdout.write(`${tenants} tenants, ${tenants * 10} samples, both formats\n\n`);
  process.stdout.write('| rendering | seconds | text body | peak RSS |\n| --- | --- | --- | --- |\n');
  for (const [name, r] of rows)
    process.stdout.write(
      `| ${name} | ${r.seconds.toFixed(2)} | ${(r.bytes / 2 ** 20).toFixed(1)} MiB | ${r.peakRssMiB.toFixed(0)} MiB |\n`,
    );
}

main();
