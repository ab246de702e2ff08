import mysql from 'mysql2';
import { configSchema } from '../config/schema';
import { plausibilityBounds, plausibilityParams, type PlausibilityParams } from '../plausibility/bounds';

/**
 * The named parameters every source query can use (`:name` in the SQL), computed from the clock in
 * UTC. The 30-day window includes today: it starts 29 days before today.
 */
export interface QueryParams extends PlausibilityParams {
  /** the collection time, 'YYYY-MM-DD HH:MM:SS' */
  now: string;
  /** 'YYYY-MM-DD' */
  today: string;
  window_start: string;
  month_start: string;
  /** the earlier of window_start and month_start: one scan serves both aggregates */
  scan_start: string;
  /** the same bounds as timestamps, for TIMESTAMP columns */
  window_start_ts: string;
  month_start_ts: string;
  scan_start_ts: string;
  tomorrow_ts: string;
  /**
   * The days a usage read covers (bandwidth, e-mail), inclusive: the whole scan on a full read, only
   * the most recent days on an incremental one. `from_ts`/`to_ts` are the same range as a half-open
   * timestamp interval [from_ts, to_ts).
   */
  from_day: string;
  to_day: string;
  from_ts: string;
  to_ts: string;
  /**
   * The site IDs a bandwidth read covers, both included (unquoted numbers): one chunk of a full read,
   * every site otherwise.
   */
  from_site: string;
  to_site: string;
  /** The same for the `email_logs` row IDs of an e-mail read. */
  from_email_id: string;
  to_email_id: string;
}

/** A range of IDs (BIGINT UNSIGNED), both ends included. */
export interface IdRange {
  from: bigint;
  to: bigint;
}

/** Every ID. */
export const ALL_IDS: IdRange = { from: 0n, to: 2n ** 64n - 1n };

/** The ID ranges of one chunk of a usage read (each defaults to every ID). */
export interface ChunkIds {
  sites?: IdRange;
  emails?: IdRange;
}

/** The plausibility bounds (plausibility/bounds.ts): numeric literals, inserted unquoted. */
export const NUMERIC_PARAM_NAMES: readonly (keyof PlausibilityParams)[] = [
  'max_site_storage_bytes',
  'storage_over_disk_factor',
  'max_site_day_bytes',
  'max_monthly_revenue',
  'max_disk_gb',
  'max_sites_per_server',
  'max_emails_per_tenant_day',
];

/** Parameters inserted as unquoted numbers. */
const UNQUOTED_PARAM_NAMES: readonly string[] = [
  ...NUMERIC_PARAM_NAMES,
  'from_site',
  'to_site',
  'from_email_id',
  'to_email_id',
];

const DEFAULT_PLAUSIBILITY = plausibilityParams(plausibilityBounds(configSchema.parse({})));

export const PARAM_NAMES: readonly (keyof QueryParams)[] = [
  'now',
  'today',
  'window_start',
  'month_start',
  'scan_start',
  'window_start_ts',
  'month_start_ts',
  'scan_start_ts',
  'tomorrow_ts',
  'from_day',
  'to_day',
  'from_ts',
  'to_ts',
  'from_site',
  'to_site',
  'from_email_id',
  'to_email_id',
  ...NUMERIC_PARAM_NAMES,
];

const DAY_MS = 86_400_000;
export const WINDOW_DAYS = 30;

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const sqlTimestamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** A range of UTC days, both ends included ('YYYY-MM-DD'). */
export interface DayRange {
  from: string;
  to: string;
}

/** The usage days a collection at `now` needs: from the earlier of window and month start to today. */
export function scanRange(now: Date): DayRange {
  const params = queryParams(now);
  return { from: params.scan_start, to: params.today };
}

/** `day` moved by `days` (negative: earlier). */
export function addDays(day: string, days: number): string {
  return isoDay(dayMs(day) + days * DAY_MS);
}

/**
 * The parameters of a collection at `now`, with the plausibility bounds; `range` is the usage read's
 * day range (default: the whole scan, from `scan_start` to today), `ids` the ID ranges of one chunk.
 */
export function queryParams(
  now: Date,
  plausibility: PlausibilityParams = DEFAULT_PLAUSIBILITY,
  range?: DayRange,
  ids: ChunkIds = {},
): QueryParams {
  const sites = ids.sites ?? ALL_IDS;
  const emails = ids.emails ?? ALL_IDS;
  const t = now.getTime();
  const todayMs = Math.floor(t / DAY_MS) * DAY_MS;
  const windowMs = todayMs - (WINDOW_DAYS - 1) * DAY_MS;
  const monthMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const scanMs = Math.min(windowMs, monthMs);
  const fromMs = range ? dayMs(range.from) : scanMs;
  const toMs = range ? dayMs(range.to) : todayMs;
  return {
    now: sqlTimestamp(t),
    today: isoDay(todayMs),
    window_start: isoDay(windowMs),
    month_start: isoDay(monthMs),
    scan_start: isoDay(scanMs),
    window_start_ts: sqlTimestamp(windowMs),
    month_start_ts: sqlTimestamp(monthMs),
    scan_start_ts: sqlTimestamp(scanMs),
    tomorrow_ts: sqlTimestamp(todayMs + DAY_MS),
    from_day: isoDay(fromMs),
    to_day: isoDay(toMs),
    from_ts: sqlTimestamp(fromMs),
    to_ts: sqlTimestamp(toMs + DAY_MS),
    from_site: sites.from.toString(),
    to_site: sites.to.toString(),
    from_email_id: emails.from.toString(),
    to_email_id: emails.to.toString(),
    ...plausibility,
  };
}

const PLACEHOLDER = new RegExp(`:(${PARAM_NAMES.join('|')})\\b`, 'g');

/**
 * Substitutes the `:name` parameters with escaped literals. Only the names above are replaced, so
 * times such as '10:00' in an override stay as they are. The rendered text is what runs, and what the
 * benchmark hands to the mysql client.
 */
export function renderSql(sql: string, params: QueryParams): string {
  return sql.replace(PLACEHOLDER, (_, name: keyof QueryParams) => {
    const value = params[name];
    if (UNQUOTED_PARAM_NAMES.includes(name)) {
      if (!/^\d+(\.\d+)?$/.test(value))
        throw new Error(`parameter :${name} is not a decimal number: ${value}`);
      return value;
    }
    return mysql.escape(value);
  });
}
