import { FieldType, toDataFrame } from '@grafana/data';
import { signalsFromFrames } from './signals';

const DAY = 86400;
const now = 1_790_000_000;

function instant(refId: string, labels: Record<string, string>, value: number) {
  return toDataFrame({
    refId,
    fields: [
      { name: 'Time', type: FieldType.time, values: [now * 1000] },
      { name: 'Value', type: FieldType.number, values: [value], labels },
    ],
  });
}

function range(refId: string, labels: Record<string, string>, values: number[]) {
  return toDataFrame({
    refId,
    fields: [
      {
        name: 'Time',
        type: FieldType.time,
        values: values.map((_, i) => (now - (values.length - 1 - i) * DAY) * 1000),
      },
      { name: 'Value', type: FieldType.number, values, labels },
    ],
  });
}

describe('signalsFromFrames', () => {
  it('joins use and days-until per resource, host disks by instance and mountpoint, and host CPU trends', () => {
    const signals = signalsFromFrames(
      [
        instant('A', { resource: 'storage' }, 0.6),
        instant('A', { resource: 'database' }, 0.2),
        instant('B', { resource: 'storage' }, 42),
        instant('B', { resource: 'host_disk', instance: 'n1:9100', mountpoint: '/data' }, 7),
        range('C', { instance: 'n1:9100' }, [0.5, 0.6, 0.7]),
        range('D', { instance: 'n1:9100' }, [0.4, 0.4, 0.4]),
        instant('E', { instance: 'n1:9100', mountpoint: '/data' }, 0.85),
      ],
      now,
    );
    const byKey = Object.fromEntries(signals.map((s) => [s.key, s]));
    expect(byKey.storage).toEqual({
      key: 'storage',
      label: 'Site storage',
      usedRatio: 0.6,
      daysUntilLimit: 42,
    });
    expect(byKey.database).toMatchObject({ usedRatio: 0.2, daysUntilLimit: null });
    expect(byKey['host_disk n1:9100:/data']).toMatchObject({ usedRatio: 0.85, daysUntilLimit: 7 });
    expect(byKey['cpu n1:9100']!.usedRatio).toBeCloseTo(0.7);
    expect(byKey['cpu n1:9100']!.daysUntilLimit).toBeCloseTo(2, 6);
    expect(byKey['memory n1:9100']).toMatchObject({ usedRatio: 0.4, daysUntilLimit: null });
  });

  it('is empty without frames', () => {
    expect(signalsFromFrames([], now)).toEqual([]);
  });
});
