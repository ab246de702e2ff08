import type { Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

export interface RetryPolicy {
  /** Attempts after the first one. */
  readonly retries: number;
  /** Delay before the first retry; it doubles after each failure. */
  readonly retryDelayMs: number;
}

/** The policy of the `settings.smtp` section. */
export const retryPolicyOf = (smtp: { retries: number; retry_delay_ms: number }): RetryPolicy => ({
  retries: smtp.retries,
  retryDelayMs: smtp.retry_delay_ms,
});

export interface SendOutcome {
  readonly messageId: string;
  readonly attempts: number;
  readonly accepted: string[];
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** 5xx replies (mailbox unknown, message refused) will not change on retry; connection errors and 4xx may. */
export function isPermanentFailure(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export const backoffDelay = (policy: RetryPolicy, failedAttempts: number) =>
  policy.retryDelayMs * 2 ** (failedAttempts - 1);

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends one message, retrying transient failures with exponential back-off. */
export async function sendWithRetry(
  transport: Transporter,
  message: Mail.Options,
  policy: RetryPolicy,
  onRetry: (error: Error, attempt: number, delayMs: number) => void = () => {},
  sleep: (ms: number) => Promise<void> = wait,
): Promise<SendOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      const info = (await transport.sendMail(message)) as { messageId: string; accepted: unknown[] };
      return { messageId: info.messageId, attempts: attempt, accepted: info.accepted.map(String) };
    } catch (error) {
      const permanent = isPermanentFailure(error);
      if (permanent || attempt > policy.retries) {
        throw new DeliveryError(
          `sending failed after ${attempt} attempt${attempt === 1 ? '' : 's'}${permanent ? ' (permanent failure)' : ''}: ${(error as Error).message}`,
          attempt,
          permanent,
        );
      }
      const delay = backoffDelay(policy, attempt);
      onRetry(error as Error, attempt, delay);
      await sleep(delay);
    }
  }
}
