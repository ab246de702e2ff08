import { expect, test } from '@grafana/plugin-e2e';
import {
  APP_PAGES,
  DEFAULT_TIME_RANGE_TEXT,
  PLUGIN_ID,
  MENU_DASHBOARDS,
  TENANT_TABLES,
  escapeRegExp,
  expectDatasourceVariable,
  expectPanelsRender,
  expectTimePicker,
  tableRows,
  testIds,
} from './fixtures';

test('the app root opens the Cost analysis page', async ({ gotoAppPage, page }) => {
  await gotoAppPage({ pluginId: PLUGIN_ID });
  await expect(page).toHaveURL(new RegExp(`/a/${PLUGIN_ID}/cost-analysis`));
  await expect(page.getByRole('heading', { level: 1, name: 'Cost analysis', exact: true })).toBeVisible();
});

for (const { spec, route } of APP_PAGES) {
  test.describe(`${spec.title} page`, () => {
    test('shows its title, the time picker and the variables', async ({
      gotoAppPage,
      page,
      selectors,
      readProvisionedDataSource,
    }) => {
      const datasource = await readProvisionedDataSource({ fileName: 'prometheus.yml' });
      const appPage = await gotoAppPage({ pluginId: PLUGIN_ID, path: route });

      await expect(page).toHaveURL(new RegExp(`/a/${PLUGIN_ID}/${escapeRegExp(route)}`));
      await expect(page.getByRole('heading', { level: 1, name: spec.title, exact: true })).toBeVisible();
      await expect(page.getByText(spec.subTitle)).toBeVisible();

      // The provisioned datasource is found by its UID: no "no datasource" or "fallback" notice.
      await expect(page.getByTestId(testIds.app.noDatasource)).toHaveCount(0);
      await expect(page.getByTestId(testIds.app.datasourceFallback)).toHaveCount(0);

      await expectTimePicker(appPage, page, selectors);
      await expectDatasourceVariable(appPage, selectors, datasource.name);
      await expect(
        appPage.getByGrafanaSelector(selectors.pages.Dashboard.SubMenu.submenuItemLabels('Tenant')),
      ).toBeVisible();
      // The tenant limit is a hidden constant.
      await expect(
        appPage.getByGrafanaSelector(selectors.pages.Dashboard.SubMenu.submenuItemLabels('tenant_limit')),
      ).toHaveCount(0);
      // The time range is in the URL (the scene app syncs its state to it).
      await expect(page).toHaveURL(/from=now-7d/);
      await expect(appPage.getByGrafanaSelector(selectors.components.TimePicker.openButton)).toContainText(
        DEFAULT_TIME_RANGE_TEXT,
      );
    });

    test('renders every panel without a query error', async ({ gotoAppPage, page, selectors }) => {
      const appPage = await gotoAppPage({ pluginId: PLUGIN_ID, path: route });
      await expectPanelsRender(
        appPage,
        selectors,
        spec.panels.map((p) => p.title),
      );
      // The exporter is up and scraped (scripts/e2e.sh waits for it): no health banner.
      await expect(page.getByTestId(testIds.app.health)).toHaveCount(0);
    });
  });
}

test('Cost analysis shows the run-rate from the recording rules', async ({ gotoAppPage, selectors }) => {
  const appPage = await gotoAppPage({ pluginId: PLUGIN_ID, path: 'cost-analysis' });
  const panel = appPage.getByGrafanaSelector(selectors.components.Panels.Panel.title('Total monthly cost'));
  await expect(panel).toBeVisible();
  // chom:cost_monthly:sum exists once the 1m recording group has run (scripts/e2e.sh waits for it); the
  // page refreshes every minute.
  await expect(panel).not.toContainText('No data yet', { timeout: 90_000 });
});

test('Capacity planning ranks the resources in the Scaling recommendations table panel', async ({
  gotoAppPage,
  selectors,
}) => {
  const appPage = await gotoAppPage({ pluginId: PLUGIN_ID, path: 'capacity-planning' });
  const panel = appPage.getByGrafanaSelector(
    selectors.components.Panels.Panel.containerByTitle('Scaling recommendations'),
  );
  await panel.scrollIntoViewIfNeeded();
  const rows = await tableRows(panel);
  expect(rows.map((r) => r[0])).toEqual(expect.arrayContaining(['Site storage', 'Application database']));
  for (const row of rows) {
    expect(['High', 'Medium', 'Low', 'None']).toContain(row[1]);
  }
});

for (const table of TENANT_TABLES) {
  test(`${table.title}: one row per tenant, every column filled`, async ({ gotoAppPage, selectors }) => {
    const appPage = await gotoAppPage({ pluginId: PLUGIN_ID, path: table.route });
    const panel = appPage.getByGrafanaSelector(
      selectors.components.Panels.Panel.containerByTitle(table.title),
    );
    await panel.scrollIntoViewIfNeeded();
    await expect(panel.getByRole('columnheader')).toHaveText(table.columns);
    // The page refreshes every minute; the recording rules need their first evaluation.
    await expect.poll(async () => (await tableRows(panel)).length, { timeout: 90_000 }).toBeGreaterThan(1);
    const rows = await tableRows(panel);
    const tenants = rows.map((r) => r[0]);
    expect(new Set(tenants).size, 'a tenant appears once').toBe(tenants.length);
    for (const row of rows) {
      expect(row, `row of tenant ${row[0]}`).toHaveLength(table.columns.length);
      expect(
        row.filter((cell) => cell === ''),
        `empty cells in the row of tenant ${row[0]}`,
      ).toEqual([]);
    }
  });
}

test("the app's dashboards are in Grafana's menu under the app", async ({ page, gotoAppPage }) => {
  await gotoAppPage({ pluginId: PLUGIN_ID });
  // Grafana builds the menu on the server (navtree applinks) and hands it to the page in its boot data.
  const links = await page.evaluate((pluginId) => {
    type Node = { id?: string; url?: string; text?: string; children?: Node[] };
    const boot = (window as unknown as { grafanaBootData: { navTree: Node[] } }).grafanaBootData;
    const found: Node[] = [];
    const visit = (nodes: Node[] = []) =>
      nodes.forEach((n) => {
        if (n.id === `plugin-page-${pluginId}`) {
          found.push(...(n.children ?? []));
        }
        visit(n.children);
      });
    visit(boot.navTree);
    return found.map((n) => ({ text: n.text, url: n.url }));
  }, PLUGIN_ID);
  for (const dashboard of MENU_DASHBOARDS) {
    const link = links.find((l) => l.text === dashboard.name);
    expect(link, `menu entry ${dashboard.name}`).toBeDefined();
    expect(link!.url).toMatch(new RegExp(`/d/${escapeRegExp(dashboard.uid)}$`));
    await page.goto(link!.url!);
    await expect(page).toHaveURL(new RegExp(`/d/${escapeRegExp(dashboard.uid)}`));
  }
});
