import { expect, test } from '@grafana/plugin-e2e';
import type { Page } from '@playwright/test';
import {
  DASHBOARDS,
  currencySymbol,
  escapeRegExp,
  expectDatasourceVariable,
  expectTimePicker,
} from './fixtures';

/** The currency the stack's exporter reports, asked of Prometheus through Grafana's datasource proxy. */
async function exporterCurrency(page: Page): Promise<string> {
  const response = await page.request.get(
    '/api/datasources/proxy/uid/chom-prometheus/api/v1/query?query=chom_exporter_info',
  );
  const body = (await response.json()) as { data: { result: Array<{ metric: { currency: string } }> } };
  return body.data.result[0]!.metric.currency;
}

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

    // The datasource variable starts on the provisioned datasource, the time zone is UTC.
    await expect(page).toHaveURL(/var-datasource=chom-prometheus/);
  });

  if (dashboard.moneyStats.length === 0) {
    continue;
  }
  test(`the ${dashboard.title} dashboard shows money in the exporter's currency`, async ({
    gotoDashboardPage,
    page,
  }) => {
    // The compose stack's exporter reports its currency in chom_exporter_info (exporter/chom-finops.example.yml).
    const currency = await exporterCurrency(page);
    const dashboardPage = await gotoDashboardPage({ uid: dashboard.uid });
    for (const title of dashboard.moneyStats) {
      const panel = dashboardPage.getPanelByTitle(title);
      await panel.scrollIntoView();
      await expect(panel.locator, `panel "${title}"`).toContainText(currencySymbol(currency), {
        timeout: 90_000,
      });
    }
  });
}
