import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { sha256, type WebConfig } from './web-config';

/**
 * Credentials of a request: HTTP basic auth against bcrypt hashes, and bearer tokens. Every
 * comparison with a configured secret takes the same time whatever the input.
 */

export type AuthOutcome = 'ok' | 'missing' | 'invalid' | 'busy';

/** Longer Authorization headers are refused before any decoding or hashing. */
export const MAX_AUTHORIZATION_LENGTH = 4096;
/** bcrypt reads only the first 72 bytes of a password: a longer one could match on its prefix. */
const BCRYPT_MAX_PASSWORD_BYTES = 72;
const REALM = 'chom-finops-exporter';

/** The verifier has too many comparisons waiting (a flood of new credentials). */
export class VerifierBusyError extends Error {
  constructor() {
    super('too many password verifications waiting');
  }
}

export interface PasswordVerifier {
  /** Whether `password` matches the bcrypt `hash`; rejects with VerifierBusyError when overloaded. */
  compare(password: string, hash: string): Promise<boolean>;
  close(): Promise<void>;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptjs);
parentPort.on('message', ({ id, password, hash }) => {
  let ok = false;
  try { ok = bcrypt.compareSync(password, hash); } catch { ok = false; }
  parentPort.postMessage({ id, ok });
});
`;

/**
 * bcrypt on one worker thread: the event loop keeps serving scrapes while a hash is computed (about
 * 0.1 s at cost 10), comparisons run one at a time so they use at most one core, and at most
 * `maxPending` wait; beyond that compare() fails fast with VerifierBusyError.
 */
export function createBcryptVerifier(options: { maxPending?: number } = {}): PasswordVerifier {
  const maxPending = options.maxPending ?? 32;
  const pending = new Map<number, { resolve: (ok: boolean) => void; reject: (error: Error) => void }>();
  let worker: Worker | undefined;
  let nextId = 0;

  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  const start = (): Worker => {
    const started = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { bcryptjs: require.resolve('bcryptjs') },
    });
    started.unref();
    started.on('message', ({ id, ok }: { id: number; ok: boolean }) => {
      pending.get(id)?.resolve(ok === true);
      pending.delete(id);
    });
    started.on('error', (error) => {
      worker = undefined;
      failAll(error);
    });
    started.on('exit', () => {
      if (worker === started) worker = undefined;
      failAll(new Error('password verifier stopped'));
    });
    return started;
  };

  return {
    compare(password, hash) {
      if (pending.size >= maxPending) return Promise.reject(new VerifierBusyError());
      worker ??= start();
      const id = nextId++;
      const running = worker;
      return new Promise<boolean>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        running.postMessage({ id, password, hash });
      });
    },
    async close() {
      const running = worker;
      worker = undefined;
      await running?.terminate();
    },
  };
}

/** Constant-time equality of two SHA-256 digests. */
const sameDigest = (a: Buffer, b: Buffer) => crypto.timingSafeEqual(a, b);

/** A bounded map that forgets its oldest entries first. */
class BoundedCache<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly capacity: number) {}
  get(key: string): V | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: V): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(key, value);
  }
}

type Credentials =
  { scheme: 'basic'; user: string; password: string } | { scheme: 'bearer'; token: string } | undefined;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads `Basic <base64 user:password>` or `Bearer <token>` (scheme in any case); undefined if malformed. */
export function parseAuthorization(header: string): Credentials {
  if (header.length > MAX_AUTHORIZATION_LENGTH) return undefined;
  const match = /^([A-Za-z]+) +([\x21-\x7e]+) *$/.exec(header);
  if (!match) return undefined;
  const [, scheme = '', value = ''] = match;
  if (scheme.toLowerCase() === 'bearer') return { scheme: 'bearer', token: value };
  if (scheme.toLowerCase() !== 'basic') return undefined;
  // strict base64: canonical padding, nothing else
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) return undefined;
  let decoded: string;
  try {
    decoded = strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { scheme: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export interface CredentialChecker {
  /** Whether a request must carry a credential at all. */
  readonly required: boolean;
  /** WWW-Authenticate challenges of a 401 (one per accepted scheme). */
  readonly challenges: readonly string[];
  check(authorization: string | undefined): Promise<AuthOutcome>;
}

/**
 * Checks credentials against the configuration. bcrypt results are cached (as exporter-toolkit does)
 * under an HMAC of user and password with a key of this process, so the plain password is not kept:
 * matches in their own cache, which only right passwords can enter, so a flood of wrong ones cannot
 * evict them; mismatches in a bounded cache of their own. Concurrent requests with the same
 * credentials share one comparison, so 50 scrapers starting together cost one bcrypt run.
 */
export function createCredentialChecker(
  config: Pick<WebConfig, 'basicAuthUsers' | 'bearerTokenDigests'>,
  verifier: PasswordVerifier,
): CredentialChecker {
  const users = [...config.basicAuthUsers].map(([user, hash]) => ({ digest: sha256(user), hash }));
  const tokens = config.bearerTokenDigests;
  const cacheKey = crypto.randomBytes(32);
  const matches = new BoundedCache<true>(Math.max(64, users.length * 4));
  const mismatches = new BoundedCache<false>(1024);
  const inFlight = new Map<string, Promise<boolean>>();

  const challenges = [
    ...(users.length > 0 ? [`Basic realm="${REALM}", charset="UTF-8"`] : []),
    ...(tokens.length > 0 ? [`Bearer realm="${REALM}"`] : []),
  ];

  function checkToken(token: string): boolean {
    const digest = sha256(token);
    let ok = false;
    for (const expected of tokens) ok = sameDigest(digest, expected) || ok;
    return ok;
  }

  async function checkPassword(user: string, password: string): Promise<boolean> {
    if (users.length === 0) return false;
    if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_PASSWORD_BYTES) return false;
    // every user is compared, without an early exit, so timing does not tell which names exist
    const digest = sha256(user);
    let found: (typeof users)[number] | undefined;
    for (const candidate of users) if (sameDigest(digest, candidate.digest)) found ??= candidate;
    const key = crypto.createHmac('sha256', cacheKey).update(`${user}\0${password}`).digest('base64');
    if (matches.get(key)) return true;
    if (mismatches.get(key) === false) return false;
    let comparison = inFlight.get(key);
    if (!comparison) {
      // an unknown user costs one bcrypt run too, against a real hash, and never matches
      const hash = (found ?? (users[0] as (typeof users)[number])).hash;
      comparison = verifier
        .compare(password, hash)
        .then((ok) => {
          const matched = ok && found !== undefined;
          if (matched) matches.set(key, true);
          else mismatches.set(key, false);
          return matched;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, comparison);
    }
    return comparison;
  }

  return {
    required: challenges.length > 0,
    challenges,
    async check(authorization) {
      if (authorization === undefined || authorization === '') return 'missing';
      const credentials = parseAuthorization(authorization);
      if (!credentials) return 'invalid';
      if (credentials.scheme === 'bearer') return checkToken(credentials.token) ? 'ok' : 'invalid';
      try {
        return (await checkPassword(credentials.user, credentials.password)) ? 'ok' : 'invalid';
      } catch (error) {
        if (error instanceof VerifierBusyError) return 'busy';
        throw error;
      }
    },
  };
}
