import http from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type DeliveryStatus = 'sent' | 'already_sent' | 'claimed_elsewhere' | 'failed';

/** The reporter's own health, scraped by Prometheus so that a report that does not go out pages someone. */
export class ReporterMetrics {
  readonly registry = new Registry();
  private readonly deliveries: Counter<'report' | 'status'>;
  private readonly lastSuccess: Gauge<'report'>;
  private readonly lastFailure: Gauge<'report'>;
  private readonly nextRun: Gauge<'report'>;
  private readonly renderSeconds: Histogram<'report'>;

  constructor(reportNames: readonly string[], withProcessMetrics = true) {
    if (withProcessMetrics) {
      collectDefaultMetrics({ register: this.registry });
      // prom-client names these gauges with a _total suffix, which promtool rejects; they are left out.
      for (const name of [
        'nodejs_active_handles_total',
        'nodejs_active_requests_total',
        'nodejs_active_resources_total',
      ])
        this.registry.removeSingleMetric(name);
    }
    this.deliveries = new Counter({
      name: 'chom_reporter_deliveries_total',
      help: 'Scheduled report deliveries by outcome: sent, already_sent (in the send record), claimed_elsewhere (another replica), failed.',
      labelNames: ['report', 'status'],
      registers: [this.registry],
    });
    this.lastSuccess = new Gauge({
      name: 'chom_reporter_last_success_timestamp_seconds',
      help: 'Unix time of the last delivery of the report that the SMTP server accepted (0 before the first).',
      labelNames: ['report'],
      registers: [this.registry],
    });
    this.lastFailure = new Gauge({
      name: 'chom_reporter_last_failure_timestamp_seconds',
      help: 'Unix time of the last failed delivery of the report (0 if none since start).',
      labelNames: ['report'],
      registers: [this.registry],
    });
    this.nextRun = new Gauge({
      name: 'chom_reporter_next_run_timestamp_seconds',
      help: 'Unix time of the next scheduled run of the report.',
      labelNames: ['report'],
      registers: [this.registry],
    });
    this.renderSeconds = new Histogram({
      name: 'chom_reporter_delivery_duration_seconds',
      help: 'Time from the start of a scheduled run to its outcome (queries, rendering and SMTP, with retries).',
      labelNames: ['report'],
      buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [this.registry],
    });
    // Every report's series exist from the start, so rate() and absent-based alerts see zeros, not gaps.
    for (const report of reportNames) {
      for (const status of ['sent', 'already_sent', 'claimed_elsewhere', 'failed'] as const)
        this.deliveries.inc({ report, status }, 0);
      this.lastSuccess.set({ report }, 0);
      this.lastFailure.set({ report }, 0);
    }
  }

  delivered(report: string, status: DeliveryStatus, seconds: number, at: Date): void {
    this.deliveries.inc({ report, status });
    this.renderSeconds.observe({ report }, seconds);
    if (status === 'sent') this.lastSuccess.set({ report }, at.getTime() / 1000);
    if (status === 'failed') this.lastFailure.set({ report }, at.getTime() / 1000);
  }

  scheduled(report: string, next: Date): void {
    this.nextRun.set({ report }, next.getTime() / 1000);
  }
}

/** /metrics (Prometheus text format) and /healthz on the given port. */
export function startMetricsServer(
  metrics: ReporterMetrics,
  host: string,
  port: number,
): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const url = request.url?.split('?')[0];
    if (url === '/metrics') {
      metrics.registry
        .metrics()
        .then((body) => {
          response.writeHead(200, { 'content-type': metrics.registry.contentType });
          response.end(body);
        })
        .catch((error: Error) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(error.message);
        });
    } else if (url === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok\n');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found: try /metrics or /healthz\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
