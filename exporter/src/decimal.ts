/** Exact decimals: config numbers and DECIMAL columns read as the decimals they are written as. */

/** A decimal number held exactly: `digits` × 10^−`scale` (scale ≥ 0). */
export interface ExactDecimal {
  digits: bigint;
  scale: number;
}

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/**
 * The exact decimal a config number or a database value stands for. A JS number is read through its
 * shortest text form (0.1 is 1/10, not the binary double nearest to it), as a person wrote it.
 */
export function exactDecimal(value: number | string | bigint): ExactDecimal {
  if (typeof value === 'bigint') return { digits: value, scale: 0 };
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new RangeError(`not a finite number: ${value}`);
  const text = String(value).trim();
  const m = DECIMAL_TEXT.exec(text);
  if (!m) throw new RangeError(`not a decimal number: ${text}`);
  const [, sign = '', whole = '0', fraction = '', exponent = '0'] = m;
  let digits = BigInt(sign + whole + fraction);
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits, scale };
}

/** −1, 0 or 1 as a is below, equal to or above b (exactly). */
export function compareExact(a: ExactDecimal, b: ExactDecimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = a.digits * 10n ** BigInt(scale - a.scale);
  const y = b.digits * 10n ** BigInt(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}
