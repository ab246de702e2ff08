import DecimalJs from 'decimal.js';

/**
 * The one Decimal class of the exporter. 40 significant digits: a sum of a million BIGINT maxima
 * (about 1.8e25) times a price with a few decimals stays exact; only true divisions round, far below
 * a cent, and the largest-remainder step settles the cents.
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP });
export type Decimal = InstanceType<typeof Decimal>;

export const ZERO = new Decimal(0);
export const GIB = new Decimal(2).pow(30);
