import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly envelopeTo: string[];
  readonly parsed: ParsedMail;
}

export interface TestSmtpServer {
  readonly port: number;
  readonly received: ReceivedMail[];
  /** Replies for the next DATA commands, in order: a code fails that attempt, null accepts it. */
  failNext(...codes: Array<number | null>): void;
  /** How many DATA commands arrived (accepted or not). */
  readonly attempts: number;
  stop(): Promise<void>;
}

/** A real SMTP peer (smtp-server) on 127.0.0.1 that parses what it receives with mailparser. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const plan: Array<number | null> = [];
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      attempts++;
      const code = plan.shift() ?? null;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (code !== null) {
          const error = Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), {
            responseCode: code,
          });
          callback(error);
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((parsed) => {
            received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), parsed });
            callback();
          })
          .catch(callback);
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
    server.on('error', reject);
  });
  return {
    port,
    received,
    failNext: (...codes) => plan.push(...codes),
    get attempts() {
      return attempts;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
