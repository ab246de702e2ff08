import mysql from 'mysql2/promise';
import type { Config, SourceName } from '../config/schema';
import type { DailyUsage } from '../model/daily-usage';
import type { EmailTable, TrafficTable } from '../model/usage';
import {
  addEmailRow,
  bandwidthDays,
  bandwidthRows,
  bandwidthSums,
  dailyUsage,
  emailDays,
  emailRows,
  siteTenants,
  UNREADABLE_TENANT,
  type SiteTenants,
  type KeyIndex,
  packUsageState,
  unpackUsageState,
  type DayBatch,
  type ReadPlan,
  type UsageDays,
} from '../usage';
import {
  BANDWIDTH_CHUNKING,
  bandwidthRowParser,
  bandwidthSource,
  INCREMENTAL_BANDWIDTH,
  LOOKUP_IDS,
  type BandwidthRow,
  type BandwidthSiteDayRow,
} from './bandwidth';
import { unchunkedSql, usageStatements, type Chunking } from './chunks';
import { databaseSizeSource, type DatabaseSizeRow } from './database-size';
import { EMAIL_CHUNKING, emailSource, type EmailDayRow, type EmailRow } from './email';
import { plausibilityBounds, plausibilityParams, type PlausibilityParams } from '../plausibility/bounds';
import { queryParams, renderSql, scanRange, type ChunkIds, type DayRange, type QueryParams } from './params';
import { serverSitesSource, type ServerSitesRow } from './server-sites';
import { serversSource, type ServerRow } from './servers';
import {
  parseSiteGroup,
  SITE_FINGERPRINT_COLUMNS,
  SITE_FINGERPRINT_SQL,
  SITE_GROUP_COLUMNS,
  SITE_GROUPS_SQL,
  sitesSource,
  siteGroupSums,
  type TenantSitesRow,
} from './sites';
import type { ServerSitesTable } from './server-sites';
import { sameRow, type RowCollector, type RowOf, type SourceDefinition } from './source';
import { createStatementRunner, failureReason, rememberPoolOptions, type FailureReason } from './statements';
import { subscriptionsSource, type RevenueRow } from './subscriptions';
import { tenantsSource, type TenantRow } from './tenants';

export * from './params';
export { FAILURE_REASONS, StatementError, withServerDeadline, type FailureReason } from './statements';
export type { SourceDefinition } from './source';
export { BANDWIDTH_CHUNKING } from './bandwidth';
export { EMAIL_CHUNKING } from './email';
export { idChunks, readsInChunks, unchunkedSql, usageStatements, type Chunking } from './chunks';
export type {
  BandwidthSiteDayRow,
  EmailDayRow,
  BandwidthRow,
  DatabaseSizeRow,
  EmailRow,
  RevenueRow,
  ServerRow,
  ServerSitesRow,
  TenantRow,
  TenantSitesRow,
};
export type { RowCollector, RowOf } from './source';
export { ServerSitesTable } from './server-sites';

/** The typed rows of every source, as the cost model reads them. */
export interface SourceRows {
  tenants: TenantRow[];
  subscriptions: RevenueRow[];
  servers: ServerRow[];
  sites: TenantSitesRow[];
  /** held in columns: hundreds of thousands of rows on a large install */
  server_sites: ServerSitesTable;
  /** derived from the day tables (usage/), in columns */
  bandwidth: TrafficTable;
  email: EmailTable;
  database_size: DatabaseSizeRow[];
}

/** What each source's query returns (bandwidth and e-mail: rows per day, see usage/). */
export interface QueryRows extends Omit<SourceRows, 'bandwidth' | 'email'> {
  bandwidth: BandwidthSiteDayRow[];
  email: EmailDayRow[];
}

export const SOURCES: { [K in SourceName]: SourceDefinition<RowOf<QueryRows[K]>, QueryRows[K]> } = {
  tenants: tenantsSource,
  subscriptions: subscriptionsSource,
  servers: serversSource,
  sites: sitesSource,
  server_sites: serverSitesSource,
  bandwidth: bandwidthSource,
  email: emailSource,
  database_size: databaseSizeSource,
};

/** the longest GROUP_CONCAT of a session (MySQL's default is 1 KiB) */
export const GROUP_CONCAT_MAX_LEN = 4 * 2 ** 20;

/**
 * A small read pool. BIGINT comes back as a number while it is a safe integer and as a string
 * beyond (exact either way; parsed from the packet without a string per value, which counts on the
 * tens of millions of site-days of a full read), DECIMAL as a string, timestamps as UTC strings:
 * every connection's session runs in UTC and read-only.
 */
export function createPool(databaseUrl: string, connectionLimit = 4): mysql.Pool {
  const options: mysql.PoolOptions = {
    uri: databaseUrl,
    connectionLimit,
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: true,
    connectTimeout: 5000,
    enableKeepAlive: true,
  };
  const pool = mysql.createPool(options);
  rememberPoolOptions(pool, options);
  pool.pool.on('connection', (connection) => {
    // a connection whose session cannot be set up is dropped: its first query then fails visibly
    const dropOnError = (error: Error | null) => {
      if (error) connection.destroy();
    };
    connection.query("SET time_zone = '+00:00'", dropOnError);
    connection.query('SET SESSION TRANSACTION READ ONLY', dropOnError);
    // the IDs of rejected rows, and of each tenant's sites, come back as one GROUP_CONCAT per group
    connection.query(`SET SESSION group_concat_max_len = ${GROUP_CONCAT_MAX_LEN}`, dropOnError);
  });
  return pool;
}

/** How the full read of each usage source goes in chunks of IDs (chunks.ts). */
export const USAGE_CHUNKING: Record<'bandwidth' | 'email', Chunking> = {
  bandwidth: BANDWIDTH_CHUNKING,
  email: EMAIL_CHUNKING,
};

/** The chunk width setting of a usage source (0: one statement). */
export const chunkWidth = (config: Pick<Config, 'collection'>, source: 'bandwidth' | 'email'): number =>
  source === 'bandwidth' ? config.collection.bandwidth_chunk_sites : config.collection.email_chunk_ids;

/** The SQL each source runs: the config's override or the default. */
export function sourceSql(config: Pick<Config, 'sources'>, name: SourceName): string {
  return config.sources[name] ?? SOURCES[name].sql;
}

/**
 * The statements of one collection, with the parameters filled in (what actually runs when the usage
 * reads are not chunked: see collectionStatements); `range` is the usage sources' days of an
 * incremental read (default: the whole scan, as a full read).
 */
export function renderedStatements(
  config: Pick<Config, 'sources' | 'plausibility'>,
  now: Date,
  range?: DayRange,
): Record<SourceName, string> {
  const params = queryParams(now, plausibilityParams(plausibilityBounds(config)), range);
  const sql = (name: SourceName) => {
    if (name === 'bandwidth' && readsBandwidthWithoutJoin(config, range === undefined))
      return `${INCREMENTAL_BANDWIDTH.siteTenants.sql};\n${INCREMENTAL_BANDWIDTH.siteDays.sql}`;
    const text = sourceSql(config, name);
    return name === 'bandwidth' || name === 'email' ? unchunkedSql(text, USAGE_CHUNKING[name]) : text;
  };
  return Object.fromEntries(
    (Object.keys(SOURCES) as SourceName[]).map((name) => [name, renderSql(sql(name), params)]),
  ) as Record<SourceName, string>;
}

/** An incremental read of the default bandwidth SQL goes without the join to sites (INCREMENTAL_BANDWIDTH). */
export const readsBandwidthWithoutJoin = (config: Pick<Config, 'sources'>, full: boolean): boolean =>
  !full && config.sources.bandwidth === undefined;

/** Neither `sites` nor `server_sites` is overridden: one statement serves both (SITE_GROUPS_SQL). */
export const sharesSiteScan = (config: Pick<Config, 'sources'>) =>
  config.sources.sites === undefined && config.sources.server_sites === undefined;

/**
 * The statements a collection runs, by what they read: as renderedStatements, but `sites` and
 * `server_sites` as the statements that serve both when neither is overridden: the sites'
 * fingerprint, then the grouped read unless `sitesChanged` is false (the fingerprint was the last
 * read's); then an incremental bandwidth read keeps the sites' tenants it read last, and runs its
 * site-days statement alone.
 */
export function collectionStatements(
  config: Pick<Config, 'sources' | 'plausibility'>,
  now: Date,
  range?: DayRange,
  sitesChanged = true,
): Record<string, string> {
  const { sites, server_sites: serverSites, ...rest } = renderedStatements(config, now, range);
  if (!sharesSiteScan(config)) return { ...rest, sites, server_sites: serverSites };
  const params = queryParams(now, plausibilityParams(plausibilityBounds(config)), range);
  const fingerprint = renderSql(SITE_FINGERPRINT_SQL, params);
  const { siteDays } = INCREMENTAL_BANDWIDTH;
  const bandwidth =
    !sitesChanged && readsBandwidthWithoutJoin(config, range === undefined)
      ? renderSql(siteDays.sql, params)
      : rest.bandwidth;
  return {
    ...rest,
    bandwidth,
    'sites+server_sites': sitesChanged
      ? `${fingerprint};\n${renderSql(SITE_GROUPS_SQL, params)}`
      : fingerprint,
  };
}

export type SourceOutcome<Row, Rows = Row[]> =
  | {
      ok: true;
      rows: Rows;
      skipped: number;
      seconds: number;
      /** usage sources: the days this collection read */
      read?: ReadPlan;
      /** sites and server_sites: the fingerprint matched the last read, whose rows these are */
      unchanged?: boolean;
    }
  | { ok: false; error: Error; reason: FailureReason; seconds: number };

export type SourceOutcomes = { [K in SourceName]: SourceOutcome<RowOf<SourceRows[K]>, SourceRows[K]> };

/**
 * MariaDB's in-memory limit for the temporary table of a full e-mail read (its default is 16 MiB):
 * past it the table goes to disk, which made the full read three times slower on the medium scale.
 */
export const FULL_READ_MEMORY_BYTES = 64 * 2 ** 20;

const elapsed = (startedNs: bigint) => Number(process.hrtime.bigint() - startedNs) / 1e9;

/**
 * Reads the sources: the small ones in full every time, bandwidth and e-mail into their day tables
 * (incrementally, see usage/). Rows are streamed and aggregated, never held as one big array.
 */
export interface SourceReader {
  /** One collection's rows of every source (the usage sources derived from the day tables). */
  read(now: Date): Promise<SourceOutcomes>;
  /** The fleet's usage per day, from the day tables (as of the last read). */
  dailyUsage(now: Date): DailyUsage;
  /** Kills running statements; later reads fail at once (the exporter is stopping). */
  cancel(): Promise<void>;
  /** The usage day tables as plain data, to share them between replicas (cache/shared-state.ts). */
  usageState(): UsageState;
  /** Replaces the usage day tables with another replica's (the next read continues from them). */
  restoreUsage(state: UsageState): void;
  /** Changes when the day tables moved on to a new full read or a new day. */
  usageMark(): string;
}

/** The usage day tables of both usage sources in one buffer (binary layout: USAGE_STATE_VERSION). */
export type UsageState = Buffer;

export const USAGE_STATE_VERSION = 3;

export function createSourceReader(pool: mysql.Pool, config: Config): SourceReader {
  const runner = createStatementRunner(pool, config.collection.timeout_seconds);
  const usage = { bandwidth: bandwidthDays(), email: emailDays(plausibilityBounds(config)) };
  const fullReadIntervalMs = config.collection.full_read_interval_seconds * 1000;
  const lateRowsMs = config.collection.late_rows_seconds * 1000;
  const bounds = plausibilityBounds(config);
  const plausibility: PlausibilityParams = plausibilityParams(bounds);

  /**
   * The last rows of each source read into an array: a row equal to the one at its place there is
   * kept instead of the new one (a table scan returns its rows in the same order while they do not
   * change), so the rows of a steady collection are mostly the last one's, not a copy of them.
   */
  const lastRows = new Map<SourceName, readonly object[]>();

  async function readRows<Row, Rows extends RowCollector<Row>>(
    definition: SourceDefinition<Row, Rows>,
    sql: string,
  ): Promise<SourceOutcome<Row, Rows>> {
    const started = process.hrtime.bigint();
    const rows = definition.rows ? definition.rows() : ([] as Row[] as unknown as Rows);
    const previous = definition.rows ? undefined : lastRows.get(definition.name);
    let position = 0;
    let skipped = 0;
    try {
      await runner.stream(sql, definition.columns, (raw) => {
        const row = definition.parse(raw);
        if (row === undefined) skipped++;
        else {
          const last = previous?.[position++];
          rows.push(last !== undefined && sameRow(last, row as object) ? (last as Row) : row);
        }
      });
      if (!definition.rows) lastRows.set(definition.name, rows as unknown as object[]);
      return { ok: true, rows, skipped, seconds: elapsed(started) };
    } catch (error) {
      return { ok: false, error: error as Error, reason: failureReason(error), seconds: elapsed(started) };
    }
  }

  /** Neither `sites` nor `server_sites` is overridden: one statement serves both (SITE_GROUPS_SQL). */
  const sharedSiteScan = sharesSiteScan(config);

  type SiteOutcomes = [
    SourceOutcome<unknown, RowCollector<unknown>>,
    SourceOutcome<unknown, RowCollector<unknown>>,
  ];
  /** the last grouped read of the sites, and the fingerprint taken before it */
  let lastSiteGroups: { fingerprint: string; readAt: number; outcomes: SiteOutcomes } | undefined;

  /** The sites' fingerprint (SITE_FINGERPRINT_SQL) as one string. */
  async function siteFingerprint(params: QueryParams): Promise<string> {
    let fingerprint = '';
    await runner.stream(renderSql(SITE_FINGERPRINT_SQL, params), SITE_FINGERPRINT_COLUMNS, (raw) => {
      fingerprint = SITE_FINGERPRINT_COLUMNS.map((c) => String(raw[c])).join('/');
    });
    return fingerprint;
  }

  /**
   * The `server_sites` and `sites` outcomes from one read of the (tenant, server) groups: the groups
   * that have a server are the `server_sites` rows, their sums per tenant the `sites` rows. Both
   * outcomes share the statement's time, error and unreadable rows. The sites change slowly: when
   * their fingerprint is the last read's (and that read is less than the full-read interval old), the
   * last read's rows are kept instead of grouping every site again.
   */
  async function readSiteGroups(
    params: QueryParams,
    now: Date,
    fingerprinted: Promise<string>,
  ): Promise<SiteOutcomes> {
    const started = process.hrtime.bigint();
    const failed = (error: unknown): SiteOutcomes => {
      const outcome = {
        ok: false as const,
        error: error as Error,
        reason: failureReason(error),
        seconds: elapsed(started),
      };
      return [outcome, outcome];
    };
    const t = now.getTime();
    let fingerprint: string;
    try {
      fingerprint = await fingerprinted;
    } catch (error) {
      return failed(error);
    }
    const last = lastSiteGroups;
    if (last?.fingerprint === fingerprint && t >= last.readAt && t - last.readAt < fullReadIntervalMs) {
      const seconds = elapsed(started);
      return last.outcomes.map((o) => ({ ...o, seconds, unchanged: true })) as SiteOutcomes;
    }
    const placed = (serverSitesSource.rows as () => ServerSitesTable)();
    const perTenant = siteGroupSums();
    let skipped = 0;
    try {
      await runner.stream(renderSql(SITE_GROUPS_SQL, params), SITE_GROUP_COLUMNS, (raw) => {
        const group = parseSiteGroup(raw);
        if (group === undefined) skipped++;
        else {
          perTenant.add(group);
          if (group.serverId !== null)
            placed.push({
              serverId: group.serverId,
              tenantId: group.tenantId,
              sites: group.sites,
              storageUsedBytes: group.storageUsedBytes,
            });
        }
      });
    } catch (error) {
      return failed(error);
    }
    const seconds = elapsed(started);
    const outcomes: SiteOutcomes = [
      { ok: true, rows: placed as unknown as RowCollector<unknown>, skipped, seconds },
      { ok: true, rows: perTenant.rows() as unknown as RowCollector<unknown>, skipped, seconds },
    ];
    lastSiteGroups = { fingerprint, readAt: t, outcomes };
    return outcomes;
  }

  /**
   * The rows last derived from each source's tables, and for which content and day: a read that
   * found the same rows (usage rolled up less often than collected) hands them over again.
   */
  const derived = new WeakMap<UsageDays, { mark: string; rows: unknown }>();

  /** One usage read into `days`: `fill` streams the plan's rows into the batch. */
  async function readUsage<Rows>(
    days: UsageDays,
    fill: (plan: ReadPlan, batch: DayBatch, skip: () => void) => Promise<void>,
    derive: (days: UsageDays, now: Date) => Rows,
    now: Date,
  ): Promise<SourceOutcome<never, Rows>> {
    const started = process.hrtime.bigint();
    const plan = days.plan(now, fullReadIntervalMs, lateRowsMs);
    const batch = days.batch(plan);
    let skipped = 0;
    try {
      await fill(plan, batch, () => skipped++);
    } catch (error) {
      return { ok: false, error: error as Error, reason: failureReason(error), seconds: elapsed(started) };
    }
    days.commit(plan, batch, now);
    const mark = `${days.contentMark}/${scanRange(now).to}`;
    let last = derived.get(days);
    if (last?.mark !== mark) {
      last = { mark, rows: derive(days, now) };
      derived.set(days, last);
    }
    return { ok: true, rows: last.rows as Rows, skipped, seconds: elapsed(started), read: plan };
  }

  /**
   * Streams the rows of one usage read: a full read chunk by chunk of IDs (chunks.ts), each chunk a
   * statement with its own deadline; an incremental one in one statement over its few days.
   */
  async function streamUsage(
    name: 'bandwidth' | 'email',
    plan: ReadPlan,
    now: Date,
    onRow: (raw: Record<string, unknown>) => void,
    memoryBytes?: number,
  ): Promise<void> {
    const render = (sql: string, ids: ChunkIds) =>
      renderSql(sql, queryParams(now, plausibility, plan.range, ids));
    const nextId = async (lookup: string): Promise<bigint | null> => {
      let next: bigint | null = null;
      await runner.stream(lookup, ['id'], (raw) => {
        if (raw.id !== null && raw.id !== undefined) next = BigInt(String(raw.id));
      });
      return next;
    };
    const sql = sourceSql(config, name);
    const columns = SOURCES[name].columns;
    const statements = usageStatements(
      sql,
      USAGE_CHUNKING[name],
      chunkWidth(config, name),
      plan.full,
      render,
      nextId,
    );
    for await (const statement of statements) await runner.stream(statement, columns, onRow, { memoryBytes });
  }

  const fillEmail =
    (now: Date) =>
    async (plan: ReadPlan, batch: DayBatch, skip: () => void): Promise<void> => {
      await streamUsage(
        'email',
        plan,
        now,
        (raw) => {
          const row = emailSource.parse(raw);
          if (row === undefined) skip();
          else addEmailRow(batch, row);
        },
        // a full read groups per day, tenant and type: let its temporary table stay in memory
        plan.full ? FULL_READ_MEMORY_BYTES : undefined,
      );
    };

  /**
   * The sites' tenants as last read, with the sites' fingerprint taken before that read (none when
   * there was none): while the fingerprint stays the same (and within the full-read interval), the
   * next incremental read uses them instead of reading every site again; the day batches must still
   * number tenants the same way. Otherwise they size the next read's lookup.
   */
  let lastSiteTenants:
    { fingerprint: string | undefined; keys: KeyIndex; readAt: number; tenants: SiteTenants } | undefined;

  /** The sites' tenants for `batch`: the last read's while the sites did not change, else read now. */
  async function tenantsOfSites(
    batch: DayBatch,
    now: Date,
    fingerprinted: Promise<string> | undefined,
  ): Promise<SiteTenants> {
    // without the fingerprint (an override of sites or server_sites, or it failed) the sites are read
    const fingerprint = await fingerprinted?.catch(() => undefined);
    const t = now.getTime();
    const last = lastSiteTenants;
    if (
      fingerprint !== undefined &&
      last?.fingerprint === fingerprint &&
      last.keys === batch.keys &&
      t >= last.readAt &&
      t - last.readAt < fullReadIntervalMs
    )
      return last.tenants;
    lastSiteTenants = undefined;
    const { siteTenants: statement } = INCREMENTAL_BANDWIDTH;
    const tenants = siteTenants(batch, last?.tenants.denseLength ?? 0);
    await runner.stream(statement.sql, statement.columns, (raw) =>
      tenants.addSites(raw.tenant_id, raw.site_ids, GROUP_CONCAT_MAX_LEN),
    );
    tenants.seal();
    lastSiteTenants = { fingerprint, keys: batch.keys, readAt: t, tenants };
    return tenants;
  }

  /**
   * An incremental read of the default bandwidth SQL (INCREMENTAL_BANDWIDTH): the sites' tenants,
   * then the site-days summed as they arrive; those of sites not among the tenants wait for a lookup.
   */
  async function fillBandwidthWithoutJoin(
    plan: ReadPlan,
    batch: DayBatch,
    skip: () => void,
    now: Date,
    fingerprinted: Promise<string> | undefined,
  ): Promise<void> {
    const { siteDays, tenantsOfSites: lookup } = INCREMENTAL_BANDWIDTH;
    const tenants = await tenantsOfSites(batch, now, fingerprinted);
    const sums = bandwidthSums(batch, bounds);
    const parse = bandwidthRowParser();
    const unknownSite: BandwidthSiteDayRow[] = [];
    const add = (row: BandwidthSiteDayRow, key: number) => {
      if (key === UNREADABLE_TENANT) skip();
      else sums.addFor(row, key);
    };
    const sql = renderSql(siteDays.sql, queryParams(now, plausibility, plan.range));
    await runner.stream(sql, siteDays.columns, (raw) => {
      const row = parse(raw);
      if (row === undefined) return skip();
      const key = tenants.keyOf(row.siteId);
      if (key === undefined) unknownSite.push(row);
      else add(row, key);
    });
    const unknownIds = [...new Set(unknownSite.map((row) => String(row.siteId)))];
    for (let i = 0; i < unknownIds.length; i += LOOKUP_IDS) {
      const ids = unknownIds.slice(i, i + LOOKUP_IDS);
      await runner.stream(lookup.sql(ids), lookup.columns, (raw) => tenants.add(raw.site_id, raw.tenant_id));
    }
    // a site still unknown is missing from the sites table, as the join's NULL tenant
    for (const row of unknownSite) {
      const key = tenants.keyOf(row.siteId);
      if (key === undefined) sums.add(row);
      else add(row, key);
    }
  }

  /** Bandwidth streams raw site-days and sums them here (usage/bandwidth-sums.ts). */
  const fillBandwidth =
    (now: Date, fingerprinted: Promise<string> | undefined) =>
    async (plan: ReadPlan, batch: DayBatch, skip: () => void): Promise<void> => {
      if (readsBandwidthWithoutJoin(config, plan.full))
        return fillBandwidthWithoutJoin(plan, batch, skip, now, fingerprinted);
      const parse = bandwidthRowParser();
      const sums = bandwidthSums(batch, bounds);
      await streamUsage('bandwidth', plan, now, (raw) => {
        const row = parse(raw);
        if (row === undefined) skip();
        else sums.add(row);
      });
    };

  return {
    async read(now) {
      const params = queryParams(now, plausibility);
      const small = (name: Exclude<SourceName, 'bandwidth' | 'email'>) =>
        readRows(
          SOURCES[name] as SourceDefinition<unknown, RowCollector<unknown>>,
          renderSql(sourceSql(config, name), params),
        );
      // the sites' fingerprint serves the grouped sites and the tenants of an incremental bandwidth read
      const fingerprinted = sharedSiteScan ? siteFingerprint(params) : undefined;
      const siteSources = fingerprinted
        ? readSiteGroups(params, now, fingerprinted)
        : Promise.all([small('server_sites'), small('sites')]);
      // The two usage reads go first so they start at once and the small ones fill the gaps.
      const [bandwidth, email, [serverSites, sites], ...rest] = await Promise.all([
        readUsage(usage.bandwidth, fillBandwidth(now, fingerprinted), bandwidthRows, now),
        readUsage(usage.email, fillEmail(now), emailRows, now),
        siteSources,
        small('servers'),
        small('tenants'),
        small('subscriptions'),
        small('database_size'),
      ]);
      const [servers, tenants, subscriptions, databaseSize] = rest;
      return {
        tenants,
        subscriptions,
        servers,
        sites,
        server_sites: serverSites,
        bandwidth,
        email,
        database_size: databaseSize,
      } as SourceOutcomes;
    },
    dailyUsage: (now) => dailyUsage(usage.bandwidth, usage.email, now),
    cancel: () => runner.cancelAll(),
    usageState: () => packUsageState(usage.bandwidth.serialize(), usage.email.serialize()),
    restoreUsage(state) {
      // both are checked before either is replaced
      const parts = unpackUsageState(state);
      const bandwidth = bandwidthDays();
      const email = emailDays(plausibilityBounds(config));
      bandwidth.restore(parts.bandwidth);
      email.restore(parts.email);
      usage.bandwidth = bandwidth;
      usage.email = email;
    },
    usageMark: () => `${usage.bandwidth.readMark} ${usage.email.readMark}`,
  };
}

/** One collection's rows with fresh day tables (a full read), e.g. for a backfill instant. */
export async function fetchSources(pool: mysql.Pool, config: Config, now: Date): Promise<SourceOutcomes> {
  return createSourceReader(pool, config).read(now);
}
