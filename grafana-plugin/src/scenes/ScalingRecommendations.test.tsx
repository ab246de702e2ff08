import React from 'react';
import { render, screen, within } from '@testing-library/react';
import { FieldType, toDataFrame } from '@grafana/data';
import { EmbeddedScene, SceneVariableSet, DataSourceVariable } from '@grafana/scenes';
import { prometheusSettings, setDatasources, setPanelData } from '../testing/runtime';
import { scalingRecommendationsQueries } from './buildScene';
import { ScalingRecommendations, testIds } from './ScalingRecommendations';

const NOW = new Date('2026-11-22T12:00:00Z');

function instant(refId: string, labels: Record<string, string>, value: number) {
  return toDataFrame({
    refId,
    fields: [
      { name: 'Time', type: FieldType.time, values: [NOW.getTime()] },
      { name: 'Value', type: FieldType.number, values: [value], labels },
    ],
  });
}

it('lists each resource with its priority and the day its limit is reached, most urgent first', async () => {
  setDatasources([prometheusSettings('chom-prometheus')]);
  setPanelData(() => [
    instant('A', { resource: 'storage' }, 0.5),
    instant('A', { resource: 'database' }, 0.1),
    instant('B', { resource: 'storage' }, 10),
    instant('B', { resource: 'host_disk', instance: 'n1:9100', mountpoint: '/data' }, 60),
    instant('E', { instance: 'n1:9100', mountpoint: '/data' }, 0.5),
  ]);
  const recommendations = new ScalingRecommendations({
    title: 'Scaling recommendations',
    now: () => NOW,
    $data: scalingRecommendationsQueries(),
  });
  const scene = new EmbeddedScene({
    $variables: new SceneVariableSet({
      variables: [
        new DataSourceVariable({ name: 'datasource', pluginId: 'prometheus', value: 'chom-prometheus' }),
      ],
    }),
    body: recommendations,
  });
  render(<scene.Component model={scene} />);
  const table = await screen.findByTestId(testIds.table, undefined, { timeout: 8000 });
  const rows = within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) =>
      within(row)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    );
  expect(rows).toEqual([
    [
      'Site storage',
      '50.0 %',
      'in 10 days (2026-12-02)',
      'high',
      'Scale now: add capacity before the limit is reached',
    ],
    ['Disk /data on n1:9100', '50.0 %', 'in 60 days (2027-01-21)', 'low', 'Review growth next quarter'],
    ['Application database', '10.0 %', 'not within 10 years', 'none', 'No action needed'],
  ]);
});
