import { expect, test } from '@grafana/plugin-e2e';
import {
  APP_PAGES,
  DEFAULT_TIME_RANGE_TEXT,
  PLUGIN_ID,
  SCALING_RECOMMENDATIONS,
  escapeRegExp,
  expectDatasourceVariable,
  expectPanelsRender,
  expectTimePicker,
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

test('Capacity planning shows the scaling recommendations', async ({ gotoAppPage, page }) => {
  await gotoAppPage({ pluginId: PLUGIN_ID, path: 'capacity-planning' });
  await expect(page.getByRole('heading', { name: SCALING_RECOMMENDATIONS.title, exact: true })).toBeVisible();
  await expect(
    page.getByTestId(SCALING_RECOMMENDATIONS.table).or(page.getByTestId(SCALING_RECOMMENDATIONS.empty)),
  ).toBeVisible();
});
