import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { resolveSettings, type AppJsonData } from '../../config';
import { setBackend, type RecordedRequest } from '../../testing/runtime';
import { browserPage } from '../../utils/browser';
import { testIds } from '../testIds';
import AppConfig, { validateConfigForm } from './AppConfig';

function renderConfig(jsonData: AppJsonData = {}) {
  const meta = {
    id: 'chom-finops-app',
    name: 'CHOM FinOps',
    type: 'app',
    enabled: true,
    pinned: true,
    jsonData,
  } as AppPluginMeta<AppJsonData>;
  const props = { plugin: { meta }, query: {} } as unknown as PluginConfigPageProps<
    AppPluginMeta<AppJsonData>
  >;
  return render(<AppConfig {...props} />);
}

let requests: RecordedRequest[];
let reload: jest.SpyInstance;

beforeEach(() => {
  requests = setBackend(() => ({ message: 'Plugin settings updated' }));
  // jsdom cannot load a page: record that the page would be loaded again.
  reload = jest.spyOn(browserPage, 'reload').mockImplementation(() => {});
});

afterEach(() => reload.mockRestore());

describe('AppConfig', () => {
  it('shows the defaults when nothing is configured', () => {
    renderConfig();
    expect(screen.getByTestId(testIds.appConfig.datasourceUid)).toHaveValue('chom-prometheus');
    expect(screen.getByTestId(testIds.appConfig.currency)).toHaveValue('');
    expect(screen.getByTestId(testIds.appConfig.tenantLimit)).toHaveValue(50);
    expect(screen.getByTestId(testIds.appConfig.budgetThresholds)).toHaveValue('');
  });

  it("saves the settings in the app's jsonData through the plugin settings API, then loads the page again", async () => {
    renderConfig({ datasourceUid: 'chom-prometheus' });
    const user = userEvent.setup();
    await user.clear(screen.getByTestId(testIds.appConfig.datasourceUid));
    await user.type(screen.getByTestId(testIds.appConfig.datasourceUid), 'prom-eu');
    await user.type(screen.getByTestId(testIds.appConfig.currency), 'eur');
    await user.clear(screen.getByTestId(testIds.appConfig.tenantLimit));
    await user.type(screen.getByTestId(testIds.appConfig.tenantLimit), '20');
    await user.type(screen.getByTestId(testIds.appConfig.budgetThresholds), '0.9, 0.5');
    await user.click(screen.getByTestId(testIds.appConfig.submit));

    await waitFor(() => expect(reload).toHaveBeenCalled());
    expect(requests).toEqual([
      {
        url: '/api/plugins/chom-finops-app/settings',
        method: 'POST',
        data: {
          enabled: true,
          pinned: true,
          jsonData: {
            datasourceUid: 'prom-eu',
            currency: 'EUR',
            tenantLimit: 20,
            budgetThresholds: [0.5, 0.9],
          },
        },
      },
    ]);
  });

  it("saved settings reach the pages: Grafana's settings cache lives as long as the page", async () => {
    // Grafana keeps each plugin's settings in memory once fetched (public/app/features/plugins/
    // pluginSettings.ts) and hands the app that copy: only a new page load fetches them again.
    let server: AppJsonData = { currency: '' };
    let cached: AppJsonData | undefined = server;
    const pageSettings = () => (cached ??= server);
    setBackend((request) => {
      server = (request.data as { jsonData: AppJsonData }).jsonData;
      return { message: 'Plugin settings updated' };
    });
    reload.mockImplementation(() => {
      cached = undefined;
    });
    // locationService.reload() as runtime 12.4 implements it: the route re-renders, the page stays.
    const routeReload = jest.spyOn(locationService, 'reload');

    renderConfig(pageSettings());
    const user = userEvent.setup();
    await user.type(screen.getByTestId(testIds.appConfig.currency), 'chf');
    await user.click(screen.getByTestId(testIds.appConfig.submit));

    await waitFor(() => expect(reload).toHaveBeenCalledTimes(1));
    expect(resolveSettings(pageSettings()).currency).toBe('CHF');
    routeReload.mockRestore();
  });

  it('names the invalid field and saves nothing', async () => {
    renderConfig();
    const user = userEvent.setup();
    await user.type(screen.getByTestId(testIds.appConfig.currency), 'euro');
    await user.click(screen.getByTestId(testIds.appConfig.submit));
    expect(await screen.findByText(/Currency: a three-letter ISO 4217 code/)).toBeInTheDocument();
    expect(requests).toEqual([]);
    expect(reload).not.toHaveBeenCalled();
  });

  it('explains a failed save', async () => {
    setBackend(() => {
      throw { data: { message: 'Permission denied' } };
    });
    renderConfig();
    await userEvent.setup().click(screen.getByTestId(testIds.appConfig.submit));
    expect(await screen.findByTestId(testIds.appConfig.saveError)).toHaveTextContent('Permission denied');
    expect(reload).not.toHaveBeenCalled();
  });
});

describe('validateConfigForm', () => {
  const valid = { datasourceUid: 'chom-prometheus', currency: '', tenantLimit: '50', budgetThresholds: '' };

  it('accepts empty currency and thresholds (the exporter decides)', () => {
    expect(validateConfigForm(valid)).toEqual({
      errors: {},
      jsonData: { datasourceUid: 'chom-prometheus', currency: '', tenantLimit: 50, budgetThresholds: [] },
    });
  });

  it.each([
    ['datasourceUid', { datasourceUid: 'has space' }, /Datasource UID/],
    ['tenantLimit', { tenantLimit: '0' }, /Default tenant limit/],
    ['tenantLimit', { tenantLimit: '2.5' }, /Default tenant limit/],
    ['budgetThresholds', { budgetThresholds: '0.5, x' }, /Budget thresholds/],
    ['budgetThresholds', { budgetThresholds: '-1' }, /Budget thresholds/],
  ])('rejects a bad %s', (field, patch, message) => {
    const result = validateConfigForm({ ...valid, ...patch });
    expect(result.jsonData).toBeUndefined();
    expect(result.errors[field as keyof typeof result.errors]).toMatch(message);
  });
});
