import { acceptsGzip, negotiateFormat, parsePreferences } from '../src/server/negotiate';

const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

describe('Accept negotiation', () => {
  test.each([
    [undefined, 'text'],
    ['', 'text'],
    ['*/*', 'text'],
    ['text/plain', 'text'],
    ['text/plain;version=0.0.4', 'text'],
    [PROMETHEUS_ACCEPT, 'openmetrics'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text; version="1.0.0"', 'openmetrics'],
    ['application/openmetrics-text;version=0.0.1', 'openmetrics'],
    // an OpenMetrics version this exporter does not write
    ['application/openmetrics-text;version=2.0.0, text/plain;q=0.1', 'text'],
    // the client prefers the text format
    ['application/openmetrics-text;q=0.3,text/plain;q=0.9', 'text'],
    ['application/openmetrics-text;q=0.5,text/plain;q=0.5', 'text'],
    // refused outright
    ['application/openmetrics-text;q=0,*/*', 'text'],
    ['application/*;q=0.9,text/*;q=0.2', 'openmetrics'],
    ['text/*;q=0.9,application/*;q=0.2', 'text'],
    // the most specific range decides: */* high does not lift an explicitly low openmetrics
    ['*/*;q=1,application/openmetrics-text;q=0.1', 'text'],
    ['APPLICATION/OpenMetrics-Text', 'openmetrics'],
    ['garbage;;;, ,', 'text'],
    ['application/openmetrics-text;q=abc', 'text'],
  ] as const)('Accept %p → %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });

  test('weights are clamped to 0..1 and parameters unquoted', () => {
    expect(parsePreferences('a/b;q=7;version="1", c/d;q=-1')).toEqual([
      { value: 'a/b', params: { version: '1' }, q: 1 },
      { value: 'c/d', params: {}, q: 0 },
    ]);
  });
});

describe('Accept-Encoding negotiation', () => {
  test.each([
    [undefined, false],
    ['', false],
    ['identity', false],
    ['gzip', true],
    ['GZIP', true],
    ['gzip, deflate, br', true],
    ['deflate, gzip;q=0.5', true],
    ['x-gzip', true],
    ['gzip;q=0', false],
    ['*', true],
    ['*;q=0', false],
    ['gzip;q=0, *', false],
    ['br, *;q=0.1', true],
  ] as const)('Accept-Encoding %p → gzip %p', (header, gzip) => {
    expect(acceptsGzip(header)).toBe(gzip);
  });
});
