import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { LoadedDefinitions } from '../config/load';
import type { ReportDefinition } from '../config/schema';
import { composeMessage } from '../delivery/message';
import { retryPolicyOf, sendWithRetry } from '../delivery/send';
import type { SendRecordStore } from '../delivery/send-record';
import { produceReport } from '../produce';
import type { PrometheusClient } from '../data/prometheus';
import type { Period } from '../schedule/period';

export interface DeliveryContext {
  readonly definitions: LoadedDefinitions;
  readonly transport: Transporter;
  readonly records: SendRecordStore;
  readonly logger: Logger;
  readonly client?: PrometheusClient;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type DeliveryResult =
  | { readonly status: 'sent'; readonly messageId: string; readonly attempts: number }
  | { readonly status: 'already_sent'; readonly sentAt: string }
  | { readonly status: 'claimed_elsewhere' };

/** A claim outlives the slowest delivery: every retry's back-off plus rendering. */
function claimTtlMs(definitions: LoadedDefinitions): number {
  const smtp = definitions.settings.smtp;
  return 10 * 60_000 + smtp.retry_delay_ms * 2 ** (smtp.retries + 1) + smtp.timeout_ms * (smtp.retries + 1);
}

/**
 * Produces and sends a report for a period once: a period already in the send record is skipped, so
 * a restart or a second replica never mails it twice. The record is written after the SMTP server
 * accepted the message.
 */
export async function deliverReport(
  context: DeliveryContext,
  report: ReportDefinition,
  period: Period,
  now: Date,
): Promise<DeliveryResult> {
  const { definitions, records, logger } = context;
  const log = logger.child({ report: report.name, period: period.key });
  const existing = await records.get(report.name, period.key);
  if (existing) {
    log.info({ sentAt: existing.sentAt }, 'report already sent for this period; skipped');
    return { status: 'already_sent', sentAt: existing.sentAt };
  }
  if (!(await records.claim(report.name, period.key, claimTtlMs(definitions)))) {
    log.info('another reporter is delivering this report; skipped');
    return { status: 'claimed_elsewhere' };
  }
  try {
    const started = Date.now();
    const produced = await produceReport(definitions, report, period, {
      now,
      ...(context.client ? { client: context.client } : {}),
    });
    log.info(
      { renderMs: Date.now() - started, files: produced.files.map((f) => [f.filename, f.content.length]) },
      'report rendered',
    );
    const message = composeMessage(report, produced.model, produced.files, {
      from: definitions.settings.smtp.from,
    });
    const outcome = await sendWithRetry(
      context.transport,
      message,
      retryPolicyOf(definitions.settings.smtp),
      (error, attempt, delayMs) =>
        log.warn({ err: error.message, attempt, retryInMs: delayMs }, 'sending failed; will retry'),
      context.sleep,
    );
    await records.put({
      report: report.name,
      period: period.key,
      sentAt: new Date().toISOString(),
      messageId: outcome.messageId,
      recipients: [...report.recipients, ...report.cc],
      attempts: outcome.attempts,
    });
    log.info({ messageId: outcome.messageId, attempts: outcome.attempts }, 'report sent');
    return { status: 'sent', messageId: outcome.messageId, attempts: outcome.attempts };
  } finally {
    await records.release(report.name, period.key);
  }
}
