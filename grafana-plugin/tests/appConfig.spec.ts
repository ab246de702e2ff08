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
