import type { ServerSitesRow, ServerSitesTable, SourceRows } from '../sources';

/**
 * The usage the model works on: the typed rows of every source, as of one collection. The
 * (server, tenant) rows come in columns from the sources, or as plain rows (tests, other callers).
 */
export type UsageSnapshot = Omit<SourceRows, 'server_sites'> & {
  server_sites: ServerSitesTable | ServerSitesRow[];
};

/** The key under which cost that belongs to no tenant is allocated. */
export const UNALLOCATED = '';
