import fs from 'node:fs';
import path from 'node:path';
import PdfPrinter from 'pdfmake';
import type { Content, ContentTable, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces';
import type { CapacityRow, ReportModel } from '../model/types';
import { CHART_FONT, categoryChartSvg, trendChartSvg } from './charts';
import { createFormatter, statusColor, statusText, type Formatter } from './format';

const fontDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

/** DejaVu Sans is embedded (subset) so that every currency symbol (€ £ ¥ ₹ ₽ ₺ …) renders. */
const fonts = {
  [CHART_FONT]: {
    normal: path.join(fontDir, 'DejaVuSans.ttf'),
    bold: path.join(fontDir, 'DejaVuSans-Bold.ttf'),
    italics: path.join(fontDir, 'DejaVuSans-Oblique.ttf'),
    bolditalics: path.join(fontDir, 'DejaVuSans-BoldOblique.ttf'),
  },
};

const MARGIN = 40;
const GREY = '#57606a';

function contentWidth(model: ReportModel): number {
  return (model.orientation === 'landscape' ? 841.89 : 595.28) - 2 * MARGIN;
}

const th = (text: string, alignment: 'left' | 'right' = 'left'): TableCell => ({
  text,
  style: 'th',
  alignment,
});
const td = (text: string, alignment: 'left' | 'right' = 'left'): TableCell => ({ text, alignment });
const num = (text: string): TableCell => td(text, 'right');

function table(
  widths: Array<string | number>,
  header: TableCell[],
  rows: TableCell[][],
  empty: string,
): Content {
  if (rows.length === 0) return { text: empty, style: 'muted', margin: [0, 2, 0, 8] };
  const result: ContentTable = {
    table: { headerRows: 1, keepWithHeaderRows: 1, dontBreakRows: true, widths, body: [header, ...rows] },
    layout: {
      hLineWidth: (i: number, node: ContentTable) =>
        i === 0 || i === 1 || i === node.table.body.length ? 0.8 : 0.3,
      vLineWidth: () => 0,
      hLineColor: () => '#c9d1d9',
      fillColor: (row: number) => (row === 0 ? '#f0f3f6' : null),
      paddingTop: () => 3,
      paddingBottom: () => 3,
    },
    style: 'table',
  };
  return result;
}

function section(title: string, model: ReportModel): Content {
  return { text: title, style: 'h2', color: model.color, headlineLevel: 1 };
}

function summary(model: ReportModel, f: Formatter): Content[] {
  const s = model.summary;
  const rows: Array<[string, string, string?]> = [
    ['Spend in the period', f.money(s.spend)],
    [
      'Budget for the period',
      f.money(s.periodBudget),
      s.monthlyBudget !== null ? `monthly budget ${f.money(s.monthlyBudget)}` : undefined,
    ],
    [
      'Share of monthly budget used',
      f.percent(s.budgetUsedShare),
      `share of month elapsed ${f.percent(s.monthElapsedShare)}`,
    ],
    ['Month-end forecast', f.money(s.forecast), 'as of the period end'],
    ['Forecast vs budget', f.signedMoney(s.forecastVariance), f.signedPercent(s.forecastVarianceShare)],
    ['Exporter projection', f.money(s.projection), 'from daily usage by weekday'],
    [
      `Change vs ${model.previousLabel}`,
      f.signedPercent(s.spendChangeShare),
      `previous spend ${f.money(s.previousSpend)}`,
    ],
  ];
  return [
    {
      text: [
        { text: 'Status: ', bold: true },
        { text: statusText[s.status] ?? s.status, bold: true, color: statusColor[s.status] },
      ],
      fontSize: 13,
      margin: [0, 0, 0, 6],
    },
    table(
      ['*', 'auto', '*'],
      [th('Figure'), th('Value', 'right'), th('Context')],
      rows.map(([label, value, context]) => [
        td(label),
        { text: value, alignment: 'right', bold: true },
        { text: context ?? '', style: 'muted' },
      ]),
      '',
    ),
  ];
}

function capacityValue(row: CapacityRow, value: number | null, f: Formatter): string {
  return row.unit === 'bytes' ? f.bytes(value) : f.number(value);
}

export function buildDocDefinition(model: ReportModel): TDocumentDefinitions {
  const f = createFormatter(model.locale, model.currency, model.timeZone);
  const width = contentWidth(model);
  const content: Content[] = [];

  content.push({ text: `Cost report · ${model.period.label}`, style: 'h1' });
  content.push({
    text:
      `Generated ${f.dateTime(model.generatedAt)} · data as of ${f.dateTime(model.asOf)} · amounts in ${model.currency}` +
      (model.tenantFilter ? ` · tenants: ${model.tenantFilter.join(', ')}` : ''),
    style: 'muted',
    margin: [0, 0, 0, 8],
  });
  for (const warning of model.warnings)
    content.push({ text: `⚠ ${warning}`, color: '#b35900', margin: [0, 0, 0, 4] });

  content.push(section('Summary', model), ...summary(model, f));

  content.push(section('Cost trend vs budget', model));
  const trend = trendChartSvg(model, Math.round(width), 220);
  content.push(
    trend
      ? ({ svg: trend, width, font: CHART_FONT } as Content)
      : { text: 'No trend data in this period.', style: 'muted' },
  );

  content.push(section('Cost by category', model));
  const categoryChart = categoryChartSvg(
    model,
    Math.round(width),
    Math.max(90, 28 * model.categories.length + 40),
  );
  if (categoryChart) content.push({ svg: categoryChart, width, font: CHART_FONT } as Content);
  content.push(
    table(
      ['*', 'auto', 'auto', 'auto', 'auto'],
      [
        th('Category'),
        th('Spend', 'right'),
        th('Share', 'right'),
        th('Run-rate / month', 'right'),
        th('Budget / month', 'right'),
      ],
      [
        ...model.categories.map((c) => [
          td(c.category),
          num(f.money(c.spend)),
          num(f.percent(c.share)),
          num(f.money(c.runRate)),
          num(f.money(c.monthlyBudget)),
        ]),
        [
          { text: 'Total', bold: true },
          { text: f.money(model.summary.spend), bold: true, alignment: 'right' },
          num(f.percent(model.summary.spend > 0 ? 1 : null)),
          num(f.money(model.categories.reduce((s, c) => s + (c.runRate ?? 0), 0))),
          num(f.money(model.summary.monthlyBudget)),
        ],
      ],
      'No cost data in this period.',
    ),
  );

  content.push(section('Top tenants', model));
  content.push({
    text: `Average monthly cost allocated over the period, compared with ${model.previousLabel}; margin = revenue − allocated cost. ${model.tenants.rows.length} of ${model.tenants.count} tenants shown.`,
    style: 'muted',
    margin: [0, 0, 0, 4],
  });
  content.push(
    table(
      ['*', 'auto', 'auto', 'auto', 'auto', 'auto'],
      [
        th('Tenant'),
        th('Cost', 'right'),
        th('Previous', 'right'),
        th('Change', 'right'),
        th('Change %', 'right'),
        th('Margin', 'right'),
      ],
      model.tenants.rows.map((t) => [
        td(t.tenantId),
        num(f.money(t.cost)),
        num(f.money(t.previousCost)),
        num(f.signedMoney(t.change)),
        num(f.signedPercent(t.changeShare)),
        {
          text: f.money(t.margin),
          alignment: 'right',
          color: t.margin !== null && t.margin < 0 ? '#c62828' : undefined,
        },
      ]),
      'No tenant data in this period.',
    ),
  );

  content.push(section('Allocation', model));
  const coverage = model.allocation.coverage;
  content.push({
    text: [
      'Allocation coverage at the period end: ',
      {
        text: f.percent(coverage),
        bold: true,
        color: coverage !== null && coverage < model.allocation.target ? '#c62828' : undefined,
      },
      ` (target ≥ ${f.percent(model.allocation.target, 0)}). Unallocated monthly run-rate: `,
      { text: f.money(model.allocation.unallocatedTotal), bold: true },
      '.',
    ],
    margin: [0, 0, 0, 4],
  });
  content.push(
    table(
      ['*', 'auto', 'auto'],
      [th('Category'), th('Unallocated / month', 'right'), th('Coverage', 'right')],
      model.allocation.unallocated.map((u) => [
        td(u.category),
        num(f.money(u.cost)),
        num(f.percent(u.coverage)),
      ]),
      'All cost is allocated to tenants.',
    ),
  );

  content.push(section('Anomalies and alerts', model));
  content.push({
    text: `Anomalies: hourly costs with a robust z-score |z| ≥ ${model.anomalies.threshold} against the same hour one and two weeks earlier, adjusted for growth.`,
    style: 'muted',
    margin: [0, 0, 0, 4],
  });
  content.push(
    table(
      ['*', 'auto', 'auto'],
      [th('Series'), th('Largest z-score', 'right'), th('At', 'right')],
      model.anomalies.rows.map((a) => [td(a.series), num(f.number(a.z, 1)), num(f.dateTime(a.at))]),
      'No anomalies in this period.',
    ),
  );
  content.push({ text: 'Alerts that fired in the period:', style: 'muted', margin: [0, 4, 0, 4] });
  content.push(
    table(
      ['auto', 'auto', '*', 'auto', 'auto'],
      [th('Alert'), th('Severity'), th('Details'), th('First firing'), th('Firing for', 'right')],
      model.alerts.map((a) => [
        td(a.alertname),
        td(a.severity),
        td(a.detail),
        td(f.dateTime(a.firstSeen)),
        num(f.duration(a.firingSeconds)),
      ]),
      'No alerts fired in this period.',
    ),
  );

  content.push(section('Capacity headroom', model));
  content.push(
    table(
      ['*', 'auto', 'auto', 'auto', 'auto', 'auto'],
      [
        th('Resource'),
        th('Used', 'right'),
        th('Limit', 'right'),
        th('Used %', 'right'),
        th('Headroom', 'right'),
        th('Days until full', 'right'),
      ],
      model.capacity.map((c) => [
        td(c.resource),
        num(capacityValue(c, c.used, f)),
        num(capacityValue(c, c.limit, f)),
        num(f.percent(c.usedShare)),
        num(f.percent(c.headroomShare)),
        num(c.daysUntilFull === null ? 'not growing' : f.number(c.daysUntilFull, 0)),
      ]),
      'No capacity data.',
    ),
  );

  const opportunities = model.optimizations;
  content.push(section('Optimization opportunities', model));
  content.push({
    text: [
      `${opportunities.count} opportunities, estimated savings `,
      { text: `${f.money(opportunities.total)} per month`, bold: true },
      opportunities.count > opportunities.rows.length
        ? ` (largest ${opportunities.rows.length} shown).`
        : '.',
    ],
    margin: [0, 0, 0, 4],
  });
  content.push(
    table(
      ['*', 'auto', 'auto', 'auto'],
      [th('Opportunity'), th('Resource'), th('Priority'), th('Savings / month', 'right')],
      opportunities.rows.map((o) => [td(o.name), td(o.resource), td(o.priority), num(f.money(o.monthly))]),
      'No optimization opportunities.',
    ),
  );
  const shortfalls = opportunities.shortfalls;
  if (shortfalls.count > 0) {
    content.push({
      text: [
        `Negative margin: ${shortfalls.count} ${shortfalls.count === 1 ? 'tenant costs' : 'tenants cost'} more than ${shortfalls.count === 1 ? 'its' : 'their'} revenue, `,
        { text: `${f.money(shortfalls.total)} per month`, bold: true },
        ' in all. A shortfall to recover through pricing, not a saving: it is not part of the savings above',
        shortfalls.count > shortfalls.rows.length ? ` (largest ${shortfalls.rows.length} shown).` : '.',
      ],
      margin: [0, 6, 0, 4],
    });
    content.push(
      table(
        ['*', 'auto', 'auto'],
        [th('Tenant'), th('Priority'), th('Shortfall / month', 'right')],
        shortfalls.rows.map((o) => [td(o.resource), td(o.priority), num(f.money(o.monthly))]),
        '',
      ),
    );
  }

  content.push(section('Data freshness and method', model));
  const fresh = model.freshness;
  content.push({
    ul: [
      fresh.lastSuccess
        ? `Last successful collection by the exporter: ${f.dateTime(fresh.lastSuccess)} (${f.duration(fresh.ageSeconds ?? 0)} before the period end${fresh.stale ? ', stale' : ''}).`
        : 'The exporter reported no successful collection in this period.',
      `Hours of the period with cost data: ${f.percent(fresh.dataCoverage, 0)}.`,
      `Period ${model.period.key}: ${model.period.start.slice(0, 16).replace('T', ' ')} to ${model.period.end.slice(0, 16).replace('T', ' ')} UTC (months and month-to-date figures are UTC, as the exporter accrues them).`,
      'Spend = month-to-date cost (chom:cost_month_to_date:sum_by_category) at the period end, less its value at the period start when the period does not start on the 1st.',
      'Forecast, budget, coverage, capacity and anomaly figures are the Prometheus recording rules of docs/recording-rules.md, read at the period end; tenant figures are averages over the period.',
      `Amounts are in ${model.currency} as configured in the exporter; nothing is converted.`,
    ],
    style: 'muted',
  });

  return {
    pageSize: 'A4',
    pageOrientation: model.orientation,
    pageMargins: [MARGIN, 58, MARGIN, 44],
    info: {
      title: `${model.title}: cost report ${model.period.label}`,
      author: model.title,
      subject: `${model.reportName} ${model.period.key}`,
      creator: 'chom-finops-reporter',
      producer: 'chom-finops-reporter (pdfmake)',
      // Fixed from the report clock so that the same input gives the same bytes (pdfkit derives the file ID from it).
      creationDate: new Date(model.generatedAt),
    },
    header: (): Content => pageHeader(model),
    footer: (currentPage: number, pageCount: number) => ({
      margin: [MARGIN, 14, MARGIN, 0],
      columns: [
        {
          text: `${model.reportName} · ${model.period.key} · generated ${model.generatedAt.slice(0, 10)}`,
          fontSize: 8,
          color: GREY,
        },
        { text: `Page ${currentPage} of ${pageCount}`, alignment: 'right', fontSize: 8, color: GREY },
      ],
    }),
    content: keepSectionsTogether(content),
    defaultStyle: { font: CHART_FONT, fontSize: 9.5, lineHeight: 1.15 },
    styles: {
      h1: { fontSize: 18, bold: true, margin: [0, 0, 0, 2] },
      h2: { fontSize: 13, bold: true, margin: [0, 12, 0, 5] },
      th: { bold: true, fontSize: 9 },
      muted: { color: GREY, fontSize: 8.5 },
      table: { margin: [0, 0, 0, 6] },
    },
  };
}

function pageHeader(model: ReportModel): Content {
  const columns: Content[] = [];
  if (model.logoFile) {
    const type = /\.png$/i.test(model.logoFile) ? 'png' : 'jpeg';
    const image = `data:image/${type};base64,${fs.readFileSync(model.logoFile).toString('base64')}`;
    columns.push({ image, fit: [90, 26], margin: [0, 0, 8, 0] });
  }
  columns.push({ text: model.title, bold: true, fontSize: 12, color: model.color, margin: [0, 6, 0, 0] });
  columns.push({ text: model.period.label, alignment: 'right', color: GREY, margin: [0, 7, 0, 0] });
  return { margin: [MARGIN, 18, MARGIN, 0], columns };
}

/**
 * Groups each section title with what follows it up to the next title, unbreakable, so that a title or
 * a table header never ends a page alone. (A section longer than a page is still split by pdfmake.)
 */
export function keepSectionsTogether(content: Content[]): Content[] {
  const result: Content[] = [];
  let group: Content[] | null = null;
  for (const node of content) {
    if ((node as { headlineLevel?: number }).headlineLevel === 1) {
      group = [node];
      result.push({ stack: group, unbreakable: true });
    } else if (group) group.push(node);
    else result.push(node);
  }
  return result;
}

/** Renders the report model to PDF bytes. Same model, same bytes. */
export function renderPdf(model: ReportModel): Promise<Buffer> {
  const printer = new PdfPrinter(fonts);
  const doc = printer.createPdfKitDocument(buildDocDefinition(model));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
