import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The kinds of reporting period a definition can ask for (see schedule/period.ts). */
export const periodKinds = ['previous_month', 'month_to_date', 'previous_week'] as const;
export type PeriodKind = (typeof periodKinds)[number];

export const emailAddress = z.email({ error: 'must be an e-mail address' });

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const timeZone = z.string().refine(isTimeZone, { error: 'must be an IANA time zone such as Europe/Berlin' });

/** A cron expression with 5 (minute-based) or 6 (with seconds) fields, as croner reads it. */
const cronExpression = z
  .string()
  .trim()
  .refine((value) => [5, 6].includes(value.split(/\s+/).length), {
    error: 'must be a cron expression with 5 or 6 fields, e.g. "0 8 1 * *"',
  });

export const scheduleSchema = z.strictObject({
  cron: cronExpression,
  time_zone: timeZone.optional(),
  /** A run that falls on a Saturday or Sunday moves to the next workday (or the previous one at a month end). */
  workdays_only: z.boolean().default(false),
  /** Run on the last day of each month at the cron's time; the cron's day-of-month field must then be "*". */
  last_day_of_month: z.boolean().default(false),
});

export const brandingSchema = z.strictObject({
  title: z.string().min(1).default('CHOM FinOps'),
  /** A PNG or JPEG file shown in the page header; relative paths are read from the definitions file's folder. */
  logo: z.string().min(1).optional(),
  /** The accent colour of headings and charts. */
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, { error: 'must be a colour like #1f6feb' })
    .default('#1f4e79'),
});

export const reportSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, { error: 'must be lower-case letters, digits, "-" or "_"' }),
  period: z.enum(periodKinds, { error: `must be one of ${periodKinds.join(', ')}` }),
  schedule: scheduleSchema,
  recipients: z.array(emailAddress).min(1, { error: 'needs at least one address' }),
  cc: z.array(emailAddress).default([]),
  reply_to: emailAddress.optional(),
  /** Placeholders: {title}, {period}, {report}. */
  subject: z.string().min(1).default('{title}: cost report {period}'),
  message: z.string().default('Please find attached the cost report for {period}.'),
  attachments: z
    .array(z.enum(['pdf', 'csv'], { error: 'must be pdf or csv' }))
    .min(1, { error: 'needs at least one of pdf, csv' })
    .default(['pdf', 'csv']),
  orientation: z
    .enum(['portrait', 'landscape'], { error: 'must be portrait or landscape' })
    .default('portrait'),
  branding: brandingSchema.default({ title: 'CHOM FinOps', color: '#1f4e79' }),
  /** Only these tenants in the tenant tables (fleet totals stay fleet totals). */
  tenants: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'must be a tenant id' })).optional(),
  /** How many tenants the "top tenants" table lists. */
  top_tenants: z.number().int().min(1).max(100).default(10),
});
export type ReportDefinition = z.infer<typeof reportSchema>;

export const smtpSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** true for implicit TLS (port 465); false uses STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  auth: z
    .strictObject({
      user: z.string().min(1),
      /** The password is read from this file (a mounted secret), never written in the YAML. */
      password_file: z.string().min(1),
    })
    .optional(),
  from: z.string().min(3),
  retries: z.number().int().min(0).max(10).default(4),
  /** First back-off delay; it doubles after each failed attempt. */
  retry_delay_ms: z.number().int().min(0).max(600_000).default(2000),
  timeout_ms: z.number().int().min(1000).default(30_000),
});

export const stateSchema = z
  .strictObject({
    redis_url: z
      .string()
      .regex(/^rediss?:\/\//, { error: 'must start with redis:// or rediss://' })
      .optional(),
    file: z.string().min(1).optional(),
  })
  .refine((s) => s.redis_url !== undefined || s.file !== undefined, {
    error: 'needs redis_url or file',
  });

export const settingsSchema = z.strictObject({
  prometheus: z.strictObject({
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://prometheus:9090' }),
    timeout_ms: z.number().int().min(100).default(30_000),
    /** How far back an instant query looks for the latest sample before a period end. */
    lookback: z
      .string()
      .regex(/^\d+[smhd]$/, { error: 'must be a duration like 1h' })
      .default('1h'),
  }),
  smtp: smtpSchema,
  state: stateSchema,
  currency: z
    .strictObject({
      /** Overrides the exporter's currency (chom_exporter_info{currency}); nothing is converted. */
      code: z
        .string()
        .regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as EUR' })
        .optional(),
      locale: z
        .string()
        .refine(
          (l) => {
            try {
              return Intl.NumberFormat.supportedLocalesOf([l]).length === 1;
            } catch {
              return false;
            }
          },
          { error: 'must be a BCP 47 locale such as de-DE' },
        )
        .default('en-US'),
    })
    .default({ locale: 'en-US' }),
  /** Default time zone of schedules and of dates printed in reports. */
  time_zone: timeZone.default('UTC'),
});
export type Settings = z.infer<typeof settingsSchema>;

export const definitionsFileSchema = z
  .strictObject({
    settings: settingsSchema,
    reports: z.array(reportSchema).min(1, { error: 'needs at least one report' }),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.reports.forEach((report, index) => {
      if (seen.has(report.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['reports', index, 'name'],
          message: `duplicate report name "${report.name}"`,
        });
      }
      seen.add(report.name);
      const dayOfMonth = report.schedule.cron.trim().split(/\s+/).at(-3);
      if (report.schedule.last_day_of_month && dayOfMonth !== '*' && dayOfMonth !== 'L') {
        ctx.addIssue({
          code: 'custom',
          path: ['reports', index, 'schedule', 'cron'],
          message: 'day-of-month must be "*" when last_day_of_month is true',
        });
      }
    });
  });
export type DefinitionsFile = z.infer<typeof definitionsFileSchema>;

/** "reports[0].schedule.cron: must be …" — the field path first, as users read it in their YAML. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const field = issue.path
      .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
      .join('');
    return `${field || '(file)'}: ${issue.message}`;
  });
}

/** Checks that files named in the definitions exist; returns messages naming the field. */
export function checkReferencedFiles(file: DefinitionsFile, baseDir: string): string[] {
  const problems: string[] = [];
  file.reports.forEach((report, index) => {
    if (report.branding.logo !== undefined) {
      const logo = path.resolve(baseDir, report.branding.logo);
      if (!fs.existsSync(logo)) problems.push(`reports[${index}].branding.logo: file not found: ${logo}`);
      else if (!/\.(png|jpe?g)$/i.test(logo))
        problems.push(`reports[${index}].branding.logo: must be a PNG or JPEG file`);
    }
  });
  const auth = file.settings.smtp.auth;
  if (auth && !fs.existsSync(path.resolve(baseDir, auth.password_file))) {
    problems.push(
      `settings.smtp.auth.password_file: file not found: ${path.resolve(baseDir, auth.password_file)}`,
    );
  }
  return problems;
}
