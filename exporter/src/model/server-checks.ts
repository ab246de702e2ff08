import { diskRejection, maxSitesRejection, type PlausibilityBounds, type Rejection } from '../plausibility';
import type { ServerRow } from '../sources';

/** Servers whose disk_gb or max_sites failed a plausibility bound: those values are left out. */
export interface ServerChecks {
  diskRejected: ReadonlySet<string>;
  maxSitesRejected: ReadonlySet<string>;
}

export const NO_SERVER_REJECTIONS: ServerChecks = { diskRejected: new Set(), maxSitesRejected: new Set() };

export function checkServers(
  servers: readonly ServerRow[],
  bounds: PlausibilityBounds,
): { checks: ServerChecks; rejections: Rejection[] } {
  const diskRejected = new Set<string>();
  const maxSitesRejected = new Set<string>();
  const rejections: Rejection[] = [];
  for (const s of servers) {
    const disk = diskRejection(s.diskGb, bounds);
    if (disk) {
      diskRejected.add(s.serverId);
      rejections.push({ source: 'servers', reason: disk, id: s.serverId });
    }
    const limit = s.maxSites === null ? null : maxSitesRejection(s.maxSites, bounds);
    if (limit) {
      maxSitesRejected.add(s.serverId);
      rejections.push({ source: 'servers', reason: limit, id: s.serverId });
    }
  }
  return { checks: { diskRejected, maxSitesRejected }, rejections };
}

/** A server whose disk and site limit are both believed (it can take part in the under-used analysis). */
export const fullyPlausible = (checks: ServerChecks, serverId: string) =>
  !checks.diskRejected.has(serverId) && !checks.maxSitesRejected.has(serverId);
