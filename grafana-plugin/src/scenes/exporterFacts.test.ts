import { dsQueryAnswer } from '../testing/runtime';
import { parseExporterFacts } from './exporterFacts';

describe('parseExporterFacts', () => {
  it('reads up, last success, currency and thresholds from /api/ds/query frames', () => {
    expect(
      parseExporterFacts(
        dsQueryAnswer({ up: 1, lastSuccess: 1700, currency: 'EUR', thresholds: [0.9, 0.5] }),
      ),
    ).toEqual({
      up: 1,
      lastSuccessSeconds: 1700,
      currency: 'EUR',
      version: '0.1.0',
      budgetThresholds: [0.5, 0.9],
    });
  });

  it('reports absent series as null and keeps a query error', () => {
    const answer = dsQueryAnswer({});
    expect(parseExporterFacts(answer)).toMatchObject({
      up: null,
      lastSuccessSeconds: null,
      budgetThresholds: [],
    });
    const failed = { results: { ...answer.results, up: { error: 'parse error', frames: [] } } };
    expect(parseExporterFacts(failed).error).toBe('parse error');
  });
});
