import { getValueFormats } from '@grafana/data';

export const FALLBACK_CURRENCY = 'USD';

/** Formats money with Intl.NumberFormat; an unknown code falls back to "1,234.50 XYZ". */
export function formatCurrency(value: number, currency: string, locale = 'en-US'): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(value);
  } catch {
    const amount = new Intl.NumberFormat(locale, {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    }).format(value);
    return `${amount} ${currency}`;
  }
}

/** The symbol Intl uses for a currency in a locale ("$", "€", "CHF"); the code when unknown. */
export function currencySymbol(currency: string, locale = 'en-US'): string {
  try {
    const part = new Intl.NumberFormat(locale, { style: 'currency', currency })
      .formatToParts(0)
      .find((p) => p.type === 'currency');
    return part?.value ?? currency;
  } catch {
    return currency;
  }
}

/**
 * The Grafana unit for money in a currency: the built-in `currencyXXX` unit when Grafana has one,
 * otherwise a custom `currency:<symbol>` unit.
 */
export function currencyUnit(currency: string): string {
  const builtIn = `currency${currency}`;
  const known = getValueFormats().some((category) => category.submenu.some((unit) => unit.value === builtIn));
  return known ? builtIn : `currency:${currencySymbol(currency)}`;
}

/**
 * The currency to display: the configured code wins; otherwise the one the exporter reports in
 * chom_exporter_info{currency}; otherwise USD.
 */
export function resolveCurrency(
  configured: string | undefined,
  exporterCurrency: string | undefined,
): string {
  return configured || exporterCurrency || FALLBACK_CURRENCY;
}

/** The ISO codes Grafana has a built-in `currencyXXX` unit for. */
export function grafanaCurrencyCodes(): string[] {
  return getValueFormats()
    .flatMap((category) => category.submenu.map((unit) => unit.value))
    .map((value) => /^currency([A-Z]{3})$/.exec(value)?.[1])
    .filter((code): code is string => code !== undefined);
}
