import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, tempDir } from '@chom/test-support';
import YAML from 'yaml';
import { DefinitionsError, loadDefinitions, parseDefinitions } from '../src/config/load';

const valid = () => ({
  settings: {
    prometheus: { url: 'http://prometheus:9090' },
    smtp: { host: 'mail.example.com', from: 'finops@example.com' },
    state: { file: 'sent.json' },
  },
  reports: [
    {
      name: 'monthly',
      period: 'previous_month',
      schedule: { cron: '0 8 1 * *', time_zone: 'Europe/Berlin' },
      recipients: ['cfo@example.com'],
    },
  ],
});

type Mutation = (d: ReturnType<typeof valid>) => void;
const report = (d: ReturnType<typeof valid>) => d.reports[0] as Record<string, unknown>;

function problemsOf(mutate: Mutation): string[] {
  const definitions = valid();
  mutate(definitions);
  try {
    parseDefinitions(YAML.stringify(definitions), 'reports.yml', tempDir('reporter-defs').dir);
  } catch (error) {
    expect(error).toBeInstanceOf(DefinitionsError);
    return (error as DefinitionsError).problems;
  }
  throw new Error('the definitions were accepted');
}

test('the valid base definitions are accepted, with defaults filled in', () => {
  const loaded = parseDefinitions(YAML.stringify(valid()), 'reports.yml', '/tmp');
  expect(loaded.reports[0]).toMatchObject({
    attachments: ['pdf', 'csv'],
    orientation: 'portrait',
    top_tenants: 10,
    schedule: { workdays_only: false, last_day_of_month: false },
  });
  expect(loaded.settings.smtp).toMatchObject({ port: 587, retries: 4, secure: false });
  expect(loaded.settings.time_zone).toBe('UTC');
});

test('the shipped example definitions are valid', () => {
  const loaded = loadDefinitions(path.join(repoRoot, 'reporter', 'reports.example.yml'));
  expect(loaded.reports.map((r) => r.name)).toEqual([
    'monthly-management',
    'month-end-check',
    'weekly-key-accounts',
  ]);
});

test.each<[string, Mutation, string]>([
  [
    'an unknown period',
    (d) => (report(d).period = 'last_quarter'),
    'reports[0].period: must be one of previous_month',
  ],
  [
    'a cron with 3 fields',
    (d) => (report(d).schedule = { cron: '0 8 1' }),
    'reports[0].schedule.cron: must be a cron expression',
  ],
  [
    'an unknown time zone',
    (d) => (report(d).schedule = { cron: '0 8 1 * *', time_zone: 'Mars/Olympus' }),
    'reports[0].schedule.time_zone: must be an IANA time zone',
  ],
  [
    'a bad recipient',
    (d) => (report(d).recipients = ['cfo@example.com', 'not-an-address']),
    'reports[0].recipients[1]: must be an e-mail address',
  ],
  ['no recipients', (d) => (report(d).recipients = []), 'reports[0].recipients: needs at least one address'],
  [
    'a bad reply-to',
    (d) => (report(d).reply_to = 'finops'),
    'reports[0].reply_to: must be an e-mail address',
  ],
  [
    'an unknown attachment',
    (d) => (report(d).attachments = ['pdf', 'xlsx']),
    'reports[0].attachments[1]: must be pdf or csv',
  ],
  [
    'an unknown orientation',
    (d) => (report(d).orientation = 'sideways'),
    'reports[0].orientation: must be portrait or landscape',
  ],
  [
    'a bad colour',
    (d) => (report(d).branding = { color: 'blue' }),
    'reports[0].branding.color: must be a colour like #1f6feb',
  ],
  [
    'a missing logo file',
    (d) => (report(d).branding = { logo: 'missing.png' }),
    'reports[0].branding.logo: file not found',
  ],
  [
    'a name with spaces',
    (d) => (report(d).name = 'Monthly report'),
    'reports[0].name: must be lower-case letters',
  ],
  [
    'a duplicate name',
    (d) => d.reports.push({ ...d.reports[0]! }),
    'reports[1].name: duplicate report name "monthly"',
  ],
  [
    'an unknown report field',
    (d) => (report(d).recipient = ['x@example.com']),
    'reports[0]: Unrecognized key: "recipient"',
  ],
  [
    'last day of month with a day-of-month',
    (d) => (report(d).schedule = { cron: '0 8 15 * *', last_day_of_month: true }),
    'reports[0].schedule.cron: day-of-month must be "*"',
  ],
  ['a top_tenants of 0', (d) => (report(d).top_tenants = 0), 'reports[0].top_tenants:'],
  [
    'a Prometheus URL that is not a URL',
    (d) => (d.settings.prometheus.url = 'prometheus:9090:x'),
    'settings.prometheus.url: must be an http(s) URL',
  ],
  [
    'an SMTP port out of range',
    (d) => Object.assign(d.settings.smtp, { port: 70000 }),
    'settings.smtp.port:',
  ],
  [
    'a missing SMTP password file',
    (d) => Object.assign(d.settings.smtp, { auth: { user: 'u', password_file: 'nope' } }),
    'settings.smtp.auth.password_file: file not found',
  ],
  ['no send record', (d) => (d.settings.state = {} as never), 'settings.state: needs redis_url or file'],
  [
    'a Redis URL without its scheme',
    (d) => (d.settings.state = { redis_url: 'localhost:6379' } as never),
    'settings.state.redis_url: must start with redis://',
  ],
  [
    'a bad currency code',
    (d) => Object.assign(d.settings, { currency: { code: 'euro' } }),
    'settings.currency.code: must be an ISO 4217 code',
  ],
  ['no reports', (d) => (d.reports = []), 'reports: needs at least one report'],
])('%s is rejected, naming the field', (_, mutate, message) => {
  const problems = problemsOf(mutate);
  expect(problems.join('\n')).toContain(message);
});

test('YAML that does not parse is reported as such', () => {
  expect(() => parseDefinitions('reports: [unclosed', 'bad.yml', '/tmp')).toThrow(
    /bad\.yml is not valid:\n {2}- \(file\): not valid YAML/,
  );
});

test('a file that cannot be read is named', () => {
  expect(() => loadDefinitions('/nonexistent/reports.yml')).toThrow(
    /\/nonexistent\/reports\.yml is not valid:\n.*cannot be read/,
  );
});

test('relative files are read from the definitions file’s folder', () => {
  const dir = tempDir('reporter-defs');
  fs.writeFileSync(path.join(dir.dir, 'logo.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
  const d = valid();
  report(d).branding = { logo: 'logo.png' };
  const file = path.join(dir.dir, 'reports.yml');
  fs.writeFileSync(file, YAML.stringify(d));
  expect(() => loadDefinitions(file)).not.toThrow();
  dir.remove();
});
