/**
 * What the e2e specs share: the plugin id, the pages and dashboards under test (from the same specs and
 * files the plugin is built from, so a renamed panel cannot drift from its test) and the checks every
 * scene (app page or dashboard) must pass.
 *
 * Only modules without runtime dependencies on Grafana are imported here: Playwright runs in Node, not in
 * Grafana's browser runtime.
 */
import { expect, type E2ESelectorGroups, type GrafanaPage } from '@grafana/plugin-e2e';
import type { Locator, Page } from '@playwright/test';
import { testIds } from '../src/components/testIds';
import { PLUGIN_ID, ROUTES } from '../src/constants';
import capacityPlanningDashboard from '../src/dashboards/capacity-planning.json';
import costAnalysisDashboard from '../src/dashboards/cost-analysis.json';
import { capacityPlanningPage } from '../src/panels/capacityPlanning';
import { costAnalysisPage } from '../src/panels/costAnalysis';
import type { PageSpec } from '../src/panels/types';
import pluginJson from '../src/plugin.json';

export { PLUGIN_ID, testIds };

/** The app pages (src/pages/sceneApp.ts APP_PAGES, without importing @grafana/scenes). */
export const APP_PAGES: Array<{ spec: PageSpec; route: ROUTES }> = [
  { spec: costAnalysisPage, route: ROUTES.CostAnalysis },
  { spec: capacityPlanningPage, route: ROUTES.CapacityPlanning },
];

/** The dashboards the plugin ships (plugin.json includes, imported by Grafana when the app is enabled). */
export const DASHBOARDS: Array<{ uid: string; title: string; panelTitles: string[]; moneyStats: string[] }> =
  [costAnalysisDashboard, capacityPlanningDashboard].map((d) => ({
    uid: d.uid,
    title: d.title,
    panelTitles: d.panels.map((p) => p.title),
    // Stat panels in money: they take the exporter's currency from the data (configFromData).
    moneyStats: d.panels
      .filter((p) => p.type === 'stat' && (p.transformations ?? []).some((t) => t.id === 'configFromData'))
      .map((p) => p.title),
  }));

/** How Grafana's currency units show a code: the symbol of its built-in unit, else the code. */
export function currencySymbol(code: string): string {
  const symbols: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥', CHF: 'CHF' };
  return symbols[code] ?? code;
}

/** The table panels with one row per tenant, their page and their columns (from the panel specs). */
export const TENANT_TABLES = APP_PAGES.flatMap(({ spec, route }) =>
  spec.panels
    .filter((p) => p.type === 'table' && p.labelColumns?.[0]?.label === 'tenant_id')
    .map((p) => ({
      route,
      title: p.title,
      columns: [...(p.labelColumns ?? []).map((l) => l.name), ...(p.columns ?? []).map((c) => c.name)],
    })),
);

/** The dashboards the app adds to Grafana's menu (plugin.json includes with addToNav and a uid). */
export const MENU_DASHBOARDS = (
  pluginJson.includes as Array<{ type: string; name: string; uid?: string; addToNav?: boolean }>
)
  .filter((i) => i.type === 'dashboard' && i.addToNav)
  .map((i) => ({ name: i.name, uid: i.uid! }));

/**
 * The text of the visible rows of a table panel, cell by cell (Grafana's table renders the rows in
 * view; scroll it to see more).
 */
export async function tableRows(panel: Locator): Promise<string[][]> {
  const rows = panel.getByRole('row');
  await expect(rows.nth(1), 'the table has rows').toBeVisible();
  return rows.evaluateAll((elements) =>
    elements
      .slice(1)
      .map((row) =>
        [...row.querySelectorAll('[role="gridcell"], [role="cell"]')].map((c) => c.textContent?.trim() ?? ''),
      ),
  );
}

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
