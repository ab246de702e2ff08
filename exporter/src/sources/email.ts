import type { RejectedRow } from '../plausibility/rejections';
import { rowGuard, type SourceDefinition } from './source';
import { id, text, utcDay, wholeAmount } from './values';

/** Messages of one tenant and type over the window, as the cost model reads them. */
export interface EmailRow {
  tenantId: string;
  type: string;
  sent30d: bigint;
  sentMonthToDate: bigint;
  /** tenant-days of the scan above plausibility.max_emails_per_tenant_day (left out), as tenant ID@day */
  rejected?: RejectedRow[];
}

/** Messages of one tenant and type on one UTC day: what the e-mail query returns. */
export interface EmailDayRow {
  day: string;
  tenantId: string;
  type: string;
  sent: number | bigint;
}

/** Messages per UTC day, tenant and type over the days of one read ([`:from_ts`, `:to_ts`)). */
export const emailSource: SourceDefinition<EmailDayRow> = {
  name: 'email',
  sql: `SELECT DATE(sent_at) AS day, team_id AS tenant_id, type, COUNT(*) AS sent
FROM email_logs
WHERE sent_at >= :from_ts AND sent_at < :to_ts
GROUP BY DATE(sent_at), team_id, type
ORDER BY NULL`,
  columns: ['day', 'tenant_id', 'type', 'sent'],
  parse: rowGuard<EmailDayRow>({
    day: (r) => utcDay(r.day),
    tenantId: (r) => id(r.tenant_id),
    type: (r) => text(r.type).toLowerCase(),
    sent: (r) => wholeAmount(r.sent),
  }),
};
