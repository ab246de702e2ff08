/**
 * The scenario suite of issue 9: exporter series for each family (steady, step, surge, spikes,
 * exporter trouble, growth near the budget, with capacity shapes alongside) in one backfilled TSDB,
 * the production rules evaluated over them by Prometheus, and the targets table.
 *
 *   npm run scenarios -w alerting -- [--only=steady,surge] [--seed=N] [--help]
 */
import { runScenarios } from '../src/scenarios/suite';
import { checks, targetsTable } from '../src/scenarios/targets';

const HELP = `Usage: npm run scenarios -w alerting -- [--only=NAME,…] [--seed=N]

Generates the scenario families, evaluates the recording and alert rules of rules/ over them in a
real Prometheus and prints the targets table (forecast errors on days 7, 14, 21, alert episodes and
latencies, days-until-full hit rates). Exits 1 when a target is missed.

  --only=NAMES  comma-separated scenario names (default: all)
  --seed=N      other noise draws for the same shapes (default: 0, the draws npm test checks)
  --help        this text`;

function parseArgs(argv: string[]): { only?: string[]; seed?: number } {
  const options: { only?: string[]; seed?: number } = {};
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      console.log(HELP);
      process.exit(0);
    }
    const seed = /^--seed=(\d+)$/.exec(arg);
    if (seed) {
      options.seed = Number(seed[1]);
      continue;
    }
    const m = /^--only=([a-z0-9,-]+)$/.exec(arg);
    if (!m) {
      console.error(`unknown argument "${arg}"\n\n${HELP}`);
      process.exit(2);
    }
    options.only = (m[1] as string).split(',');
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  let done = 0;
  const results = await runScenarios({
    only: options.only,
    seed: options.seed,
    onProgress: (message) => {
      done++;
      process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${message}\n`);
    },
  });
  console.log(targetsTable(results));
  const missed = checks(results).filter((c) => !c.ok);
  console.log(
    `\n${missed.length} target(s) missed; ${done} steps in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  process.exit(missed.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(2);
});
