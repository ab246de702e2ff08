import type { LoadedDefinitions } from './config/load';
import { resolveLogo } from './config/load';
import type { ReportDefinition } from './config/schema';
import { gatherReportData } from './data/gather';
import { planQueries } from './data/plan';
import { PrometheusClient } from './data/prometheus';
import type { ReportFile } from './delivery/message';
import { buildReportModel } from './model/build';
import type { ReportModel } from './model/types';
import { renderCsv } from './render/csv';
import { renderPdf } from './render/pdf';
import type { Period } from './schedule/period';
import { scheduleOf } from './schedule/runs';

export interface ProducedReport {
  readonly model: ReportModel;
  readonly files: readonly ReportFile[];
}

export interface ProduceOptions {
  /** The report clock: what "now" is for the queries and the "generated" line. */
  readonly now: Date;
  readonly client?: PrometheusClient;
  readonly onProgress?: (done: number, total: number) => void;
}

export const reportFileName = (report: ReportDefinition, period: Period, extension: string) =>
  `${report.name}-${period.key}.${extension}`;

/** Queries Prometheus for a period and renders the report's attachments. */
export async function produceReport(
  definitions: LoadedDefinitions,
  report: ReportDefinition,
  period: Period,
  options: ProduceOptions,
): Promise<ProducedReport> {
  const settings = definitions.settings;
  const client =
    options.client ?? new PrometheusClient(settings.prometheus.url, settings.prometheus.timeout_ms);
  const plan = planQueries(period, {
    lookback: settings.prometheus.lookback,
    now: options.now,
    ...(report.tenants ? { tenants: report.tenants } : {}),
  });
  const data = await gatherReportData(client, plan, options.onProgress);
  const logoFile = resolveLogo(definitions, report);
  const model = buildReportModel({
    plan,
    data,
    report: {
      name: report.name,
      title: report.branding.title,
      color: report.branding.color,
      orientation: report.orientation,
      ...(logoFile !== undefined ? { logoFile } : {}),
      ...(report.tenants ? { tenants: report.tenants } : {}),
      topTenants: report.top_tenants,
    },
    ...(settings.currency.code !== undefined ? { currencyOverride: settings.currency.code } : {}),
    locale: settings.currency.locale,
    timeZone: scheduleOf(report, settings.time_zone).timeZone,
    generatedAt: options.now,
  });
  const files: ReportFile[] = [];
  if (report.attachments.includes('pdf')) {
    files.push({
      filename: reportFileName(report, period, 'pdf'),
      contentType: 'application/pdf',
      content: await renderPdf(model),
    });
  }
  if (report.attachments.includes('csv')) {
    files.push({
      filename: reportFileName(report, period, 'csv'),
      contentType: 'text/csv; charset=utf-8',
      content: Buffer.from(renderCsv(model), 'utf8'),
    });
  }
  return { model, files };
}
