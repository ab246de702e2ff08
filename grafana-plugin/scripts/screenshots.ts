// Renders the catalog screenshots (src/img/screenshot-*.png) of the app's table panels from live data:
// the demo database, the real exporter and a real Prometheus with the recording rules (the query
// tests' stack), the panels' own queries and transformations as Grafana runs them
// (test/grafana/prometheusFrames.ts), and every cell formatted and coloured by Grafana's display
// processor (@grafana/data) with the panel's units, thresholds and value mappings. The page around the
// table imitates Grafana's dark theme; headless Chromium takes the picture.
//
// Needs MariaDB (CHOM_TEST_MYSQL_URL), prometheus, promtool, prometheus-node-exporter and chromium
// (apt-get install chromium; CHROMIUM_PATH to use another). Run from grafana-plugin/:
//   npx tsx scripts/screenshots.ts [--help]
import '../test/grafana/browserGlobals';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createTheme,
  getDisplayProcessor,
  getFieldDisplayName,
  type DataFrame,
  type Field,
  type FieldConfig,
} from '@grafana/data';
import { DEFAULT_BUDGET_THRESHOLDS } from '../src/constants';
import { capacityPlanningPage } from '../src/panels/capacityPlanning';
import { costAnalysisPage } from '../src/panels/costAnalysis';
import {
  panelTargets,
  panelTransformations,
  thresholdsFor,
  unitFor,
  type DisplayContext,
} from '../src/panels/model';
import type { PageSpec, PanelSpec } from '../src/panels/types';
import { applyTransformations, queryPanel } from '../test/grafana/prometheusFrames';
import { startQueryStack } from '../test/grafana/stack';

const SHOTS: Array<{ file: string; page: PageSpec; key: string; rows: number }> = [
  { file: 'screenshot-cost-per-tenant.png', page: costAnalysisPage, key: 'cost-per-tenant', rows: 12 },
  {
    file: 'screenshot-optimization-opportunities.png',
    page: costAnalysisPage,
    key: 'optimization-opportunities',
    rows: 12,
  },
  {
    file: 'screenshot-scaling-recommendations.png',
    page: capacityPlanningPage,
    key: 'scaling-recommendations',
    rows: 12,
  },
];
const DISPLAY: DisplayContext = { currency: 'EUR', budgetThresholds: DEFAULT_BUDGET_THRESHOLDS };
const theme = createTheme({ colors: { mode: 'dark' } });

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The field config the panel's overrides give a column (units, thresholds, mappings). */
function columnConfig(spec: PanelSpec, name: string): FieldConfig {
  const label = spec.labelColumns?.find((l) => l.name === name);
  if (label) {
    return { mappings: label.mappings };
  }
  const column = spec.columns?.find((c) => c.name === name);
  if (!column) {
    return {};
  }
  return {
    unit: unitFor(column.unit, DISPLAY),
    mappings: column.mappings,
    ...(column.thresholds
      ? { thresholds: thresholdsFor(column.thresholds, DISPLAY), color: { mode: 'thresholds' } }
      : {}),
  };
}

function cell(field: Field, config: FieldConfig, value: unknown, colored: boolean) {
  const display = getDisplayProcessor({ field: { ...field, config }, theme })(value);
  const text = `${display.prefix ?? ''}${display.text}${display.suffix ?? ''}`;
  const color = colored || config.mappings ? display.color : undefined;
  return `<td style="${color ? `color:${color}` : ''}">${escape(text)}</td>`;
}

function html(spec: PanelSpec, table: DataFrame, rows: number): string {
  const names = table.fields.map((f) => getFieldDisplayName(f, table));
  let order = [...Array(table.length).keys()];
  const sortIndex = spec.sortBy ? names.indexOf(spec.sortBy) : -1;
  if (sortIndex >= 0) {
    const values = table.fields[sortIndex]!.values;
    order.sort(
      (a, b) => (spec.sortAscending ? 1 : -1) * ((values[a] ?? -Infinity) - (values[b] ?? -Infinity)),
    );
  }
  order = order.slice(0, rows);
  const configs = names.map((name) => columnConfig(spec, name));
  const body = order
    .map(
      (row) =>
        `<tr>${table.fields
          .map((field, c) =>
            cell(
              field,
              configs[c]!,
              field.values[row],
              Boolean(spec.columns?.find((x) => x.name === names[c])?.thresholds),
            ),
          )
          .join('')}</tr>`,
    )
    .join('\n');
  const c = theme.colors;
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; background: ${c.background.canvas}; font: 14px Inter, "Helvetica Neue", Arial, sans-serif; color: ${c.text.primary}; }
  .panel { margin: 16px; background: ${c.background.primary}; border: 1px solid ${c.border.weak}; border-radius: 2px; }
  .title { padding: 8px 12px; font-weight: 500; }
  .note { float: right; color: ${c.text.secondary}; font-size: 12px; font-weight: 400; }
  table { width: 100%; border-collapse: collapse; }
  th { text-align: left; color: ${c.text.link}; font-weight: 500; padding: 6px 12px; border-bottom: 1px solid ${c.border.weak}; }
  td { padding: 6px 12px; border-bottom: 1px solid ${c.border.weak}; white-space: nowrap; }
  </style></head><body><div class="panel">
  <div class="title">${escape(spec.title)}<span class="note">CHOM FinOps · demo data</span></div>
  <table><thead><tr>${names.map((n) => `<th>${escape(n)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>
  </div></body></html>`;
}

async function main() {
  if (process.argv.includes('--help')) {
    console.log(
      'usage: tsx scripts/screenshots.ts\nwrites src/img/screenshot-*.png from live demo data (see the header)',
    );
    return;
  }
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) {
    throw new Error(`no Chromium at ${chromium}: apt-get install chromium, or set CHROMIUM_PATH`);
  }
  const stack = await startQueryStack();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'chom-screenshots-'));
  try {
    for (const shot of SHOTS) {
      const spec = shot.page.panels.find((p) => p.key === shot.key)!;
      const to = Math.floor(Date.now() / 1000);
      const frames = await queryPanel(stack.prometheus.url, panelTargets(spec, DISPLAY), {
        from: to - 7 * 86400,
        to,
        variables: { tenant: '.*', tenant_limit: '50' },
      });
      const [table] = await applyTransformations(frames, panelTransformations(spec, DISPLAY));
      const page = path.join(work, `${shot.key}.html`);
      fs.writeFileSync(page, html(spec, table!, shot.rows));
      const height = 16 + 38 + 30 + 29 * Math.min(table!.length, shot.rows) + 24;
      const target = path.join(__dirname, '..', 'src', 'img', shot.file);
      execFileSync(
        chromium,
        [
          '--headless=new',
          '--no-sandbox',
          '--disable-gpu',
          '--hide-scrollbars',
          `--screenshot=${target}`,
          `--window-size=1280,${height}`,
          `file://${page}`,
        ],
        { stdio: 'ignore' },
      );
      console.log(`wrote ${path.relative(process.cwd(), target)}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
