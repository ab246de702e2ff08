import type { SharedEntry, SharedSlot } from './shared-cache';

export interface SharedRefreshOptions<T> {
  slot: SharedSlot<T>;
  /** token of the value this replica serves now (undefined: none from the shared cache) */
  heldToken: number | undefined;
  /** produces a new value (e.g. a collection) under the lease `token`; undefined: nothing worth sharing */
  produce: (token: number) => Promise<T | undefined>;
  /** how long a published value is fresh */
  freshMs: number;
  /** lease of the producer; renewed every third of it while it works */
  leaseMs: number;
  /** pause between two looks while another replica produces */
  pollMs: number;
  /** told when this replica takes the lease (for logs) */
  onLease?: (token: number) => void;
}

export type SharedRefresh<T> =
  /** another replica's fresh value, newer than the one held */
  | { outcome: 'shared'; entry: SharedEntry<T>; freshForMs: number }
  /** the fresh value is the one held */
  | { outcome: 'current'; freshForMs: number }
  /** produced here and published */
  | { outcome: 'collected'; value: T; token: number }
  /** produced here, but a newer value was published meanwhile (this lease had been lost) */
  | { outcome: 'fenced_out'; value: T }
  /** produced here, but Redis failed when publishing */
  | { outcome: 'unshared'; value: T; error: Error }
  /** the producer had nothing to share */
  | { outcome: 'nothing' };

/** The producer failed (not Redis): the caller must not produce again as a fallback. */
export class ProduceError extends Error {
  constructor(readonly cause: Error) {
    super(cause.message);
    this.name = 'ProduceError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One refresh through a shared slot: serve a fresh shared value if there is one; otherwise take the
 * lease and produce, or wait while another replica produces and take its value. Across replicas, at
 * most one produces per freshness period. Redis errors are thrown as they come (before producing:
 * the caller falls back to producing alone; after: reported as `unshared`).
 */
export async function refreshThroughSlot<T>(options: SharedRefreshOptions<T>): Promise<SharedRefresh<T>> {
  const { slot } = options;
  for (;;) {
    const attempt = await slot.acquire(options.leaseMs);
    if (attempt.kind === 'fresh') {
      const fresh = await slot.freshToken();
      if (fresh === undefined) continue; // expired in between: try again
      if (fresh.token === options.heldToken) return { outcome: 'current', freshForMs: fresh.remainingMs };
      const entry = await slot.read();
      if (entry) return { outcome: 'shared', entry, freshForMs: fresh.remainingMs };
      continue;
    }
    if (attempt.kind === 'held') {
      await sleep(options.pollMs);
      continue;
    }
    const { lease } = attempt;
    options.onLease?.(lease.token);
    const renewal = setInterval(() => {
      lease.renew().catch(() => undefined);
    }, options.leaseMs / 3);
    renewal.unref();
    let value: T | undefined;
    try {
      value = await options.produce(lease.token);
    } catch (error) {
      await lease.release().catch(() => undefined);
      throw new ProduceError(error as Error);
    } finally {
      clearInterval(renewal);
    }
    try {
      if (value === undefined) {
        await lease.release();
        return { outcome: 'nothing' };
      }
      const published = await lease.publish(await slot.codec.encode(value), options.freshMs);
      return published
        ? { outcome: 'collected', value, token: lease.token }
        : { outcome: 'fenced_out', value };
    } catch (error) {
      if (value === undefined) return { outcome: 'nothing' };
      return { outcome: 'unshared', value, error: error as Error };
    }
  }
}
