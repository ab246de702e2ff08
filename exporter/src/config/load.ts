import fs from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { configSchema, type Config } from './schema';

/** A configuration problem: the message names the setting and the expected form. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `fixed_items[0].monthly` */
export function settingPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`))
    .join('');
}

/** One line per problem: `pricing.servers.stopped_factor: expected a number between 0 and 1, got "x"`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown, prefix = ''): string[] {
  return issues.flatMap((issue) => {
    const where = (p: readonly PropertyKey[]) => prefix + (p.length ? settingPath(p) : '(top level)');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${where([...issue.path, key])}: unknown setting`);
    }
    return [`${where(issue.path)}: ${issue.message}, got ${describe(valueAt(input, issue.path))}`];
  });
}

/** Validates an already-parsed YAML document. */
export function parseConfig(document: unknown, source = 'config'): Config {
  const input = document ?? {};
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(formatIssues(result.error.issues, input).map((line) => `${source}: ${line}`));
  }
  return result.data;
}

/** Parses YAML text; syntax errors name the line. */
export function parseConfigText(text: string, source = 'config'): Config {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${source}: invalid YAML: ${e.message.split('\n')[0]}`));
  }
  return parseConfig(doc.toJS(), source);
}

/** Reads the YAML file at `path`, or returns the defaults when no path is given. */
export function loadConfigFile(path: string | undefined): Config {
  if (!path) return parseConfig({});
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`CHOM_CONFIG: cannot read ${path}: ${(error as Error).message}`]);
  }
  return parseConfigText(text, path);
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  CHOM_DATABASE_URL: z
    .string({ error: 'expected a mysql://user:password@host:port/database URL (required)' })
    .regex(/^mysql:\/\/[^/]+\/[^/?]+/, 'expected a mysql://user:password@host:port/database URL'),
  CHOM_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis://host:port URL')
    .optional(),
  CHOM_PORT: z
    .string()
    .regex(/^\d+$/, 'expected a TCP port number between 1 and 65535')
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, 'expected a TCP port number between 1 and 65535')
        .max(65535, 'expected a TCP port number between 1 and 65535'),
    )
    .default(9864),
  CHOM_LISTEN_ADDRESS: z.string().min(1, 'expected an IP address or host name').default('0.0.0.0'),
  CHOM_CONFIG: z.string().min(1, 'expected the path of a YAML file').optional(),
  CHOM_WEB_CONFIG_FILE: z.string().min(1, 'expected the path of a web configuration file').optional(),
  CHOM_LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
});

export interface Environment {
  databaseUrl: string;
  redisUrl?: string;
  port: number;
  listenAddress: string;
  configPath?: string;
  /** TLS and authentication of the HTTP server (exporter-toolkit format) */
  webConfigPath?: string;
  logLevel: (typeof LOG_LEVELS)[number];
}

/** Reads the connection settings from the environment (empty strings count as unset). */
export function loadEnvironment(env: NodeJS.ProcessEnv): Environment {
  const input = Object.fromEntries(
    Object.keys(envSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const result = envSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const key = String(issue.path[0]);
        const shown =
          key === 'CHOM_DATABASE_URL' || key === 'CHOM_REDIS_URL' ? '(hidden)' : describe(input[key]);
        return `${key}: ${issue.message}, got ${input[key] === undefined ? 'nothing' : shown}`;
      }),
    );
  }
  const e = result.data;
  return {
    databaseUrl: e.CHOM_DATABASE_URL,
    redisUrl: e.CHOM_REDIS_URL,
    port: e.CHOM_PORT,
    listenAddress: e.CHOM_LISTEN_ADDRESS,
    configPath: e.CHOM_CONFIG,
    webConfigPath: e.CHOM_WEB_CONFIG_FILE,
    logLevel: e.CHOM_LOG_LEVEL,
  };
}
