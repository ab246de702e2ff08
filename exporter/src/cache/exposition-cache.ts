import type { Logger } from 'pino';
import type { Collector } from '../collector';
import type { DataExposition } from '../exposition/data-exposition';
import type { RefreshOutcome } from '../exposition/health-metrics';
import { ProduceError, refreshThroughSlot } from './refresh';
import type { SharedSlot } from './shared-cache';
import type { SharedState } from './shared-state';

export interface ExpositionCacheOptions {
  collector: Collector;
  ttlMs: number;
  logger: Logger;
  /** the slot shared by replicas (CHOM_REDIS_URL); without it every replica collects alone */
  shared?: SharedSlot<DataExposition>;
  /** state the collections build on (the usage day tables), shared with the result */
  state?: SharedState<unknown>;
  /** told after every refresh (the health metrics changed) */
  onRefreshed?: () => void;
}

/** Lease of the replica that collects: a third of the TTL, between 1 s and 15 s (renewed while it works). */
export function leaseMsFor(ttlMs: number): number {
  return Math.min(15_000, Math.max(1000, Math.round(ttlMs / 3)));
}

/**
 * The figures /metrics serves: refreshed at most once per TTL, by one collection shared by concurrent
 * scrapes, and with a shared slot by one replica for all of them. Only the first scrape waits; later
 * ones get the previous figures while the next refresh runs, so a slow database (or a slow peer)
 * never makes a scrape time out. Redis errors never reach a scrape: the replica collects alone.
 */
export class ExpositionCache {
  private current: DataExposition | undefined;
  private heldToken: number | undefined;
  private nextRefreshAt = -Infinity;
  private inFlight: Promise<void> | undefined;
  private adoptedSuccess = false;

  constructor(private readonly options: ExpositionCacheOptions) {}

  /** Some collection (here or on a peer) has fully succeeded. */
  get ready(): boolean {
    return this.options.collector.ready || this.adoptedSuccess;
  }

  /** The data exposition to serve now (undefined: no figures yet, only the health metrics). */
  async forScrape(): Promise<DataExposition | undefined> {
    if (performance.now() >= this.nextRefreshAt) {
      const refresh = this.refresh();
      if (this.current === undefined) await refresh;
    }
    return this.current;
  }

  /** Refreshes now unless a refresh is running (then shares it). Never rejects. */
  refresh(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.refreshOnce()
        .catch((error: Error) => {
          this.options.logger.error({ err: error.message }, 'refresh failed');
          this.nextRefreshAt = performance.now() + this.options.ttlMs;
        })
        .finally(() => {
          this.inFlight = undefined;
          this.options.onRefreshed?.();
        });
    }
    return this.inFlight;
  }

  private count(outcome: RefreshOutcome) {
    this.options.collector.health.refreshes.inc({ outcome });
  }

  private sharedUp(up: boolean) {
    this.options.collector.health.sharedCacheUp?.set(up ? 1 : 0);
  }

  private async collectAlone(): Promise<DataExposition | undefined> {
    const result = await this.options.collector.collect();
    return result.exposition;
  }

  private keep(exposition: DataExposition | undefined, token: number | undefined, freshForMs: number) {
    if (exposition) {
      this.current = exposition;
      this.heldToken = token;
    }
    this.nextRefreshAt = performance.now() + freshForMs;
  }

  /** Serves a peer's figures: the health gauges describe the collection that produced them. */
  private adopt(exposition: DataExposition, token: number, freshForMs: number) {
    const { health } = this.options.collector;
    const { meta } = exposition;
    health.up.set(meta.ok ? 1 : 0);
    health.collectDuration.set(meta.collectSeconds);
    if (meta.lastSuccessSeconds !== null) {
      health.lastSuccess.set(meta.lastSuccessSeconds);
      this.adoptedSuccess = true;
    }
    this.keep(exposition, token, freshForMs);
  }

  private async refreshOnce(): Promise<void> {
    const { shared, ttlMs, logger } = this.options;
    if (!shared) {
      this.keep(await this.collectAlone(), undefined, ttlMs);
      this.count('alone');
      return;
    }
    try {
      if (this.current === undefined) {
        // A replica that starts serves what its peers last published (even stale) from the first scrape.
        const entry = await shared.read();
        if (entry) this.adopt(entry.value, entry.token, 0);
      }
      const result = await refreshThroughSlot({
        slot: shared,
        heldToken: this.heldToken,
        produce: async () => {
          await this.options.state?.pull();
          return this.collectAlone();
        },
        freshMs: ttlMs,
        leaseMs: leaseMsFor(ttlMs),
        pollMs: Math.min(250, leaseMsFor(ttlMs) / 4),
        onLease: (token) => logger.debug({ token }, 'took the collection lease'),
      });
      this.sharedUp(result.outcome !== 'unshared');
      logger.debug({ outcome: result.outcome }, 'refresh through the shared cache done');
      switch (result.outcome) {
        case 'shared':
          this.adopt(result.entry.value, result.entry.token, result.freshForMs);
          this.count('shared');
          break;
        case 'current':
          this.keep(undefined, undefined, result.freshForMs);
          break;
        case 'collected':
          this.keep(result.value, result.token, ttlMs);
          this.count('collected');
          // after the result, so the other replicas need not wait for it; it never rejects
          void this.options.state?.push(result.token);
          break;
        case 'fenced_out':
          this.keep(result.value, undefined, ttlMs);
          this.count('fenced_out');
          break;
        case 'unshared':
          logger.warn(
            { err: result.error.message },
            'shared cache unavailable; serving this collection alone',
          );
          this.keep(result.value, undefined, ttlMs);
          this.count('alone');
          break;
        case 'nothing': // no figures to share (no source has succeeded yet): counted as a collection only
          this.keep(undefined, undefined, ttlMs);
          break;
      }
    } catch (error) {
      if (error instanceof ProduceError) throw error.cause;
      this.sharedUp(false);
      logger.warn({ err: (error as Error).message }, 'shared cache unavailable; collecting alone');
      this.keep(await this.collectAlone(), undefined, ttlMs);
      this.count('alone');
    }
  }
}
