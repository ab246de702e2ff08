import { daysUntilLimit, forecastAt, forecastHorizons, linearFit } from './forecast';

const DAY = 86400;
const now = 1_790_000_000;
// 10 % a day for the last 5 days, ending at 0.5 now.
const growing = [0, 1, 2, 3, 4, 5].map((i) => ({ time: now - (5 - i) * DAY, value: 0.0 + i * 0.1 }));

describe('linearFit', () => {
  it('recovers slope and value of a straight line with Unix timestamps', () => {
    const fit = linearFit(growing)!;
    expect(fit.slope * DAY).toBeCloseTo(0.1, 10);
    expect(fit.intercept + fit.slope * now).toBeCloseTo(0.5, 8);
  });

  it('needs two distinct times', () => {
    expect(linearFit([])).toBeNull();
    expect(linearFit([{ time: now, value: 1 }])).toBeNull();
    expect(
      linearFit([
        { time: now, value: 1 },
        { time: now, value: 2 },
      ]),
    ).toBeNull();
  });

  it('ignores non-finite samples', () => {
    const fit = linearFit([...growing, { time: now + DAY, value: NaN }])!;
    expect(fit.slope * DAY).toBeCloseTo(0.1, 10);
  });
});

describe('forecasts', () => {
  it('projects 30/60/90 days ahead', () => {
    const values = forecastHorizons(growing, now).map((h) => [h.days, Number(h.value!.toFixed(6))]);
    expect(values).toEqual([
      [30, 3.5],
      [60, 6.5],
      [90, 9.5],
    ]);
    expect(forecastAt([], now)).toBeNull();
  });

  it('gives the days until a limit along the trend', () => {
    expect(daysUntilLimit(growing, 0.9, now)).toBeCloseTo(4, 6);
  });

  it('is 0 when the limit is already reached and null when not growing', () => {
    expect(daysUntilLimit(growing, 0.4, now)).toBe(0);
    const flat = growing.map((p) => ({ ...p, value: 0.3 }));
    expect(daysUntilLimit(flat, 0.9, now)).toBeNull();
    const shrinking = growing.map((p, i) => ({ ...p, value: 0.8 - i * 0.1 }));
    expect(daysUntilLimit(shrinking, 0.9, now)).toBeNull();
  });
});
