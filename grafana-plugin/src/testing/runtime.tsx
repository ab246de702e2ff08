/**
 * Grafana runtime services for jest, set through @grafana/runtime's public setters: a datasource
 * registry with Prometheus datasources, a request runner answering from a function (for the scenes
 * query runner and for a datasource's own query()), a backend that records requests, and panel
 * plugins that render their title and series count.
 */
import React from 'react';
import { Observable, of, throwError } from 'rxjs';
import {
  FieldType,
  LoadingState,
  PanelPlugin,
  type DataFrame,
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  type PanelData,
  type PanelProps,
  standardTransformers,
  standardTransformersRegistry,
} from '@grafana/data';
import { sceneGraph, type SceneObject } from '@grafana/scenes';
import {
  setBackendSrv,
  setDataSourceSrv,
  setPluginImportUtils,
  setRunRequest,
  type BackendSrv,
  type BackendSrvRequest,
  type FetchResponse,
} from '@grafana/runtime';

export function prometheusSettings(uid: string, name = uid): DataSourceInstanceSettings {
  return {
    uid,
    name,
    type: 'prometheus',
    access: 'proxy',
    url: '',
    readOnly: false,
    isDefault: false,
    jsonData: {},
    meta: {
      id: 'prometheus',
      name: 'Prometheus',
      type: 'datasource',
      info: {},
    } as DataSourceInstanceSettings['meta'],
  } as DataSourceInstanceSettings;
}

/** Registers the given Prometheus datasources (none: Grafana has no Prometheus datasource). */
/** What every query is answered with (setPanelData), and the requests datasources received. */
let answer: FramesFor = () => [];
let answered: DataQueryRequest[] = [];

export function setDatasources(list: DataSourceInstanceSettings[], tenants: string[] = ['t1', 't2']) {
  const find = (ref: unknown, scopedVars?: { __sceneObject?: { value?: SceneObject } }) => {
    let uid = typeof ref === 'string' ? ref : (ref as { uid?: string } | null | undefined)?.uid;
    // Like Grafana's DataSourceSrv: "${datasource}" is interpolated in the scene that asks.
    const scene = scopedVars?.__sceneObject?.value;
    if (uid?.startsWith('$') && scene) {
      uid = sceneGraph.interpolate(scene, uid);
    }
    // "${datasource}" resolves through the scene's datasource variable before it gets here; the
    // registry itself resolves the default like Grafana does.
    return list.find((d) => d.uid === uid || d.name === uid) ?? (uid === undefined ? list[0] : undefined);
  };
  setDataSourceSrv({
    get: async (ref: unknown, scopedVars?: { __sceneObject?: { value?: SceneObject } }) => {
      const settings = find(ref, scopedVars);
      if (!settings) {
        throw new Error(`datasource ${JSON.stringify(ref)} not found`);
      }
      return {
        ...settings,
        name: settings.name,
        uid: settings.uid,
        type: settings.type,
        meta: settings.meta,
        getRef: () => ({ type: settings.type, uid: settings.uid }),
        // The datasource's own query API (what the app's exporter facts use), answered like panels.
        query: (request: DataQueryRequest) => {
          answered.push(request);
          return of({ data: answer(request) });
        },
        // Variable queries (the tenant filter): the legacy variable API, which scenes supports.
        metricFindQuery: async () => tenants.map((text) => ({ text, value: text })),
      } as never;
    },
    getList: (filters?: { type?: string }) => list.filter((d) => !filters?.type || d.type === filters.type),
    getInstanceSettings: (ref: unknown, scopedVars?: { __sceneObject?: { value?: SceneObject } }) =>
      find(ref, scopedVars),
    reload: async () => {},
    registerRuntimeDataSource: () => {},
  } as never);
}

export type FramesFor = (request: DataQueryRequest) => DataFrame[];

/** Answers every panel query with the frames `framesFor` returns; records the requests. */
export function setPanelData(framesFor: FramesFor, requests: DataQueryRequest[] = []) {
  answer = framesFor;
  answered = requests;
  setRunRequest((_ds, request): Observable<PanelData> => {
    requests.push(request);
    return of({ state: LoadingState.Done, series: framesFor(request), timeRange: request.range });
  });
  return requests;
}

/** Every query fails with `message`, as when Prometheus cannot be reached through the datasource. */
export function setPanelError(message: string) {
  answer = () => {
    throw new Error(message);
  };
  setRunRequest((_ds, request): Observable<PanelData> =>
    of({ state: LoadingState.Error, series: [], errors: [{ message }], timeRange: request.range }),
  );
}

/** Frames of instant Prometheus answers as Grafana's backend gives them: one frame per series. */
export function instantFrames(
  refId: string,
  series: Array<{ labels: Record<string, string>; value: number }>,
  at = Date.now(),
): DataFrame[] {
  return series.map(({ labels, value }) => ({
    refId,
    name: undefined,
    length: 1,
    meta: { custom: { resultType: 'vector' } },
    fields: [
      { name: 'Time', type: FieldType.time, config: {}, values: [at] },
      { name: 'Value', type: FieldType.number, config: {}, labels, values: [value] },
    ],
  }));
}

export interface RecordedRequest {
  url: string;
  method?: string;
  data?: unknown;
}

/** A backend answering `handler(request)`; a thrown error becomes a failed request. */
export function setBackend(
  handler: (request: BackendSrvRequest) => unknown,
  recorded: RecordedRequest[] = [],
) {
  const fetch = (request: BackendSrvRequest) => {
    recorded.push({ url: request.url, method: request.method, data: request.data });
    try {
      const data = handler(request);
      return of({ data, status: 200, ok: true } as FetchResponse);
    } catch (e) {
      return throwError(() => e);
    }
  };
  setBackendSrv({ fetch } as unknown as BackendSrv);
  return recorded;
}

function FakePanel({ data, title }: PanelProps) {
  return (
    <div data-testid="fake-panel">
      {title}: {data.series.length} series
    </div>
  );
}

/** Panel plugins that render "<title>: <n> series" so that tests can see what reached a panel. */
export function setFakePanelPlugins() {
  const cache = new Map<string, PanelPlugin>();
  const plugin = (id: string) => {
    let p = cache.get(id);
    if (!p) {
      p = new PanelPlugin(FakePanel);
      p.meta = { id, name: id, type: 'panel', info: {}, module: '', baseUrl: '' } as PanelPlugin['meta'];
      cache.set(id, p);
    }
    return p;
  };
  setPluginImportUtils({
    importPanelPlugin: async (id: string) => plugin(id),
    getPanelPluginFromCache: (id: string) => plugin(id),
  });
}

/** Grafana registers its standard transformations at boot; tests do the same from @grafana/data. */
export function registerStandardTransformers() {
  // Some transformations are exported under two names (seriesToColumns = joinByField): register each once.
  const unique = new Map(Object.values(standardTransformers).map((t) => [t.id, t]));
  standardTransformersRegistry.setInit(() =>
    [...unique.values()].map((transformation) => ({
      id: transformation.id,
      name: transformation.name,
      description: transformation.description,
      transformation,
      editor: () => null,
      imageDark: '',
      imageLight: '',
    })),
  );
}
