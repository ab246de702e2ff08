import { FieldType, type DataFrame } from '@grafana/data';
import { daysUntilLimit, type Point } from '../domain/forecast';
import { SCALE_NOW_RATIO, type CapacitySignal } from '../domain/recommendations';

/** The refIds of the queries the scaling recommendations read (see scalingRecommendationsQueries). */
export const SIGNAL_REFS = {
  capacityUsed: 'A',
  daysUntilLimit: 'B',
  cpu: 'C',
  memory: 'D',
  filesystem: 'E',
} as const;

const RESOURCE_LABELS: Record<string, string> = {
  storage: 'Site storage',
  sites: 'Sites',
  database: 'Application database',
};

interface Series {
  labels: Record<string, string>;
  points: Point[];
}

function seriesOf(frame: DataFrame): Series[] {
  const time = frame.fields.find((f) => f.type === FieldType.time);
  return frame.fields
    .filter((f) => f.type === FieldType.number)
    .map((field) => ({
      labels: { ...(field.labels ?? {}) },
      points: field.values
        .map((value: unknown, i: number) => ({
          time: Number(time?.values[i] ?? Date.now()) / 1000,
          value: Number(value),
        }))
        .filter((p: Point) => Number.isFinite(p.value)),
    }));
}

function last(series: Series): number | null {
  return series.points.length > 0 ? series.points[series.points.length - 1]!.value : null;
}

/** Capacity signals (use and days until the limit) from the frames of the recommendation queries. */
export function signalsFromFrames(frames: DataFrame[], nowSeconds: number): CapacitySignal[] {
  const byRef = (ref: string) => frames.filter((f) => f.refId === ref).flatMap(seriesOf);
  const signals = new Map<string, CapacitySignal>();
  const upsert = (key: string, label: string, patch: Partial<CapacitySignal>) => {
    const current = signals.get(key) ?? { key, label, usedRatio: null, daysUntilLimit: null };
    signals.set(key, { ...current, ...patch });
  };
  const diskKey = (labels: Record<string, string>) =>
    `host_disk ${labels.instance ?? ''}:${labels.mountpoint ?? ''}`;
  const diskLabel = (labels: Record<string, string>) =>
    `Disk ${labels.mountpoint ?? ''} on ${labels.instance ?? ''}`;

  for (const s of byRef(SIGNAL_REFS.capacityUsed)) {
    const resource = s.labels.resource ?? 'unknown';
    upsert(resource, RESOURCE_LABELS[resource] ?? resource, { usedRatio: last(s) });
  }
  for (const s of byRef(SIGNAL_REFS.filesystem)) {
    upsert(diskKey(s.labels), diskLabel(s.labels), { usedRatio: last(s) });
  }
  for (const s of byRef(SIGNAL_REFS.daysUntilLimit)) {
    const resource = s.labels.resource ?? 'unknown';
    if (resource === 'host_disk') {
      upsert(diskKey(s.labels), diskLabel(s.labels), { daysUntilLimit: last(s) });
    } else {
      upsert(resource, RESOURCE_LABELS[resource] ?? resource, { daysUntilLimit: last(s) });
    }
  }
  // Hosts have no limit rule: CPU and memory are "full" at the scale-now ratio, reached along the
  // linear trend of the displayed time range.
  for (const [ref, name] of [
    [SIGNAL_REFS.cpu, 'CPU'],
    [SIGNAL_REFS.memory, 'Memory'],
  ] as const) {
    for (const s of byRef(ref)) {
      const instance = s.labels.instance ?? '';
      upsert(`${name.toLowerCase()} ${instance}`, `${name} on ${instance}`, {
        usedRatio: last(s),
        daysUntilLimit: daysUntilLimit(s.points, SCALE_NOW_RATIO, nowSeconds),
      });
    }
  }
  return [...signals.values()];
}
