import { getValueFormat } from '@grafana/data';
import { currencySymbol, currencyUnit, formatCurrency, resolveCurrency } from './currency';

describe('formatCurrency', () => {
  it('uses Intl currency formatting', () => {
    expect(formatCurrency(1234.5, 'USD')).toBe('$1,234.50');
    expect(formatCurrency(1234.5, 'EUR', 'de-DE')).toBe('1.234,50\u00a0€');
    expect(formatCurrency(-12, 'GBP', 'en-GB')).toBe('-£12.00');
  });

  it('falls back to the code for something Intl rejects', () => {
    expect(formatCurrency(1234.5, 'NOT A CODE')).toBe('1,234.50 NOT A CODE');
  });
});

describe('currencyUnit', () => {
  it("uses Grafana's built-in currency units when they exist", () => {
    expect(currencyUnit('USD')).toBe('currencyUSD');
    expect(currencyUnit('EUR')).toBe('currencyEUR');
    expect(getValueFormat(currencyUnit('EUR'))(1500, 0).suffix ?? '').toContain('K');
  });

  it('builds a custom unit with the symbol otherwise', () => {
    expect(currencySymbol('CAD')).toBe('CA$');
    expect(currencyUnit('CAD')).toBe('currency:CA$');
    const formatted = getValueFormat(currencyUnit('CAD'))(12, 2);
    expect(`${formatted.prefix ?? ''}${formatted.text}`).toBe('CA$12.00');
  });
});

describe('resolveCurrency', () => {
  it('prefers the configured code, then the exporter, then USD', () => {
    expect(resolveCurrency('EUR', 'GBP')).toBe('EUR');
    expect(resolveCurrency('', 'GBP')).toBe('GBP');
    expect(resolveCurrency(undefined, undefined)).toBe('USD');
  });
});
