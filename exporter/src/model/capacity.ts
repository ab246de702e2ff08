import type { Config } from '../config/schema';
import type { ServerRow } from '../sources';
import { isDeleted } from './calendar';
import { GIB_BYTES } from './money';
import { NO_LOAD, type ServerLoad } from './hosting';
import type { ServerChecks } from './server-checks';

export interface CapacityFigure {
  resource: 'storage' | 'sites' | 'database';
  unit: 'bytes' | 'sites';
  used: bigint;
  limit: bigint;
}

export interface ServerStorage {
  serverId: string;
  usedBytes: bigint;
  /** null: the server's disk_gb was rejected as implausible */
  capacityBytes: bigint | null;
}

export const isActive = (server: ServerRow, now: Date) =>
  server.status === 'active' && !isDeleted(server.deletedAt, now);

/** Per-server storage use and disk size (disk_gb read as GiB), for servers that exist and are not decommissioned. */
export function serverStorage(
  servers: readonly ServerRow[],
  loads: ReadonlyMap<string, ServerLoad>,
  checks: ServerChecks,
  now: Date,
): ServerStorage[] {
  return servers
    .filter((s) => !isDeleted(s.deletedAt, now) && s.status !== 'decommissioned')
    .map((s) => ({
      serverId: s.serverId,
      usedBytes: (loads.get(s.serverId) ?? NO_LOAD).storage,
      capacityBytes: checks.diskRejected.has(s.serverId) ? null : s.diskGb * GIB_BYTES,
    }));
}

/**
 * Fleet capacity: storage on active servers vs Σ their disks; sites on active servers that have a
 * max_sites vs Σ max_sites; the database vs the configured limit (absent without one). A server whose
 * disk_gb (max_sites) was rejected is left out of the storage (sites) figure, used and limit alike.
 */
export function fleetCapacity(
  servers: readonly ServerRow[],
  loads: ReadonlyMap<string, ServerLoad>,
  databaseBytes: bigint,
  config: Config,
  checks: ServerChecks,
  now: Date,
): CapacityFigure[] {
  const active = servers.filter((s) => isActive(s, now));
  const load = (s: ServerRow) => loads.get(s.serverId) ?? NO_LOAD;
  const storage: CapacityFigure = { resource: 'storage', unit: 'bytes', used: 0n, limit: 0n };
  const sites: CapacityFigure = { resource: 'sites', unit: 'sites', used: 0n, limit: 0n };
  for (const s of active) {
    if (!checks.diskRejected.has(s.serverId)) {
      storage.used += load(s).storage;
      storage.limit += s.diskGb * GIB_BYTES;
    }
    if (s.maxSites !== null && !checks.maxSitesRejected.has(s.serverId)) {
      sites.used += load(s).sites;
      sites.limit += s.maxSites;
    }
  }
  const figures = [storage, sites];
  if (config.capacity.database_limit_bytes !== undefined) {
    figures.push({
      resource: 'database',
      unit: 'bytes',
      used: databaseBytes,
      limit: BigInt(Math.floor(config.capacity.database_limit_bytes)),
    });
  }
  return figures;
}

/** 1 − used/limit (the nearest double); absent (null) when there is no limit to compare with. */
export function headroomRatio(figure: CapacityFigure): number | null {
  if (figure.limit === 0n) return null;
  return Number(figure.limit - figure.used) / Number(figure.limit);
}
