import type { Money } from '../model/money';
import type { RejectedRow } from '../plausibility/rejections';
import { rowGuard, type SourceDefinition } from './source';
import { amount, id, rejectedRows } from './values';

export interface RevenueRow {
  tenantId: string;
  /** Σ of the plausible amounts, exact, in model money units */
  revenueMonthly: Money;
  /** subscriptions whose amount_monthly is negative or above plausibility.max_monthly_revenue */
  rejected?: RejectedRow[];
}

/** Active subscription revenue per tenant (status 'active' and not ended), without implausible amounts. */
export const subscriptionsSource: SourceDefinition<RevenueRow> = {
  name: 'subscriptions',
  sql: `SELECT r.tenant_id,
  SUM(IF(r.rejection IS NULL, r.amount_monthly, 0)) AS revenue_monthly,
  GROUP_CONCAT(CONCAT(r.id, ':', r.rejection)) AS rejected
FROM (
  SELECT id, team_id AS tenant_id, amount_monthly,
    CASE
      WHEN amount_monthly < 0 THEN 'negative'
      WHEN amount_monthly > :max_monthly_revenue THEN 'revenue_above_limit'
    END AS rejection
  FROM subscriptions
  WHERE status = 'active' AND (ended_at IS NULL OR ended_at > :now)
) r
GROUP BY r.tenant_id`,
  columns: ['tenant_id', 'revenue_monthly'],
  parse: rowGuard<RevenueRow>({
    tenantId: (r) => id(r.tenant_id),
    revenueMonthly: (r) => amount(r.revenue_monthly),
    rejected: (r) => rejectedRows(r.rejected),
  }),
};
