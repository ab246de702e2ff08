/** A small client for Prometheus's HTTP API that always passes an explicit evaluation time. */

export interface InstantSample {
  readonly labels: Record<string, string>;
  readonly value: number;
}

export interface RangeSeries {
  readonly labels: Record<string, string>;
  /** [unix seconds, value] */
  readonly points: Array<[number, number]>;
}

export class PrometheusError extends Error {}

interface ApiBody<T> {
  status: 'success' | 'error';
  data: T;
  errorType?: string;
  error?: string;
}

export class PrometheusClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {}

  private async get<T>(apiPath: string, params: Record<string, string>): Promise<T> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/api/v1/${apiPath}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new PrometheusError(
        `Prometheus at ${this.baseUrl} cannot be reached: ${(error as Error).message}`,
      );
    }
    let body: ApiBody<T>;
    try {
      body = (await response.json()) as ApiBody<T>;
    } catch {
      throw new PrometheusError(`Prometheus ${apiPath}: HTTP ${response.status} without a JSON body`);
    }
    if (body.status !== 'success') {
      throw new PrometheusError(
        `Prometheus ${apiPath} "${params.query}": ${body.errorType ?? ''} ${body.error ?? ''}`.trim(),
      );
    }
    return body.data;
  }

  /** Instant query evaluated at `time` (unix seconds). */
  async query(expr: string, time: number): Promise<InstantSample[]> {
    const data = await this.get<{ resultType: string; result: unknown }>('query', {
      query: expr,
      time: String(time),
    });
    if (data.resultType === 'scalar') {
      const [, value] = data.result as [number, string];
      return [{ labels: {}, value: Number(value) }];
    }
    return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((s) => ({
      labels: s.metric,
      value: Number(s.value[1]),
    }));
  }

  async queryRange(expr: string, start: number, end: number, step: number): Promise<RangeSeries[]> {
    const data = await this.get<{
      result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
    }>('query_range', { query: expr, start: String(start), end: String(end), step: String(step) });
    return data.result.map((s) => ({ labels: s.metric, points: s.values.map(([t, v]) => [t, Number(v)]) }));
  }
}
