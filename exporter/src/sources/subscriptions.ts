import type { Decimal } from '../decimal';
import { rowGuard, type SourceDefinition } from './source';
import { id, quantity } from './values';

export interface RevenueRow {
  tenantId: string;
  revenueMonthly: Decimal;
}

/** Active subscription revenue per tenant (status 'active' and not ended). */
export const subscriptionsSource: SourceDefinition<RevenueRow> = {
  name: 'subscriptions',
  sql: `SELECT team_id AS tenant_id, SUM(amount_monthly) AS revenue_monthly
FROM subscriptions
WHERE status = 'active' AND (ended_at IS NULL OR ended_at > :now)
GROUP BY team_id`,
  columns: ['tenant_id', 'revenue_monthly'],
  parse: rowGuard<RevenueRow>({
    tenantId: (r) => id(r.tenant_id),
    revenueMonthly: (r) => quantity(r.revenue_monthly),
  }),
};
