import {
  FamilyBuilder,
  formatValue,
  renderFamilies,
  renderFamily,
  unitOf,
  type MetricFamily,
} from '../src/exposition/format';
import { DataExposition, dataExpositionCodec } from '../src/exposition/data-exposition';

const counter: MetricFamily = {
  name: 'chom_exporter_source_errors_total',
  help: 'Failed "source" queries\\ since start\nsecond line.',
  type: 'counter',
  samples: [{ suffix: '', labels: { source: 'a"b\\c\nd' }, value: 3 }],
};

describe('the exposition renderer', () => {
  test('text format: HELP escapes backslash and line feed, label values also the double quote', () => {
    expect(renderFamily(counter, 'text')).toBe(
      [
        '# HELP chom_exporter_source_errors_total Failed "source" queries\\\\ since start\\nsecond line.',
        '# TYPE chom_exporter_source_errors_total counter',
        'chom_exporter_source_errors_total{source="a\\"b\\\\c\\nd"} 3',
        '',
      ].join('\n'),
    );
  });

  test('OpenMetrics: counter family without _total, samples with it, quotes escaped in HELP', () => {
    expect(renderFamily(counter, 'openmetrics')).toBe(
      [
        '# HELP chom_exporter_source_errors Failed \\"source\\" queries\\\\ since start\\nsecond line.',
        '# TYPE chom_exporter_source_errors counter',
        'chom_exporter_source_errors_total{source="a\\"b\\\\c\\nd"} 3',
        '',
      ].join('\n'),
    );
  });

  test('OpenMetrics states the unit of base-unit names only, and untyped is unknown', () => {
    expect(unitOf('chom_storage_used_bytes')).toBe('bytes');
    expect(unitOf('process_cpu_seconds')).toBe('seconds');
    expect(unitOf('chom_capacity_headroom_ratio')).toBe('ratio');
    expect(unitOf('chom_network_egress_bytes_30d')).toBeUndefined();
    expect(unitOf('chom_tenant_sites')).toBeUndefined();
    const histogram: MetricFamily = {
      name: 'gc_duration_seconds',
      help: 'h',
      type: 'histogram',
      samples: [
        { suffix: '_bucket', labels: { le: '0.1' }, value: 1 },
        { suffix: '_bucket', labels: { le: '+Inf' }, value: 2 },
        { suffix: '_sum', labels: {}, value: 0.5 },
        { suffix: '_count', labels: {}, value: 2 },
      ],
    };
    expect(renderFamily(histogram, 'openmetrics')).toBe(
      [
        '# HELP gc_duration_seconds h',
        '# TYPE gc_duration_seconds histogram',
        '# UNIT gc_duration_seconds seconds',
        'gc_duration_seconds_bucket{le="0.1"} 1',
        'gc_duration_seconds_bucket{le="+Inf"} 2',
        'gc_duration_seconds_sum 0.5',
        'gc_duration_seconds_count 2',
        '',
      ].join('\n'),
    );
    const untyped: MetricFamily = { name: 'x', help: 'h', type: 'untyped', samples: [] };
    expect(renderFamily(untyped, 'openmetrics')).toBe('# HELP x h\n# TYPE x unknown\n');
    expect(renderFamily(untyped, 'text')).toBe('# HELP x h\n# TYPE x untyped\n');
  });

  test('values: shortest round trip, NaN and infinities spelled as both formats want', () => {
    expect([0.1 + 0.2, 1e21, -0, 2 ** 64, NaN, Infinity, -Infinity].map(formatValue)).toEqual([
      '0.30000000000000004',
      '1e+21',
      '0',
      '18446744073709552000',
      'NaN',
      '+Inf',
      '-Inf',
    ]);
  });

  test('a family keeps the first-set order of its series; setting a series again replaces its value', () => {
    const family = new FamilyBuilder('chom_tenant_sites', 'Sites');
    family.set({ tenant_id: '2' }, 1);
    family.set({ tenant_id: '1' }, 5);
    family.set({ tenant_id: '2' }, 7);
    expect(renderFamilies([family.build()], 'text')).toBe(
      '# HELP chom_tenant_sites Sites\n# TYPE chom_tenant_sites gauge\nchom_tenant_sites{tenant_id="2"} 7\nchom_tenant_sites{tenant_id="1"} 5\n',
    );
  });
});

describe('the shared exposition codec', () => {
  test('round-trips both bodies and the collection facts', () => {
    const families = [new FamilyBuilder('a_bytes', 'ü "h"').build(), { ...counter }];
    const exposition = DataExposition.render(families, {
      ok: false,
      lastSuccessSeconds: 1700000000.5,
      collectSeconds: 2.25,
    });
    const decoded = dataExpositionCodec.decode(dataExpositionCodec.encode(exposition));
    expect(decoded.meta).toEqual(exposition.meta);
    expect(decoded.body('text').equals(exposition.body('text'))).toBe(true);
    expect(decoded.body('openmetrics').equals(exposition.body('openmetrics'))).toBe(true);
    expect(decoded.body('openmetrics').toString()).toContain('# TYPE chom_exporter_source_errors counter');
  });

  test('a truncated entry is refused, not served', () => {
    const exposition = DataExposition.render([counter], {
      ok: true,
      lastSuccessSeconds: 1,
      collectSeconds: 1,
    });
    const bytes = dataExpositionCodec.encode(exposition);
    const headerEnd = 4 + bytes.readUInt32BE(0);
    expect(() => dataExpositionCodec.decode(bytes.subarray(0, headerEnd + 10))).toThrow(/truncated/);
  });
});
