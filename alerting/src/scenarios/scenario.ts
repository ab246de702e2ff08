/**
 * A scenario: three calendar months of exporter series (a warm-up month, then two evaluated months)
 * generated from a usage shape, with the truth the rules are judged against (what each month really
 * cost, its budget, when a capacity limit is really reached, which alerts must fire or stay silent).
 *
 * Scenarios share one TSDB: each occupies its own three months of the time axis (slot), so the rules,
 * which sum over the whole fleet, are evaluated exactly as written.
 */
import { random } from '../history/synthetic';

/** The history generator's mulberry32, so that scenarios and histories draw alike. */
export { random };

export const STEP = 300;
export const DAY = 86400;
export const HOUR = 3600;

/** Usage that drives cost; every function is read once per 5-minute step (constant inside it). */
export interface CostShape {
  servers(t: number): number;
  /** egress bytes per second */
  egressRate(t: number): number;
  /** e-mails per second */
  emailRate(t: number): number;
  /** billed site storage and database bytes (cost, not capacity) */
  storageBytes(t: number): number;
  databaseBytes(t: number): number;
}

/** The exporter is unreachable (no samples) or cannot read its database (serves the last values, chom_exporter_up 0). */
export interface ExporterTrouble {
  from: number;
  to: number;
  kind: 'gap' | 'failing_database';
}

export interface CapacityShape {
  resource: 'storage' | 'database';
  limit: number;
  /** used units at t; the series ends once the limit is reached */
  used(t: number): number;
  /** it really fills up: the filling-up alert must fire once, ≥ 24 h before */
  fills: boolean;
}

export interface Scenario {
  name: string;
  /** what the family is about, for the report */
  description: string;
  /** index of the three-month slot on the time axis */
  slot: number;
  cost: CostShape;
  trouble?: ExporterTrouble[];
  /** real month total / budget − 1 for the two evaluated months (negative: under budget) */
  overBudget: [number, number];
  /** short bursts: no forecast alert, an anomaly alert within an hour of `at` */
  spikes?: number[];
  /** start of a sustained surge that takes its month over budget: forecast alert within 24 h */
  surgeStart?: number;
  capacity?: CapacityShape[];
}

/** First instant of the slot (warm-up month): December 2024 + 3 months per slot. */
export function slotStart(slot: number): number {
  return Date.UTC(2024, 11 + 3 * slot, 1) / 1000;
}
export function monthStart(slot: number, month: 0 | 1 | 2 | 3): number {
  return Date.UTC(2024, 11 + 3 * slot + month, 1) / 1000;
}
export function slotEnd(slot: number): number {
  return monthStart(slot, 3);
}
/** Start of the day `day` (1-based) of evaluated month 1 or 2 of a slot, plus `hours`. */
export function at(slot: number, month: 1 | 2, day: number, hours = 0): number {
  return monthStart(slot, month) + (day - 1) * DAY + hours * HOUR;
}

/** A value per key (day, hour, step) drawn once, so that a shape is a pure function of time. */
export function noiseTable(seed: number): (key: number) => number {
  const rng = random(seed);
  const values = new Map<number, number>();
  return (key) => {
    let v = values.get(key);
    if (v === undefined) {
      v = 2 * rng() - 1;
      values.set(key, v);
    }
    return v;
  };
}
