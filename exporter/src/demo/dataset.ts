import {
  DEDICATED_LARGE_SIZES,
  DEDICATED_MEDIUM_SIZES,
  DEDICATED_SIZES,
  NAME_FIRST_PARTS,
  NAME_KINDS,
  PLANS,
  PLAN_PROFILES,
  SERVER_SIZES,
  SHARED_SIZES,
  TLDS,
  slug,
  unicodeLabel,
  type Plan,
  type ServerSize,
} from './catalog';
import { Random, WeightedIndex } from './random';
import { SCALES, type Scale, type ScaleName } from './scales';
import { DAY_MS, bandwidthCapacity, bandwidthDays, bandwidthWindow } from './window';

/**
 * The demo data set as pure data: tenants, subscriptions, servers and sites, laid out relative to
 * `now`, identical for the same seed, scale and now. The usage logs (bandwidth, e-mail) are generated
 * from it lazily (usage.ts) because they are too many rows to hold in memory at the large scale.
 * Timestamps are epoch milliseconds (UTC).
 */

export interface DatasetOptions {
  readonly scale: ScaleName;
  readonly seed: number;
  readonly now: Date;
}

export interface TeamRow {
  id: number;
  name: string;
  plan: Plan;
  createdAt: number;
  deletedAt: number | null;
}

export type SubscriptionStatus = 'active' | 'trialing' | 'canceled';

export interface SubscriptionRow {
  id: number;
  teamId: number;
  plan: Plan;
  /** DECIMAL(12,2) as text, e.g. "29.00". */
  amountMonthly: string;
  status: SubscriptionStatus;
  createdAt: number;
  endedAt: number | null;
}

export type ServerStatus = 'provisioning' | 'active' | 'stopped' | 'decommissioned';

export interface ServerRow {
  id: number;
  teamId: number | null;
  hostname: string;
  provider: string;
  size: string;
  vcpus: number;
  memoryMb: number;
  diskGb: number;
  maxSites: number | null;
  status: ServerStatus;
  createdAt: number;
  deletedAt: number | null;
}

export interface SiteRow {
  id: number;
  teamId: number;
  vpsId: number | null;
  domain: string;
  storageUsedBytes: number;
  status: 'active' | 'suspended';
  createdAt: number;
  deletedAt: number | null;
}

/** What the usage generators need to know about a tenant beyond its row. */
export interface TeamUsageProfile {
  /** Relative e-mail volume; 0 sends nothing. */
  emailWeight: number;
  /** Share of its e-mails that are marketing. */
  marketingShare: number;
}

export interface Dataset {
  readonly options: DatasetOptions;
  readonly scale: Scale;
  readonly now: number;
  readonly teams: TeamRow[];
  readonly subscriptions: SubscriptionRow[];
  readonly servers: ServerRow[];
  readonly sites: SiteRow[];
  /** Indexed like `teams`. */
  readonly teamProfiles: TeamUsageProfile[];
}

export { DAY_MS };
const HOUR_MS = 3_600_000;
/** How far back the platform's history goes. */
const HISTORY_DAYS = 3 * 365;
/** Tenant sign-ups double every year. */
const GROWTH_RATE_PER_DAY = Math.LN2 / 365;

export function buildDataset(options: DatasetOptions): Dataset {
  const scale: Scale = SCALES[options.scale];
  const now = Math.floor(options.now.getTime() / 1000) * 1000;
  const teams = generateTeams(scale, options.seed, now);
  const sitesPerTeam = distributeSites(teams, scale, options.seed, now);
  const draftSites = generateSites(teams, sitesPerTeam, scale, options.seed, now);
  const servers = placeSites(teams, draftSites, scale, options.seed, now);
  const sites = draftSites.map((d) => d.row);
  makeRoomForBandwidthRows(teams, sites, servers, scale, now);
  const subscriptions = generateSubscriptions(teams, options.seed, now);
  const teamProfiles = generateTeamProfiles(teams, sitesPerTeam, options.seed);
  return { options, scale, now, teams, subscriptions, servers, sites, teamProfiles };
}

/**
 * The scale table fixes the number of bandwidth rows, one per (site, day): when the sites created or
 * deleted within the window leave too few site-days, the earliest sites created in the window are
 * moved to just before it (as if they had been created a little earlier), until the rows fit.
 */
function makeRoomForBandwidthRows(
  teams: TeamRow[],
  sites: SiteRow[],
  servers: ServerRow[],
  scale: Scale,
  now: number,
): void {
  const capacity = bandwidthCapacity(sites, now);
  let missing = scale.bandwidthRows - capacity.complete - capacity.today;
  if (missing <= 0) return;
  const { firstDay } = bandwidthWindow(now);
  const teamById = new Map(teams.map((t) => [t.id, t]));
  const serverById = new Map(servers.map((s) => [s.id, s]));
  const recent = sites.filter((s) => s.vpsId !== null && s.deletedAt === null && s.createdAt >= firstDay);
  // Sites of tenants that signed up before the window first; a newer tenant moves back with its site.
  const oldTenant = (s: SiteRow) => (teamById.get(s.teamId)?.createdAt ?? now) < firstDay - 2 * HOUR_MS;
  for (const site of [...recent.filter(oldTenant), ...recent.filter((s) => !oldTenant(s))]) {
    if (missing <= 0) break;
    const before = bandwidthDays(site, now);
    site.createdAt = firstDay - (2 + (site.id % 23)) * HOUR_MS;
    const after = bandwidthDays(site, now);
    missing -= after.complete + Number(after.today) - before.complete - Number(before.today);
    const team = teamById.get(site.teamId);
    if (team && team.createdAt > site.createdAt) team.createdAt = site.createdAt - HOUR_MS;
    const server = site.vpsId === null ? undefined : serverById.get(site.vpsId);
    if (server && server.createdAt > site.createdAt) server.createdAt = site.createdAt - HOUR_MS;
  }
}

/** `count` items with at least `minimum`, as a share of `total`. */
function share(total: number, ratio: number, minimum: number): number {
  return Math.max(minimum, Math.round(total * ratio));
}

function generateTeams(scale: Scale, seed: number, now: number): TeamRow[] {
  const random = Random.stream(seed, 'teams');
  const planWeights = PLANS.map((p) => PLAN_PROFILES[p].share);
  const spanFactor = 1 - Math.exp(-GROWTH_RATE_PER_DAY * HISTORY_DAYS);
  const teams: TeamRow[] = [];
  for (let i = 0; i < scale.tenants; i++) {
    // Age drawn from a truncated exponential: more tenants signed up recently (growth).
    const ageDays = -Math.log(1 - random.next() * spanFactor) / GROWTH_RATE_PER_DAY;
    const createdAt = roundToSecond(now - ageDays * DAY_MS - random.next() * HOUR_MS);
    const name = `${random.pick(NAME_FIRST_PARTS)} ${random.pick(NAME_KINDS)}`;
    teams.push({ id: 0, name, plan: random.weighted(PLANS, planWeights), createdAt, deletedAt: null });
  }
  // Ids grow with sign-up time, as an auto-increment key would.
  teams.sort((a, b) => a.createdAt - b.createdAt);
  teams.forEach((team, index) => (team.id = index + 1));

  // A few tenants left the platform long ago (soft-deleted); never the oldest one.
  const candidates = teams.filter((t) => t.id > 1 && now - t.createdAt > 120 * DAY_MS);
  const deletions = Math.min(candidates.length, share(scale.tenants, 0.015, 1));
  for (const team of sampleWithoutReplacement(candidates, deletions, random)) {
    const latest = now - 60 * DAY_MS;
    team.deletedAt = roundToSecond(team.createdAt + (latest - team.createdAt) * (0.3 + 0.7 * random.next()));
  }
  return teams;
}

/** How many sites each tenant runs (indexed like `teams`); deleted and a few idle tenants run none. */
function distributeSites(teams: TeamRow[], scale: Scale, seed: number, now: number): number[] {
  const random = Random.stream(seed, 'site-counts');
  const counts = teams.map(() => 0);
  const live = teams.map((_, i) => i).filter((i) => teams[i]?.deletedAt === null);
  // Tenants that signed up but host nothing yet.
  const empty = new Set(sampleWithoutReplacement(live.slice(1), share(teams.length, 0.02, 1), random));
  const hosting = live.filter((i) => !empty.has(i));
  const weights = hosting.map((i) => {
    const team = teams[i] as TeamRow;
    const ageDays = (now - team.createdAt) / DAY_MS;
    const maturity = Math.min(1, (ageDays + 3) / 180);
    return PLAN_PROFILES[team.plan].siteWeight * random.logNormal(1, 0.8) * maturity;
  });
  let remaining = scale.sites;
  if (remaining >= hosting.length) {
    for (const i of hosting) counts[i] = 1;
    remaining -= hosting.length;
  }
  const index = new WeightedIndex(weights);
  for (let n = 0; n < remaining; n++) {
    const team = hosting[index.pick(random)] as number;
    counts[team] = (counts[team] ?? 0) + 1;
  }
  return counts;
}

interface DraftSite {
  row: SiteRow;
  teamIndex: number;
  server: DraftServer | null;
}

function generateSites(
  teams: TeamRow[],
  sitesPerTeam: number[],
  scale: Scale,
  seed: number,
  now: number,
): DraftSite[] {
  const random = Random.stream(seed, 'sites');
  const drafts: DraftSite[] = [];
  teams.forEach((team, teamIndex) => {
    const count = sitesPerTeam[teamIndex] ?? 0;
    const profile = PLAN_PROFILES[team.plan];
    for (let k = 0; k < count; k++) {
      // The first site comes with the sign-up; later ones mostly early in the tenant's life.
      const lifeShare = k === 0 ? random.next() * 0.002 : random.next() ** 4;
      const createdAt = roundToSecond(
        team.createdAt + HOUR_MS + (now - team.createdAt - HOUR_MS) * lifeShare,
      );
      const storage = Math.min(50 * 2 ** 30, Math.round(random.logNormal(profile.storageMedianBytes, 1.0)));
      drafts.push({
        teamIndex,
        server: null,
        row: {
          id: 0,
          teamId: team.id,
          vpsId: null,
          domain: '',
          storageUsedBytes: storage,
          status: random.chance(0.03) ? 'suspended' : 'active',
          createdAt,
          deletedAt: null,
        },
      });
    }
  });
  drafts.sort((a, b) => a.row.createdAt - b.row.createdAt || a.row.teamId - b.row.teamId);
  drafts.forEach((draft, index) => {
    draft.row.id = index + 1;
    draft.row.domain = domainFor(teams[draft.teamIndex] as TeamRow, draft.row.id, random);
  });

  // A few sites were deleted: half before the usage windows, half within them (their earlier traffic stays).
  const old = drafts.filter((d) => now - d.row.createdAt > 90 * DAY_MS);
  const deleted = sampleWithoutReplacement(old, Math.min(old.length, share(scale.sites, 0.004, 2)), random);
  deleted.forEach((draft, i) => {
    const daysAgo = i % 2 === 0 ? 3 + random.next() * 27 : 45 + random.next() * 40;
    draft.row.deletedAt = roundToSecond(now - daysAgo * DAY_MS);
  });
  return drafts;
}

function domainFor(team: TeamRow, siteId: number, random: Random): string {
  const firstPart = team.name.split(' ')[0] ?? team.name;
  const unicode = unicodeLabel(firstPart);
  // Some tenants use internationalised domain names, stored as their Unicode form.
  const label =
    unicode !== slug(firstPart) && unicode !== '' && random.chance(0.3) ? unicode : slug(firstPart);
  return `${label}-${siteId.toString(36)}.${random.pick(TLDS)}`;
}

interface DraftServer {
  row: ServerRow;
  size: ServerSize;
  region: string;
  kind: 'shared' | 'dedicated';
  sites: DraftSite[];
  /** Team of a dedicated server (index into teams). */
  teamIndex: number | null;
}

/**
 * Creates the servers and places the sites on them: the biggest business/enterprise tenants get
 * dedicated servers, every other tenant's sites share servers (team_id NULL, max_sites set). A few
 * servers are idle, stopped, provisioning, decommissioned or soft-deleted; those host no site.
 */
function placeSites(
  teams: TeamRow[],
  sites: DraftSite[],
  scale: Scale,
  seed: number,
  now: number,
): ServerRow[] {
  const random = Random.stream(seed, 'servers');
  const total = scale.servers;
  const decommissioned = share(total, 0.02, 1);
  const softDeleted = share(total, 0.01, 1);
  const stopped = share(total, 0.03, 1);
  const provisioning = share(total, 0.01, 1);
  const idle = share(total, 0.04, 1);
  const working = total - decommissioned - softDeleted - stopped - provisioning - idle;
  const dedicatedCount = Math.round(working * 0.35);
  const sharedCount = working - dedicatedCount;

  const makeServer = (
    kind: 'shared' | 'dedicated',
    teamIndex: number | null,
    status: ServerStatus,
    expectedSites = 0,
  ) => {
    const size = pickSize(kind, expectedSites, random);
    const team = teamIndex === null ? null : (teams[teamIndex] as TeamRow);
    const server: DraftServer = {
      kind,
      size,
      region: random.pick(size.regions),
      teamIndex,
      sites: [],
      row: {
        id: 0,
        teamId: team?.id ?? null,
        hostname: '',
        provider: size.provider,
        size: size.size,
        vcpus: size.vcpus,
        memoryMb: size.memoryMb,
        diskGb: size.diskGb,
        maxSites: null,
        status,
        createdAt: 0,
        deletedAt: null,
      },
    };
    return server;
  };

  // Dedicated servers go to the business/enterprise tenants with the most sites.
  const sitesByTeam = new Map<number, DraftSite[]>();
  for (const site of sites) {
    const list = sitesByTeam.get(site.teamIndex) ?? [];
    list.push(site);
    sitesByTeam.set(site.teamIndex, list);
  }
  const bigTenants = [...sitesByTeam.keys()]
    .filter((i) => {
      const plan = (teams[i] as TeamRow).plan;
      return plan === 'enterprise' || plan === 'business';
    })
    .sort((a, b) => (sitesByTeam.get(b)?.length ?? 0) - (sitesByTeam.get(a)?.length ?? 0) || a - b);
  const servers: DraftServer[] = [];
  const dedicatedTeams: number[] = [];
  const averagePerServer = scale.sites / Math.max(1, working);
  for (const teamIndex of bigTenants) {
    if (servers.length >= dedicatedCount) break;
    const siteCount = sitesByTeam.get(teamIndex)?.length ?? 0;
    const wanted = siteCount > 3 * averagePerServer ? 2 : 1;
    const own: DraftServer[] = [];
    for (let n = 0; n < wanted && servers.length < dedicatedCount; n++) {
      const server = makeServer('dedicated', teamIndex, 'active', siteCount / wanted);
      servers.push(server);
      own.push(server);
    }
    for (const site of sitesByTeam.get(teamIndex) ?? []) {
      const server = random.pick(own);
      site.server = server;
      server.sites.push(site);
    }
    dedicatedTeams.push(teamIndex);
  }

  const shared: DraftServer[] = [];
  for (let n = 0; n < sharedCount; n++) shared.push(makeServer('shared', null, 'active'));
  servers.push(...shared);

  // The newest few sites are not placed on a server yet.
  const unplaced = new Set(
    sites
      .filter((s) => s.server === null && s.row.deletedAt === null)
      .slice(-share(scale.sites, 0.003, 1))
      .map((s) => s.row.id),
  );
  const sharedIndex = new WeightedIndex(shared.map((s) => s.size.capacityWeight));
  for (const site of sites) {
    if (site.server !== null || unplaced.has(site.row.id) || shared.length === 0) continue;
    const server = shared[sharedIndex.pick(random)] as DraftServer;
    site.server = server;
    server.sites.push(site);
  }

  // Servers without sites, in their various states.
  const anyTeam = () => random.pick(dedicatedTeams.length > 0 ? dedicatedTeams : [...sitesByTeam.keys()]);
  for (let n = 0; n < idle; n++) {
    servers.push(
      n % 2 === 0 ? makeServer('shared', null, 'active') : makeServer('dedicated', anyTeam(), 'active'),
    );
  }
  for (let n = 0; n < stopped; n++) servers.push(makeServer('dedicated', anyTeam(), 'stopped'));
  for (let n = 0; n < provisioning; n++) servers.push(makeServer('shared', null, 'provisioning'));
  for (let n = 0; n < decommissioned; n++) servers.push(makeServer('shared', null, 'decommissioned'));
  const deletedServers: DraftServer[] = [];
  for (let n = 0; n < softDeleted; n++) {
    // The first keeps status active: deleted_at alone must make it cost nothing.
    const server = makeServer('dedicated', anyTeam(), n === 0 ? 'active' : 'decommissioned');
    deletedServers.push(server);
    servers.push(server);
  }

  for (const server of servers) {
    server.row.createdAt = serverCreatedAt(server, teams, random, now);
    server.row.maxSites = maxSitesFor(server, random);
  }
  for (const server of deletedServers) {
    server.row.deletedAt = roundToSecond(now - (40 + random.next() * 140) * DAY_MS);
    if (server.row.deletedAt <= server.row.createdAt) server.row.deletedAt = server.row.createdAt + DAY_MS;
  }

  servers.sort((a, b) => a.row.createdAt - b.row.createdAt);
  const perTeam = new Map<number, number>();
  servers.forEach((server, index) => {
    server.row.id = index + 1;
    server.row.hostname = hostnameFor(server, teams, perTeam);
    for (const site of server.sites) site.row.vpsId = server.row.id;
  });
  return servers.map((s) => s.row);
}

function pickSize(kind: 'shared' | 'dedicated', expectedSites: number, random: Random): ServerSize {
  const choices =
    kind === 'shared'
      ? SHARED_SIZES
      : expectedSites > 40
        ? DEDICATED_LARGE_SIZES
        : expectedSites > 12
          ? DEDICATED_MEDIUM_SIZES
          : DEDICATED_SIZES;
  const key = random.weighted(
    choices.map(([k]) => k),
    choices.map(([, weight]) => weight),
  );
  return SERVER_SIZES[key] as ServerSize;
}

function serverCreatedAt(server: DraftServer, teams: TeamRow[], random: Random, now: number): number {
  const teamCreated =
    server.teamIndex === null ? now - HISTORY_DAYS * DAY_MS : (teams[server.teamIndex] as TeamRow).createdAt;
  if (server.sites.length > 0) {
    const firstSite = Math.min(...server.sites.map((s) => s.row.createdAt));
    return roundToSecond(Math.max(teamCreated, firstSite - (1 + random.next() * 71) * HOUR_MS));
  }
  const daysAgo: Record<ServerStatus, () => number> = {
    provisioning: () => 0.05 + random.next() * 0.5,
    active: () => 5 + random.next() * 400,
    stopped: () => 30 + random.next() * 570,
    decommissioned: () => 200 + random.next() * 700,
  };
  const createdAt = roundToSecond(now - daysAgo[server.row.status]() * DAY_MS);
  return server.row.status === 'provisioning' ? createdAt : Math.max(createdAt, teamCreated + HOUR_MS);
}

function maxSitesFor(server: DraftServer, random: Random): number | null {
  const count = server.sites.length;
  if (server.kind === 'shared') {
    if (count === 0) return 40 * server.size.capacityWeight;
    // Most shared servers have room left; a few are full.
    const utilisation = random.chance(0.08) ? 1 : 0.35 + 0.6 * random.next();
    return Math.max(count, Math.ceil(count / utilisation));
  }
  return random.chance(0.3) ? count + random.int(2, 20) : null;
}

function hostnameFor(server: DraftServer, teams: TeamRow[], perTeam: Map<number, number>): string {
  const number = String(server.row.id).padStart(4, '0');
  if (server.teamIndex === null) return `shared-${server.region}-${number}.chom.host`;
  const team = teams[server.teamIndex] as TeamRow;
  const n = (perTeam.get(team.id) ?? 0) + 1;
  perTeam.set(team.id, n);
  return `${slug(team.name)}-${team.id}-${n}.${server.region}.dedicated.chom.host`;
}

const PLAN_RANK: Record<Plan, number> = { starter: 0, pro: 1, business: 2, enterprise: 3 };

function generateSubscriptions(teams: TeamRow[], seed: number, now: number): SubscriptionRow[] {
  const random = Random.stream(seed, 'subscriptions');
  const rows: SubscriptionRow[] = [];
  const newestLive = [...teams].reverse().find((t) => t.deletedAt === null);
  for (const team of teams) {
    const ageDays = (now - team.createdAt) / DAY_MS;
    let currentStart = team.createdAt;
    // Some older tenants upgraded: their first subscription ended when the current one began.
    if (ageDays > 200 && PLAN_RANK[team.plan] > 0 && random.chance(0.15)) {
      const previousPlan = PLANS[random.int(0, PLAN_RANK[team.plan] - 1)] as Plan;
      currentStart = roundToSecond(team.createdAt + (now - team.createdAt) * (0.3 + 0.4 * random.next()));
      rows.push({
        id: 0,
        teamId: team.id,
        plan: previousPlan,
        amountMonthly: listPrice(previousPlan, random),
        status: 'canceled',
        createdAt: team.createdAt,
        endedAt: currentStart,
      });
    }
    let status: SubscriptionStatus = 'active';
    let endedAt: number | null = null;
    if (team.deletedAt !== null) {
      status = 'canceled';
      endedAt = team.deletedAt;
    } else if (ageDays < 14 || team === newestLive) {
      status = 'trialing';
    } else if (random.chance(0.03)) {
      // Churned but still hosting: cost without revenue.
      status = 'canceled';
      endedAt = roundToSecond(Math.max(currentStart + DAY_MS, now - random.next() * 60 * DAY_MS));
    }
    rows.push({
      id: 0,
      teamId: team.id,
      plan: team.plan,
      amountMonthly: listPrice(team.plan, random),
      status,
      createdAt: currentStart,
      endedAt,
    });
  }
  rows.forEach((row, index) => (row.id = index + 1));
  return rows;
}

function listPrice(plan: Plan, random: Random): string {
  let amount = plan === 'enterprise' ? 399 + 50 * random.int(0, 30) : PLAN_PROFILES[plan].monthly;
  if (random.chance(0.1)) amount *= 0.9; // billed yearly, with a discount
  return amount.toFixed(2);
}

function generateTeamProfiles(teams: TeamRow[], sitesPerTeam: number[], seed: number): TeamUsageProfile[] {
  const random = Random.stream(seed, 'team-profiles');
  return teams.map((team, i) => {
    const silent = team.deletedAt !== null || random.chance(0.15);
    const hosting = (sitesPerTeam[i] ?? 0) > 0 ? 1 : 0.2;
    const emailWeight = silent ? 0 : PLAN_PROFILES[team.plan].emailWeight * hosting * random.logNormal(1, 1);
    const marketingShare = random.chance(0.55) ? 0 : 0.15 + 0.6 * random.next();
    return { emailWeight, marketingShare };
  });
}

/** `count` distinct items of `items`, in their original order. */
export function sampleWithoutReplacement<T>(items: readonly T[], count: number, random: Random): T[] {
  const chosen: T[] = [];
  let needed = Math.min(count, items.length);
  for (let i = 0; i < items.length && needed > 0; i++) {
    if (random.next() * (items.length - i) < needed) {
      chosen.push(items[i] as T);
      needed--;
    }
  }
  return chosen;
}

export function roundToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
