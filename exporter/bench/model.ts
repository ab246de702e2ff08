/**
 * Benchmark of the cost model alone (a script, not a test), with no database:
 *   flock /tmp/chom-bench.lock npm run bench:model -w exporter -- --scale=medium|large [--runs=5]
 * It builds the demo data set of the scale in memory, aggregates it into the rows the source queries
 * return (the same SQL semantics, done in JS), parses them with the sources' own row guards, then
 * times buildReport: CPU time (user + system) and wall time per run, and a digest of every figure so
 * that two implementations can be compared for identical output.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { SingleBar } from 'cli-progress';
import { parseConfig } from '../src/config';
import { SOURCE_NAMES } from '../src/config/schema';
import { buildDataset } from '../src/demo/dataset';
import { isScaleName, SCALE_NAMES, SCALES } from '../src/demo/scales';
import { bandwidthRows, emailRows } from '../src/demo/usage';
import { buildReport, type CostReport, type UsageSnapshot } from '../src/model';
import { EmailTable, TrafficTable } from '../src/model/usage';
import { queryParams, SOURCES, type RowCollector, type SourceDefinition } from '../src/sources';

const HELP = `Usage: npm run bench:model -w exporter -- [options]
  --scale=small|medium|large   demo data set to build in memory (default medium)
  --runs=N                     timed runs after one warm-up; min and median reported (default 5)
  --rows-cache=FILE            keep the generated source rows in FILE (JSON) and reuse them next time
  --help                       this text
Run it under the machine-wide lock: flock /tmp/chom-bench.lock npm run bench:model -w exporter -- ...
`;

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}

type Raw = Record<string, unknown>;
const inc = <K>(map: Map<K, number>, key: K, by: number) => map.set(key, (map.get(key) ?? 0) + by);
const sqlTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** The rows each default source query would return on the seeded data set, as mysql2 returns them. */
function sourceRows(scale: keyof typeof SCALES, now: Date): Record<string, Raw[]> {
  const t = now.getTime();
  const p = queryParams(now);
  const monthStartMs = Date.parse(`${p.month_start}T00:00:00Z`);
  const dataset = buildDataset({ scale, seed: 1, now });
  const exists = (deletedAt: number | null) => deletedAt === null || deletedAt > t;

  const subscriptions = new Map<number, bigint>();
  for (const s of dataset.subscriptions) {
    if (s.status !== 'active' || !exists(s.endedAt)) continue;
    subscriptions.set(
      s.teamId,
      (subscriptions.get(s.teamId) ?? 0n) + BigInt(s.amountMonthly.replace('.', '')),
    );
  }
  const siteTeam = new Map<number, number>();
  const sites = new Map<number, { sites: number; bytes: number }>();
  const serverSites = new Map<string, { sites: number; bytes: number }>();
  for (const s of dataset.sites) {
    siteTeam.set(s.id, s.teamId);
    if (!exists(s.deletedAt)) continue;
    const tenant = sites.get(s.teamId) ?? { sites: 0, bytes: 0 };
    tenant.sites++;
    tenant.bytes += s.storageUsedBytes;
    sites.set(s.teamId, tenant);
    if (s.vpsId === null) continue;
    const key = `${s.vpsId}:${s.teamId}`;
    const pair = serverSites.get(key) ?? { sites: 0, bytes: 0 };
    pair.sites++;
    pair.bytes += s.storageUsedBytes;
    serverSites.set(key, pair);
  }

  const progress = new SingleBar({
    format: 'usage rows {bar} {percentage}% {value}/{total}',
    stream: process.stderr,
  });
  const totalRows = dataset.scale.bandwidthRows + dataset.scale.emailRows;
  progress.start(totalRows, 0);
  let done = 0;
  const tick = () => {
    if (++done % 100_000 === 0) progress.update(done);
  };
  const egress30 = new Map<number | null, number>();
  const ingress30 = new Map<number | null, number>();
  const egressMtd = new Map<number | null, number>();
  for (const b of bandwidthRows(dataset)) {
    tick();
    if (b.day < p.scan_start || b.day > p.today) continue;
    const tenant = siteTeam.get(b.siteId) ?? null;
    if (b.day >= p.window_start) {
      inc(egress30, tenant, b.bytesOut);
      inc(ingress30, tenant, b.bytesIn);
    }
    if (b.day >= p.month_start) inc(egressMtd, tenant, b.bytesOut);
  }
  const windowStartMs = Date.parse(`${p.window_start}T00:00:00Z`);
  const tomorrowMs = Date.parse(`${p.today}T00:00:00Z`) + 86_400_000;
  const email = new Map<string, { sent30: number; sentMtd: number }>();
  for (const e of emailRows(dataset)) {
    tick();
    if (e.sentAt >= tomorrowMs) continue;
    const key = `${e.teamId}:${e.type}`;
    const entry = email.get(key) ?? { sent30: 0, sentMtd: 0 };
    if (e.sentAt >= windowStartMs) entry.sent30++;
    if (e.sentAt >= monthStartMs) entry.sentMtd++;
    if (entry.sent30 + entry.sentMtd > 0) email.set(key, entry);
  }
  progress.update(totalRows);
  progress.stop();

  return {
    tenants: dataset.teams
      .filter((team) => exists(team.deletedAt))
      .map((team) => ({ tenant_id: String(team.id), plan: team.plan, name: team.name })),
    subscriptions: [...subscriptions].map(([team, cents]) => ({
      tenant_id: String(team),
      revenue_monthly: `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`,
      rejected: null,
    })),
    servers: dataset.servers
      .filter((s) => s.deletedAt === null || s.deletedAt >= monthStartMs)
      .map((s) => ({
        server_id: String(s.id),
        tenant_id: s.teamId === null ? null : String(s.teamId),
        provider: s.provider,
        size: s.size,
        disk_gb: s.diskGb,
        max_sites: s.maxSites,
        status: s.status,
        created_at: sqlTime(s.createdAt),
        deleted_at: s.deletedAt === null ? null : sqlTime(s.deletedAt),
      })),
    sites: [...sites].map(([team, v]) => ({
      tenant_id: String(team),
      sites: v.sites,
      storage_used_bytes: String(v.bytes),
      rejected: null,
    })),
    server_sites: [...serverSites].map(([key, v]) => {
      const [server, team] = key.split(':');
      return { server_id: server, tenant_id: team, sites: v.sites, storage_used_bytes: String(v.bytes) };
    }),
    bandwidth: [...egress30.keys()].map((tenant) => ({
      tenant_id: tenant === null ? null : String(tenant),
      egress_30d: String(egress30.get(tenant) ?? 0),
      ingress_30d: String(ingress30.get(tenant) ?? 0),
      egress_mtd: String(egressMtd.get(tenant) ?? 0),
    })),
    email: [...email].map(([key, v]) => {
      const [team, type] = key.split(':');
      return { tenant_id: team, type, sent_30d: String(v.sent30), sent_mtd: String(v.sentMtd) };
    }),
    database_size: [{ bytes: String(Math.round(dataset.sites.length * 25_000)) }],
  };
}

/**
 * Every figure of a report as text (amounts in whole units, whatever number type holds them), without
 * the parts added since the decimal.js model (rejections, orphaned opportunities), so that the two
 * implementations can be compared.
 */
function digest(report: CostReport): string {
  const comparable = {
    ...report,
    rejections: undefined,
    opportunities: report.opportunities.filter((o) => !o.kind.startsWith('orphaned')),
  };
  const text = JSON.stringify(comparable, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Map) return [...value.entries()];
    if (value !== null && typeof value === 'object' && 'toFixed' in value && 'isZero' in value)
      return (value as { toFixed(): string }).toFixed();
    return value;
  });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function main() {
  if (process.argv.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  const scale = option('scale', 'medium');
  if (!isScaleName(scale)) throw new Error(`--scale: expected one of ${SCALE_NAMES.join(', ')}`);
  const runs = Number(option('runs', '5'));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs: expected a positive integer');
  // a fixed clock: the same data set and figures on every run of the script
  const now = new Date('2026-03-15T12:00:00Z');
  const cache = option('rows-cache', '');
  let raw: Record<string, Raw[]>;
  if (cache && fs.existsSync(cache))
    raw = JSON.parse(fs.readFileSync(cache, 'utf8')) as Record<string, Raw[]>;
  else {
    raw = sourceRows(scale, now);
    if (cache) fs.writeFileSync(cache, JSON.stringify(raw));
  }
  // the usage sources return rows per day (usage/ keeps them); the model gets the window's sums
  const integer = (value: unknown) => BigInt(String(value ?? 0));
  // in columns, as the collection hands them to the model
  const usageRows = {
    bandwidth: TrafficTable.from(
      (raw.bandwidth ?? []).map((r) => ({
        tenantId: r.tenant_id === null ? null : String(r.tenant_id),
        egress30d: integer(r.egress_30d),
        ingress30d: integer(r.ingress_30d),
        egressMonthToDate: integer(r.egress_mtd),
      })),
    ),
    email: EmailTable.from(
      (raw.email ?? []).map((r) => ({
        tenantId: String(r.tenant_id),
        type: String(r.type),
        sent30d: integer(r.sent_30d),
        sentMonthToDate: integer(r.sent_mtd),
      })),
    ),
  };
  const snapshot = Object.fromEntries(
    SOURCE_NAMES.map((name) => {
      if (name === 'bandwidth' || name === 'email') return [name, usageRows[name]];
      // held as the source reader holds them (server_sites in columns)
      const definition = SOURCES[name] as SourceDefinition<unknown, RowCollector<unknown>>;
      const rows: RowCollector<unknown> = definition.rows ? definition.rows() : [];
      for (const row of raw[name] ?? []) {
        const parsed = definition.parse(row);
        if (parsed !== undefined) rows.push(parsed);
      }
      return [name, rows];
    }),
  ) as unknown as UsageSnapshot;
  const config = parseConfig({ collection: { tenant_limit: 500 } });
  const counts = SOURCE_NAMES.map((name) => `${name} ${snapshot[name].length}`).join(', ');
  process.stdout.write(`scale ${scale}: snapshot rows: ${counts}\n`);

  const cpu: number[] = [];
  const wall: number[] = [];
  let last = '';
  let report: CostReport | undefined;
  for (let run = 0; run <= runs; run++) {
    const cpuStart = process.cpuUsage();
    const wallStart = process.hrtime.bigint();
    report = buildReport(snapshot, config, now);
    const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9;
    const used = process.cpuUsage(cpuStart);
    const cpuSeconds = (used.user + used.system) / 1e6;
    last = digest(report);
    if (run === 0) continue; // warm-up
    cpu.push(cpuSeconds);
    wall.push(wallSeconds);
    process.stdout.write(
      `run ${run}: model CPU ${cpuSeconds.toFixed(3)} s, wall ${wallSeconds.toFixed(3)} s\n`,
    );
  }
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const med = (values: number[]) => sorted(values)[Math.floor(values.length / 2)] as number;
  const orphaned = (kind: string) => report?.opportunities.filter((o) => o.kind === kind).length ?? 0;
  process.stdout.write(
    `opportunities: orphaned_server ${orphaned('orphaned_server')}, orphaned_sites ${orphaned('orphaned_sites')}\n`,
  );
  process.stdout.write(
    `model CPU: min ${Math.min(...cpu).toFixed(3)} s, median ${med(cpu).toFixed(3)} s; wall median ${med(wall).toFixed(3)} s; figures digest ${last}\n`,
  );
}

main();
