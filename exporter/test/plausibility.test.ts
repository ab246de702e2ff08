import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { exactDecimal } from '../src/decimal';
import {
  bytesPerDay,
  createRejectionTracker,
  diskRejection,
  emailCountRejection,
  maxSitesRejection,
  plausibilityBounds,
  plausibilityParams,
  revenueRejection,
  siteDayTrafficRejection,
  siteStorageRejection,
} from '../src/plausibility';
import { config } from './support/fixtures';

const MAX_BIGINT = 2n ** 64n - 1n;
const GIB = 2n ** 30n;
const bounds = plausibilityBounds(config());

describe('plausibility bounds', () => {
  test('defaults: 2^53 bytes per site, 10 Gbit/s, 2 × disk, revenue 1,000,000, disks 64 TiB', () => {
    expect(bounds.maxSiteStorageBytes).toBe(2n ** 53n);
    expect(bounds.maxSiteDayBytes).toBe(108_000_000_000_000n);
    expect(bounds.storageOverDiskFactor).toEqual({ digits: 2n, scale: 0 });
    expect(bounds.maxMonthlyRevenue).toEqual({ digits: 1_000_000n, scale: 0 });
    expect(bounds.maxDiskGb).toBe(65_536n);
  });

  test('link speeds with decimals give whole bytes per day, rounded down', () => {
    expect(bytesPerDay(1)).toBe(10_800_000_000_000n);
    expect(bytesPerDay(2.5)).toBe(27_000_000_000_000n);
    expect(bytesPerDay(0.000001)).toBe(10_800_000n);
    expect(bytesPerDay(1e-9)).toBe(10_800n);
  });

  test('SQL parameters are plain decimal literals', () => {
    const params = plausibilityParams(
      plausibilityBounds(
        config({ plausibility: { storage_over_disk_factor: 1.25, max_monthly_revenue: 0.5 } }),
      ),
    );
    expect(params).toMatchObject({
      max_site_storage_bytes: '9007199254740992',
      storage_over_disk_factor: '1.25',
      max_monthly_revenue: '0.5',
      max_site_day_bytes: '108000000000000',
    });
  });
});

describe('plausibility checks', () => {
  test.each([
    ['2^64−1 on no server', MAX_BIGINT, null, 'storage_above_limit'],
    ['2^64−1 on a big server', MAX_BIGINT, 60_000n, 'storage_above_limit'],
    ['2^53 + 1 on no server', 2n ** 53n + 1n, null, 'storage_above_limit'],
    ['exactly 2^53 on no server', 2n ** 53n, null, null],
    ['above 2 × an 80 GiB disk', 160n * GIB + 1n, 80n, 'storage_above_disk'],
    ['exactly 2 × an 80 GiB disk', 160n * GIB, 80n, null],
    ['on a server with disk_gb 0 (unknown size)', 10n ** 12n, 0n, null],
    ['on a server whose disk_gb is itself implausible', 10n ** 15n, 2n ** 32n - 1n, null],
    ['an ordinary site', 5n * GIB, 80n, null],
  ])('site storage %s', (_, bytes, disk, expected) => {
    expect(siteStorageRejection(bytes, disk, bounds)).toBe(expected);
  });

  test('a fractional storage factor is compared exactly', () => {
    const b = plausibilityBounds(config({ plausibility: { storage_over_disk_factor: 1.5 } }));
    expect(siteStorageRejection(120n * GIB, 80n, b)).toBeNull();
    expect(siteStorageRejection(120n * GIB + 1n, 80n, b)).toBe('storage_above_disk');
  });

  test('site-day traffic above the link speed, either direction', () => {
    expect(siteDayTrafficRejection(0n, MAX_BIGINT, bounds)).toBe('traffic_above_link_speed');
    expect(siteDayTrafficRejection(MAX_BIGINT, 0n, bounds)).toBe('traffic_above_link_speed');
    expect(siteDayTrafficRejection(bounds.maxSiteDayBytes, bounds.maxSiteDayBytes, bounds)).toBeNull();
    expect(siteDayTrafficRejection(bounds.maxSiteDayBytes + 1n, 0n, bounds)).toBe('traffic_above_link_speed');
  });

  test('revenue, disks, site limits and e-mail counts', () => {
    expect(revenueRejection(exactDecimal('999999999.99'), bounds)).toBe('revenue_above_limit');
    expect(revenueRejection(exactDecimal('1000000.00'), bounds)).toBeNull();
    expect(revenueRejection(exactDecimal('1000000.01'), bounds)).toBe('revenue_above_limit');
    expect(diskRejection(2n ** 32n - 1n, bounds)).toBe('disk_above_limit');
    expect(diskRejection(65_536n, bounds)).toBeNull();
    expect(maxSitesRejection(2n ** 32n - 1n, bounds)).toBe('max_sites_above_limit');
    expect(maxSitesRejection(100_000n, bounds)).toBeNull();
    expect(emailCountRejection(10_000_001n, bounds)).toBe('emails_above_limit');
    expect(emailCountRejection(10_000_000n, bounds)).toBeNull();
  });
});

describe('rejection tracker', () => {
  function tracker() {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const registry = new Registry();
    return { lines, registry, tracker: createRejectionTracker(registry, pino({}, stream), 2) };
  }
  const value = async (registry: Registry, source: string, reason: string) => {
    const metric = await registry.getSingleMetric('chom_exporter_rejected_rows')?.get();
    return metric?.values.find((v) => v.labels.source === source && v.labels.reason === reason)?.value;
  };

  test('the gauge holds the last collection; each row is logged once, by ID only', async () => {
    const { lines, registry, tracker: t } = tracker();
    expect(await value(registry, 'sites', 'storage_above_limit')).toBe(0);
    const bad = [
      { source: 'sites', reason: 'storage_above_limit', id: '7' },
      { source: 'subscriptions', reason: 'revenue_above_limit', id: '12' },
    ] as const;
    t.record(bad, { servers: 3 });
    t.record(bad);
    expect(await value(registry, 'sites', 'storage_above_limit')).toBe(1);
    expect(await value(registry, 'subscriptions', 'revenue_above_limit')).toBe(1);
    expect(await value(registry, 'servers', 'unreadable')).toBe(0);
    expect(lines.map((l) => [l.source, l.reason, l.id])).toEqual([
      ['sites', 'storage_above_limit', '7'],
      ['subscriptions', 'revenue_above_limit', '12'],
    ]);
    t.record([]);
    expect(await value(registry, 'sites', 'storage_above_limit')).toBe(0);
    t.record([bad[0]]);
    expect(lines).toHaveLength(3);
  });

  test('past the memory bound the rest is one summary line', () => {
    const { lines, tracker: t } = tracker();
    t.record(['1', '2', '3', '4'].map((id) => ({ source: 'sites', reason: 'storage_above_disk', id })));
    expect(lines.map((l) => l.id ?? l.rows)).toEqual(['1', '2', 2]);
  });
});
