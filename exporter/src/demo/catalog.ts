/** The fixed vocabulary of the demo data: plans, server sizes, name parts. */

export const PLANS = ['starter', 'pro', 'business', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

export interface PlanProfile {
  /** Share of tenants on the plan. */
  readonly share: number;
  /** List price per month, in the billing currency. */
  readonly monthly: number;
  /** Relative number of sites a tenant on the plan runs. */
  readonly siteWeight: number;
  /** Median disk use of one site, in bytes. */
  readonly storageMedianBytes: number;
  /** Median egress of one site on a weekday, in bytes. */
  readonly egressMedianBytes: number;
  /** Relative number of e-mails a tenant on the plan sends. */
  readonly emailWeight: number;
}

const MB = 1024 * 1024;

export const PLAN_PROFILES: Record<Plan, PlanProfile> = {
  starter: {
    share: 0.5,
    monthly: 9,
    siteWeight: 1,
    storageMedianBytes: 120 * MB,
    egressMedianBytes: 25 * MB,
    emailWeight: 1,
  },
  pro: {
    share: 0.3,
    monthly: 29,
    siteWeight: 2.5,
    storageMedianBytes: 300 * MB,
    egressMedianBytes: 80 * MB,
    emailWeight: 3,
  },
  business: {
    share: 0.15,
    monthly: 99,
    siteWeight: 6,
    storageMedianBytes: 600 * MB,
    egressMedianBytes: 250 * MB,
    emailWeight: 8,
  },
  enterprise: {
    share: 0.05,
    monthly: 499,
    siteWeight: 16,
    storageMedianBytes: 900 * MB,
    egressMedianBytes: 600 * MB,
    emailWeight: 20,
  },
};

export interface ServerSize {
  readonly provider: string;
  readonly size: string;
  readonly vcpus: number;
  readonly memoryMb: number;
  readonly diskGb: number;
  /** Relative site capacity, for placing sites on shared servers. */
  readonly capacityWeight: number;
  readonly regions: readonly string[];
}

const hetznerRegions = ['fsn1', 'nbg1', 'hel1'];
const doRegions = ['fra1', 'ams3', 'nyc3'];

export const SERVER_SIZES: Record<string, ServerSize> = {
  'hetzner/cx22': size('hetzner', 'cx22', 2, 4096, 40, 1, hetznerRegions),
  'hetzner/cx32': size('hetzner', 'cx32', 4, 8192, 80, 2, hetznerRegions),
  'hetzner/cx42': size('hetzner', 'cx42', 8, 16384, 160, 4, hetznerRegions),
  'hetzner/ccx33': size('hetzner', 'ccx33', 8, 32768, 240, 6, hetznerRegions),
  'digitalocean/s-2vcpu-4gb': size('digitalocean', 's-2vcpu-4gb', 2, 4096, 80, 1, doRegions),
  'digitalocean/s-4vcpu-8gb': size('digitalocean', 's-4vcpu-8gb', 4, 8192, 160, 2, doRegions),
  'digitalocean/g-8vcpu-32gb': size('digitalocean', 'g-8vcpu-32gb', 8, 32768, 100, 5, doRegions),
  // A size the example pricing does not list, so the exporter's default price gets exercised.
  'vultr/vc2-2c-4gb': size('vultr', 'vc2-2c-4gb', 2, 4096, 80, 1, ['fra', 'ams']),
};

function size(
  provider: string,
  name: string,
  vcpus: number,
  memoryMb: number,
  diskGb: number,
  capacityWeight: number,
  regions: readonly string[],
): ServerSize {
  return { provider, size: name, vcpus, memoryMb, diskGb, capacityWeight, regions };
}

/** Sizes shared servers use, with how often. */
export const SHARED_SIZES: ReadonlyArray<readonly [string, number]> = [
  ['hetzner/cx32', 3],
  ['hetzner/cx42', 4],
  ['hetzner/ccx33', 2],
  ['digitalocean/s-4vcpu-8gb', 2],
  ['digitalocean/g-8vcpu-32gb', 1],
];

/** Sizes dedicated servers use, with how often: small ones for a few sites, bigger ones for many. */
export const DEDICATED_SIZES: ReadonlyArray<readonly [string, number]> = [
  ['hetzner/cx22', 4],
  ['digitalocean/s-2vcpu-4gb', 2],
  ['vultr/vc2-2c-4gb', 0.5],
];
export const DEDICATED_MEDIUM_SIZES: ReadonlyArray<readonly [string, number]> = [
  ['hetzner/cx32', 3],
  ['digitalocean/s-4vcpu-8gb', 1],
];
export const DEDICATED_LARGE_SIZES: ReadonlyArray<readonly [string, number]> = [
  ['hetzner/ccx33', 2],
  ['hetzner/cx42', 1],
  ['digitalocean/g-8vcpu-32gb', 1],
];

/** Tenant names: a first part and a kind, many with non-ASCII characters (utf8mb4 tables). */
export const NAME_FIRST_PARTS = [
  'Müller',
  'Schröder',
  'Lumière',
  'Ørsted',
  'Łukasiewicz',
  'São Bento',
  'Núñez',
  'Dvořák',
  'Ångström',
  'Çelik',
  'Renée',
  'Zoë',
  'Jürgen',
  'Söderberg',
  'Kovač',
  'Ιωάννου',
  'Новиков',
  '田中',
  'Nguyễn',
  'Fjørd',
  'Aurora',
  'Blue Harbor',
  'Northwind',
  'Greenfield',
  'Pixelwerk',
  'Summit',
  'Riverside',
  'Brightside',
  'Kraków',
  'Île Verte',
  'Mañana',
  'Straße 7',
  'Ελιά',
  'Škoda Garage',
  'Café Olé',
  'Göteborg',
  'Händel',
  'Piñata',
  'Bärenstark',
  'Fenêtre',
] as const;

export const NAME_KINDS = [
  'Web',
  'Studio',
  'Média',
  'Agentur',
  'Digital',
  'Consulting',
  'Boutique',
  'Hosting',
  'Labs',
  'GmbH',
  'SARL',
  'AB',
  's.r.o.',
  'Kft.',
  'Ltd',
  '& Söhne',
  'Atelier',
  'Design',
  'Shop',
  'Bäckerei',
] as const;

export const TLDS = ['de', 'com', 'fr', 'eu', 'io', 'net', 'se', 'pl', 'cz', 'at', 'ch', 'org'] as const;

/** An ASCII host label for a name: German umlauts spelled out, other accents dropped. */
export function slug(name: string): string {
  const spelled = name
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/Ä/g, 'Ae')
    .replace(/Ö/g, 'Oe')
    .replace(/Ü/g, 'Ue')
    .replace(/ß/g, 'ss')
    .replace(/[øØ]/g, 'o')
    .replace(/[łŁ]/g, 'l');
  const ascii = spelled
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return ascii.length > 0 ? ascii : 'site';
}

/** A host label that keeps the letters of the name (an internationalised domain name), or '' if not Latin. */
export function unicodeLabel(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^\p{Script=Latin}0-9]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return label;
}
