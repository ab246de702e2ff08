import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { OPENMETRICS_EOF, renderFamilies, type ExpositionFormat } from './format';
import type { HealthMetrics } from './health-metrics';

const gzip = promisify(zlib.gzip);

/** How old the rendered health metrics may be; reading the process metrics costs ~0.6 ms. */
export const HEALTH_MAX_AGE_MS = 1000;

interface Rendered {
  at: number;
  body: Promise<Buffer>;
  gzip?: Promise<Buffer>;
}

/**
 * The exporter's own metrics as the tail of a /metrics body (the OpenMetrics one ends with # EOF),
 * rendered at most once per HEALTH_MAX_AGE_MS per format, and again as soon as `invalidate()` says
 * they changed (a refresh), so a burst of scrapes does not read /proc once per scrape.
 */
export class HealthExposition {
  private readonly rendered = new Map<ExpositionFormat, Rendered>();

  constructor(
    private readonly health: HealthMetrics,
    private readonly maxAgeMs = HEALTH_MAX_AGE_MS,
  ) {}

  invalidate(): void {
    this.rendered.clear();
  }

  private current(format: ExpositionFormat): Rendered {
    const now = performance.now();
    let rendered = this.rendered.get(format);
    if (!rendered || now - rendered.at >= this.maxAgeMs) {
      const body = this.health
        .families()
        .then((families) =>
          Buffer.from(renderFamilies(families, format) + (format === 'openmetrics' ? OPENMETRICS_EOF : '')),
        );
      rendered = { at: now, body };
      this.rendered.set(format, rendered);
      // a failed rendering is not kept
      body.catch(() => {
        if (this.rendered.get(format) === rendered) this.rendered.delete(format);
      });
    }
    return rendered;
  }

  body(format: ExpositionFormat): Promise<Buffer> {
    return this.current(format).body;
  }

  gzip(format: ExpositionFormat): Promise<Buffer> {
    const rendered = this.current(format);
    rendered.gzip ??= rendered.body.then((body) => gzip(body));
    return rendered.gzip;
  }
}
