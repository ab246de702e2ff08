import { recommend, scalingRecommendations } from './recommendations';

const now = new Date('2026-11-22T12:00:00Z');
const signal = (key: string, usedRatio: number | null, daysUntilLimit: number | null) => ({
  key,
  label: key,
  usedRatio,
  daysUntilLimit,
});

describe('recommend', () => {
  it.each([
    ['full resource', 0.93, null, 'high'],
    ['limit within two weeks', 0.4, 10, 'high'],
    ['three-quarters full', 0.8, null, 'medium'],
    ['limit within 45 days', 0.3, 30, 'medium'],
    ['limit within 90 days', 0.3, 80, 'low'],
    ['far limit', 0.3, 400, 'none'],
    ['not growing', 0.3, null, 'none'],
    ['unknown', null, null, 'none'],
  ])('%s → %s', (_what, used, days, priority) => {
    expect(recommend(signal('x', used, days), now).priority).toBe(priority);
  });

  it('gives the day the limit is reached, clamped to the horizon', () => {
    expect(
      recommend(signal('storage', 0.5, 10), now)
        .limitDate!.toISOString()
        .slice(0, 10),
    ).toBe('2026-12-02');
    const far = recommend(signal('storage', 0.5, 3650), now);
    expect(far.daysUntilLimit).toBeNull();
    expect(far.limitDate).toBeNull();
  });
});

describe('scalingRecommendations', () => {
  it('orders by priority, then by the sooner limit', () => {
    const out = scalingRecommendations(
      [
        signal('a', 0.1, null),
        signal('b', 0.3, 40),
        signal('c', 0.95, 200),
        signal('d', 0.3, 5),
        signal('e', 0.3, 20),
      ],
      now,
    );
    expect(out.map((r) => `${r.key}:${r.priority}`)).toEqual([
      'd:high',
      'c:high',
      'e:medium',
      'b:medium',
      'a:none',
    ]);
  });
});
