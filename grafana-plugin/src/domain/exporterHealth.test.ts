import { evaluateExporterHealth } from './exporterHealth';

const now = 1_790_000_000;

describe('evaluateExporterHealth', () => {
  it('is ok when up and fresh', () => {
    expect(evaluateExporterHealth({ up: 1, lastSuccessSeconds: now - 60, nowSeconds: now }).status).toBe(
      'ok',
    );
  });

  it('explains a missing series as no data yet', () => {
    const health = evaluateExporterHealth({ up: null, lastSuccessSeconds: null, nowSeconds: now });
    expect(health.status).toBe('no-data');
    expect(health.message).toContain('chom_exporter_up');
  });

  it('reports a failed collection as down', () => {
    const health = evaluateExporterHealth({ up: 0, lastSuccessSeconds: now - 60, nowSeconds: now });
    expect(health).toMatchObject({ status: 'down', title: 'Exporter down' });
  });

  it('reports old data as stale with its age', () => {
    const health = evaluateExporterHealth({ up: 1, lastSuccessSeconds: now - 3600, nowSeconds: now });
    expect(health.status).toBe('stale');
    expect(health.message).toContain('60 minutes');
  });

  it('reports a query error before anything else', () => {
    const health = evaluateExporterHealth({
      up: null,
      lastSuccessSeconds: null,
      nowSeconds: now,
      error: 'bad gateway',
    });
    expect(health.status).toBe('error');
    expect(health.message).toContain('bad gateway');
  });
});
