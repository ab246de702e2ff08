import type { Config } from '../config/schema';
import type { ServerRow } from '../sources';
import { GIB_BYTES, money, MONEY_DECIMALS, MONEY_SCALE, type Money } from './money';

const DECIMAL_UNIT = 10n ** BigInt(MONEY_DECIMALS);

export const SERVER_STATUSES = ['provisioning', 'active', 'stopped', 'decommissioned'] as const;

/** The status as a bounded label value: one of the known statuses or "other". */
export function statusLabel(status: string): string {
  return (SERVER_STATUSES as readonly string[]).includes(status) ? status : 'other';
}

/**
 * The monthly cost of a server of some list price in its status: decommissioned 0, stopped
 * price × `stopped_factor`, anything else (provisioning, active, an unknown status) the full price,
 * so an unexpected status never hides cost.
 */
export function statusPrice(price: Money, status: string, config: Config): Money {
  if (status === 'decommissioned') return 0n;
  if (status === 'stopped') return (price * money(config.pricing.servers.stopped_factor)) / MONEY_SCALE;
  return price;
}

/** Looks up the monthly list price of (provider, size), case-insensitively; unknown sizes get the default. */
export function serverPriceTable(config: Config): (server: ServerRow) => Money {
  const prices = new Map<string, Money>();
  for (const s of config.pricing.servers.sizes) {
    prices.set(`${s.provider.toLowerCase()}\u0000${s.size.toLowerCase()}`, money(s.monthly));
  }
  const fallback = money(config.pricing.servers.default_monthly);
  return (server) =>
    prices.get(`${server.provider.toLowerCase()}\u0000${server.size.toLowerCase()}`) ?? fallback;
}

/** Money units per byte of a price per GiB: exact, since a unit is 1/(10^30 × 2^30). */
export function perByte(pricePerGib: number): Money {
  return money(pricePerGib) / GIB_BYTES;
}

/** Price of one message of a type, in money units (per 1,000 / 1,000). */
export function emailPrice(config: Config): (type: string) => Money {
  const perThousand = new Map(
    Object.entries(config.pricing.email.per_1000).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const fallback = config.pricing.email.default_per_1000;
  const perMessage = new Map<string, Money>();
  return (type) => {
    let price = perMessage.get(type);
    if (price === undefined) {
      price = money(perThousand.get(type) ?? fallback) / 1000n;
      perMessage.set(type, price);
    }
    return price;
  };
}

/** Billable egress: the bytes above the monthly allowance, times the price per GiB. */
export function egressCost(egressBytes: bigint, config: Config): Money {
  const { egress_gib, included_gib_month } = config.pricing.bandwidth;
  // (bytes − allowance) in 10^-30 bytes: money(included) is included GiB × 2^30 bytes × 10^30
  const billable = egressBytes * DECIMAL_UNIT - money(included_gib_month);
  return billable <= 0n ? 0n : (billable * perByte(egress_gib)) / DECIMAL_UNIT;
}
