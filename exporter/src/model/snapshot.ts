import type { SourceRows } from '../sources';

/** The usage the model works on: the typed rows of every source, as of one collection. */
export type UsageSnapshot = SourceRows;

/** The key under which cost that belongs to no tenant is allocated. */
export const UNALLOCATED = '';
