import { exactDecimal } from '../decimal';
import { money, type Money } from '../model/money';
import { REJECTION_REASONS, type RejectionReason } from '../plausibility/checks';
import type { RejectedRow } from '../plausibility/rejections';

/**
 * Guards for values coming out of the database (or out of an override query). Each returns
 * `undefined` when the value is unusable, which makes the whole row a bad row.
 */

const INTEGER = /^\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/** Whether `text` is one or more ASCII digits (the common case of every numeric column, checked without a regex). */
function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A number the driver read from a BIGINT UNSIGNED column that fits a safe integer. */
export const isWholeNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** A row identifier (BIGINT UNSIGNED), kept as its decimal string. */
export function id(value: unknown): string | undefined {
  if (typeof value === 'string' && isDigits(value) && (value.length === 1 || value.charCodeAt(0) !== 48))
    return value;
  if (typeof value === 'number') return isWholeNumber(value) ? String(value) : undefined;
  if (typeof value === 'bigint') return value >= 0n ? value.toString() : undefined;
  if (typeof value === 'string' && INTEGER.test(value)) return value.replace(/^0+(?=\d)/, '');
  return undefined;
}

/** An identifier that may be NULL. */
export function optionalId(value: unknown): string | null | undefined {
  return value === null || value === undefined ? null : id(value);
}

/**
 * A non-negative whole number (bytes, counts) as a bigint. NULL counts as 0; negative, fractional or
 * non-numeric is bad. Integer text of any length is exact ('18446744073709551615').
 */
export function integer(value: unknown): bigint | undefined {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'bigint') return value >= 0n ? value : undefined;
  if (typeof value === 'number') return isWholeNumber(value) ? BigInt(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (INTEGER.test(text)) return BigInt(text);
  // SUM() of integers can come back as DECIMAL text ('12.0000')
  const m = /^(\d+)\.0*$/.exec(text);
  return m ? BigInt(m[1] as string) : undefined;
}

/** A whole number where NULL means "no limit". */
export function optionalInteger(value: unknown): bigint | null | undefined {
  return value === null || value === undefined ? null : integer(value);
}

/** A non-negative amount of money (DECIMAL), exact, in model money units. NULL counts as 0. */
export function amount(value: unknown): Money | undefined {
  if (value === null || value === undefined) return 0n;
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'string' && DECIMAL.test(value.trim())) text = value.trim();
  else if (typeof value === 'bigint') text = value.toString();
  else return undefined;
  const exact = exactDecimal(text);
  return exact.digits < 0n ? undefined : money(exact);
}

/** A label-like string; NULL or empty becomes `fallback`. */
export function text(value: unknown, fallback = 'unknown'): string {
  if (typeof value === 'string') return value.trim() === '' ? fallback : value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Buffer) return value.toString('utf8') || fallback;
  return fallback;
}

/** A UTC timestamp: Date, 'YYYY-MM-DD[ HH:MM:SS]' (read as UTC) or epoch seconds; NULL stays null. */
export function timestamp(value: unknown): Date | null | undefined {
  if (value === null || value === undefined) return null;
  let date: Date;
  if (value instanceof Date) date = value;
  else if (typeof value === 'number') date = new Date(value * 1000);
  else if (typeof value === 'string') {
    const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?))?/.exec(value);
    if (!m) return undefined;
    // MySQL's zero date means "no value"
    if (m[1] === '0000-00-00') return null;
    date = new Date(`${m[1]}T${m[2] ?? '00:00:00'}Z`);
  } else return undefined;
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * A whole non-negative amount (bytes, messages) read exactly: a number while it is a safe integer,
 * a bigint above 2^53. NULL counts as 0; negative, fractional or non-numeric values are bad.
 */
export function wholeAmount(value: unknown): number | bigint | undefined {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return isWholeNumber(value) ? value : undefined;
  if (typeof value === 'bigint') return value >= 0n ? toExact(value) : undefined;
  if (typeof value !== 'string') return undefined;
  if (value.length < 16 && isDigits(value)) return Number(value);
  const m = /^\s*(\d+)(?:\.0*)?\s*$/.exec(value);
  if (!m) return undefined;
  const digits = m[1] as string;
  return digits.length < 16 ? Number(digits) : toExact(BigInt(digits));
}

const toExact = (value: bigint): number | bigint =>
  value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;

const ISO_DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A UTC day as 'YYYY-MM-DD' (from a DATE, a DATETIME or a Date). */
export function utcDay(value: unknown): string | undefined {
  // the common case, a DATE as text, needs no Date object (hundreds of thousands of rows per full read)
  if (typeof value === 'string' && value.length === 10 && ISO_DAY.test(value) && value !== '0000-00-00')
    return value;
  const date = timestamp(value);
  return date ? date.toISOString().slice(0, 10) : undefined;
}

/** What rejectedRows() gives for no rejected row: one frozen array, not one per row read. */
const NO_REJECTED_ROWS: RejectedRow[] = Object.freeze([]) as unknown as RejectedRow[];

/**
 * The rows a source query rejected on a plausibility bound, listed as 'id:reason,id:reason' (a
 * GROUP_CONCAT); NULL or a missing column is none. A truncated last entry and unknown reasons are
 * dropped.
 */
export function rejectedRows(value: unknown): RejectedRow[] {
  const list = value instanceof Buffer ? value.toString('utf8') : value;
  if (typeof list !== 'string' || list === '') return NO_REJECTED_ROWS;
  const rows: RejectedRow[] = [];
  for (const entry of list.split(',')) {
    const [rowId = '', reason] = entry.split(':');
    // a table without a single-column key names its row by key parts: site ID@day
    const [key = '', part] = rowId.split('@');
    const keyId = id(key);
    const parsedId =
      keyId === undefined
        ? undefined
        : part === undefined
          ? keyId
          : /^\d{4}-\d{2}-\d{2}$/.test(part)
            ? `${keyId}@${part}`
            : undefined;
    if (parsedId !== undefined && (REJECTION_REASONS as readonly string[]).includes(reason ?? ''))
      rows.push({ id: parsedId, reason: reason as RejectionReason });
  }
  return rows;
}
