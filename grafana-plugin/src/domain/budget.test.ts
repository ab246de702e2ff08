import { budgetStatus, budgetThresholdSteps } from './budget';

const thresholds = [0.5, 0.75, 0.9, 1.0];

describe('budgetStatus', () => {
  it.each([
    [0.2, 'ok', null, 0.5],
    [0.5, 'warning', 0.5, 0.75],
    [0.8, 'warning', 0.75, 0.9],
    [0.95, 'critical', 0.9, 1],
    [1.0, 'exceeded', 1, null],
    [1.3, 'exceeded', 1, null],
  ])('utilisation %p is %s (crossed %p, next %p)', (utilisation, level, crossed, next) => {
    expect(budgetStatus(utilisation, thresholds)).toEqual({ level, crossed, next });
  });

  it('is unknown without a figure (no budget configured)', () => {
    expect(budgetStatus(null, thresholds).level).toBe('unknown');
    expect(budgetStatus(NaN, thresholds).level).toBe('unknown');
  });

  it('sorts and de-duplicates thresholds given in any order', () => {
    expect(budgetStatus(0.8, [0.9, 0.5, 0.5, 0.75])).toEqual({ level: 'warning', crossed: 0.75, next: 0.9 });
  });

  it('calls reaching the whole budget exceeded even without a threshold at 1', () => {
    expect(budgetStatus(1.05, [0.5, 0.8]).level).toBe('exceeded');
    expect(budgetStatus(0.85, [0.5, 0.8]).level).toBe('critical');
  });
});

describe('budgetThresholdSteps', () => {
  it('is green below the first threshold and red from 100 %', () => {
    const { steps } = budgetThresholdSteps(thresholds);
    expect(steps.map((s) => s.value)).toEqual([-Infinity, 0.5, 0.75, 0.9, 1]);
    expect(steps[0]!.color).toBe('green');
    expect(steps.find((s) => s.value === 1)!.color).toBe('red');
    expect(steps.find((s) => s.value === 0.5)!.color).toBe('yellow');
  });

  it('makes the last threshold red when none reaches 100 %', () => {
    const { steps } = budgetThresholdSteps([0.6, 0.8]);
    expect(steps.map((s) => [s.value, s.color])).toEqual([
      [-Infinity, 'green'],
      [0.6, 'yellow'],
      [0.8, 'red'],
    ]);
  });
});
