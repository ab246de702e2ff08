import { clampDaysUntilFull, describeDaysUntil, limitReachedOn } from './capacity';

describe('clampDaysUntilFull', () => {
  it.each([
    [12.5, 12.5],
    [0, 0],
    [-3, 0],
    [3650, null],
    [9999, null],
    [Infinity, null],
    [NaN, null],
    [null, null],
    [undefined, null],
  ])('%p → %p', (input, expected) => {
    expect(clampDaysUntilFull(input)).toBe(expected);
  });

  it('takes a shorter horizon', () => {
    expect(clampDaysUntilFull(400, 365)).toBeNull();
    expect(clampDaysUntilFull(300, 365)).toBe(300);
  });
});

describe('limitReachedOn', () => {
  it('is the UTC day the limit is reached', () => {
    const now = new Date('2026-11-22T20:00:00Z');
    expect(limitReachedOn(now, 0.25)!.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(limitReachedOn(now, 40)!.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(limitReachedOn(now, null)).toBeNull();
  });
});

describe('describeDaysUntil', () => {
  it('says when', () => {
    expect(describeDaysUntil(0)).toBe('today');
    expect(describeDaysUntil(1.9)).toBe('in 1 day');
    expect(describeDaysUntil(12.2)).toBe('in 12 days');
    expect(describeDaysUntil(null)).toBe('not within 10 years');
  });
});
