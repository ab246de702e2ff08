/**
 * Renders docs/sample-report.pdf: the October 2026 report of the test history (test/fixtures/history.ts)
 * in a real Prometheus with the project's recording rules, and prints how long each step took.
 *   npm run sample-report -w reporter [-- --out=FILE --png]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, tempDir } from '@chom/test-support';
import { PrometheusClient } from '../src/data/prometheus';
import { produceReport } from '../src/produce';
import { parsePeriodKey } from '../src/schedule/period';
import { startPrometheusWithHistory } from '../test/fixtures/prometheus-history';
import { testDefinitions } from '../test/helpers';

const HELP = `Usage: npm run sample-report -w reporter -- [--out=FILE] [--png]

Starts Prometheus with the reporter's test history, renders the October 2026 monthly report and
writes it to docs/sample-report.pdf (or --out). --png also writes its pages as PNG next to it
(pdftoppm). Prints the time of each step and the file sizes.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: path.join(repoRoot, 'docs', 'sample-report.pdf') },
      png: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const started = Date.now();
  const prometheus = await startPrometheusWithHistory('EUR', (m) => console.log(`history: ${m}`));
  try {
    const work = tempDir('sample-report');
    // The tests' definitions: de-DE euros, Europe/Berlin, a 6 h lookback for the sparse history.
    const definitions = testDefinitions({
      prometheusUrl: prometheus.url,
      baseDir: work.dir,
      reports: [
        {
          name: 'monthly-management',
          period: 'previous_month',
          schedule: { cron: '0 8 1 * *', workdays_only: true },
          recipients: ['management@example.com'],
          branding: { title: 'CHOM Hosting' },
          top_tenants: 5,
        },
      ],
    });
    const report = definitions.reports[0]!;
    const renderStarted = Date.now();
    const produced = await produceReport(definitions, report, parsePeriodKey('previous_month', '2026-10'), {
      now: new Date('2026-11-02T07:00:00Z'),
      client: new PrometheusClient(prometheus.url),
    });
    const renderMs = Date.now() - renderStarted;
    const pdf = produced.files.find((f) => f.filename.endsWith('.pdf'))!.content;
    fs.writeFileSync(values.out, pdf);
    console.log(`queries + model + PDF + CSV: ${renderMs} ms; PDF ${pdf.length} bytes → ${values.out}`);
    if (values.png) {
      const prefix = values.out.replace(/\.pdf$/, '');
      execFileSync('pdftoppm', ['-png', '-r', '60', values.out, prefix]);
      console.log(`pages: ${prefix}-*.png`);
    }
    work.remove();
  } finally {
    await prometheus.stop();
  }
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
