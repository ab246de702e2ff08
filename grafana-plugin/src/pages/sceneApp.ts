import { SceneApp, SceneAppPage } from '@grafana/scenes';
import { ROUTES } from '../constants';
import { capacityPlanningPage } from '../panels/capacityPlanning';
import { costAnalysisPage } from '../panels/costAnalysis';
import type { PageSpec } from '../panels/types';
import { buildPageScene, type SceneSettings } from '../scenes/buildScene';
import { prefixRoute } from '../utils/routing';

export const APP_PAGES: Array<{ spec: PageSpec; route: ROUTES }> = [
  { spec: costAnalysisPage, route: ROUTES.CostAnalysis },
  { spec: capacityPlanningPage, route: ROUTES.CapacityPlanning },
];

export function buildAppPage(spec: PageSpec, route: ROUTES, settings: SceneSettings, now?: () => Date) {
  return new SceneAppPage({
    title: spec.title,
    subTitle: spec.subTitle,
    url: prefixRoute(route),
    routePath: `${route}/*`,
    getScene: () => buildPageScene(spec, settings, now),
  });
}

export function buildSceneApp(settings: SceneSettings, now?: () => Date): SceneApp {
  return new SceneApp({
    pages: APP_PAGES.map(({ spec, route }) => buildAppPage(spec, route, settings, now)),
    urlSyncOptions: { updateUrlOnInit: true, createBrowserHistorySteps: true },
  });
}
