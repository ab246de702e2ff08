/**
 * Evaluation time of every rule group at medium scale: 35 days of fleet-level history (5-minute
 * samples), per-tenant series for the last 2 hours as the exporter exposes them at medium scale
 * (~10,000 tenants capped at collection.tenant_limit = 500, plus tenant_id="__other__"), and
 * node_exporter series of 50 hosts. The production rule files are loaded with every group evaluated
 * every 10 s; after a few rounds the evaluation time of each group is read from /api/v1/rules.
 *
 *   npm run rule-evaluation-time -w alerting -- [--tenants=500] [--hosts=50] [--help]
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileAsync, startPrometheus, tempDir } from '@chom/test-support';
import { toOpenMetrics } from '../src/history/openmetrics';
import { costSamples, usageModel, type Sample } from '../src/history/synthetic';
import { writeAcceleratedRules } from '../src/test-stack';

const HELP = `Usage: npm run rule-evaluation-time -w alerting -- [--tenants=N] [--hosts=N]

Loads 35 days of synthetic history into Prometheus and prints the evaluation time of each rule group.

  --tenants=N  per-tenant series (default 500, the exporter's default tenant_limit; plus __other__)
  --hosts=N    node_exporter hosts (default 50)
  --help       this text`;

function parseArgs(argv: string[]): { tenants: number; hosts: number } {
  const options = { tenants: 500, hosts: 50 };
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      console.log(HELP);
      process.exit(0);
    }
    const m = /^--(tenants|hosts)=(\d+)$/.exec(arg);
    if (!m || Number(m[2]) < 1) {
      console.error(`invalid argument "${arg}"\n\n${HELP}`);
      process.exit(2);
    }
    options[m[1] as 'tenants' | 'hosts'] = Number(m[2]);
  }
  return options;
}

function history(now: number, tenants: number, hosts: number): Sample[] {
  const step = 300;
  // The history ends now, not later: Prometheus refuses to append anything older than the newest
  // backfilled block ("out of bounds"), so a history reaching into the future would make every
  // recording and alert rule fail to write its result. Every series has a sample at `end` exactly,
  // so the newest samples stay within the 5-minute lookback while the rounds run.
  const end = now;
  const start = end - 35 * 86400;
  const model = usageModel({ start: new Date(start * 1000), end: new Date(end * 1000), step, seed: 1 });
  const samples = costSamples(model, { start: new Date(start * 1000), end: new Date(end * 1000), step });
  const storageBytes = (days: number) => 3e12 + 1e10 * days;
  const databaseBytes = (days: number) => 5e10 + 1e8 * days;
  const capacity = [
    { resource: 'storage', unit: 'bytes', used: storageBytes, limit: 8e12 },
    { resource: 'sites', unit: 'sites', used: (days: number) => 9000 + 10 * Math.floor(days), limit: 15000 },
    { resource: 'database', unit: 'bytes', used: databaseBytes, limit: 2e11 },
  ];
  for (let t = start; t <= end; t += step) {
    const days = (t - start) / 86400;
    for (const c of capacity) {
      const labels = { resource: c.resource, unit: c.unit };
      samples.push({ name: 'chom_capacity_used', labels, t, value: c.used(days) });
      samples.push({ name: 'chom_capacity_limit', labels, t, value: c.limit });
    }
    samples.push({ name: 'chom_database_size_bytes', labels: {}, t, value: databaseBytes(days) });
    samples.push({ name: 'chom_storage_used_bytes', labels: {}, t, value: storageBytes(days) });
    for (let h = 0; h < hosts; h++) {
      const disk = {
        instance: `web-${h}:9100`,
        job: 'node',
        device: '/dev/sda1',
        fstype: 'ext4',
        mountpoint: '/',
      };
      samples.push({
        name: 'node_filesystem_avail_bytes',
        labels: disk,
        t,
        value: 2e11 - 1e8 * days - 1e6 * h,
      });
      samples.push({ name: 'node_filesystem_size_bytes', labels: disk, t, value: 4e11 });
    }
  }
  // The per-tenant and per-CPU series: the last 2 hours, every 30 s.
  const categories = ['compute', 'storage', 'network', 'email'];
  const ids = [...Array.from({ length: tenants }, (_, i) => String(i + 1)), '__other__'];
  for (let t = end - 7200; t <= end; t += 30) {
    for (const id of ids) {
      for (const category of categories) {
        samples.push({
          name: 'chom_tenant_cost_monthly',
          labels: { tenant_id: id, category },
          t,
          value: 1 + ((Number(id) || 3) % 17),
        });
      }
      samples.push({
        name: 'chom_tenant_revenue_monthly',
        labels: { tenant_id: id },
        t,
        value: 10 + ((Number(id) || 5) % 23),
      });
      samples.push({
        name: 'chom_tenant_sites',
        labels: { tenant_id: id },
        t,
        value: 1 + ((Number(id) || 7) % 5),
      });
      samples.push({
        name: 'chom_tenant_servers',
        labels: { tenant_id: id },
        t,
        value: (Number(id) || 1) % 2,
      });
      samples.push({
        name: 'chom_tenant_storage_used_bytes',
        labels: { tenant_id: id },
        t,
        value: 3e8 * (1 + ((Number(id) || 1) % 9)),
      });
      samples.push({ name: 'chom_tenant_info', labels: { tenant_id: id, plan: 'standard' }, t, value: 1 });
    }
    for (let h = 0; h < hosts; h++) {
      const instance = `web-${h}:9100`;
      for (let cpu = 0; cpu < 4; cpu++) {
        for (const [mode, share] of [
          ['idle', 0.6],
          ['iowait', 0.05],
          ['user', 0.3],
          ['system', 0.05],
        ] as const) {
          samples.push({
            name: 'node_cpu_seconds_total',
            labels: { instance, job: 'node', cpu: String(cpu), mode },
            t,
            value: (t - (end - 7200)) * share,
          });
        }
      }
      samples.push({
        name: 'node_memory_MemAvailable_bytes',
        labels: { instance, job: 'node' },
        t,
        value: 6e9,
      });
      samples.push({
        name: 'node_memory_MemTotal_bytes',
        labels: { instance, job: 'node' },
        t,
        value: 1.6e10,
      });
    }
    for (let i = 0; i < 200; i++) {
      samples.push({
        name: 'chom_cost_optimization_savings_monthly',
        labels: { kind: 'idle_server', resource_id: String(i), priority: 'high' },
        t,
        value: 20,
      });
    }
  }
  return samples;
}

async function main(): Promise<void> {
  const { tenants, hosts } = parseArgs(process.argv.slice(2));
  const now = Math.floor(Date.now() / 1000);
  const work = tempDir('rule-evaluation-time');
  try {
    process.stderr.write('generating 35 days of history …\n');
    const samples = history(now, tenants, hosts);
    const dataDir = path.join(work.dir, 'data');
    fs.mkdirSync(dataDir);
    const input = path.join(work.dir, 'history.om');
    fs.writeFileSync(input, toOpenMetrics(samples));
    process.stderr.write(`backfilling ${samples.length.toLocaleString('en')} samples …\n`);
    await execFileAsync(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=576h', input, dataDir],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    fs.rmSync(input);
    const ruleFiles = writeAcceleratedRules(work.dir, { interval: '10s', forDivisor: 1 });
    const prometheus = await startPrometheus({
      dataDir,
      retention: '100y',
      ruleFiles,
      evaluationInterval: '10s',
    });
    try {
      const rounds = 4;
      const worst = new Map<string, number>();
      for (let round = 1; round <= rounds; round++) {
        await new Promise((r) => setTimeout(r, 11_000));
        const data = await prometheus.api<{
          groups: Array<{
            name: string;
            evaluationTime: number;
            rules: Array<{ health: string; lastError?: string; name: string }>;
          }>;
        }>('rules');
        for (const group of data.groups) {
          worst.set(group.name, Math.max(worst.get(group.name) ?? 0, group.evaluationTime));
          for (const rule of group.rules) {
            if (rule.health === 'err') throw new Error(`${group.name}/${rule.name}: ${rule.lastError}`);
          }
        }
        process.stderr.write(`round ${round}/${rounds}\n`);
      }
      const series = await prometheus.query('count({__name__=~"chom_tenant_.*"})');
      console.log(
        `\nRule group evaluation time (worst of ${rounds} rounds), ${series[0]?.value[1]} per-tenant series, ${hosts} hosts, 35 days of history\n`,
      );
      console.log('| group | evaluation time |');
      console.log('|---|---:|');
      for (const [name, seconds] of worst) console.log(`| ${name} | ${(seconds * 1000).toFixed(1)} ms |`);
    } finally {
      await prometheus.stop();
    }
  } finally {
    work.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
