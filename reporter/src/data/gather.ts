import type { InstantSample, PrometheusClient, RangeSeries } from './prometheus';
import type { QueryPlan } from './plan';

/** The answers to a query plan: plain data, serialisable, the only input of the report model. */
export interface ReportData {
  readonly instant: Record<string, InstantSample[]>;
  readonly range: Record<string, RangeSeries[]>;
}

/** Runs every query of the plan against Prometheus (a few at a time). */
export async function gatherReportData(
  client: PrometheusClient,
  plan: QueryPlan,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<ReportData> {
  const jobs: Array<() => Promise<void>> = [];
  const instant: Record<string, InstantSample[]> = {};
  const range: Record<string, RangeSeries[]> = {};
  for (const [id, q] of Object.entries(plan.instant)) {
    jobs.push(async () => {
      instant[id] = await client.query(q.expr, q.time);
    });
  }
  for (const [id, q] of Object.entries(plan.range)) {
    jobs.push(async () => {
      range[id] = await client.queryRange(q.expr, q.start, q.end, q.step);
    });
  }
  let done = 0;
  const concurrency = 4;
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      await job();
      onProgress(++done, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { instant, range };
}
