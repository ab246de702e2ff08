import fs from 'node:fs';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import { createReaderUser, createTestDatabase, type TestDatabase } from '@chom/test-support';
import { parseConfig, type Config } from '../../src/config';
import { createPool } from '../../src/sources';

export const GIB = 2 ** 30;
const schemaSql = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'demo', 'schema.sql'), 'utf8');

/**
 * A fresh database with the reference schema, plus an exporter-style pool on it that logs in as a
 * least-privilege user (SELECT on the six tables the exporter reads, nothing else): `readerUrl`.
 * `url` and `pool` are the administrator's, for filling the tables.
 */
export async function createSchemaDatabase(): Promise<
  TestDatabase & { readerUrl: string; exporterPool: mysql.Pool; close(): Promise<void> }
> {
  const db = await createTestDatabase('chom_exporter');
  await db.pool.query(schemaSql);
  const reader = await createReaderUser(db.name);
  const exporterPool = createPool(reader.url);
  return {
    ...db,
    readerUrl: reader.url,
    exporterPool,
    async close() {
      await exporterPool.end();
      await reader.drop();
      await db.drop();
    },
  };
}

type Value = string | number | null;

/** INSERT one row per object; missing columns take the table defaults. */
export async function insert(pool: mysql.Pool, table: string, rows: Record<string, Value>[]): Promise<void> {
  for (const row of rows) {
    const columns = Object.keys(row);
    await pool.query(
      `INSERT INTO ${table} (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      columns.map((c) => row[c]),
    );
  }
}

export const team = (id: number, extra: Record<string, Value> = {}) => ({
  id,
  name: `Team ${id}`,
  plan: 'pro',
  created_at: '2025-01-01 00:00:00',
  ...extra,
});

export const server = (id: number, extra: Record<string, Value> = {}) => ({
  id,
  team_id: null,
  hostname: `srv${id}.example`,
  provider: 'hetzner',
  size: 'cx22',
  vcpus: 2,
  memory_mb: 4096,
  disk_gb: 40,
  max_sites: null,
  status: 'active',
  created_at: '2026-01-01 00:00:00',
  ...extra,
});

export const site = (
  id: number,
  teamId: number,
  vpsId: number | null,
  extra: Record<string, Value> = {},
) => ({
  id,
  team_id: teamId,
  vps_id: vpsId,
  domain: `site${id}.example`,
  storage_used_bytes: 0,
  status: 'active',
  created_at: '2026-01-01 00:00:00',
  ...extra,
});

export const config = (document: unknown = {}): Config => parseConfig(document);
