import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type Redis from 'ioredis';

/**
 * A cache shared by exporter replicas through Redis, made of named slots. A slot holds one value
 * (written with a codec, under a key that carries the layout versions) and the machinery that lets at
 * most one replica produce it per freshness period:
 *
 * - `fresh` key: present (with an expiry of the freshness period) while the last published value is
 *   current; Redis' clock decides, so replicas' clocks do not need to agree.
 * - `lock` key: a lease with an expiry, renewed by its holder while it works, so a holder that
 *   crashes or is paused frees the slot within one lease.
 * - fencing token: every lease gets a larger token (never below Redis' time in ms, so tokens keep
 *   growing after Redis restarts empty). A value is written only when its token is larger than the
 *   stored value's, atomically (Lua), so a holder that lost its lease never overwrites a newer value.
 */

/** Bump when the layout of the keys or of the entry hash changes. */
export const KEY_SCHEMA_VERSION = 1;

/** Encodes values for Redis; a codec with heavy work (gzip) does it off the event loop (a promise). */
export interface Codec<T> {
  encode(value: T): Buffer | Promise<Buffer>;
  decode(bytes: Buffer): T | Promise<T>;
}

/** A codec whose work is small enough for the event loop. */
export interface SyncCodec<T> extends Codec<T> {
  encode(value: T): Buffer;
  decode(bytes: Buffer): T;
}

export interface SharedEntry<T> {
  /** the fencing token of the lease that published it */
  token: number;
  value: T;
}

/** How long a published value stays in Redis at most (a stale one is still served while refreshing). */
const ENTRY_RETENTION_MS = 24 * 3600 * 1000;

// KEYS: lock, fence, fresh. ARGV: lease ms. → -1 fresh value present, 0 held by another, else token.
const ACQUIRE = `
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local now = redis.call('TIME')
local floor = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local token = redis.call('INCR', KEYS[2])
if token < floor then
  token = floor
  redis.call('SET', KEYS[2], token)
end
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
return token`;

// KEYS: lock. ARGV: token, lease ms. → 1 renewed, 0 lost.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

// KEYS: lock. ARGV: token.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

// KEYS: entry, fresh, lock. ARGV: token, value, fresh ms, retention ms. → 1 written, 0 fenced out.
const PUBLISH = `
local current = tonumber(redis.call('HGET', KEYS[1], 'token') or '0')
if current >= tonumber(ARGV[1]) then
  if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
  return 0
end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'value', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
return 1`;

// KEYS: entry. ARGV: token, value, retention ms. → 1 written, 0 fenced out.
const PUT_FENCED = `
local current = tonumber(redis.call('HGET', KEYS[1], 'token') or '0')
if current >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'value', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

export type AcquireResult = { kind: 'fresh' } | { kind: 'held' } | { kind: 'lease'; lease: Lease };

export interface Lease {
  readonly token: number;
  /** Extends the lease; false when it was lost (expired and possibly taken by another replica). */
  renew(): Promise<boolean>;
  /** Writes `value` if no newer value is stored, marks it fresh for `freshMs`, ends the lease. */
  publish(encoded: Buffer, freshMs: number): Promise<boolean>;
  release(): Promise<void>;
}

export class SharedSlot<T> {
  private readonly keys: { entry: string; fresh: string; lock: string; fence: string };

  constructor(
    private readonly redis: Redis,
    namespace: string,
    name: string,
    version: number,
    readonly codec: Codec<T>,
  ) {
    const base = `${namespace}:k${KEY_SCHEMA_VERSION}:${name}:v${version}`;
    this.keys = {
      entry: `${base}:entry`,
      fresh: `${base}:fresh`,
      lock: `${base}:lock`,
      fence: `${base}:fence`,
    };
  }

  /** The stored value (fresh or not) with its token, or undefined when none was published. */
  async read(): Promise<SharedEntry<T> | undefined> {
    const [token, bytes] = await this.redis.hmgetBuffer(this.keys.entry, 'token', 'value');
    if (!token || !bytes) return undefined;
    return { token: Number(token.toString()), value: await this.codec.decode(bytes) };
  }

  /** The token of the stored value (fresh or not), or undefined when none was published. */
  async token(): Promise<number | undefined> {
    const token = await this.redis.hget(this.keys.entry, 'token');
    return token === null ? undefined : Number(token);
  }

  /**
   * Stores `value` with `token` (the token of a lease on another slot, such as the collection's)
   * unless a value with the same or a newer token is stored: state that goes with a result, such as
   * the usage day tables a collection read, fenced like the result itself.
   */
  async putFenced(token: number, value: T): Promise<boolean> {
    const written = await this.redis.eval(
      PUT_FENCED,
      1,
      this.keys.entry,
      token,
      await this.codec.encode(value),
      ENTRY_RETENTION_MS,
    );
    return Number(written) === 1;
  }

  /** The token of the current value and how long it stays fresh, or undefined when it is not. */
  async freshToken(): Promise<{ token: number; remainingMs: number } | undefined> {
    const replies = await this.redis.multi().get(this.keys.fresh).pttl(this.keys.fresh).exec();
    const token = replies?.[0]?.[1] as string | null | undefined;
    const remainingMs = Number(replies?.[1]?.[1]);
    if (token === null || token === undefined || !(remainingMs > 0)) return undefined;
    return { token: Number(token), remainingMs };
  }

  /** Takes the lease unless the value is fresh or another replica holds it. */
  async acquire(leaseMs: number): Promise<AcquireResult> {
    const result = Number(
      await this.redis.eval(ACQUIRE, 3, this.keys.lock, this.keys.fence, this.keys.fresh, leaseMs),
    );
    if (result === -1) return { kind: 'fresh' };
    if (result === 0) return { kind: 'held' };
    const { redis, keys } = this;
    const token = result;
    return {
      kind: 'lease',
      lease: {
        token,
        async renew() {
          return Number(await redis.eval(RENEW, 1, keys.lock, token, leaseMs)) === 1;
        },
        async publish(encoded, freshMs) {
          const written = await redis.eval(
            PUBLISH,
            3,
            keys.entry,
            keys.fresh,
            keys.lock,
            token,
            encoded,
            freshMs,
            ENTRY_RETENTION_MS,
          );
          return Number(written) === 1;
        },
        async release() {
          await redis.eval(RELEASE, 1, keys.lock, token);
        },
      },
    };
  }
}

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

/** A codec for JSON-compatible values, gzipped off the event loop (day tables compress well). */
export function jsonCodec<T>(): Codec<T> {
  return {
    encode: async (value) => gzip(JSON.stringify(value), { level: 1 }),
    decode: async (bytes) => JSON.parse((await gunzip(bytes)).toString()) as T,
  };
}

/** A codec for bytes (the binary usage day tables), gzipped off the event loop. */
export const gzipCodec: Codec<Buffer> = {
  encode: async (value) => gzip(value, { level: 1 }),
  decode: async (bytes) => gunzip(bytes),
};
