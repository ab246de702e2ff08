import crypto from 'node:crypto';
import Redis from 'ioredis';
import { startRedisInstance } from '@chom/test-support';
import { KEY_SCHEMA_VERSION, SharedSlot, jsonCodec, type Codec, type Lease } from '../src/cache/shared-cache';
import { refreshThroughSlot } from '../src/cache/refresh';
import { SharedState, type StateHolder } from '../src/cache/shared-state';
import pino from 'pino';

/** The lease, fencing and freshness rules of a shared slot, against a real Redis. */

const text: Codec<string> = {
  encode: (value) => Buffer.from(value),
  decode: (bytes) => bytes.toString(),
};

const redisUrl = process.env.CHOM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lease(result: Awaited<ReturnType<SharedSlot<string>['acquire']>>): Lease {
  if (result.kind !== 'lease') throw new Error(`expected a lease, got ${result.kind}`);
  return result.lease;
}

describe('a shared slot on the shared Redis (keys under a prefix of this run)', () => {
  let redis: Redis;
  const namespace = `chom-test-slot-${crypto.randomBytes(4).toString('hex')}`;
  let slot: SharedSlot<string>;

  beforeAll(() => {
    redis = new Redis(redisUrl);
    slot = new SharedSlot(redis, namespace, 'exposition', 3, text);
  });
  afterEach(async () => {
    const keys = await redis.keys(`${namespace}:*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  afterAll(() => redis.disconnect());

  test('keys carry the key layout and the value layout versions', async () => {
    const l = lease(await slot.acquire(5000));
    await l.publish(Buffer.from('v'), 5000);
    expect((await redis.keys(`${namespace}:*`)).sort()).toEqual(
      ['entry', 'fence', 'fresh'].map((k) => `${namespace}:k${KEY_SCHEMA_VERSION}:exposition:v3:${k}`),
    );
    // another value layout is another slot: it sees nothing
    const v4 = new SharedSlot(redis, namespace, 'exposition', 4, text);
    expect(await v4.read()).toBeUndefined();
    expect(await v4.acquire(5000)).toMatchObject({ kind: 'lease' });
  });

  test('one lease at a time; a published value is fresh for its period, then the slot can be taken again', async () => {
    const first = lease(await slot.acquire(5000));
    expect(await slot.acquire(5000)).toEqual({ kind: 'held' });
    expect(await first.publish(Buffer.from('one'), 300)).toBe(true);
    expect(await slot.acquire(5000)).toEqual({ kind: 'fresh' });
    expect(await slot.read()).toEqual({ token: first.token, value: 'one' });
    const fresh = await slot.freshToken();
    expect(fresh?.token).toBe(first.token);
    expect(fresh?.remainingMs).toBeGreaterThan(0);
    expect(fresh?.remainingMs).toBeLessThanOrEqual(300);
    await sleep(350);
    expect(await slot.freshToken()).toBeUndefined();
    const second = lease(await slot.acquire(5000));
    expect(second.token).toBeGreaterThan(first.token);
    // the stale value is still there to serve while the next one is produced
    expect((await slot.read())?.value).toBe('one');
  });

  test('a lease that expired is lost: it cannot be renewed, and its late value does not replace a newer one', async () => {
    const stalled = lease(await slot.acquire(200));
    expect(await stalled.renew()).toBe(true);
    await sleep(250);
    expect(await stalled.renew()).toBe(false);
    const taker = lease(await slot.acquire(5000));
    expect(await taker.publish(Buffer.from('newer'), 100)).toBe(true);
    await sleep(150); // not fresh any more: only the token protects the newer value
    expect(await stalled.publish(Buffer.from('older'), 5000)).toBe(false);
    expect(await slot.read()).toEqual({ token: taker.token, value: 'newer' });
    expect(await slot.freshToken()).toBeUndefined();
  });

  test('a stalled holder that publishes before the taker does is overwritten by the taker', async () => {
    const stalled = lease(await slot.acquire(100));
    await sleep(150);
    const taker = lease(await slot.acquire(5000));
    expect(await stalled.publish(Buffer.from('older'), 5000)).toBe(true);
    expect(await taker.publish(Buffer.from('newer'), 5000)).toBe(true);
    expect((await slot.read())?.value).toBe('newer');
  });

  test("state fenced with another slot's lease token: only a newer token replaces it", async () => {
    const state = new SharedSlot(
      redis,
      namespace,
      'usage-days',
      1,
      jsonCodec<{ days: string[]; big: string }>(),
    );
    const older = lease(await slot.acquire(100));
    await sleep(150);
    const newer = lease(await slot.acquire(5000));
    const value = { days: ['2026-11-28', '2026-11-29'], big: (2n ** 70n).toString() };
    expect(await state.token()).toBeUndefined();
    expect(await state.putFenced(newer.token, value)).toBe(true);
    expect(await state.putFenced(older.token, { days: [], big: '0' })).toBe(false);
    expect(await state.putFenced(newer.token, { days: [], big: '1' })).toBe(false);
    expect(await state.token()).toBe(newer.token);
    expect(await state.read()).toEqual({ token: newer.token, value });
  });

  test('shared state: the replica that takes over continues from the newest state, never an older one', async () => {
    /** a replica's day tables, reduced to the days it has read */
    class Days implements StateHolder<string[]> {
      days: string[] = [];
      state() {
        return [...this.days];
      }
      restore(state: string[]) {
        this.days = [...state];
      }
    }
    const logger = pino({ level: 'silent' });
    const stateSlot = () => new SharedSlot(redis, namespace, 'usage-days', 1, jsonCodec<string[]>());
    const a = new Days();
    const b = new Days();
    const sharedA = new SharedState(stateSlot(), a, logger);
    const sharedB = new SharedState(stateSlot(), b, logger);

    // A collects (lease 1) and publishes its days
    const first = lease(await slot.acquire(100));
    expect(await sharedA.pull()).toBe(false);
    a.days = ['d1', 'd2'];
    expect(await sharedA.push(first.token)).toBe(true);
    await sleep(150);
    // B takes over (lease 2): it starts from A's days, reads one more, publishes
    const second = lease(await slot.acquire(5000));
    expect(await sharedB.pull()).toBe(true);
    expect(b.days).toEqual(['d1', 'd2']);
    b.days.push('d3');
    expect(await sharedB.push(second.token)).toBe(true);
    // A wakes up late with lease 1: its state does not replace B's
    expect(await sharedA.push(first.token)).toBe(false);
    // and its next collection starts from B's
    expect(await sharedA.pull()).toBe(true);
    expect(a.days).toEqual(['d1', 'd2', 'd3']);
    // nothing newer: nothing read again
    expect(await sharedA.pull()).toBe(false);
    expect(await sharedB.pull()).toBe(false);
  });

  test('shared state with a mark: pushed again only when it moved on, or when Redis lost it', async () => {
    const stateSlot = new SharedSlot(redis, namespace, 'usage-days', 1, jsonCodec<string[]>());
    let mark = 'full@1/day1';
    const shared = new SharedState(
      stateSlot,
      { state: () => [mark], restore: () => undefined, mark: () => mark },
      pino({ level: 'silent' }),
    );
    const tokens = async () => lease(await slot.acquire(50)).token;
    expect(await shared.push(await tokens())).toBe(true);
    await sleep(60);
    expect(await shared.push(await tokens())).toBe(false); // unchanged: not written again
    mark = 'full@1/day2';
    await sleep(60);
    expect(await shared.push(await tokens())).toBe(true);
    await redis.del(...(await redis.keys(`${namespace}:*usage-days*`))); // Redis restarted empty
    await sleep(60);
    expect(await shared.push(await tokens())).toBe(true);
    expect((await stateSlot.read())?.value).toEqual(['full@1/day2']);
  });

  test('a released lease frees the slot at once', async () => {
    const first = lease(await slot.acquire(60_000));
    await first.release();
    expect(await slot.acquire(60_000)).toMatchObject({ kind: 'lease' });
  });

  test('refreshThroughSlot: concurrent refreshers produce once and the others take the value', async () => {
    let produced = 0;
    const produce = async () => {
      produced++;
      await sleep(300);
      return `value ${produced}`;
    };
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        refreshThroughSlot({ slot, heldToken: undefined, produce, freshMs: 5000, leaseMs: 1000, pollMs: 20 }),
      ),
    );
    expect(produced).toBe(1);
    expect(results.filter((r) => r.outcome === 'collected')).toHaveLength(1);
    const shared = results.filter((r) => r.outcome === 'shared');
    expect(shared).toHaveLength(4);
    for (const r of shared) expect(r.outcome === 'shared' && r.entry.value).toBe('value 1');
    // the holder of the fresh value is told it is current
    const collected = results.find((r) => r.outcome === 'collected');
    const token = collected?.outcome === 'collected' ? collected.token : -1;
    const again = await refreshThroughSlot({
      slot,
      heldToken: token,
      produce,
      freshMs: 5000,
      leaseMs: 1000,
      pollMs: 20,
    });
    expect(again.outcome).toBe('current');
    expect(produced).toBe(1);
  });

  test('refreshThroughSlot: a producer with nothing to share frees the lease for the next one', async () => {
    const nothing = await refreshThroughSlot({
      slot,
      heldToken: undefined,
      produce: async () => undefined,
      freshMs: 5000,
      leaseMs: 60_000,
      pollMs: 20,
    });
    expect(nothing.outcome).toBe('nothing');
    expect(await slot.acquire(1000)).toMatchObject({ kind: 'lease' });
  });
});

test('shared state: Redis unreachable costs the sharing only (nothing thrown, the state untouched)', async () => {
  const down = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  try {
    const holder = {
      days: ['d1'],
      state: () => ['d1'],
      restore: () => {
        throw new Error('must not be called');
      },
    };
    const shared = new SharedState(
      new SharedSlot(down, 'x', 'usage-days', 1, jsonCodec<string[]>()),
      holder,
      pino({ level: 'silent' }),
    );
    expect(await shared.pull()).toBe(false);
    expect(await shared.push(123)).toBe(false);
    expect(holder.days).toEqual(['d1']);
  } finally {
    down.disconnect();
  }
});

test('fencing tokens keep growing after Redis restarts empty', async () => {
  const instance = await startRedisInstance();
  const redis = new Redis(instance.url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    const slot = new SharedSlot(redis, 'chom-test-restart', 'exposition', 1, text);
    const before = lease(await slot.acquire(60_000));
    await before.publish(Buffer.from('before'), 60_000);
    await instance.stop();
    await instance.start();
    await redis.ping();
    expect(await slot.read()).toBeUndefined(); // nothing persisted
    const after = lease(await slot.acquire(60_000));
    expect(after.token).toBeGreaterThan(before.token);
    await after.publish(Buffer.from('after'), 60_000);
    // the holder from before the restart cannot overwrite what was published since
    expect(await before.publish(Buffer.from('late'), 60_000)).toBe(false);
    expect((await slot.read())?.value).toBe('after');
  } finally {
    redis.disconnect();
    await instance.remove();
  }
}, 60_000);
