import fs from 'node:fs';
import path from 'node:path';
import { execFileAsync, tempDir } from '@chom/test-support';
import { parseDefinitions, type LoadedDefinitions } from '../src/config/load';

/** Definitions for tests: the given settings and report fields over a minimal valid file. */
export function testDefinitions(options: {
  prometheusUrl?: string;
  smtpPort?: number;
  state?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  reports?: Array<Record<string, unknown>>;
  baseDir?: string;
}): LoadedDefinitions {
  const baseDir = options.baseDir ?? tempDir('reporter-defs').dir;
  const definitions = {
    settings: {
      prometheus: { url: options.prometheusUrl ?? 'http://127.0.0.1:9', lookback: '6h' },
      smtp: {
        host: '127.0.0.1',
        port: options.smtpPort ?? 25,
        from: 'CHOM FinOps <finops@example.com>',
        retries: 2,
        retry_delay_ms: 50,
        timeout_ms: 5000,
      },
      state: options.state ?? { file: 'sent.json' },
      currency: { locale: 'de-DE' },
      time_zone: 'Europe/Berlin',
      ...options.settings,
    },
    reports: options.reports ?? [
      {
        name: 'monthly',
        period: 'previous_month',
        schedule: { cron: '0 8 1 * *' },
        recipients: ['cfo@example.com', 'ops@example.com'],
        cc: ['finops@example.com'],
        reply_to: 'finops@example.com',
      },
    ],
  };
  const file = path.join(baseDir, 'reports.yml');
  const text = JSON.stringify(definitions, null, 2); // JSON is YAML
  fs.writeFileSync(file, text);
  return parseDefinitions(text, file, baseDir);
}

/** Non-breaking and narrow spaces (as Intl puts in numbers) as plain spaces. */
export const normaliseSpaces = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

/** The text layer of a PDF as pdftotext (poppler-utils) reads it, with non-breaking spaces as spaces. */
export async function pdfText(pdf: Buffer): Promise<string> {
  const dir = tempDir('reporter-pdf');
  try {
    const file = path.join(dir.dir, 'report.pdf');
    fs.writeFileSync(file, pdf);
    const { stdout } = await execFileAsync('pdftotext', ['-layout', file, '-']);
    return normaliseSpaces(stdout);
  } finally {
    dir.remove();
  }
}
