import { DAY, HOUR, at, slotStart, type CostShape, type Scenario } from './scenario';
import { businessHoursFill, fillAndClean, fleetSize, linearFill, usageRate } from './shapes';

const TIB = 2 ** 40;
const GIB = 2 ** 30;
const STORAGE_LIMIT = 10 * TIB;
const DATABASE_LIMIT = 200 * GIB;
/** Sunday 03:00 UTC (1970-01-04 was a Sunday). */
const SUNDAY_3AM = 3 * DAY + 3 * HOUR;

interface CostOptions {
  slot: number;
  seed: number;
  growthPerMonth?: number;
  campaignFactor?: number;
  egressEvents?: Array<{ from: number; to: number; factor: number }>;
  serverSteps?: Array<{ from: number; to?: number; add: number }>;
}

/** A fleet of ~40 servers, ~2 TiB of egress and 60,000 e-mails a day, 5 TiB of sites, a 50 GiB database. */
function fleetCost(options: CostOptions): CostShape {
  const t0 = slotStart(options.slot);
  const growth = options.growthPerMonth ?? 0.05;
  const perMonth = Math.log(1 + growth) / (30 * DAY);
  return {
    servers: fleetSize({ start: 40, t0, growthPerMonth: growth, steps: options.serverSteps }),
    egressRate: usageRate({
      perDay: 2 * TIB,
      t0,
      growthPerMonth: growth,
      seed: options.seed,
      campaignFactor: options.campaignFactor,
      events: options.egressEvents,
    }),
    emailRate: usageRate({
      perDay: 60000,
      t0,
      growthPerMonth: growth,
      seed: options.seed + 10,
      weekendFactor: 0.3,
    }),
    storageBytes: (t) => 5 * TIB * Math.exp(perMonth * (t - t0)),
    databaseBytes: (t) => 50 * GIB * Math.exp(2 * perMonth * (t - t0)),
  };
}

/**
 * The families of issue 9, two evaluated months each (see docs/forecasting.md, "Scenario suite").
 * Capacity shapes ride along in the cost families' slots: they use other series. `seed` moves every
 * noise draw (0: the families as the suite checks them; others: the same shapes with other noise).
 */
export function scenarios(seed = 0): Scenario[] {
  /** Each shape's own noise seed, moved by `seed`. */
  const draw = (base: number) => base + 1000 * seed;
  return [
    {
      name: 'steady',
      description: 'weekday/weekend, a Tuesday campaign ×2.5, 5 %/month growth; Jan 31 d, Feb 28 d',
      slot: 0,
      cost: fleetCost({ slot: 0, seed: draw(1), campaignFactor: 2.5 }),
      overBudget: [-0.03, 0.03],
      capacity: [
        {
          resource: 'storage',
          limit: STORAGE_LIMIT,
          fills: true,
          // linear fill with noise: full on about February 20th
          used: linearFill({
            from: 0.3 * STORAGE_LIMIT,
            t0: slotStart(0),
            perDay: (0.7 * STORAGE_LIMIT) / 81,
            noise: 0.004 * STORAGE_LIMIT,
            seed: draw(101),
          }),
        },
        {
          resource: 'database',
          limit: DATABASE_LIMIT,
          fills: true,
          // grows in business hours only: full in the middle of February
          used: businessHoursFill({
            from: 0.4 * DATABASE_LIMIT,
            t0: slotStart(0),
            perDay: (0.6 * DATABASE_LIMIT) / 73.3,
            noise: 0.002 * DATABASE_LIMIT,
            seed: draw(102),
          }),
        },
      ],
    },
    {
      name: 'step',
      description: '15 servers added on day 10 (and 10 on day 8 of the next month); Apr 30 d, May 31 d',
      slot: 1,
      cost: fleetCost({
        slot: 1,
        seed: draw(2),
        serverSteps: [
          { from: at(1, 1, 10, 10), add: 15 },
          { from: at(1, 2, 8, 14), add: 10 },
        ],
      }),
      overBudget: [0.03, -0.025],
      capacity: [
        {
          resource: 'storage',
          limit: STORAGE_LIMIT,
          fills: false,
          // daily backup rotation: 50 % → 78 %, cleaned at 01:00
          used: fillAndClean({
            low: 0.5 * STORAGE_LIMIT,
            high: 0.78 * STORAGE_LIMIT,
            period: DAY,
            offset: HOUR,
            noise: 0.003 * STORAGE_LIMIT,
            seed: draw(111),
          }),
        },
        {
          resource: 'database',
          limit: DATABASE_LIMIT,
          fills: false,
          // grows ~3 %/day, purged every Sunday, never above 78 %
          used: fillAndClean({
            low: 0.57 * DATABASE_LIMIT,
            high: 0.78 * DATABASE_LIMIT,
            period: 7 * DAY,
            offset: SUNDAY_3AM,
            noise: 0.002 * DATABASE_LIMIT,
            seed: draw(112),
          }),
        },
      ],
    },
    {
      name: 'surge',
      description: 'egress triples from day 12, 09:00, and stays; Jul 31 d, Aug 31 d',
      slot: 2,
      cost: fleetCost({
        slot: 2,
        seed: draw(3),
        egressEvents: [{ from: at(2, 1, 12, 9), to: Infinity, factor: 3 }],
      }),
      overBudget: [0.15, -0.03],
      surgeStart: at(2, 1, 12, 9),
      capacity: [
        {
          resource: 'storage',
          limit: STORAGE_LIMIT,
          fills: true,
          used: businessHoursFill({
            from: 0.35 * STORAGE_LIMIT,
            t0: slotStart(2),
            perDay: (0.65 * STORAGE_LIMIT) / 79.4,
            noise: 0.003 * STORAGE_LIMIT,
            seed: draw(121),
          }),
        },
        {
          resource: 'database',
          limit: DATABASE_LIMIT,
          fills: true,
          used: linearFill({
            from: 0.45 * DATABASE_LIMIT,
            t0: slotStart(2),
            perDay: (0.55 * DATABASE_LIMIT) / 55.6,
            noise: 0.005 * DATABASE_LIMIT,
            seed: draw(122),
          }),
        },
      ],
    },
    {
      name: 'spikes',
      description: 'egress ×60 for 2 h and 30 extra servers for 2 h, twice a month; Oct 31 d, Nov 30 d',
      slot: 3,
      cost: fleetCost({
        slot: 3,
        seed: draw(4),
        egressEvents: [
          { from: at(3, 1, 9, 14), to: at(3, 1, 9, 16), factor: 60 },
          { from: at(3, 2, 5, 20), to: at(3, 2, 5, 22), factor: 60 },
        ],
        serverSteps: [
          { from: at(3, 1, 20, 3), to: at(3, 1, 20, 5), add: 30 },
          { from: at(3, 2, 17, 11), to: at(3, 2, 17, 13), add: 30 },
        ],
      }),
      overBudget: [-0.03, -0.02],
      spikes: [at(3, 1, 9, 14), at(3, 1, 20, 3), at(3, 2, 5, 20), at(3, 2, 17, 11)],
      capacity: [
        {
          resource: 'storage',
          limit: STORAGE_LIMIT,
          fills: false,
          // weekly full backups: 40 % → 75 % over the week, rotated on Sunday
          used: fillAndClean({
            low: 0.4 * STORAGE_LIMIT,
            high: 0.75 * STORAGE_LIMIT,
            period: 7 * DAY,
            offset: SUNDAY_3AM,
            noise: 0.003 * STORAGE_LIMIT,
            seed: draw(131),
          }),
        },
        {
          resource: 'database',
          limit: DATABASE_LIMIT,
          fills: false,
          // nightly import tables: 55 % → 80 % during the day, dropped at 02:00
          used: fillAndClean({
            low: 0.55 * DATABASE_LIMIT,
            high: 0.8 * DATABASE_LIMIT,
            period: DAY,
            offset: 2 * HOUR,
            noise: 0.002 * DATABASE_LIMIT,
            seed: draw(132),
          }),
        },
      ],
    },
    {
      name: 'exporter-trouble',
      description: 'a 3 h gap, restarts, a failing database for 2 h (values frozen); Jan 31 d, Feb 28 d',
      slot: 4,
      cost: fleetCost({ slot: 4, seed: draw(5), campaignFactor: 1.8 }),
      trouble: [
        { from: at(4, 1, 6, 11), to: at(4, 1, 6, 14), kind: 'gap' },
        { from: at(4, 1, 12, 8), to: at(4, 1, 12, 8) + 600, kind: 'gap' },
        { from: at(4, 1, 19, 23), to: at(4, 1, 19, 23) + 900, kind: 'gap' },
        { from: at(4, 1, 24, 15), to: at(4, 1, 24, 17), kind: 'failing_database' },
        { from: at(4, 2, 1, 0), to: at(4, 2, 1, 0) + 1200, kind: 'gap' },
        { from: at(4, 2, 10, 2), to: at(4, 2, 10, 6), kind: 'failing_database' },
        { from: at(4, 2, 16, 13), to: at(4, 2, 16, 13) + 600, kind: 'gap' },
      ],
      overBudget: [-0.03, 0.04],
      capacity: [
        {
          resource: 'storage',
          limit: STORAGE_LIMIT,
          fills: true,
          // slow growth over months: full late in February
          used: linearFill({
            from: 0.55 * STORAGE_LIMIT,
            t0: slotStart(4),
            perDay: (0.45 * STORAGE_LIMIT) / 85.2,
            noise: 0.002 * STORAGE_LIMIT,
            seed: draw(141),
          }),
        },
        {
          resource: 'database',
          limit: DATABASE_LIMIT,
          fills: true,
          used: linearFill({
            from: 0.6 * DATABASE_LIMIT,
            t0: slotStart(4),
            perDay: (0.4 * DATABASE_LIMIT) / 76.5,
            noise: 0.003 * DATABASE_LIMIT,
            seed: draw(142),
          }),
        },
      ],
    },
    {
      name: 'growth-near-budget',
      description: '12 %/month growth, a month 1 % over budget and one 2 % under; Apr 30 d, May 31 d',
      slot: 5,
      cost: fleetCost({ slot: 5, seed: draw(6), growthPerMonth: 0.12, campaignFactor: 2 }),
      overBudget: [0.01, -0.02],
    },
  ];
}
