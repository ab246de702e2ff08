import type { Decimal } from '../decimal';
import { rowGuard, type SourceDefinition } from './source';
import { id, quantity, text } from './values';

export interface EmailRow {
  tenantId: string;
  type: string;
  sent30d: Decimal;
  sentMonthToDate: Decimal;
}

/** Messages per tenant and type over the trailing 30 days (today included) and since the 1st. */
export const emailSource: SourceDefinition<EmailRow> = {
  name: 'email',
  sql: `SELECT team_id AS tenant_id, type,
  SUM(sent_at >= :window_start_ts) AS sent_30d, SUM(sent_at >= :month_start_ts) AS sent_mtd
FROM email_logs
WHERE sent_at >= :scan_start_ts AND sent_at < :tomorrow_ts
GROUP BY team_id, type`,
  parse: rowGuard<EmailRow>({
    tenantId: (r) => id(r.tenant_id),
    type: (r) => text(r.type).toLowerCase(),
    sent30d: (r) => quantity(r.sent_30d),
    sentMonthToDate: (r) => quantity(r.sent_mtd),
  }),
};
