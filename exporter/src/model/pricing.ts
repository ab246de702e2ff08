import type { Config } from '../config/schema';
import { Decimal, GIB, ZERO } from '../decimal';
import type { ServerRow } from '../sources';

export const SERVER_STATUSES = ['provisioning', 'active', 'stopped', 'decommissioned'] as const;

/** The status as a bounded label value: one of the known statuses or "other". */
export function statusLabel(status: string): string {
  return (SERVER_STATUSES as readonly string[]).includes(status) ? status : 'other';
}

/**
 * The share of its price a server costs in its status: decommissioned 0, stopped `stopped_factor`,
 * anything else (provisioning, active, an unknown status) the full price, so an unexpected status
 * never hides cost.
 */
export function statusFactor(status: string, config: Config): Decimal {
  if (status === 'decommissioned') return ZERO;
  if (status === 'stopped') return new Decimal(config.pricing.servers.stopped_factor);
  return new Decimal(1);
}

/** Looks up the monthly list price of (provider, size), case-insensitively; unknown sizes get the default. */
export function serverPriceTable(config: Config): (server: ServerRow) => Decimal {
  const prices = new Map<string, Decimal>();
  for (const s of config.pricing.servers.sizes) {
    prices.set(`${s.provider.toLowerCase()}\u0000${s.size.toLowerCase()}`, new Decimal(s.monthly));
  }
  const fallback = new Decimal(config.pricing.servers.default_monthly);
  return (server) =>
    prices.get(`${server.provider.toLowerCase()}\u0000${server.size.toLowerCase()}`) ?? fallback;
}

export function bytesToGib(bytes: Decimal): Decimal {
  return bytes.dividedBy(GIB);
}

/** Email price per message of a type. */
export function emailPrice(config: Config): (type: string) => Decimal {
  const perThousand = new Map(
    Object.entries(config.pricing.email.per_1000).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const fallback = config.pricing.email.default_per_1000;
  const perMessage = new Map<string, Decimal>();
  return (type) => {
    let price = perMessage.get(type);
    if (!price) {
      price = new Decimal(perThousand.get(type) ?? fallback).dividedBy(1000);
      perMessage.set(type, price);
    }
    return price;
  };
}

/** Billable egress: the GiB above the monthly allowance, times the price. */
export function egressCost(egressBytes: Decimal, config: Config): Decimal {
  const billableGib = Decimal.max(
    ZERO,
    bytesToGib(egressBytes).minus(config.pricing.bandwidth.included_gib_month),
  );
  return billableGib.times(config.pricing.bandwidth.egress_gib);
}
