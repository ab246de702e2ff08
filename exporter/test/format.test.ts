import {
  FamilyBuilder,
  formatValue,
  renderFamilies,
  renderFamily,
  unitOf,
  type MetricFamily,
} from '../src/exposition/format';
import zlib from 'node:zlib';
import { DataExposition, ExpositionWriter, dataExpositionCodec } from '../src/exposition/data-exposition';

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

describe('the exposition writer', () => {
  /** Families of every kind the writer treats apart: per-tenant (unique) ones long enough to span chunks. */
  function families(): { unique: boolean; family: MetricFamily }[] {
    const perTenant: MetricFamily = {
      name: 'chom_tenant_cost_monthly',
      help: 'Cost',
      type: 'gauge',
      samples: Array.from({ length: 3000 }, (_, i) => [
        { suffix: '', labels: { tenant_id: String(i), category: 'compute' }, value: i / 3 },
        { suffix: '', labels: { tenant_id: String(i), category: 'storage "hot"\n' }, value: 1e21 + i },
      ]).flat(),
    };
    const repeated: MetricFamily = {
      name: 'chom_server_storage_used_bytes',
      help: 'Storage',
      type: 'gauge',
      samples: [
        { suffix: '', labels: { server_id: '2' }, value: 1 },
        { suffix: '', labels: { server_id: '1' }, value: 5 },
        { suffix: '', labels: { server_id: '2' }, value: 7 },
      ],
    };
    const noTotal: MetricFamily = { ...counter, name: 'chom_events', samples: counter.samples };
    const empty = new FamilyBuilder('chom_capacity_headroom_ratio', 'Headroom').build();
    return [
      { unique: true, family: perTenant },
      { unique: false, family: repeated },
      { unique: false, family: counter },
      { unique: true, family: noTotal },
      { unique: true, family: empty },
    ];
  }

  function written() {
    const writer = new ExpositionWriter();
    for (const { unique, family } of families()) {
      const set = writer.family(family.name, family.help, family.type, unique);
      for (const s of family.samples) set(s.labels, s.value, s.suffix);
    }
    return writer.finish({ ok: true, lastSuccessSeconds: 1, collectSeconds: 1 });
  }

  /** What the plain renderer makes of the same families (a repeated label set replaced). */
  function expected(format: 'text' | 'openmetrics'): string {
    const deduplicated = families().map(({ family }) => {
      const builder = new FamilyBuilder(family.name, family.help, family.type);
      for (const s of family.samples) builder.set(s.labels, s.value, s.suffix);
      return builder.build();
    });
    return renderFamilies(deduplicated, format);
  }

  test.each(['text', 'openmetrics'] as const)('writes the bytes the renderer writes (%s)', (format) => {
    const exposition = written();
    expect(exposition.body(format).toString()).toBe(expected(format));
    // the per-tenant family spans several buffers
    expect(exposition.chunks(format).length).toBeGreaterThan(families().length * 2);
  });

  test('gauge lines are held once for both formats; a counter without _total has its own', () => {
    const [perTenant, , , noTotal] = written().families;
    expect(perTenant?.samples.openmetrics).toBe(perTenant?.samples.text);
    expect(noTotal?.samples.openmetrics).not.toBe(noTotal?.samples.text);
    expect(Buffer.concat([...(noTotal?.samples.openmetrics ?? [])]).toString()).toContain(
      'chom_events_total{',
    );
  });

  test.each(['text', 'openmetrics'] as const)('its gzip decompresses to the body (%s)', async (format) => {
    const exposition = written();
    expect(zlib.gunzipSync(await exposition.gzip(format)).toString()).toBe(expected(format));
  });

  test('round-trips through the shared codec, shared and separate lines alike', () => {
    const exposition = written();
    const decoded = dataExpositionCodec.decode(dataExpositionCodec.encode(exposition));
    for (const format of ['text', 'openmetrics'] as const)
      expect(decoded.body(format).toString()).toBe(expected(format));
    expect(decoded.families[0]?.samples.openmetrics).toBe(decoded.families[0]?.samples.text);
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
