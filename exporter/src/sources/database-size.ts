import { rowGuard, type SourceDefinition } from './source';
import { integer } from './values';

export interface DatabaseSizeRow {
  bytes: bigint;
}

/** The application schema's size (data + indexes) from information_schema. */
export const databaseSizeSource: SourceDefinition<DatabaseSizeRow> = {
  name: 'database_size',
  sql: `SELECT COALESCE(SUM(data_length + index_length), 0) AS bytes
FROM information_schema.TABLES
WHERE table_schema = DATABASE()`,
  columns: ['bytes'],
  parse: rowGuard<DatabaseSizeRow>({ bytes: (r) => integer(r.bytes) }),
};
