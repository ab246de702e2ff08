import type { UsageSnapshot } from './snapshot';

/** A count or byte total as a source row may hold it: a bigint or a safe integer. */
export type Count = bigint | number;

/** A whole count as a bigint. */
export function toInteger(value: Count): bigint {
  return typeof value === 'bigint' ? value : BigInt(Math.trunc(value));
}

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
  traffic: TrafficInput[];
  email: EmailInput[];
}

/**
 * The usage (bandwidth, e-mail) the model prices, from the snapshot. The one place that knows how
 * the collection hands usage over, so that a new way of reading it (per-day tables) only changes this.
 */
export function usageInputs(snapshot: Pick<UsageSnapshot, 'bandwidth' | 'email'>): UsageInputs {
  return {
    traffic: snapshot.bandwidth.map((r) => ({
      tenantId: r.tenantId,
      egress30d: toInteger(r.egress30d),
      ingress30d: toInteger(r.ingress30d),
      egressMonthToDate: toInteger(r.egressMonthToDate),
    })),
    email: snapshot.email.map((r) => ({
      tenantId: r.tenantId,
      type: r.type,
      sent30d: toInteger(r.sent30d),
      sentMonthToDate: toInteger(r.sentMonthToDate),
    })),
  };
}
