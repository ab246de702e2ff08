/**
 * Delivery against real parts: an SMTP server (smtp-server, parsed with mailparser), Redis on
 * 127.0.0.1:6379, an empty Prometheus 2.42 and the send record file on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startPrometheus, tempDir, type RunningPrometheus } from '@chom/test-support';
import Redis from 'ioredis';
import pino from 'pino';
import { PrometheusClient } from '../src/data/prometheus';
import { DeliveryError } from '../src/delivery/send';
import { FileSendRecordStore, RedisSendRecordStore, type SendRecordStore } from '../src/delivery/send-record';
import { createTransport } from '../src/delivery/transport';
import { produceReport } from '../src/produce';
import { parsePeriodKey } from '../src/schedule/period';
import { deliverReport, type DeliveryContext } from '../src/service/deliver';
import { ReporterMetrics } from '../src/service/metrics';
import { ReportScheduler } from '../src/service/scheduler';
import { testDefinitions } from './helpers';
import { startSmtpServer, type TestSmtpServer } from './smtp';

jest.setTimeout(60_000);

const REDIS_URL = process.env.CHOM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const NOW = new Date('2026-12-01T07:30:00Z');
const NOVEMBER = parsePeriodKey('previous_month', '2026-11');

let prometheus: RunningPrometheus;
let smtp: TestSmtpServer;
let work: { dir: string; remove: () => void };
let redis: Redis;
const runId = `${process.pid}-${Date.now()}`;

beforeAll(async () => {
  prometheus = await startPrometheus();
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await prometheus?.stop();
  const keys = await redis.keys(`chom-reporter:*t${runId}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});
beforeEach(async () => {
  smtp = await startSmtpServer();
  work = tempDir('reporter-delivery');
});
afterEach(async () => {
  await smtp.stop();
  work.remove();
});

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

function context(
  records: SendRecordStore,
  reportName = 'monthly',
): DeliveryContext & { lines: Array<Record<string, unknown>> } {
  const definitions = testDefinitions({
    prometheusUrl: prometheus.url,
    smtpPort: smtp.port,
    baseDir: work.dir,
    reports: [
      {
        name: reportName,
        period: 'previous_month',
        schedule: { cron: '0 8 1 * *' },
        recipients: ['cfo@example.com', 'ops@example.com'],
        cc: ['finops@example.com'],
        reply_to: 'finops@example.com',
        subject: '{title}: costs for {period}',
        message: 'Dear managers, here is the {report} report for {period}.',
      },
    ],
  });
  const { logger, lines } = capturedLogger();
  return {
    definitions,
    transport: createTransport(definitions),
    records,
    logger,
    client: new PrometheusClient(prometheus.url),
    lines,
  };
}

test('recipients, subject, body and both attachments arrive intact, and the send is recorded', async () => {
  const records = new FileSendRecordStore(path.join(work.dir, 'sent.json'));
  const ctx = context(records);
  const report = ctx.definitions.reports[0]!;
  const result = await deliverReport(ctx, report, NOVEMBER, NOW);
  expect(result).toMatchObject({ status: 'sent', attempts: 1 });

  expect(smtp.received).toHaveLength(1);
  const mail = smtp.received[0]!;
  expect(mail.envelopeTo.sort()).toEqual(['cfo@example.com', 'finops@example.com', 'ops@example.com']);
  expect(mail.parsed.subject).toBe('CHOM FinOps: costs for November 2026');
  expect(mail.parsed.from?.text).toBe('"CHOM FinOps" <finops@example.com>');
  expect(mail.parsed.replyTo?.text).toBe('finops@example.com');
  expect(mail.parsed.text).toContain('Dear managers, here is the monthly report for November 2026.');
  expect(mail.parsed.text).toContain('Note: No month-to-date cost data was found for this period.');
  expect(mail.parsed.headers.get('x-chom-report')).toBe('monthly; period=2026-11');

  const expected = await produceReport(ctx.definitions, report, NOVEMBER, { now: NOW, client: ctx.client! });
  const attachments = mail.parsed.attachments.map((a) => [a.filename, a.contentType, a.content] as const);
  expect(attachments.map(([name, type]) => [name, type])).toEqual([
    ['monthly-2026-11.pdf', 'application/pdf'],
    ['monthly-2026-11.csv', 'text/csv'],
  ]);
  expect(attachments[0]![2].equals(expected.files[0]!.content)).toBe(true);
  expect(attachments[0]![2].subarray(0, 5).toString()).toBe('%PDF-');
  expect(attachments[1]![2].toString('utf8')).toBe(expected.files[1]!.content.toString('utf8'));

  const record = JSON.parse(fs.readFileSync(path.join(work.dir, 'sent.json'), 'utf8')) as {
    sends: Record<string, { messageId: string; attempts: number; recipients: string[] }>;
  };
  expect(record.sends['monthly/2026-11']).toMatchObject({
    messageId: mail.parsed.messageId,
    attempts: 1,
    recipients: ['cfo@example.com', 'ops@example.com', 'finops@example.com'],
  });
});

test('a temporary SMTP failure is retried with back-off and the mail arrives once', async () => {
  const ctx = context(new FileSendRecordStore(path.join(work.dir, 'sent.json')));
  smtp.failNext(451, 421);
  const result = await deliverReport(ctx, ctx.definitions.reports[0]!, NOVEMBER, NOW);
  expect(result).toMatchObject({ status: 'sent', attempts: 3 });
  expect(smtp.attempts).toBe(3);
  expect(smtp.received).toHaveLength(1);
  const retries = ctx.lines.filter((l) => l.msg === 'sending failed; will retry');
  expect(retries.map((l) => l.retryInMs)).toEqual([50, 100]);
});

test('when every attempt fails, delivery fails and nothing is recorded, so a later run sends it', async () => {
  const records = new FileSendRecordStore(path.join(work.dir, 'sent.json'));
  const ctx = context(records);
  smtp.failNext(451, 451, 451);
  await expect(deliverReport(ctx, ctx.definitions.reports[0]!, NOVEMBER, NOW)).rejects.toThrow(
    'sending failed after 3 attempts',
  );
  expect(await records.get('monthly', '2026-11')).toBeNull();
  await expect(deliverReport(ctx, ctx.definitions.reports[0]!, NOVEMBER, NOW)).resolves.toMatchObject({
    status: 'sent',
  });
  expect(smtp.received).toHaveLength(1);
});

test('a permanent SMTP failure (5xx) is not retried', async () => {
  const ctx = context(new FileSendRecordStore(path.join(work.dir, 'sent.json')));
  smtp.failNext(550);
  const failure = await deliverReport(ctx, ctx.definitions.reports[0]!, NOVEMBER, NOW).catch(
    (e: unknown) => e,
  );
  expect(failure).toBeInstanceOf(DeliveryError);
  expect(failure).toMatchObject({ attempts: 1, permanent: true });
  expect(smtp.attempts).toBe(1);
});

test('after a restart the file record stops a second send of the same report and period', async () => {
  const file = path.join(work.dir, 'state', 'sent.json');
  const first = context(new FileSendRecordStore(file));
  await deliverReport(first, first.definitions.reports[0]!, NOVEMBER, NOW);
  // A new process: new store instance, same file.
  const second = context(new FileSendRecordStore(file));
  const result = await deliverReport(
    second,
    second.definitions.reports[0]!,
    NOVEMBER,
    new Date('2026-12-01T09:00:00Z'),
  );
  expect(result).toMatchObject({ status: 'already_sent' });
  expect(smtp.received).toHaveLength(1);
  // Another period is a different delivery.
  const october = parsePeriodKey('previous_month', '2026-10');
  await expect(deliverReport(second, second.definitions.reports[0]!, october, NOW)).resolves.toMatchObject({
    status: 'sent',
  });
  expect(smtp.received.map((m) => m.parsed.subject)).toEqual([
    'CHOM FinOps: costs for November 2026',
    'CHOM FinOps: costs for October 2026',
  ]);
});

test('with Redis, a restart does not send twice and two replicas at once send once', async () => {
  const name = `t${runId}`;
  const stores = [new RedisSendRecordStore(REDIS_URL), new RedisSendRecordStore(REDIS_URL)];
  try {
    const [a, b] = stores.map((s) => context(s, name));
    const results = await Promise.all([
      deliverReport(a!, a!.definitions.reports[0]!, NOVEMBER, NOW),
      deliverReport(b!, b!.definitions.reports[0]!, NOVEMBER, NOW),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['claimed_elsewhere', 'sent']);
    expect(smtp.received).toHaveLength(1);
    expect(JSON.parse((await redis.get(`chom-reporter:sent:${name}/2026-11`))!)).toMatchObject({
      report: name,
      period: '2026-11',
      attempts: 1,
    });
    expect(await redis.exists(`chom-reporter:claim:${name}/2026-11`)).toBe(0);

    const restarted = new RedisSendRecordStore(REDIS_URL);
    stores.push(restarted);
    const c = context(restarted, name);
    await expect(deliverReport(c, c.definitions.reports[0]!, NOVEMBER, NOW)).resolves.toMatchObject({
      status: 'already_sent',
    });
    expect(smtp.received).toHaveLength(1);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});

test('the scheduler delivers a run missed while it was down, once across restarts', async () => {
  const file = path.join(work.dir, 'sent.json');
  // 08:00 Berlin on 1 December passed at 07:00 UTC; the service comes up at 07:30.
  const first = new ReportScheduler(context(new FileSendRecordStore(file)), { clock: () => NOW });
  first.start();
  await first.stop();
  expect(smtp.received.map((m) => m.parsed.subject)).toEqual(['CHOM FinOps: costs for November 2026']);

  const second = new ReportScheduler(context(new FileSendRecordStore(file)), {
    clock: () => new Date('2026-12-01T08:00:00Z'),
  });
  second.start();
  await second.stop();
  expect(smtp.received).toHaveLength(1);
});

test('the scheduler retries a failed delivery later', async () => {
  const ctx = context(new FileSendRecordStore(path.join(work.dir, 'sent.json')));
  smtp.failNext(451, 451, 451);
  const metrics = new ReporterMetrics(['monthly'], false);
  const scheduler = new ReportScheduler(ctx, { clock: () => NOW, failedRunRetryMs: 200, metrics });
  scheduler.start();
  const deadline = Date.now() + 20_000;
  while (smtp.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await scheduler.stop();
  expect(smtp.received).toHaveLength(1);
  expect(ctx.lines.some((l) => l.msg === 'report delivery failed; it will be tried again')).toBe(true);
  const text = await metrics.registry.metrics();
  expect(text).toContain('chom_reporter_deliveries_total{report="monthly",status="failed"} 1');
  expect(text).toContain('chom_reporter_deliveries_total{report="monthly",status="sent"} 1');
  expect(text).toContain(
    `chom_reporter_last_success_timestamp_seconds{report="monthly"} ${NOW.getTime() / 1000}`,
  );
  expect(text).toContain(
    `chom_reporter_last_failure_timestamp_seconds{report="monthly"} ${NOW.getTime() / 1000}`,
  );
});
