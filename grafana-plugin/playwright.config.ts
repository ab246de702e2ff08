import path from 'node:path';
import type { PluginOptions } from '@grafana/plugin-e2e';
import { defineConfig, devices } from '@playwright/test';

/**
 * End-to-end specs (tests/*.spec.ts) against a running Grafana with the app installed and provisioned,
 * normally the docker-compose stack started by scripts/e2e.sh. Not part of `npm test` (jest).
 *
 * Environment:
 * - GRAFANA_URL: Grafana to test (default http://localhost:3000)
 * - GRAFANA_ADMIN_USER / GRAFANA_ADMIN_PASSWORD: read by @grafana/plugin-e2e (default admin / admin);
 *   scripts/e2e.sh takes the password from the grafana service (/run/secrets/grafana-admin-password)
 * - CHROMIUM_PATH: the Chromium to drive (default Debian's /usr/bin/chromium); Playwright's own
 *   browser download is not used
 */
const pluginE2eAuth = `${path.dirname(require.resolve('@grafana/plugin-e2e'))}/auth`;
// plugin-e2e's login writes the session of the admin user to playwright/.auth/<user>.json (relative to the
// working directory: run Playwright from grafana-plugin/).
const adminUser = process.env.GRAFANA_ADMIN_USER || 'admin';

export default defineConfig<PluginOptions>({
  testDir: './tests',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 2 : 0,
  workers: process.env.CI ? 1 : undefined,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: process.env.GRAFANA_URL ?? 'http://localhost:3000',
    trace: 'on-first-retry',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    },
    // The repository's provisioning/ folder: readProvisionedDataSource reads the stack's datasource from it.
    provisioningRootDir: path.join(__dirname, '..', 'provisioning'),
  },
  projects: [
    {
      name: 'auth',
      testDir: pluginE2eAuth,
      testMatch: [/.*\.js/],
    },
    {
      name: 'run-tests',
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1920, height: 1080 },
        storageState: `playwright/.auth/${adminUser}.json`,
      },
      dependencies: ['auth'],
    },
  ],
});
