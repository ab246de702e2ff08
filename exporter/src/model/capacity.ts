import type { Config } from '../config/schema';
import { Decimal, GIB, ZERO } from '../decimal';
import type { ServerRow } from '../sources';
import { isDeleted } from './calendar';
import { sum } from './money';
import { NO_LOAD, type ServerLoad } from './run-rate';

export interface CapacityFigure {
  resource: 'storage' | 'sites' | 'database';
  unit: 'bytes' | 'sites';
  used: Decimal;
  limit: Decimal;
}

export interface ServerStorage {
  serverId: string;
  usedBytes: Decimal;
  capacityBytes: Decimal;
}

export const isActive = (server: ServerRow, now: Date) =>
  server.status === 'active' && !isDeleted(server.deletedAt, now);

/** Per-server storage use and disk size (disk_gb read as GiB), for servers that exist and are not decommissioned. */
export function serverStorage(
  servers: readonly ServerRow[],
  loads: ReadonlyMap<string, ServerLoad>,
  now: Date,
): ServerStorage[] {
  return servers
    .filter((s) => !isDeleted(s.deletedAt, now) && s.status !== 'decommissioned')
    .map((s) => ({
      serverId: s.serverId,
      usedBytes: (loads.get(s.serverId) ?? NO_LOAD).storage,
      capacityBytes: s.diskGb.times(GIB),
    }));
}

/**
 * Fleet capacity: storage on active servers vs Σ their disks; sites on active servers that have a
 * max_sites vs Σ max_sites; the database vs the configured limit (absent without one).
 */
export function fleetCapacity(
  servers: readonly ServerRow[],
  loads: ReadonlyMap<string, ServerLoad>,
  databaseBytes: Decimal,
  config: Config,
  now: Date,
): CapacityFigure[] {
  const active = servers.filter((s) => isActive(s, now));
  const load = (s: ServerRow) => loads.get(s.serverId) ?? NO_LOAD;
  const figures: CapacityFigure[] = [
    {
      resource: 'storage',
      unit: 'bytes',
      used: sum(active.map((s) => load(s).storage)),
      limit: sum(active.map((s) => s.diskGb.times(GIB))),
    },
  ];
  const limited = active.filter((s) => s.maxSites !== null);
  figures.push({
    resource: 'sites',
    unit: 'sites',
    used: sum(limited.map((s) => load(s).sites)),
    limit: sum(limited.map((s) => s.maxSites ?? ZERO)),
  });
  if (config.capacity.database_limit_bytes !== undefined) {
    figures.push({
      resource: 'database',
      unit: 'bytes',
      used: databaseBytes,
      limit: new Decimal(config.capacity.database_limit_bytes),
    });
  }
  return figures;
}

/** 1 − used/limit; absent (null) when there is no limit to compare with. */
export function headroomRatio(figure: CapacityFigure): Decimal | null {
  if (figure.limit.isZero()) return null;
  return new Decimal(1).minus(figure.used.dividedBy(figure.limit));
}
