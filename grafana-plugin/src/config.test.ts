import { displaySettings, normaliseCurrencyCode, resolveSettings } from './config';

describe('resolveSettings', () => {
  it('fills defaults for an unconfigured app', () => {
    expect(resolveSettings(undefined)).toEqual({
      datasourceUid: 'chom-prometheus',
      currency: '',
      tenantLimit: 50,
      budgetThresholds: [],
    });
  });

  it('keeps valid values and drops unusable ones', () => {
    expect(
      resolveSettings({
        datasourceUid: ' prom ',
        currency: 'eur',
        tenantLimit: 10,
        budgetThresholds: [0.9, -1, 0.5],
      }),
    ).toEqual({ datasourceUid: 'prom', currency: 'EUR', tenantLimit: 10, budgetThresholds: [0.5, 0.9] });
    expect(resolveSettings({ currency: 'euro', tenantLimit: 0 })).toMatchObject({
      currency: '',
      tenantLimit: 50,
    });
  });

  it('normalises currency codes', () => {
    expect(normaliseCurrencyCode(' gbp ')).toBe('GBP');
    expect(normaliseCurrencyCode('£')).toBeUndefined();
  });
});

describe('displaySettings', () => {
  const base = resolveSettings({});

  it("uses the exporter's currency and thresholds when the app does not set them", () => {
    expect(displaySettings(base, { currency: 'CHF', budgetThresholds: [0.9, 0.6] })).toEqual({
      currency: 'CHF',
      budgetThresholds: [0.6, 0.9],
    });
  });

  it('prefers configured values, and falls back to USD and the default thresholds', () => {
    const configured = resolveSettings({ currency: 'EUR', budgetThresholds: [0.8] });
    expect(displaySettings(configured, { currency: 'CHF', budgetThresholds: [0.6] })).toEqual({
      currency: 'EUR',
      budgetThresholds: [0.8],
    });
    expect(displaySettings(base, { budgetThresholds: [] })).toEqual({
      currency: 'USD',
      budgetThresholds: [0.5, 0.75, 0.9, 1],
    });
  });
});
