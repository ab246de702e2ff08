import { z } from 'zod';

/**
 * The YAML configuration (pricing, budgets, allocation, capacity, source overrides). Every key is
 * snake_case and optional: an empty file (or none) gives the defaults below. Unknown keys are rejected
 * so that a typo does not silently fall back to a default.
 */

const amount = (expected = 'expected a non-negative number') =>
  z.number({ error: expected }).min(0, { error: expected });
const ratio = (expected = 'expected a number between 0 and 1') =>
  z.number({ error: expected }).min(0, { error: expected }).max(1, { error: expected });
const name = (expected = 'expected a non-empty string') =>
  z.string({ error: expected }).trim().min(1, expected);
const positiveInt = (expected = 'expected a positive integer') =>
  z.number({ error: expected }).int({ error: expected }).min(1, { error: expected });

export const SOURCE_NAMES = [
  'tenants',
  'subscriptions',
  'servers',
  'sites',
  'server_sites',
  'bandwidth',
  'email',
  'database_size',
] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

const serverSize = z.strictObject({
  provider: name(),
  size: name(),
  monthly: amount(),
});

const fixedItem = z.strictObject({
  name: z
    .string({ error: 'expected a lower-case name ([a-z0-9_])' })
    .regex(/^[a-z][a-z0-9_]*$/, 'expected a lower-case name ([a-z0-9_])'),
  category: z
    .string({ error: 'expected a lower-case category name ([a-z0-9_])' })
    .regex(/^[a-z][a-z0-9_]*$/, 'expected a lower-case category name ([a-z0-9_])'),
  monthly: amount(),
});

const sources = z.strictObject(
  Object.fromEntries(SOURCE_NAMES.map((s) => [s, name('expected an SQL SELECT statement').optional()])) as {
    [K in SourceName]: z.ZodOptional<z.ZodString>;
  },
);

export const configSchema = z.strictObject({
  currency: z
    .string({ error: 'expected a 3-letter ISO 4217 currency code such as USD' })
    .regex(/^[A-Z]{3}$/, 'expected a 3-letter ISO 4217 currency code such as USD')
    .default('USD'),
  collection: z
    .strictObject({
      ttl_seconds: positiveInt('expected a whole number of seconds ≥ 1').default(60),
      /** default: 30, or ttl_seconds when that is shorter (see the transform below) */
      timeout_seconds: z
        .number({ error: 'expected a number of seconds > 0' })
        .positive({ error: 'expected a number of seconds > 0' })
        .optional(),
      full_read_interval_seconds: z
        .number({ error: 'expected a whole number of seconds ≥ 0' })
        .int({ error: 'expected a whole number of seconds ≥ 0' })
        .min(0, { error: 'expected a whole number of seconds ≥ 0' })
        .default(3600),
      late_rows_seconds: z
        .number({ error: 'expected a whole number of seconds from 0 to 86400' })
        .int({ error: 'expected a whole number of seconds from 0 to 86400' })
        .min(0, { error: 'expected a whole number of seconds from 0 to 86400' })
        .max(86_400, { error: 'expected a whole number of seconds from 0 to 86400' })
        .default(3600),
      bandwidth_chunk_sites: z
        .number({ error: 'expected a whole number of sites ≥ 0' })
        .int({ error: 'expected a whole number of sites ≥ 0' })
        .min(0, { error: 'expected a whole number of sites ≥ 0' })
        .default(20_000),
      email_chunk_ids: z
        .number({ error: 'expected a whole number of row IDs ≥ 0' })
        .int({ error: 'expected a whole number of row IDs ≥ 0' })
        .min(0, { error: 'expected a whole number of row IDs ≥ 0' })
        .default(250_000),
      tenant_limit: positiveInt('expected a positive integer (the number of tenants kept as labels)').default(
        500,
      ),
      expose_tenant_names: z.boolean({ error: 'expected true or false' }).default(false),
    })
    // a query's deadline must fall before the next collection is due
    .refine((c) => c.timeout_seconds === undefined || c.timeout_seconds < c.ttl_seconds, {
      error: 'expected fewer seconds than collection.ttl_seconds',
      path: ['timeout_seconds'],
    })
    .transform((c) => ({ ...c, timeout_seconds: c.timeout_seconds ?? Math.min(30, c.ttl_seconds) }))
    .prefault({}),
  pricing: z
    .strictObject({
      servers: z
        .strictObject({
          default_monthly: amount().default(20),
          stopped_factor: ratio().default(1),
          sizes: z.array(serverSize, { error: 'expected a list of { provider, size, monthly }' }).default([]),
        })
        .prefault({}),
      storage: z.strictObject({ gib_month: amount().default(0.05) }).prefault({}),
      bandwidth: z
        .strictObject({ egress_gib: amount().default(0.01), included_gib_month: amount().default(0) })
        .prefault({}),
      email: z
        .strictObject({
          per_1000: z
            .record(z.string(), amount(), { error: 'expected a map of message type to price per 1,000' })
            .default({ transactional: 0.1, marketing: 0.5 }),
          default_per_1000: amount().default(0.1),
        })
        .prefault({}),
      database: z.strictObject({ gib_month: amount().default(0.25) }).prefault({}),
    })
    .prefault({}),
  fixed_items: z.array(fixedItem, { error: 'expected a list of { name, category, monthly }' }).default([]),
  budgets: z
    .strictObject({
      monthly_total: amount().optional(),
      categories: z
        .record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a lower-case category name'), amount(), {
          error: 'expected a map of category to monthly budget',
        })
        .default({}),
      alert_thresholds: z
        .array(
          z
            .number({ error: 'expected a positive ratio such as 0.9' })
            .gt(0, 'expected a positive ratio such as 0.9'),
          {
            error: 'expected a list of ratios such as [0.5, 0.75, 0.9, 1.0]',
          },
        )
        .default([0.5, 0.75, 0.9, 1.0]),
    })
    .prefault({}),
  allocation: z
    .strictObject({
      shared_servers: z
        .enum(['storage_share', 'site_count', 'even'], {
          error: 'expected storage_share, site_count or even',
        })
        .default('storage_share'),
      shared_overhead: z
        .enum(['unallocated', 'proportional'], { error: 'expected unallocated or proportional' })
        .default('unallocated'),
    })
    .prefault({}),
  capacity: z
    .strictObject({
      database_limit_bytes: amount('expected a non-negative number of bytes').optional(),
    })
    .prefault({}),
  opportunities: z
    .strictObject({
      underused_ratio: ratio().default(0.2),
    })
    .prefault({}),
  plausibility: z
    .strictObject({
      link_speed_gbps: z
        .number({ error: 'expected a positive number of Gbit/s' })
        .gt(0, { error: 'expected a positive number of Gbit/s' })
        .default(10),
      storage_over_disk_factor: z
        .number({ error: 'expected a number ≥ 1' })
        .min(1, { error: 'expected a number ≥ 1' })
        .default(2),
      max_monthly_revenue: amount().default(1_000_000),
      max_disk_gb: positiveInt('expected a positive whole number of GiB').default(65_536),
      max_sites_per_server: positiveInt('expected a positive whole number of sites').default(100_000),
      max_emails_per_tenant_day: positiveInt('expected a positive whole number of messages').default(
        10_000_000,
      ),
    })
    .prefault({}),
  sources: sources.prefault({}),
  shared_cache: z
    .strictObject({
      key_prefix: z
        .string({ error: 'expected a Redis key prefix ([A-Za-z0-9_.:-], 1 to 64 characters)' })
        .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected a Redis key prefix ([A-Za-z0-9_.:-], 1 to 64 characters)')
        .default('chom-finops:exporter'),
      share_usage_tables: z.boolean({ error: 'expected true or false' }).default(true),
    })
    .prefault({}),
});

export type Config = z.output<typeof configSchema>;
