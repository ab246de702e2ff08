import type { BandwidthRow, EmailRow, ServerSitesRow, ServerSitesTable, SourceRows } from '../sources';
import type { EmailTable, TrafficTable } from './usage';

/**
 * The usage the model works on: the typed rows of every source, as of one collection. The
 * (server, tenant) rows and the usage rows come in columns from the sources, or as plain rows
 * (tests, other callers).
 */
export type UsageSnapshot = Omit<SourceRows, 'server_sites' | 'bandwidth' | 'email'> & {
  server_sites: ServerSitesTable | ServerSitesRow[];
  bandwidth: TrafficTable | BandwidthRow[];
  email: EmailTable | EmailRow[];
};

/** The key under which cost that belongs to no tenant is allocated. */
export const UNALLOCATED = '';
