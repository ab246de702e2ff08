import { runScenarios, type ScenarioResult } from '../src/scenarios/suite';
import { checks } from '../src/scenarios/targets';

// Issue 9's scenario suite: every family's exporter series in one TSDB, the production rules evaluated
// by Prometheus, each target of the issue checked against the family's truth (docs/forecasting.md).

jest.setTimeout(900_000);

describe('scenario suite: forecasts and alerts against each family truth', () => {
  let results: ScenarioResult[];

  beforeAll(async () => {
    results = await runScenarios({});
  });

  test('every family is evaluated, over two months each', () => {
    expect(results.map((r) => r.scenario.name)).toEqual([
      'steady',
      'step',
      'surge',
      'spikes',
      'exporter-trouble',
      'growth-near-budget',
    ]);
    for (const r of results) expect(r.months).toHaveLength(2);
  });

  test('every target of issue 9 is met', () => {
    const all = checks(results);
    expect(all.length).toBeGreaterThan(40);
    const missed = all.filter((c) => !c.ok).map((c) => `${c.scenario}: ${c.target}`);
    expect(missed).toEqual([]);
  });

  test('month-end forecast on day 14: under 5 % in every family, under 3 % on average', () => {
    const day14 = results.flatMap((r) => r.months.map((m) => m.forecastError[14]));
    expect(Math.max(...day14)).toBeLessThan(0.05);
    expect(day14.reduce((a, b) => a + b, 0) / day14.length).toBeLessThan(0.03);
  });
});
