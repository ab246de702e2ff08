/** Number, money and date formatting for one report (locale and currency fixed per report). */
export interface Formatter {
  money(value: number | null): string;
  /** A signed amount: +€1,234.00 / −€12.00 */
  signedMoney(value: number | null): string;
  percent(value: number | null, digits?: number): string;
  signedPercent(value: number | null): string;
  number(value: number | null, digits?: number): string;
  dateTime(iso: string | number): string;
  date(iso: string | number): string;
  duration(seconds: number): string;
  bytes(value: number | null): string;
}

const DASH = '–';

export function createFormatter(locale: string, currency: string, timeZone: string): Formatter {
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const signed = new Intl.NumberFormat(locale, { style: 'currency', currency, signDisplay: 'exceptZero' });
  const pct = (digits: number, sign = false) =>
    new Intl.NumberFormat(locale, {
      style: 'percent',
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      signDisplay: sign ? 'exceptZero' : 'auto',
    });
  const dateTime = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const date = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
  });
  const oneDecimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  // A float residue such as -1e-12 must print as 0, not as "-0.00".
  const cents = (v: number) => (Math.abs(v) < 0.005 ? 0 : v);
  const share = (v: number) => (Math.abs(v) < 0.00005 ? 0 : v);
  const toDate = (v: string | number) => (typeof v === 'number' ? new Date(v * 1000) : new Date(v));
  return {
    money: (v) => (v === null ? DASH : money.format(cents(v))),
    signedMoney: (v) => (v === null ? DASH : signed.format(cents(v))),
    percent: (v, digits = 1) => (v === null ? DASH : pct(digits).format(share(v))),
    signedPercent: (v) => (v === null ? DASH : pct(1, true).format(share(v))),
    number: (v, digits = 0) =>
      v === null
        ? DASH
        : new Intl.NumberFormat(locale, {
            maximumFractionDigits: digits,
            minimumFractionDigits: digits,
          }).format(v),
    dateTime: (v) => dateTime.format(toDate(v)),
    date: (v) => date.format(toDate(v)),
    duration: (seconds) => {
      if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
      if (seconds < 2 * 86400) return `${oneDecimal.format(seconds / 3600)} h`;
      return `${oneDecimal.format(seconds / 86400)} d`;
    },
    bytes: (v) => {
      if (v === null) return DASH;
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
      let i = 0;
      let x = v;
      while (Math.abs(x) >= 1024 && i < units.length - 1) {
        x /= 1024;
        i++;
      }
      return `${i === 0 ? Math.round(x) : oneDecimal.format(x)} ${units[i]}`;
    },
  };
}

export const statusText: Record<string, string> = {
  on_track: 'On track',
  at_risk: 'At risk: forecast above budget',
  over_budget: 'Over budget',
  no_budget: 'No budget configured',
};

export const statusColor: Record<string, string> = {
  on_track: '#1a7f37',
  at_risk: '#b35900',
  over_budget: '#c62828',
  no_budget: '#57606a',
};
