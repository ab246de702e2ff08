import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';

/** What is kept of each delivered report, so a restart never sends the same report and period twice. */
export interface SendRecord {
  readonly report: string;
  readonly period: string;
  /** ISO instant */
  readonly sentAt: string;
  readonly messageId: string;
  readonly recipients: readonly string[];
  readonly attempts: number;
}

export interface SendRecordStore {
  /** Where the record lives, for logs. */
  readonly location: string;
  get(report: string, period: string): Promise<SendRecord | null>;
  put(record: SendRecord): Promise<void>;
  /**
   * Takes a short-lived claim on a delivery so that two replicas sharing the store do not both send it;
   * false when another holder has it.
   */
  claim(report: string, period: string, ttlMs: number): Promise<boolean>;
  release(report: string, period: string): Promise<void>;
  close(): Promise<void>;
}

export const recordKey = (report: string, period: string) => `${report}/${period}`;

/** A JSON file, rewritten atomically (temporary file + rename) after each send. */
export class FileSendRecordStore implements SendRecordStore {
  private readonly claims = new Set<string>();

  constructor(readonly location: string) {}

  private read(): Record<string, SendRecord> {
    let text: string;
    try {
      text = fs.readFileSync(this.location, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    const parsed = JSON.parse(text) as { sends?: Record<string, SendRecord> };
    return parsed.sends ?? {};
  }

  async get(report: string, period: string): Promise<SendRecord | null> {
    return this.read()[recordKey(report, period)] ?? null;
  }

  async put(record: SendRecord): Promise<void> {
    const sends = { ...this.read(), [recordKey(record.report, record.period)]: record };
    fs.mkdirSync(path.dirname(this.location), { recursive: true });
    const temporary = `${this.location}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify({ sends }, null, 2)}\n`);
    fs.renameSync(temporary, this.location);
  }

  async claim(report: string, period: string): Promise<boolean> {
    const key = recordKey(report, period);
    if (this.claims.has(key)) return false;
    this.claims.add(key);
    return true;
  }

  async release(report: string, period: string): Promise<void> {
    this.claims.delete(recordKey(report, period));
  }

  async close(): Promise<void> {}
}

/** Redis keys chom-reporter:sent:<report>/<period> (kept) and chom-reporter:claim:… (expire). */
export class RedisSendRecordStore implements SendRecordStore {
  readonly location: string;
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    this.location = url.replace(/\/\/[^@/]*@/, '//***@');
  }

  async get(report: string, period: string): Promise<SendRecord | null> {
    const text = await this.redis.get(`chom-reporter:sent:${recordKey(report, period)}`);
    return text === null ? null : (JSON.parse(text) as SendRecord);
  }

  async put(record: SendRecord): Promise<void> {
    await this.redis.set(
      `chom-reporter:sent:${recordKey(record.report, record.period)}`,
      JSON.stringify(record),
    );
  }

  async claim(report: string, period: string, ttlMs: number): Promise<boolean> {
    const result = await this.redis.set(
      `chom-reporter:claim:${recordKey(report, period)}`,
      String(process.pid),
      'PX',
      ttlMs,
      'NX',
    );
    return result === 'OK';
  }

  async release(report: string, period: string): Promise<void> {
    await this.redis.del(`chom-reporter:claim:${recordKey(report, period)}`);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

export function openSendRecordStore(
  state: { redis_url?: string; file?: string },
  baseDir: string,
): SendRecordStore {
  if (state.redis_url !== undefined) return new RedisSendRecordStore(state.redis_url);
  return new FileSendRecordStore(path.resolve(baseDir, state.file!));
}
