import type { RejectedRow } from '../plausibility/rejections';
import type { Chunking } from './chunks';
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

/**
 * Messages per UTC day, tenant and type over the days of one read ([`:from_ts`, `:to_ts`)) and the
 * rows `:from_email_id` … `:to_email_id` (both included). A full read runs it once per chunk of row
 * IDs, a primary-key range read in key order, so the database groups one chunk's rows at a time in a
 * small in-memory table (grouping the whole window at once needs a temporary table of every day,
 * tenant and type, which goes to disk at scale); a (day, tenant, type) split over two chunks comes
 * back twice and is added up. An incremental read runs it once over all IDs, and the `sent_at` index
 * finds its few days.
 */
export const emailSource: SourceDefinition<EmailDayRow> = {
  name: 'email',
  sql: `SELECT DATE(sent_at) AS day, team_id AS tenant_id, type, COUNT(*) AS sent
FROM email_logs
WHERE sent_at >= :from_ts AND sent_at < :to_ts AND id >= :from_email_id AND id <= :to_email_id
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

/** A full e-mail read goes by chunks of `email_logs` row IDs (primary-key ranges). */
export const EMAIL_CHUNKING: Chunking = {
  ids: 'emails',
  fromParam: 'from_email_id',
  toParam: 'to_email_id',
  nextIdSql: `SELECT MIN(id) AS id FROM email_logs WHERE id >= :from_email_id`,
};
