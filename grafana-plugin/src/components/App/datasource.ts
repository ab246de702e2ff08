import type { DataSourceInstanceSettings } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';

export interface DatasourceChoice {
  /** The datasource the pages use, or null when Grafana has no Prometheus datasource. */
  datasource: DataSourceInstanceSettings | null;
  /** True when the configured UID does not exist and another Prometheus datasource is used. */
  fallback: boolean;
}

/** The configured Prometheus datasource, else the default or first Prometheus datasource. */
export function chooseDatasource(configuredUid: string): DatasourceChoice {
  const srv = getDataSourceSrv();
  const configured = srv.getInstanceSettings(configuredUid);
  if (configured && configured.type === 'prometheus') {
    return { datasource: configured, fallback: false };
  }
  const candidates = srv.getList({ type: 'prometheus' });
  const chosen = candidates.find((d) => d.isDefault) ?? candidates[0] ?? null;
  return { datasource: chosen, fallback: chosen !== null };
}
