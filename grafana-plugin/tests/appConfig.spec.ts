import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@grafana/plugin-e2e';
import YAML from 'yaml';
import type { AppJsonData } from '../src/config';
import { PLUGIN_ID, testIds } from './fixtures';

/** The jsonData provisioning/plugins/chom-finops-app.yml gives the app in the stack. */
function provisionedJsonData(): Required<AppJsonData> {
  const file = path.join(__dirname, '..', '..', 'provisioning', 'plugins', `${PLUGIN_ID}.yml`);
  const { apps } = YAML.parse(fs.readFileSync(file, 'utf8')) as {
    apps: Array<{ type: string; jsonData: Required<AppJsonData> }>;
  };
  const app = apps.find((a) => a.type === PLUGIN_ID);
  if (!app) {
    throw new Error(`${file} does not provision ${PLUGIN_ID}`);
  }
  return app.jsonData;
}

// The last spec saves settings (and restores them): run this file's specs one after the other.
test.describe.configure({ mode: 'serial' });

// The configuration page is the plugin page's "configuration" tab (src/module.tsx addConfigPage).
const configTab = () => new URLSearchParams({ page: 'configuration' });

test('the configuration page shows the provisioned settings', async ({ gotoAppConfigPage, page }) => {
  const jsonData = provisionedJsonData();
  await gotoAppConfigPage({ pluginId: PLUGIN_ID, queryParams: configTab() });

  await expect(page.getByText('CHOM FinOps settings')).toBeVisible();
  await expect(page.getByTestId(testIds.appConfig.datasourceUid)).toHaveValue(jsonData.datasourceUid);
  await expect(page.getByTestId(testIds.appConfig.currency)).toHaveValue(
    jsonData.currency.trim().toUpperCase(),
  );
  await expect(page.getByTestId(testIds.appConfig.tenantLimit)).toHaveValue(String(jsonData.tenantLimit));
  await expect(page.getByTestId(testIds.appConfig.budgetThresholds)).toHaveValue(
    [...jsonData.budgetThresholds].sort((a, b) => a - b).join(', '),
  );
  await expect(page.getByTestId(testIds.appConfig.submit)).toBeEnabled();
});

test('the configuration page rejects an invalid currency without saving', async ({
  gotoAppConfigPage,
  page,
}) => {
  const saves: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().includes(`/api/plugins/${PLUGIN_ID}/settings`)) {
      saves.push(request.url());
    }
  });
  await gotoAppConfigPage({ pluginId: PLUGIN_ID, queryParams: configTab() });

  await page.getByTestId(testIds.appConfig.currency).fill('EURO');
  await page.getByTestId(testIds.appConfig.submit).click();

  await expect(page.getByText('Currency: a three-letter ISO 4217 code')).toBeVisible();
  expect(saves).toEqual([]);
});

test('saved settings apply: after saving, the page loads again and the app pages use them', async ({
  gotoAppConfigPage,
  gotoAppPage,
  page,
  request,
  selectors,
}) => {
  const provisioned = provisionedJsonData();
  const currency = provisioned.currency === 'CHF' ? 'SEK' : 'CHF';
  try {
    await gotoAppConfigPage({ pluginId: PLUGIN_ID, queryParams: configTab() });
    await page.getByTestId(testIds.appConfig.currency).fill(currency);
    // Grafana keeps plugin settings for the life of the page: saving must load the page again.
    const reloaded = page.waitForEvent('load');
    await page.getByTestId(testIds.appConfig.submit).click();
    await reloaded;
    await expect(page.getByTestId(testIds.appConfig.currency)).toHaveValue(currency);

    // In the same browser session, without a manual reload.
    const appPage = await gotoAppPage({ pluginId: PLUGIN_ID, path: 'cost-analysis' });
    const total = appPage.getByGrafanaSelector(
      selectors.components.Panels.Panel.containerByTitle('Total monthly cost'),
    );
    await expect(total).toContainText(currency, { timeout: 90_000 });
  } finally {
    // Back to the provisioned settings, for the other specs.
    const response = await request.post(`/api/plugins/${PLUGIN_ID}/settings`, {
      data: { enabled: true, pinned: true, jsonData: provisioned },
    });
    expect(response.ok()).toBe(true);
  }
});
