export type ExporterHealthStatus = 'ok' | 'no-data' | 'down' | 'stale' | 'error';

export interface ExporterHealthInput {
  /** chom_exporter_up, or null when Prometheus has no such series. */
  up: number | null;
  /** chom_exporter_last_success_timestamp_seconds, or null. */
  lastSuccessSeconds: number | null;
  nowSeconds: number;
  /** How old the last successful collection may be before data is called stale. */
  staleAfterSeconds?: number;
  /** An error from the query itself (datasource unreachable, bad response). */
  error?: string;
}

export interface ExporterHealth {
  status: ExporterHealthStatus;
  title: string;
  message: string;
}

export function evaluateExporterHealth(input: ExporterHealthInput): ExporterHealth {
  if (input.error) {
    return {
      status: 'error',
      title: 'Prometheus could not be queried',
      message: `The datasource answered with an error: ${input.error}. Check the datasource in the app configuration.`,
    };
  }
  if (input.up === null) {
    return {
      status: 'no-data',
      title: 'No data yet',
      message:
        'Prometheus has no chom_exporter_up series: the CHOM exporter is not scraped yet (check the scrape job ' +
        'for exporter:9864) or its first scrape has not happened.',
    };
  }
  if (input.up < 1) {
    return {
      status: 'down',
      title: 'Exporter down',
      message:
        "The exporter's last collection failed (chom_exporter_up = 0): the figures below are from its last " +
        'successful collection. Check the exporter logs and its database connection.',
    };
  }
  const staleAfter = input.staleAfterSeconds ?? 900;
  if (input.lastSuccessSeconds !== null && input.nowSeconds - input.lastSuccessSeconds > staleAfter) {
    const minutes = Math.round((input.nowSeconds - input.lastSuccessSeconds) / 60);
    return {
      status: 'stale',
      title: 'Data is stale',
      message: `The exporter last collected data ${minutes} minutes ago.`,
    };
  }
  return { status: 'ok', title: 'Exporter up', message: 'The exporter collected data successfully.' };
}
