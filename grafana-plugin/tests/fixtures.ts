/**
 * What the e2e specs share: the plugin id, the pages and dashboards under test (from the same specs and
 * files the plugin is built from, so a renamed panel cannot drift from its test) and the checks every
 * scene (app page or dashboard) must pass.
 *
 * Only modules without runtime dependencies on Grafana are imported here: Playwright runs in Node, not in
 * Grafana's browser runtime.
 */
import { expect, type E2ESelectorGroups, type GrafanaPage } from '@grafana/plugin-e2e';
import type { Page } from '@playwright/test';
import { testIds } from '../src/components/testIds';
import { PLUGIN_ID, ROUTES } from '../src/constants';
import capacityPlanningDashboard from '../src/dashboards/capacity-planning.json';
import costAnalysisDashboard from '../src/dashboards/cost-analysis.json';
import { capacityPlanningPage } from '../src/panels/capacityPlanning';
import { costAnalysisPage } from '../src/panels/costAnalysis';
import type { PageSpec } from '../src/panels/types';

export { PLUGIN_ID, testIds };

/** The app pages (src/pages/sceneApp.ts APP_PAGES, without importing @grafana/scenes). */
export const APP_PAGES: Array<{ spec: PageSpec; route: ROUTES }> = [
  { spec: costAnalysisPage, route: ROUTES.CostAnalysis },
  { spec: capacityPlanningPage, route: ROUTES.CapacityPlanning },
];

/** The dashboards the plugin ships (plugin.json includes, loaded by provisioning/dashboards/chom.yml). */
export const DASHBOARDS: Array<{ uid: string; title: string; panelTitles: string[] }> = [
  costAnalysisDashboard,
  capacityPlanningDashboard,
].map((d) => ({ uid: d.uid, title: d.title, panelTitles: d.panels.map((p) => p.title) }));

/** The scaling recommendations component's test ids (src/scenes/ScalingRecommendations.tsx). */
export const SCALING_RECOMMENDATIONS = {
  title: 'Scaling recommendations',
  table: 'chom-scaling-recommendations',
  empty: 'chom-scaling-recommendations-empty',
};

/** The label of the datasource variable on the pages and dashboards (src/scenes/buildScene.ts). */
export const DATASOURCE_VARIABLE_LABEL = 'Data source';

/** The time range the pages and dashboards open with (now-7d to now). */
export const DEFAULT_TIME_RANGE_TEXT = 'Last 7 days';

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The time picker shows the default range and opens its overlay. */
export async function expectTimePicker(grafanaPage: GrafanaPage, page: Page, selectors: E2ESelectorGroups) {
  const timePicker = grafanaPage.getByGrafanaSelector(selectors.components.TimePicker.openButton);
  await expect(timePicker).toBeVisible();
  await expect(timePicker).toContainText(DEFAULT_TIME_RANGE_TEXT);
  await timePicker.click();
  await expect(
    grafanaPage.getByGrafanaSelector(selectors.components.TimePicker.overlayContent),
  ).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(grafanaPage.getByGrafanaSelector(selectors.components.TimePicker.overlayContent)).toHaveCount(
    0,
  );
}

/** The datasource variable is shown with its label and the name of the selected datasource. */
export async function expectDatasourceVariable(
  grafanaPage: GrafanaPage,
  selectors: E2ESelectorGroups,
  datasourceName: string,
) {
  const label = grafanaPage.getByGrafanaSelector(
    selectors.pages.Dashboard.SubMenu.submenuItemLabels(DATASOURCE_VARIABLE_LABEL),
  );
  await expect(label).toBeVisible();
  const control = grafanaPage
    .getByGrafanaSelector(selectors.pages.Dashboard.SubMenu.submenuItem)
    .filter({ has: label });
  await expect(control).toContainText(datasourceName);
}

/** Every panel header is in the page, no panel is still loading and none shows a query error. */
export async function expectPanelsRender(
  grafanaPage: GrafanaPage,
  selectors: E2ESelectorGroups,
  titles: string[],
) {
  for (const title of titles) {
    const panel = grafanaPage.getByGrafanaSelector(selectors.components.Panels.Panel.title(title));
    await panel.scrollIntoViewIfNeeded();
    await expect(panel, `panel "${title}"`).toBeVisible();
  }
  await expect(
    grafanaPage.getByGrafanaSelector(selectors.components.Panels.Panel.loadingBar('')),
  ).toHaveCount(0);
  await expect(
    grafanaPage.getByGrafanaSelector(selectors.components.Panels.Panel.status('error')),
  ).toHaveCount(0);
}
