import type Mail from 'nodemailer/lib/mailer';
import type { ReportDefinition } from '../config/schema';
import type { ReportModel } from '../model/types';
import { createFormatter, statusText } from '../render/format';

export interface ReportFile {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

/** Replaces {title}, {period} and {report}; other braces are left as they are. */
export function fillPlaceholders(template: string, model: ReportModel): string {
  const values: Record<string, string> = {
    title: model.title,
    period: model.period.label,
    report: model.reportName,
  };
  return template.replace(/\{(title|period|report)\}/g, (_, name: string) => values[name]!);
}

/** The few lines a manager reads in the mail itself, before opening the PDF. */
export function headlineLines(model: ReportModel): string[] {
  const f = createFormatter(model.locale, model.currency, model.timeZone);
  const s = model.summary;
  const lines = [
    `Status: ${statusText[s.status] ?? s.status}`,
    `Spend in the period: ${f.money(s.spend)}` +
      (s.periodBudget !== null ? ` (budget for the period ${f.money(s.periodBudget)})` : ''),
  ];
  if (s.forecast !== null)
    lines.push(
      `Month-end forecast: ${f.money(s.forecast)}` +
        (s.forecastVariance !== null ? ` (${f.signedMoney(s.forecastVariance)} vs budget)` : ''),
    );
  if (model.optimizations.count > 0)
    lines.push(
      `Savings identified: ${f.money(model.optimizations.total)} per month (${model.optimizations.count} opportunities)`,
    );
  for (const warning of model.warnings) lines.push(`Note: ${warning}`);
  return lines;
}

export interface ComposeOptions {
  readonly from: string;
  /** Overrides the definition's recipients (previews). */
  readonly to?: readonly string[];
  readonly preview?: boolean;
}

export function composeMessage(
  report: ReportDefinition,
  model: ReportModel,
  files: readonly ReportFile[],
  options: ComposeOptions,
): Mail.Options {
  const subject = fillPlaceholders(report.subject, model);
  const to = options.to ?? report.recipients;
  const body = [fillPlaceholders(report.message, model), '', ...headlineLines(model)].join('\n');
  return {
    from: options.from,
    to: [...to],
    ...(options.to === undefined && report.cc.length > 0 ? { cc: [...report.cc] } : {}),
    ...(report.reply_to !== undefined ? { replyTo: report.reply_to } : {}),
    subject: options.preview ? `[Preview] ${subject}` : subject,
    text: `${body}\n`,
    attachments: files.map((file) => ({
      filename: file.filename,
      content: file.content,
      contentType: file.contentType,
    })),
    headers: { 'X-Chom-Report': `${model.reportName}; period=${model.period.key}` },
  };
}
