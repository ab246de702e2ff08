import { expect, test } from '@grafana/plugin-e2e';
import { DASHBOARDS, escapeRegExp, expectDatasourceVariable, expectTimePicker } from './fixtures';

for (const dashboard of DASHBOARDS) {
  test(`the ${dashboard.title} dashboard opens with its variables and panels`, async ({
    gotoDashboardPage,
    page,
    selectors,
    readProvisionedDataSource,
  }) => {
    const datasource = await readProvisionedDataSource({ fileName: 'prometheus.yml' });
    const dashboardPage = await gotoDashboardPage({ uid: dashboard.uid });

    await expect(page).toHaveURL(new RegExp(`/d/${escapeRegExp(dashboard.uid)}`));
    await expect(page).toHaveTitle(new RegExp(escapeRegExp(dashboard.title)));
    await expectTimePicker(dashboardPage, page, selectors);
    await expectDatasourceVariable(dashboardPage, selectors, datasource.name);

    // Dashboard panels may render lazily: scroll each into view before checking it.
    for (const title of dashboard.panelTitles) {
      const panel = dashboardPage.getPanelByTitle(title);
      await panel.scrollIntoView();
      await expect(panel.locator, `panel "${title}"`).toBeVisible();
      await expect(panel.getErrorIcon(), `panel "${title}" error`).toHaveCount(0);
    }

    // The exporter status panel reads chom_exporter_up through the stack's Prometheus.
    const status = dashboardPage.getPanelByTitle('Exporter');
    await status.scrollIntoView();
    await expect(status.locator).toContainText('Up');
  });
}
