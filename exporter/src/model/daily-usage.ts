/**
 * Fleet-wide usage per UTC day, oldest first, ending with today (partial: what the database holds so
 * far). The collector keeps it from its per-day usage aggregates; forecasting reads it. Plain numbers:
 * it feeds estimates, never money that must reconcile to the cent.
 */
export interface DailyUsage {
  /** 'YYYY-MM-DD', consecutive, ascending; the last one is today */
  days: string[];
  /** Σ bytes_out of all sites on each day (same length as `days`) */
  egressBytes: number[];
  /** Σ bytes_in of all sites on each day */
  ingressBytes: number[];
  /** messages sent on each day, by type (lower-case) */
  emails: Record<string, number[]>;
}
