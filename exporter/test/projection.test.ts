import { parseConfig } from '../src/config';
import type { CostReport } from '../src/model';
import { expectedRestOfMonth, monthEndProjectionCents, weekdayMeans } from '../src/model/projection';

const DAY_MS = 86_400_000;
const GIB = 2 ** 30;

/** Consecutive days ending `today`, and a value per day from `of`. */
function history(today: string, count: number, of: (day: Date) => number) {
  const days: string[] = [];
  const values: number[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const day = new Date(Date.parse(`${today}T00:00:00Z`) - i * DAY_MS);
    days.push(day.toISOString().slice(0, 10));
    values.push(of(day));
  }
  return { days, values };
}

// weekdays 100, weekends 40, a campaign every Tuesday at 300
const weekly = (day: Date) => [40, 100, 300, 100, 100, 100, 40][day.getUTCDay()] as number;

describe('usage expected for the rest of the month', () => {
  test('follows the weekday pattern of the completed days, today left out', () => {
    const { days, values } = history('2026-03-18', 31, weekly);
    values[values.length - 1] = 5; // today so far: partial, not a pattern
    expect(weekdayMeans(days, values)).toEqual([40, 100, 300, 100, 100, 100, 40]);
  });

  test('is the rest of today pro rata plus each day left at its weekday', () => {
    const { days, values } = history('2026-03-18', 31, weekly);
    // Wednesday 18 March, 18:00: a quarter of today, then 19–31 March
    const now = new Date('2026-03-18T18:00:00Z');
    let expected = 100 * 0.25;
    for (let d = 19; d <= 31; d++) expected += weekly(new Date(Date.UTC(2026, 2, d)));
    expect(expectedRestOfMonth(days, values, now)).toBeCloseTo(expected, 9);
  });

  test('takes the last four weeks of each weekday: a change two weeks old counts half', () => {
    const { days, values } = history('2026-03-18', 31, (day) =>
      day.getTime() >= Date.UTC(2026, 2, 4) ? 200 : 100,
    );
    // Wednesdays: 4 March and 11 March at 200, 18 Feb and 25 Feb at 100
    expect(weekdayMeans(days, values)[3]).toBe(150);
  });

  test('without completed days nothing more is expected; with one, every day is like it', () => {
    expect(expectedRestOfMonth(['2026-03-18'], [999], new Date('2026-03-18T12:00:00Z'))).toBe(0);
    const one = expectedRestOfMonth(['2026-03-17', '2026-03-18'], [10, 1], new Date('2026-03-31T00:00:00Z'));
    expect(one).toBeCloseTo(10, 9);
  });
});

test('the month-end projection: state at its run-rate, usage priced on the projected month total', () => {
  const config = parseConfig({
    pricing: {
      bandwidth: { egress_gib: 0.1, included_gib_month: 100 },
      email: { per_1000: { marketing: 2 } },
    },
  });
  // 15 March 00:00 of a 31-day month: 14 days elapsed, 17 left
  const now = new Date('2026-03-15T00:00:00Z');
  const { days, values } = history('2026-03-15', 31, () => 20 * GIB);
  const emails = history('2026-03-15', 31, () => 1000);
  const report = {
    monthToDateCents: new Map([
      ['compute', 14_000n],
      ['network', 1_800n], // (14 × 20 − 100) GiB × 0.10
      ['email', 2_800n], // 14,000 messages × 2 / 1000
    ]),
    runRate: [
      { category: 'compute', resourceType: 'vps', cents: 31_000n },
      { category: 'network', resourceType: 'bandwidth', cents: 5_000n },
      { category: 'email', resourceType: 'email', cents: 6_000n },
    ],
    usage: {
      egressMonthToDateBytes: BigInt(14 * 20 * GIB),
      emails: [{ type: 'marketing', sent30d: 30_000n, sentMonthToDate: 14_000n }],
    },
  } as unknown as CostReport;
  const projection = monthEndProjectionCents(
    report,
    { days, egressBytes: values, ingressBytes: values, emails: { marketing: emails.values } },
    config,
    now,
  );
  expect(Object.fromEntries(projection)).toEqual({
    compute: 14_000n + 17_000n, // 31,000 × 17/31
    network: 5_200n, // (31 × 20 − 100) GiB × 0.10
    email: 6_200n, // 31,000 messages × 2 / 1000
  });
});
