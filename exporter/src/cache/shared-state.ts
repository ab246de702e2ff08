import type { Logger } from 'pino';
import type { SharedSlot } from './shared-cache';

/** Something whose state a collection builds on, such as the usage day tables. */
export interface StateHolder<S> {
  /** the state as it is now (serializable with the slot's codec) */
  state(): S;
  /** replaces the state with one read by another replica */
  restore(state: S): void;
  /** changes when the state is worth sharing again (without it: after every collection) */
  mark?(): string;
}

/**
 * Shares the state a collection builds on (the usage day tables) between replicas, so that the
 * replica that takes over the collection continues from where the last one left off (an
 * incremental read) instead of starting afresh (a full read of the whole window). The state is
 * written with the collection's lease token, fenced like the result. Redis errors only cost the
 * sharing: they are logged, never thrown.
 */
export class SharedState<S> {
  /** token of the state this replica holds, when it came from or went to the slot */
  private heldToken: number | undefined;
  /** mark of the state when it was last pulled or pushed */
  private heldMark: string | undefined;

  constructor(
    private readonly slot: SharedSlot<S>,
    private readonly holder: StateHolder<S>,
    private readonly logger: Logger,
  ) {}

  /** Before collecting: takes the shared state if it is newer than the one held. */
  async pull(): Promise<boolean> {
    try {
      const token = await this.slot.token();
      if (token === undefined || token === this.heldToken) return false;
      const entry = await this.slot.read();
      if (!entry) return false;
      this.holder.restore(entry.value);
      this.heldToken = entry.token;
      this.heldMark = this.holder.mark?.();
      return true;
    } catch (error) {
      this.logger.warn(
        { err: (error as Error).message },
        'shared state not read; this collection starts from its own',
      );
      return false;
    }
  }

  /**
   * After collecting under the lease `token`: publishes the state, unless it has not moved on since
   * it was last shared (its mark) and is still there, or a newer one is there.
   */
  async push(token: number): Promise<boolean> {
    const mark = this.holder.mark?.();
    try {
      // unchanged since it was shared, and still there (Redis may have restarted empty)
      if (mark !== undefined && mark === this.heldMark && (await this.slot.token()) !== undefined)
        return false;
      const written = await this.slot.putFenced(token, this.holder.state());
      if (written) {
        this.heldToken = token;
        this.heldMark = mark;
      }
      return written;
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'shared state not written');
      return false;
    }
  }
}
