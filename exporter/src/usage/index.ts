import { compareIds, compareText } from '../model/money';
import type { DailyUsage } from '../model/daily-usage';
import { emailCountRejection, type PlausibilityBounds } from '../plausibility';
import type { EmailDayRow } from '../sources/email';
import { EmailTable, TrafficTable } from '../model/usage';
import { addDays, scanRange } from '../sources/params';
import type { RejectedRow } from '../plausibility/rejections';
import { type DayBatch, type KeySums } from './day-table';
import { BandwidthSums } from './bandwidth-sums';
import { SiteTenants } from './site-tenants';
import { sumRanges, UsageDays } from './usage-days';
import { SumColumn } from '../model/sum-column';

export { incrementalRange, UsageDays, type ReadPlan } from './usage-days';
export { UNREADABLE_TENANT, type SiteTenants } from './site-tenants';
export type { KeyIndex } from './day-table';
export type { DayBatch } from './day-table';

/**
 * The usage sources' day tables and what the cost model reads from them: per tenant, the 30-day
 * window and month-to-date sums (exact), and the fleet's usage per day (DailyUsage).
 */

const BYTES_OUT = 0;
const BYTES_IN = 1;
const SENT = 0;
/** bandwidth keys: the tenant ID, '' for traffic of sites missing from the sites table */
const NO_TENANT = '';
const SEPARATOR = '\u0000';

export function bandwidthDays(): UsageDays {
  return new UsageDays(2);
}

/** The tenant and the type of an e-mail key (tenant, separator, type). */
const tenantOfEmailKey = (key: string) => key.slice(0, key.indexOf(SEPARATOR));
const typeOfEmailKey = (key: string) => key.slice(key.indexOf(SEPARATOR) + 1);

/**
 * E-mail per day, tenant and type; a tenant's day above the bound (all types together) is left out.
 * The screen sums by tenant number (each key's tenant is worked out once, not once per day).
 */
export function emailDays(bounds: PlausibilityBounds): UsageDays {
  return new UsageDays(1, typeOfEmailKey, (day, rows, keys) => {
    const { names: tenants, ofKey } = keys.groups(tenantOfEmailKey);
    const sent = new SumColumn(tenants.length);
    const seen: number[] = [];
    const tenantOfRow = (r: number) => ofKey[rows.key(r)] as number;
    const present = new Uint8Array(tenants.length);
    for (let r = 0; r < rows.count; r++) {
      const t = tenantOfRow(r);
      if (!present[t]) {
        present[t] = 1;
        seen.push(t);
      }
      sent.add(t, rows.amount(r, SENT));
    }
    const rejectedTenant = new Uint8Array(tenants.length);
    const rejected: RejectedRow[] = [];
    for (const t of seen) {
      const reason = emailCountRejection(sent.get(t), bounds);
      if (reason) {
        rejectedTenant[t] = 1;
        rejected.push({ id: `${tenants[t] as string}@${day}`, reason });
      }
    }
    const drop = new Set<number>();
    if (rejected.length > 0)
      for (let r = 0; r < rows.count; r++) if (rejectedTenant[tenantOfRow(r)]) drop.add(r);
    return { drop, rejected };
  });
}

/** Sums the raw site-days of one bandwidth read per day and tenant into `batch` (flush at the end). */
export function bandwidthSums(batch: DayBatch, bounds: PlausibilityBounds): BandwidthSums {
  return new BandwidthSums(batch, bounds, NO_TENANT);
}

/** Every site's tenant key in `batch` (for site-days read without their tenant). */
export function siteTenants(batch: DayBatch, expectedLength: number): SiteTenants {
  return new SiteTenants(batch.keys, NO_TENANT, expectedLength);
}

export function addEmailRow(batch: DayBatch, row: EmailDayRow): void {
  batch.add(row.day, `${row.tenantId}${SEPARATOR}${row.type}`, [row.sent]);
}

/** The keys of the rows of a usage table: those present in either range, in `order`. */
function presentKeys(
  days: UsageDays,
  window: KeySums,
  month: KeySums,
  order: (a: number, b: number) => number,
) {
  const keys: number[] = [];
  for (let k = 0; k < days.keyCount; k++) if (window.present[k] || month.present[k]) keys.push(k);
  // the order of the rows must not depend on when a key was first seen
  return keys.sort(order);
}

/** Per tenant: egress and ingress over the 30-day window, egress since the 1st. */
export function bandwidthRows(days: UsageDays, now: Date): TrafficTable {
  const { window, month } = sumRanges(now);
  const egress30d = days.sum(BYTES_OUT, window);
  const ingress30d = days.sum(BYTES_IN, window);
  const egressMtd = days.sum(BYTES_OUT, month);
  const keys = presentKeys(days, egress30d, egressMtd, (a, b) => compareIds(days.key(a), days.key(b)));
  const table = new TrafficTable(keys.length);
  for (const k of keys) {
    const key = days.key(k);
    table.push(key === NO_TENANT ? null : key, egress30d.get(k), ingress30d.get(k), egressMtd.get(k));
  }
  table.rejected = days.rejected(scanRange(now));
  return table;
}

/** Per tenant and type: messages over the 30-day window and since the 1st. */
export function emailRows(days: UsageDays, now: Date): EmailTable {
  const { window, month } = sumRanges(now);
  const sent30d = days.sum(SENT, window);
  const sentMtd = days.sum(SENT, month);
  // each tenant's and type's string once, not once per row
  const tenants = days.keyGroups(tenantOfEmailKey);
  const types = days.keyGroups(typeOfEmailKey);
  const tenantOf = (k: number) => tenants.names[tenants.ofKey[k] as number] as string;
  const typeOf = (k: number) => types.names[types.ofKey[k] as number] as string;
  const keys = presentKeys(
    days,
    sent30d,
    sentMtd,
    (a, b) => compareIds(tenantOf(a), tenantOf(b)) || compareText(typeOf(a), typeOf(b)),
  );
  const table = new EmailTable(keys.length);
  for (const k of keys) table.push(tenantOf(k), typeOf(k), sent30d.get(k), sentMtd.get(k));
  table.rejected = days.rejected(scanRange(now));
  return table;
}

/** The fleet's usage on each day of the scan (oldest first, today last). */
export function dailyUsage(bandwidth: UsageDays, email: UsageDays, now: Date): DailyUsage {
  const scan = scanRange(now);
  const days: string[] = [];
  for (let day = scan.from; day <= scan.to; day = addDays(day, 1)) days.push(day);
  const types = email.groups();
  return {
    days,
    egressBytes: days.map((d) => Number(bandwidth.dayTotal(d, '', BYTES_OUT))),
    ingressBytes: days.map((d) => Number(bandwidth.dayTotal(d, '', BYTES_IN))),
    emails: Object.fromEntries(types.map((t) => [t, days.map((d) => Number(email.dayTotal(d, t, SENT)))])),
  };
}

/** Both sources' serialized day tables in one buffer: the bandwidth part's length, then the two parts. */
export function packUsageState(bandwidth: Buffer, email: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bandwidth.length);
  return Buffer.concat([length, bandwidth, email]);
}

export function unpackUsageState(state: Buffer): { bandwidth: Buffer; email: Buffer } {
  const length = state.length >= 4 ? state.readUInt32LE(0) : Number.POSITIVE_INFINITY;
  if (4 + length > state.length) throw new Error('usage state: cut short');
  return { bandwidth: state.subarray(4, 4 + length), email: state.subarray(4 + length) };
}
