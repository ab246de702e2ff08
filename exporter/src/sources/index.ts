import mysql from 'mysql2/promise';
import type { Config, SourceName } from '../config/schema';
import { bandwidthSource, type BandwidthRow } from './bandwidth';
import { databaseSizeSource, type DatabaseSizeRow } from './database-size';
import { emailSource, type EmailRow } from './email';
import { plausibilityBounds, plausibilityParams } from '../plausibility/bounds';
import { queryParams, renderSql } from './params';
import { serverSitesSource, type ServerSitesRow } from './server-sites';
import { serversSource, type ServerRow } from './servers';
import { sitesSource, type TenantSitesRow } from './sites';
import type { SourceDefinition } from './source';
import { subscriptionsSource, type RevenueRow } from './subscriptions';
import { tenantsSource, type TenantRow } from './tenants';

export * from './params';
export type { SourceDefinition } from './source';
export type {
  BandwidthRow,
  DatabaseSizeRow,
  EmailRow,
  RevenueRow,
  ServerRow,
  ServerSitesRow,
  TenantRow,
  TenantSitesRow,
};

/** The typed rows of every source. */
export interface SourceRows {
  tenants: TenantRow[];
  subscriptions: RevenueRow[];
  servers: ServerRow[];
  sites: TenantSitesRow[];
  server_sites: ServerSitesRow[];
  bandwidth: BandwidthRow[];
  email: EmailRow[];
  database_size: DatabaseSizeRow[];
}

export const SOURCES: { [K in SourceName]: SourceDefinition<SourceRows[K][number]> } = {
  tenants: tenantsSource,
  subscriptions: subscriptionsSource,
  servers: serversSource,
  sites: sitesSource,
  server_sites: serverSitesSource,
  bandwidth: bandwidthSource,
  email: emailSource,
  database_size: databaseSizeSource,
};

/**
 * A small read pool. BIGINT and DECIMAL come back as strings (exact), timestamps as UTC strings:
 * every connection's session runs in UTC and read-only.
 */
export function createPool(databaseUrl: string, connectionLimit = 4): mysql.Pool {
  const pool = mysql.createPool({
    uri: databaseUrl,
    connectionLimit,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    connectTimeout: 5000,
    enableKeepAlive: true,
  });
  pool.pool.on('connection', (connection) => {
    // a connection whose session cannot be set up is dropped: its first query then fails visibly
    const dropOnError = (error: Error | null) => {
      if (error) connection.destroy();
    };
    connection.query("SET time_zone = '+00:00'", dropOnError);
    connection.query('SET SESSION TRANSACTION READ ONLY', dropOnError);
    // the IDs of rejected rows come back as one GROUP_CONCAT per tenant (MySQL's default is 1 KiB)
    connection.query('SET SESSION group_concat_max_len = 4194304', dropOnError);
  });
  return pool;
}

/** The SQL each source runs: the config's override or the default. */
export function sourceSql(config: Pick<Config, 'sources'>, name: SourceName): string {
  return config.sources[name] ?? SOURCES[name].sql;
}

/** The statements of one collection, with the parameters filled in (what actually runs). */
export function renderedStatements(
  config: Pick<Config, 'sources' | 'plausibility'>,
  now: Date,
): Record<SourceName, string> {
  const params = queryParams(now, plausibilityParams(plausibilityBounds(config)));
  return Object.fromEntries(
    (Object.keys(SOURCES) as SourceName[]).map((name) => [name, renderSql(sourceSql(config, name), params)]),
  ) as Record<SourceName, string>;
}

export type SourceOutcome<Row> =
  { ok: true; rows: Row[]; skipped: number; seconds: number } | { ok: false; error: Error; seconds: number };

/** Runs one statement and guards its rows: bad rows are counted and skipped. */
export async function runSource<Row>(
  pool: mysql.Pool,
  definition: SourceDefinition<Row>,
  sql: string,
): Promise<SourceOutcome<Row>> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    const [result] = await pool.query(sql);
    if (!Array.isArray(result)) throw new Error('the statement returned no result set (expected a SELECT)');
    const rows: Row[] = [];
    let skipped = 0;
    for (const raw of result as Record<string, unknown>[]) {
      const row = definition.parse(raw);
      if (row === undefined) skipped++;
      else rows.push(row);
    }
    return { ok: true, rows, skipped, seconds: seconds() };
  } catch (error) {
    return { ok: false, error: error as Error, seconds: seconds() };
  }
}

export type SourceOutcomes = { [K in SourceName]: SourceOutcome<SourceRows[K][number]> };

/** Runs every source concurrently on the pool (the pool bounds the parallelism). */
export async function fetchSources(
  pool: mysql.Pool,
  config: Pick<Config, 'sources' | 'plausibility'>,
  now: Date,
): Promise<SourceOutcomes> {
  const statements = renderedStatements(config, now);
  // The two big usage aggregations go first so they start at once and the small ones fill the gaps.
  const order: SourceName[] = [
    'bandwidth',
    'email',
    'server_sites',
    'sites',
    'servers',
    'tenants',
    'subscriptions',
    'database_size',
  ];
  const outcomes = await Promise.all(
    order.map(
      async (name) =>
        [name, await runSource(pool, SOURCES[name] as SourceDefinition<unknown>, statements[name])] as const,
    ),
  );
  return Object.fromEntries(outcomes) as unknown as SourceOutcomes;
}
