import type { ExpositionFormat } from '../exposition/format';

/** One media range or coding of an Accept / Accept-Encoding header. */
interface Preference {
  /** lower-cased: `text/plain`, `application/*`, `gzip`, `*`… */
  value: string;
  params: Record<string, string>;
  q: number;
}

/** Parses `a/b;p=1;q=0.5, c/d` (RFC 9110 lists with weights); malformed entries are dropped. */
export function parsePreferences(header: string | undefined): Preference[] {
  if (!header) return [];
  const out: Preference[] = [];
  for (const part of header.split(',')) {
    const [head, ...rest] = part.split(';');
    const value = head?.trim().toLowerCase();
    if (!value) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const param of rest) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const raw = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (key === 'q') {
        const weight = Number(raw);
        q = Number.isFinite(weight) ? Math.min(1, Math.max(0, weight)) : 0;
      } else params[key] = raw;
    }
    out.push({ value, params, q });
  }
  return out;
}

/** The versions of each format this exporter can write (OpenMetrics 0.0.1 readers read 1.0.0). */
const OFFERS: Record<ExpositionFormat, { type: string; versions: string[] }> = {
  text: { type: 'text/plain', versions: ['0.0.4'] },
  openmetrics: { type: 'application/openmetrics-text', versions: ['1.0.0', '0.0.1'] },
};

/**
 * The weight the client gives `format`: from the most specific range that matches it (type with a
 * version, then type, then `major/*`, then `*\/*`); 0 when none does.
 */
function weightOf(format: ExpositionFormat, accept: readonly Preference[]): number {
  const offer = OFFERS[format];
  const major = `${offer.type.split('/')[0]}/*`;
  let best: { specificity: number; q: number } | undefined;
  for (const p of accept) {
    let specificity: number;
    if (p.value === offer.type) {
      const version = p.params.version;
      if (version !== undefined && !offer.versions.includes(version)) continue;
      specificity = version !== undefined ? 3 : 2;
    } else if (p.value === major) specificity = 1;
    else if (p.value === '*/*') specificity = 0;
    else continue;
    if (!best || specificity > best.specificity || (specificity === best.specificity && p.q > best.q))
      best = { specificity, q: p.q };
  }
  return best?.q ?? 0;
}

/**
 * The format to answer an `Accept` header with: OpenMetrics when the client weighs it above the text
 * format (as Prometheus does); the text format otherwise, also when nothing matches (as other
 * exporters do, rather than answering 406).
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  const preferences = parsePreferences(accept);
  if (preferences.length === 0) return 'text';
  return weightOf('openmetrics', preferences) > weightOf('text', preferences) ? 'openmetrics' : 'text';
}

/** Whether to send gzip: `gzip` (or `*` when gzip is not named) with a weight above 0. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  const preferences = parsePreferences(acceptEncoding);
  const named = preferences.find((p) => p.value === 'gzip' || p.value === 'x-gzip');
  if (named) return named.q > 0;
  const any = preferences.find((p) => p.value === '*');
  return any !== undefined && any.q > 0;
}
