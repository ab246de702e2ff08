import type { Decimal } from '../decimal';
import { rowGuard, type SourceDefinition } from './source';
import { quantity } from './values';

export interface DatabaseSizeRow {
  bytes: Decimal;
}

/** The application schema's size (data + indexes) from information_schema. */
export const databaseSizeSource: SourceDefinition<DatabaseSizeRow> = {
  name: 'database_size',
  sql: `SELECT COALESCE(SUM(data_length + index_length), 0) AS bytes
FROM information_schema.TABLES
WHERE table_schema = DATABASE()`,
  columns: ['bytes'],
  parse: rowGuard<DatabaseSizeRow>({ bytes: (r) => quantity(r.bytes) }),
};
