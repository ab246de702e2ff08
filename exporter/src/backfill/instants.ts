/** The instants a backfill computes: a grid aligned to the step, and which of them carry the detail series. */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** "90s", "5m", "1h", "35d", "2w", "1h30m" → milliseconds; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+)([smhdw])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((ms, p) => ms + Number(p[1]) * (UNIT_SECONDS[p[2] as string] as number) * 1000, 0);
}

/**
 * An instant given as an ISO 8601 time ("2026-10-01T00:00:00Z"), "now", or a duration before `now`
 * ("35d"); undefined when it is none of these.
 */
export function parseInstant(text: string, now: Date): Date | undefined {
  if (text === 'now') return now;
  const ago = parseDuration(text);
  if (ago !== undefined) return new Date(now.getTime() - ago);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface Instant {
  at: Date;
  /** the per-tenant, per-server and per-opportunity series are written at this instant too */
  detail: boolean;
}

/**
 * Every multiple of `stepMs` (since the Unix epoch) in [from, to], oldest first. Instants that are
 * multiples of `detailStepMs` carry the detail series. Aligning to the epoch makes two backfills of
 * adjacent ranges use the same grid.
 */
export function backfillInstants(from: Date, to: Date, stepMs: number, detailStepMs: number): Instant[] {
  if (!(stepMs > 0)) throw new Error('the step must be positive');
  if (detailStepMs % stepMs !== 0) throw new Error('the detail step must be a multiple of the step');
  const instants: Instant[] = [];
  for (let t = Math.ceil(from.getTime() / stepMs) * stepMs; t <= to.getTime(); t += stepMs) {
    instants.push({ at: new Date(t), detail: t % detailStepMs === 0 });
  }
  return instants;
}
