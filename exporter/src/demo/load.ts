import type mysql from 'mysql2/promise';
import type { Dataset, ServerRow, SiteRow, SubscriptionRow, TeamRow } from './dataset';
import {
  bulkInsert,
  deferSecondaryIndexes,
  recreateSchema,
  sqlNullable,
  sqlString,
  sqlTimestamp,
} from './database';
import { bandwidthRows, emailRows, type BandwidthRow, type EmailRow } from './usage';

/** Writes a data set into the (already checked) database: schema first, then every table. */

export interface TableProgress {
  start(table: string, total: number): void;
  update(table: string, written: number): void;
  finish(table: string, written: number, seconds: number): void;
}

export interface LoadResult {
  rows: Record<string, number>;
  seconds: Record<string, number>;
}

interface TablePlan {
  table: string;
  total: number;
  /** Build secondary indexes after the load (the big usage-log tables). */
  deferIndexes: boolean;
  insert(pool: mysql.Pool, onProgress: (written: number) => void): Promise<number>;
}

const teamTuple = (t: TeamRow) =>
  `(${t.id},${sqlString(t.name)},'${t.plan}',${sqlTimestamp(t.createdAt)},${sqlTimestamp(t.deletedAt)})`;

const subscriptionTuple = (s: SubscriptionRow) =>
  `(${s.id},${s.teamId},'${s.plan}',${s.amountMonthly},'${s.status}',${sqlTimestamp(s.createdAt)},${sqlTimestamp(s.endedAt)})`;

const serverTuple = (v: ServerRow) =>
  `(${v.id},${sqlNullable(v.teamId)},${sqlString(v.hostname)},${sqlString(v.provider)},${sqlString(v.size)},` +
  `${v.vcpus},${v.memoryMb},${v.diskGb},${sqlNullable(v.maxSites)},'${v.status}',` +
  `${sqlTimestamp(v.createdAt)},${sqlTimestamp(v.deletedAt)})`;

const siteTuple = (s: SiteRow) =>
  `(${s.id},${s.teamId},${sqlNullable(s.vpsId)},${sqlString(s.domain)},${s.storageUsedBytes},'${s.status}',` +
  `${sqlTimestamp(s.createdAt)},${sqlTimestamp(s.deletedAt)})`;

const bandwidthTuple = (b: BandwidthRow) => `(${b.siteId},'${b.day}',${b.bytesIn},${b.bytesOut})`;

const emailTuple = (e: EmailRow) => `(${e.id},${e.teamId},'${e.type}',${sqlTimestamp(e.sentAt)})`;

function tablePlans(dataset: Dataset): TablePlan[] {
  return [
    plan(
      'teams',
      ['id', 'name', 'plan', 'created_at', 'deleted_at'],
      () => dataset.teams,
      dataset.teams.length,
      teamTuple,
    ),
    plan(
      'subscriptions',
      ['id', 'team_id', 'plan', 'amount_monthly', 'status', 'created_at', 'ended_at'],
      () => dataset.subscriptions,
      dataset.subscriptions.length,
      subscriptionTuple,
    ),
    plan(
      'vps_servers',
      [
        'id',
        'team_id',
        'hostname',
        'provider',
        'size',
        'vcpus',
        'memory_mb',
        'disk_gb',
        'max_sites',
        'status',
        'created_at',
        'deleted_at',
      ],
      () => dataset.servers,
      dataset.servers.length,
      serverTuple,
    ),
    plan(
      'sites',
      ['id', 'team_id', 'vps_id', 'domain', 'storage_used_bytes', 'status', 'created_at', 'deleted_at'],
      () => dataset.sites,
      dataset.sites.length,
      siteTuple,
    ),
    plan(
      'site_bandwidth_daily',
      ['site_id', 'day', 'bytes_in', 'bytes_out'],
      () => bandwidthRows(dataset),
      dataset.scale.bandwidthRows,
      bandwidthTuple,
      true,
    ),
    plan(
      'email_logs',
      ['id', 'team_id', 'type', 'sent_at'],
      () => emailRows(dataset),
      dataset.scale.emailRows,
      emailTuple,
      true,
    ),
  ];
}

function plan<T>(
  table: string,
  columns: readonly string[],
  rows: () => Iterable<T>,
  total: number,
  toTuple: (row: T) => string,
  deferIndexes = false,
): TablePlan {
  return {
    table,
    total,
    deferIndexes,
    insert: (pool, onProgress) => bulkInsert(pool, table, columns, rows(), toTuple, { onProgress }),
  };
}

export async function loadDataset(
  pool: mysql.Pool,
  dataset: Dataset,
  progress?: TableProgress,
): Promise<LoadResult> {
  await recreateSchema(pool);
  const result: LoadResult = { rows: {}, seconds: {} };
  for (const table of tablePlans(dataset)) {
    const started = performance.now();
    progress?.start(table.table, table.total);
    const restoreIndexes = table.deferIndexes ? await deferSecondaryIndexes(pool, table.table) : undefined;
    const written = await table.insert(pool, (n) => progress?.update(table.table, n));
    await restoreIndexes?.();
    const seconds = (performance.now() - started) / 1000;
    result.rows[table.table] = written;
    result.seconds[table.table] = Math.round(seconds * 100) / 100;
    progress?.finish(table.table, written, seconds);
  }
  // Fresh statistics, so the exporter's first queries get good plans.
  await pool.query(
    `ANALYZE TABLE ${tablePlans(dataset)
      .map((t) => `\`${t.table}\``)
      .join(', ')}`,
  );
  return result;
}
