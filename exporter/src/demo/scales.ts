/** Row counts of each demo scale (shared/design/app-schema.md, "Scale to plan for"). */
export interface Scale {
  readonly tenants: number;
  readonly sites: number;
  readonly servers: number;
  /** Rows of site_bandwidth_daily, all within the last 35 days. */
  readonly bandwidthRows: number;
  /** Rows of email_logs, all within the last 40 days. */
  readonly emailRows: number;
}

export const SCALES = {
  small: { tenants: 50, sites: 500, servers: 20, bandwidthRows: 17_500, emailRows: 20_000 },
  medium: { tenants: 10_000, sites: 100_000, servers: 2_000, bandwidthRows: 3_500_000, emailRows: 2_000_000 },
  large: {
    tenants: 100_000,
    sites: 1_000_000,
    servers: 20_000,
    bandwidthRows: 35_000_000,
    emailRows: 20_000_000,
  },
} as const satisfies Record<string, Scale>;

export type ScaleName = keyof typeof SCALES;
export const SCALE_NAMES = Object.keys(SCALES) as ScaleName[];

export function isScaleName(value: string): value is ScaleName {
  return Object.prototype.hasOwnProperty.call(SCALES, value);
}

/** Days of bandwidth history (today included, partly) and of e-mail history. */
export const BANDWIDTH_DAYS = 35;
export const EMAIL_DAYS = 40;
