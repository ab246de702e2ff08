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

const ACTIVE = `status = 'active' AND (ended_at IS NULL OR ended_at > :now)`;
const allPlausible = 'g.smallest >= 0 AND g.largest <= :max_monthly_revenue';
/** The active subscriptions of group `g`, read again only when one of them is implausible. */
const subscriptionsOfGroup = `FROM subscriptions s
      WHERE s.team_id = g.tenant_id AND s.status = 'active' AND (s.ended_at IS NULL OR s.ended_at > :now)`;

/** Active subscription revenue per tenant (status 'active' and not ended), without implausible amounts. */
export const subscriptionsSource: SourceDefinition<RevenueRow> = {
  name: 'subscriptions',
  sql: `SELECT g.tenant_id,
  IF(${allPlausible}, g.revenue_monthly,
    (SELECT COALESCE(SUM(s.amount_monthly), 0) ${subscriptionsOfGroup}
      AND s.amount_monthly BETWEEN 0 AND :max_monthly_revenue)) AS revenue_monthly,
  IF(${allPlausible}, NULL,
    (SELECT GROUP_CONCAT(CONCAT(s.id, ':', IF(s.amount_monthly < 0, 'negative', 'revenue_above_limit')))
      ${subscriptionsOfGroup} AND (s.amount_monthly < 0 OR s.amount_monthly > :max_monthly_revenue))) AS rejected
FROM (
  SELECT team_id AS tenant_id, SUM(amount_monthly) AS revenue_monthly,
    MIN(amount_monthly) AS smallest, MAX(amount_monthly) AS largest
  FROM subscriptions
  WHERE ${ACTIVE}
  GROUP BY team_id
) g`,
  columns: ['tenant_id', 'revenue_monthly'],
  parse: rowGuard<RevenueRow>({
    tenantId: (r) => id(r.tenant_id),
    revenueMonthly: (r) => amount(r.revenue_monthly),
    rejected: (r) => rejectedRows(r.rejected),
  }),
};
