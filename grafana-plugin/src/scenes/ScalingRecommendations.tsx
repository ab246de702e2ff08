import React from 'react';
import { css } from '@emotion/css';
import { LoadingState, type GrafanaTheme2 } from '@grafana/data';
import {
  SceneObjectBase,
  sceneGraph,
  type SceneComponentProps,
  type SceneObjectState,
} from '@grafana/scenes';
import { Alert, Badge, useStyles2, type BadgeColor } from '@grafana/ui';
import { describeDaysUntil } from '../domain/capacity';
import { scalingRecommendations, type Priority } from '../domain/recommendations';
import { signalsFromFrames } from './signals';

export interface ScalingRecommendationsState extends SceneObjectState {
  title: string;
  /** Clock, replaceable in tests. */
  now?: () => Date;
}

const PRIORITY_COLOURS: Record<Priority, BadgeColor> = {
  high: 'red',
  medium: 'orange',
  low: 'blue',
  none: 'green',
};

export const testIds = {
  table: 'chom-scaling-recommendations',
  empty: 'chom-scaling-recommendations-empty',
};

/** Table of scaling recommendations, one per resource, with the day its limit is reached. */
export class ScalingRecommendations extends SceneObjectBase<ScalingRecommendationsState> {
  static Component = ScalingRecommendationsRenderer;
}

function ScalingRecommendationsRenderer({ model }: SceneComponentProps<ScalingRecommendations>) {
  const { title, now } = model.useState();
  const { data } = sceneGraph.getData(model).useState();
  const styles = useStyles2(getStyles);
  const at = now ? now() : new Date();

  let body: React.ReactNode;
  if (!data || data.state === LoadingState.Loading || data.state === LoadingState.NotStarted) {
    body = <div>Loading…</div>;
  } else if (data.state === LoadingState.Error) {
    body = (
      <Alert severity="error" title="Recommendations unavailable">
        {data.errors?.[0]?.message ?? 'The capacity queries failed.'}
      </Alert>
    );
  } else {
    const recommendations = scalingRecommendations(signalsFromFrames(data.series, at.getTime() / 1000), at);
    body =
      recommendations.length === 0 ? (
        <div data-testid={testIds.empty}>
          No capacity data yet: the exporter&apos;s chom_capacity_* series and node_exporter metrics have not
          been scraped.
        </div>
      ) : (
        <table className={styles.table} data-testid={testIds.table}>
          <thead>
            <tr>
              <th>Resource</th>
              <th>Used</th>
              <th>Limit reached</th>
              <th>Priority</th>
              <th>Recommendation</th>
            </tr>
          </thead>
          <tbody>
            {recommendations.map((r) => (
              <tr key={r.key}>
                <td>{r.label}</td>
                <td>{r.usedRatio === null ? '–' : `${(r.usedRatio * 100).toFixed(1)} %`}</td>
                <td>
                  {describeDaysUntil(r.daysUntilLimit)}
                  {r.limitDate ? ` (${r.limitDate.toISOString().slice(0, 10)})` : ''}
                </td>
                <td>
                  <Badge text={r.priority} color={PRIORITY_COLOURS[r.priority]} />
                </td>
                <td>{r.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
      );
  }

  return (
    <div className={styles.container}>
      <h6 className={styles.title}>{title}</h6>
      {body}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  container: css({
    height: '100%',
    overflow: 'auto',
    padding: theme.spacing(1),
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
  title: css({ marginBottom: theme.spacing(1) }),
  table: css({
    width: '100%',
    'th, td': {
      padding: theme.spacing(0.5, 1),
      textAlign: 'left',
      borderBottom: `1px solid ${theme.colors.border.weak}`,
    },
  }),
});
