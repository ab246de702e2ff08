/**
 * Forecast accuracy: synthetic cost histories (growth, weekday/weekend, noise, spikes) are
 * backfilled into a real Prometheus, and the month-end forecast rule (chom:cost_month_end:forecast,
 * evaluated by Prometheus from its definition in rules/recording.yml) and alternatives are compared
 * with what each month really cost, on days 3, 7, 14 and 21. Prints MAPE per method and day.
 *
 *   npm run forecast-accuracy -w alerting -- [--seeds=3] [--months=6] [--help]
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileAsync, startPrometheus, tempDir } from '@chom/test-support';
import { readRuleFile, recordingRulesFile } from '../src/rule-files';
import { inlineRecordingRules } from '../src/history/inline';
import { toOpenMetrics } from '../src/history/openmetrics';
import { costSamples, monthTotal, usageModel } from '../src/history/synthetic';

const HELP = `Usage: npm run forecast-accuracy -w alerting -- [--seeds=N] [--months=N]

Backfills synthetic cost histories into Prometheus and prints the mean absolute percentage error
(MAPE) of month-end forecasts on days 3, 7, 14 and 21 of each month, for the recording rule and for
alternative methods.

  --seeds=N    number of random histories (default 3)
  --months=N   months per history, after a warm-up month (default 6)
  --help       this text`;

const DAYS = [3, 7, 14, 21];

function parseArgs(argv: string[]): { seeds: number; months: number } {
  const options = { seeds: 3, months: 6 };
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      console.log(HELP);
      process.exit(0);
    }
    const m = /^--(seeds|months)=(\d+)$/.exec(arg);
    if (!m) {
      console.error(`unknown argument "${arg}"\n\n${HELP}`);
      process.exit(2);
    }
    const value = Number(m[2]);
    if (value < 1 || value > 24) {
      console.error(`--${m[1]} must be between 1 and 24`);
      process.exit(2);
    }
    options[m[1] as 'seeds' | 'months'] = value;
  }
  return options;
}

function progress(done: number, total: number, label: string): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}   `);
  if (done === total) process.stderr.write('\n');
}

async function main(): Promise<void> {
  const { seeds, months } = parseArgs(process.argv.slice(2));
  const rules = readRuleFile(recordingRulesFile).groups.flatMap((g) => g.rules);
  const forecastRule = rules.find((r) => r.record === 'chom:cost_month_end:forecast');
  if (!forecastRule) throw new Error('chom:cost_month_end:forecast is not in rules/recording.yml');
  const step = '5m';
  const methods: Record<string, string> = {
    'rule (chom:cost_month_end:forecast)': forecastRule.expr,
    'run-rate projection (MTD / elapsed)': 'chom:cost_month_to_date:sum / chom:month_elapsed:ratio',
    'predict_linear(MTD[7d]) unguarded':
      'predict_linear(chom:cost_month_to_date:sum[7d], scalar(chom:month_remaining:seconds))',
    'predict_linear(MTD[3d]) unguarded':
      'predict_linear(chom:cost_month_to_date:sum[3d], scalar(chom:month_remaining:seconds))',
    'MTD + run-rate x rest of month':
      'chom:cost_month_to_date:sum + chom:cost_monthly:sum * (1 - chom:month_elapsed:ratio)',
  };
  const queries = Object.fromEntries(
    Object.entries(methods).map(([name, expr]) => [name, inlineRecordingRules(expr, rules, step)]),
  );
  const errors: Record<string, Record<number, number[]>> = {};
  const total = seeds * months * DAYS.length;
  let done = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const start = new Date(Date.UTC(2025, 0, 1));
    const end = new Date(Date.UTC(2025, months + 1, 1));
    const model = usageModel({
      start,
      end,
      step: 300,
      seed,
      growthPerMonth: 0.04 + 0.03 * seed,
      noise: 0.15,
      spikeChance: 0.04,
    });
    const work = tempDir('forecast-accuracy');
    try {
      const dataDir = path.join(work.dir, 'data');
      fs.mkdirSync(dataDir);
      const input = path.join(work.dir, 'history.om');
      fs.writeFileSync(input, toOpenMetrics(costSamples(model, { start, end, step: 300 })));
      await execFileAsync(
        'promtool',
        ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=576h', input, dataDir],
        {
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      const prometheus = await startPrometheus({ dataDir, retention: '100y' });
      try {
        // Month 0 is warm-up (30-day usage windows fill up); forecast months 1…months.
        for (let m = 1; m <= months; m++) {
          const monthStart = Date.UTC(2025, m, 1) / 1000;
          const actual = monthTotal(model, monthStart);
          for (const day of DAYS) {
            const at = monthStart + day * 86400;
            for (const [name, query] of Object.entries(queries)) {
              const [sample] = await prometheus.query(query, at);
              if (!sample) throw new Error(`${name}: no result at ${new Date(at * 1000).toISOString()}`);
              const forecast = Number(sample.value[1]);
              ((errors[name] ??= {})[day] ??= []).push(Math.abs(forecast - actual) / actual);
            }
            progress(++done, total, `seed ${seed}, month ${m}, day ${day}`);
          }
        }
      } finally {
        await prometheus.stop();
      }
    } finally {
      work.remove();
    }
  }
  const header = `| method | ${DAYS.map((d) => `day ${d}`).join(' | ')} |`;
  console.log(
    `\nMonth-end forecast MAPE over ${seeds} histories × ${months} months (growth 7–${4 + 3 * seeds} %/month, ±15 % daily noise, 4 % spike days)\n`,
  );
  console.log(header);
  console.log(`|---|${DAYS.map(() => '---:').join('|')}|`);
  for (const [name, byDay] of Object.entries(errors)) {
    const cells = DAYS.map((d) => {
      const list = byDay[d] ?? [];
      return `${((100 * list.reduce((a, b) => a + b, 0)) / list.length).toFixed(2)} %`;
    });
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
