import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { SOURCE_NAMES, type SourceName } from '../config/schema';
import type { RejectionReason } from './checks';

/** A row (by its ID in its table) whose value was not believed, and why. */
export interface RejectedRow {
  id: string;
  reason: RejectionReason;
}

export interface Rejection extends RejectedRow {
  source: SourceName;
}

/** The reasons each source can report; their series start at 0. */
export const SOURCE_REASONS: Partial<Record<SourceName, readonly RejectionReason[]>> = {
  servers: ['disk_above_limit', 'max_sites_above_limit'],
  sites: ['storage_above_limit', 'storage_above_disk'],
  subscriptions: ['revenue_above_limit', 'negative'],
  bandwidth: ['traffic_above_link_speed'],
  email: ['emails_above_limit'],
};

export interface RejectionTracker {
  /**
   * Publishes the rejections of one collection (the gauge is replaced, not added to) and logs each
   * rejected row the first time it is seen; `unreadable` counts rows skipped by the row guards.
   */
  record(rejections: readonly Rejection[], unreadable?: Partial<Record<SourceName, number>>): void;
}

/**
 * `chom_exporter_rejected_rows{source,reason}` is a gauge: every collection re-reads the rows (or the
 * day aggregates), so the value is "rows rejected in the figures now published", not an event count
 * (a counter would grow with each collection of the same bad row). A row is logged when it starts
 * being rejected and again only after it was fixed and broke again; at most `maxLogged` rows are
 * remembered, the rest are logged as one summary line.
 */
export function createRejectionTracker(
  registry: Registry,
  logger: Logger,
  maxLogged = 10_000,
): RejectionTracker {
  const gauge = new Gauge({
    name: 'chom_exporter_rejected_rows',
    help: 'Source rows whose value failed a plausibility bound (or could not be read) in the last collection; left out of every figure.',
    labelNames: ['source', 'reason'],
    registers: [registry],
  });
  const zero = () => {
    for (const source of SOURCE_NAMES) {
      for (const reason of [...(SOURCE_REASONS[source] ?? []), 'unreadable' as const])
        gauge.set({ source, reason }, 0);
    }
  };
  zero();
  let logged = new Set<string>();

  return {
    record(rejections, unreadable = {}) {
      gauge.reset();
      zero();
      const counts = new Map<string, { source: SourceName; reason: string; count: number }>();
      const nowRejected = new Set<string>();
      let unlogged = 0;
      for (const r of rejections) {
        const key = `${r.source}\u0000${r.reason}`;
        const entry = counts.get(key) ?? { source: r.source, reason: r.reason, count: 0 };
        entry.count++;
        counts.set(key, entry);
        const rowKey = `${key}\u0000${r.id}`;
        if (logged.has(rowKey)) nowRejected.add(rowKey);
        else if (nowRejected.size < maxLogged) {
          nowRejected.add(rowKey);
          logger.warn(
            { source: r.source, reason: r.reason, id: r.id },
            'implausible value left out of the figures',
          );
        } else unlogged++;
      }
      if (unlogged > 0)
        logger.warn({ rows: unlogged }, 'more implausible rows left out, not logged one by one');
      logged = nowRejected;
      for (const { source, reason, count } of counts.values()) gauge.set({ source, reason }, count);
      for (const [source, count] of Object.entries(unreadable)) {
        if (count) gauge.set({ source, reason: 'unreadable' }, count);
      }
    },
  };
}
