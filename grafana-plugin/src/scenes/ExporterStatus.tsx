import React from 'react';
import { LoadingState } from '@grafana/data';
import {
  SceneObjectBase,
  SceneQueryRunner,
  sceneGraph,
  type SceneComponentProps,
  type SceneObjectState,
} from '@grafana/scenes';
import { Alert } from '@grafana/ui';
import { testIds } from '../components/testIds';
import { evaluateExporterHealth, type ExporterHealth } from '../domain/exporterHealth';
import { DATASOURCE_VARIABLE_REF, prometheusTarget } from '../panels/build';
import { QUERIES } from '../queries';
import { samplesOf } from './exporterFacts';

export const STATUS_REFS = { up: 'up', lastSuccess: 'lastSuccess' } as const;

export interface ExporterStatusState extends SceneObjectState {
  /** Clock, replaceable in tests. */
  now?: () => Date;
}

/** The queries behind the banner: they run with the page's time range and refresh picker. */
export function exporterStatusQueries(): SceneQueryRunner {
  return new SceneQueryRunner({
    datasource: DATASOURCE_VARIABLE_REF,
    queries: [
      prometheusTarget(STATUS_REFS.up, QUERIES.exporterUp),
      prometheusTarget(STATUS_REFS.lastSuccess, QUERIES.exporterLastSuccess),
    ],
    maxDataPoints: 100,
  });
}

/**
 * A banner above the panels when the exporter is not healthy (no data, down, stale, or Prometheus
 * failing). It re-evaluates whenever its queries run again, i.e. with every refresh of the page.
 */
export class ExporterStatus extends SceneObjectBase<ExporterStatusState> {
  static Component = ExporterStatusRenderer;

  /** The health the last answer of the queries shows; null while they have not answered. */
  public health(): ExporterHealth | null {
    const data = sceneGraph.getData(this).state.data;
    if (!data || data.state === LoadingState.Loading || data.state === LoadingState.NotStarted) {
      return null;
    }
    const samples = samplesOf(data.series);
    const highest = (refId: string) => {
      const values = samples.filter((s) => s.refId === refId).map((s) => s.value);
      // Several exporters (replicas) may be scraped: the app is "up" when any of them is.
      return values.length > 0 ? Math.max(...values) : null;
    };
    const error =
      data.state === LoadingState.Error ? (data.errors?.[0]?.message ?? 'query failed') : undefined;
    return evaluateExporterHealth({
      up: highest(STATUS_REFS.up),
      lastSuccessSeconds: highest(STATUS_REFS.lastSuccess),
      nowSeconds: (this.state.now ? this.state.now() : new Date()).getTime() / 1000,
      error,
    });
  }
}

function ExporterStatusRenderer({ model }: SceneComponentProps<ExporterStatus>) {
  // Re-render on every answer of the queries.
  sceneGraph.getData(model).useState();
  const health = model.health();
  if (!health || health.status === 'ok') {
    return null;
  }
  return (
    <div data-testid={testIds.app.health} data-status={health.status}>
      <Alert severity={health.status === 'stale' ? 'warning' : 'error'} title={health.title}>
        {health.message}
      </Alert>
    </div>
  );
}
