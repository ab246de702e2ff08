import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * The stack's local receiver: an SMTP server that keeps every message (the reporter's reports,
 * Alertmanager's e-mails) and an HTTP endpoint that keeps every Slack, PagerDuty and webhook payload
 * Alertmanager sends, with a web page listing both. Everything is written under `dir` (one file per
 * message or notification), so it survives restarts.
 */

export interface StoredMessage {
  id: string;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  attachments: Array<{ filename: string; contentType: string; size: number }>;
}

export interface StoredNotification {
  id: string;
  receivedAt: string;
  receiver: string;
  kind: string;
  /** firing / resolved when the payload says so */
  status?: string;
  alertnames: string[];
  title: string;
  text: string;
  payload: unknown;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** What a Slack, PagerDuty or webhook payload says, in a few words. */
export function summariseNotification(
  kind: string,
  payload: Record<string, unknown>,
): Pick<StoredNotification, 'status' | 'alertnames' | 'title' | 'text'> {
  const alerts = Array.isArray(payload.alerts)
    ? (payload.alerts as Array<{ labels?: Record<string, string> }>)
    : [];
  const fromAlerts = [...new Set(alerts.map((a) => a.labels?.alertname).filter((n): n is string => !!n))];
  if (kind === 'slack') {
    const attachment = (Array.isArray(payload.attachments) ? payload.attachments[0] : undefined) as
      Record<string, string> | undefined;
    const title = attachment?.title ?? String(payload.text ?? '');
    const names = [...title.matchAll(/\b(Chom[A-Za-z]+|Host[A-Za-z]+|Watchdog)\b/g)].map(
      (m) => m[1] as string,
    );
    return {
      status: /RESOLVED/i.test(title) ? 'resolved' : 'firing',
      alertnames: [...new Set(names)],
      title,
      text: attachment?.text ?? '',
    };
  }
  if (kind === 'pagerduty') {
    const body = payload.payload as Record<string, unknown> | undefined;
    const summary = String(body?.summary ?? payload.description ?? '');
    const names = [...summary.matchAll(/\b(Chom[A-Za-z]+|Host[A-Za-z]+)\b/g)].map((m) => m[1] as string);
    return {
      status: payload.event_action === 'resolve' ? 'resolved' : 'firing',
      alertnames: [...new Set(names)],
      title: summary,
      text: JSON.stringify(body?.custom_details ?? payload.details ?? {}, null, 2),
    };
  }
  return {
    status: typeof payload.status === 'string' ? payload.status : undefined,
    alertnames: fromAlerts,
    title: `${fromAlerts.join(', ')} ${typeof payload.status === 'string' ? payload.status : ''}`.trim(),
    text: alerts.map((a) => JSON.stringify(a.labels)).join('\n'),
  };
}

export interface Sink {
  smtpPort: number;
  httpPort: number;
  messages(): StoredMessage[];
  notifications(): StoredNotification[];
  stop(): Promise<void>;
}

export async function startSink(options: {
  dir: string;
  smtpPort: number;
  httpPort: number;
  host?: string;
}): Promise<Sink> {
  const host = options.host ?? '127.0.0.1';
  const mailDir = path.join(options.dir, 'mail');
  const notificationDir = path.join(options.dir, 'notifications');
  fs.mkdirSync(mailDir, { recursive: true });
  fs.mkdirSync(notificationDir, { recursive: true });
  let sequence = Date.now();
  const newId = () => `${new Date().toISOString().replace(/[:.]/g, '-')}-${(sequence++).toString(36)}`;
  const readAll = <T>(dir: string, suffix: string): T[] =>
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(suffix))
      .sort()
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as T);

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    banner: 'CHOM FinOps stack sink',
    size: 50 * 1024 * 1024,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const id = newId();
        simpleParser(raw)
          .then((mail) => {
            fs.writeFileSync(path.join(mailDir, `${id}.eml`), raw);
            const stored: StoredMessage = {
              id,
              receivedAt: new Date().toISOString(),
              from: mail.from?.text ?? String(session.envelope.mailFrom && session.envelope.mailFrom.address),
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              ...(typeof mail.html === 'string' ? { html: mail.html } : {}),
              attachments: mail.attachments.map((a) => ({
                filename: a.filename ?? 'attachment',
                contentType: a.contentType,
                size: a.size,
              })),
            };
            mail.attachments.forEach((a, i) =>
              fs.writeFileSync(path.join(mailDir, `${id}.${i}.bin`), a.content),
            );
            fs.writeFileSync(path.join(mailDir, `${id}.json`), JSON.stringify(stored, null, 2));
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort, host, () => resolve());
  });

  const page = (): string => {
    const messages = readAll<StoredMessage>(mailDir, '.json').reverse();
    const notifications = readAll<StoredNotification>(notificationDir, '.json').reverse();
    const rows = messages
      .map(
        (m) =>
          `<tr><td>${escapeHtml(m.receivedAt)}</td><td>${escapeHtml(m.to.join(', '))}</td><td><a href="/messages/${m.id}">${escapeHtml(m.subject)}</a></td><td>${m.attachments
            .map((a, i) => `<a href="/messages/${m.id}/attachments/${i}">${escapeHtml(a.filename)}</a>`)
            .join(' ')}</td></tr>`,
      )
      .join('\n');
    const alerts = notifications
      .map(
        (n) =>
          `<tr><td>${escapeHtml(n.receivedAt)}</td><td>${escapeHtml(n.receiver)} (${escapeHtml(n.kind)})</td><td class="${escapeHtml(n.status ?? '')}">${escapeHtml(n.status ?? '')}</td><td><a href="/notifications/${n.id}">${escapeHtml(n.title || n.alertnames.join(', '))}</a></td></tr>`,
      )
      .join('\n');
    return `<!doctype html><html><head><meta charset="utf-8"><title>CHOM FinOps stack: mail and notifications</title>
<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%;margin-bottom:2em}td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}th{background:#1f4e79;color:#fff}.firing{color:#b00020;font-weight:bold}.resolved{color:#2e7d32}</style></head>
<body><h1>CHOM FinOps stack: mail and notifications</h1>
<p>Everything the stack sends lands here: reports and e-mail alerts (SMTP 127.0.0.1:${options.smtpPort}), and the Slack, PagerDuty and webhook notifications Alertmanager would send.</p>
<h2>Notifications (${notifications.length})</h2><table><tr><th>received</th><th>receiver</th><th>status</th><th>title</th></tr>${alerts}</table>
<h2>Mail (${messages.length})</h2><table><tr><th>received</th><th>to</th><th>subject</th><th>attachments</th></tr>${rows}</table>
</body></html>`;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    const send = (status: number, type: string, body: string | Buffer) =>
      res.writeHead(status, { 'Content-Type': type }).end(body);
    const notify = /^\/notify\/([^/]+)\/([a-z_]+)$/.exec(url.pathname);
    if (req.method === 'POST' && notify) {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        let payload: Record<string, unknown>;
        try {
          payload = JSON.parse(body) as Record<string, unknown>;
        } catch {
          return send(400, 'text/plain', 'expected JSON\n');
        }
        const kind = notify[2] as string;
        const stored: StoredNotification = {
          id: newId(),
          receivedAt: new Date().toISOString(),
          receiver: decodeURIComponent(notify[1] as string),
          kind,
          ...summariseNotification(kind, payload),
          payload,
        };
        fs.writeFileSync(path.join(notificationDir, `${stored.id}.json`), JSON.stringify(stored, null, 2));
        // Slack answers "ok", PagerDuty 202 with a JSON status; Alertmanager checks only the status code.
        if (kind === 'pagerduty')
          send(202, 'application/json', '{"status":"success","message":"Event processed"}');
        else send(200, 'text/plain', 'ok');
      });
      return;
    }
    if (req.method !== 'GET') return send(405, 'text/plain', 'method not allowed\n');
    if (url.pathname === '/') return send(200, 'text/html; charset=utf-8', page());
    if (url.pathname === '/healthz') return send(200, 'text/plain', 'ok\n');
    if (url.pathname === '/api/messages')
      return send(200, 'application/json', JSON.stringify(readAll(mailDir, '.json')));
    if (url.pathname === '/api/notifications')
      return send(200, 'application/json', JSON.stringify(readAll(notificationDir, '.json')));
    const message = /^\/messages\/([\w-]+)(?:\/attachments\/(\d+))?$/.exec(url.pathname);
    if (message) {
      const base = path.join(mailDir, message[1] as string);
      if (!fs.existsSync(`${base}.json`)) return send(404, 'text/plain', 'no such message\n');
      const stored = JSON.parse(fs.readFileSync(`${base}.json`, 'utf8')) as StoredMessage;
      if (message[2] !== undefined) {
        const attachment = stored.attachments[Number(message[2])];
        if (!attachment) return send(404, 'text/plain', 'no such attachment\n');
        res.setHeader('Content-Disposition', `inline; filename="${attachment.filename.replace(/"/g, '')}"`);
        return send(200, attachment.contentType, fs.readFileSync(`${base}.${message[2]}.bin`));
      }
      return send(200, 'text/html; charset=utf-8', stored.html ?? `<pre>${escapeHtml(stored.text)}</pre>`);
    }
    const notification = /^\/notifications\/([\w-]+)$/.exec(url.pathname);
    if (notification) {
      const file = path.join(notificationDir, `${notification[1]}.json`);
      if (!fs.existsSync(file)) return send(404, 'text/plain', 'no such notification\n');
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as StoredNotification;
      return send(
        200,
        'text/html; charset=utf-8',
        `<!doctype html><meta charset="utf-8"><title>${escapeHtml(stored.title)}</title><body style="font-family:sans-serif;margin:2em"><h2>${escapeHtml(stored.title)}</h2><p>${escapeHtml(stored.receiver)} (${escapeHtml(stored.kind)}), ${escapeHtml(stored.receivedAt)}</p><pre style="white-space:pre-wrap">${escapeHtml(stored.text)}</pre><details><summary>payload</summary><pre>${escapeHtml(JSON.stringify(stored.payload, null, 2))}</pre></details></body>`,
      );
    }
    send(404, 'text/plain', 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.httpPort, host, () => resolve());
  });
  return {
    smtpPort: options.smtpPort,
    httpPort: options.httpPort,
    messages: () => readAll(mailDir, '.json'),
    notifications: () => readAll(notificationDir, '.json'),
    async stop() {
      server.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        new Promise<void>((resolve) => smtp.close(() => resolve())),
      ]);
    },
  };
}
