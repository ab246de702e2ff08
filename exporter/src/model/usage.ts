import type { UsageSnapshot } from './snapshot';

/** Traffic of one tenant (null: of sites missing from `sites`) over the window and the month. */
export interface TrafficInput {
  tenantId: string | null;
  egress30d: bigint;
  ingress30d: bigint;
  egressMonthToDate: bigint;
}

/** Messages of one tenant and type over the window and the month. */
export interface EmailInput {
  tenantId: string;
  type: string;
  sent30d: bigint;
  sentMonthToDate: bigint;
}

export interface UsageInputs {
  traffic: readonly TrafficInput[];
  email: readonly EmailInput[];
}

/**
 * The usage (bandwidth, e-mail) the model prices, from the snapshot. The one place that knows how
 * the collection hands usage over, so that a new way of reading it (per-day tables) only changes this.
 * The rows are the sources' own (exact bigints already): not copied, as the model runs on every
 * collection.
 */
export function usageInputs(snapshot: Pick<UsageSnapshot, 'bandwidth' | 'email'>): UsageInputs {
  return { traffic: snapshot.bandwidth, email: snapshot.email };
}
