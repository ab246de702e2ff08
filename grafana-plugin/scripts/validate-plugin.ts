// Checks a built plugin (dist/) and its sources (src/) against the rules of Grafana's plugin validator
// (github.com/grafana/plugin-validator, pkg/analysis/passes) that need no network: the validator itself
// is a Go program that cannot be downloaded here, so its offline rules are re-checked by their names.
// Rules that need the network (grafana.com, GitHub, OSV, Web Risk, an LLM, signatures) or a backend
// are listed under "not checked" with the reason. Exit status 1 when a rule of severity error fails.
//
// Run from grafana-plugin/: npx tsx scripts/validate-plugin.ts [dist] [--src src] [--json]
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import semver from 'semver';

export type Severity = 'error' | 'warning' | 'recommendation' | 'ok';
export interface Finding {
  analyzer: string;
  rule: string;
  severity: Severity;
  message: string;
}

/** Rules of the validator this script does not check, and why. */
export const NOT_CHECKED: Record<string, string> = {
  'archive, archivename, checksum': 'they check the submitted zip; the plugin is shipped as its dist/ folder',
  'brokenlinks, safelinks':
    'they fetch the links (network); the links are checked against this repository instead',
  'org, published, version (grafana.com part), legacyplatform': 'they ask grafana.com',
  'osvscanner, virusscan, provenance, codediff, llmreview': 'they need external scanners or services',
  'signature, manifest': 'the plugin is not signed (Grafana loads it as an allowed unsigned plugin)',
  'backendbinary, backenddebug, binarypermissions, gomanifest, gobuildinfo, gosec, govulncheck, sdkusage':
    'the plugin has no backend',
  'buildtools, legacybuilder, packagejson, sourcecode, reactcompat':
    'they inspect the source archive with the validator’s own tooling (reactcompat runs an npx tool)',
};

const REPORTED: Severity[] = ['error', 'warning', 'recommendation'];

interface PluginJson {
  id: string;
  type: string;
  name: string;
  info: {
    description?: string;
    keywords?: string[];
    version?: string;
    logos?: { small?: string; large?: string };
    screenshots?: Array<{ name: string; path: string }>;
    links?: Array<{ name: string; url: string }>;
  };
  includes?: Array<{ type: string; path?: string; uid?: string; addToNav?: boolean; name?: string }>;
  dependencies?: { grafanaDependency?: string; plugins?: Array<{ id: string }> };
}

function readText(file: string): string | null {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/** The image type a file's first bytes say (the screenshots analyzer sniffs, it does not trust names). */
export function sniffImageType(bytes: Buffer): string {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'image/jpeg';
  }
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') {
    return 'image/gif';
  }
  if (bytes.subarray(0, 1024).toString('utf8').includes('<svg')) {
    return 'image/svg+xml';
  }
  return 'application/octet-stream';
}

/** Why an SVG would not pass an element and attribute allowlist (scripts, handlers, foreign content, links out). */
export function unsafeSvgReason(svg: string): string | null {
  if (/<script\b/i.test(svg)) {
    return 'contains a <script> element';
  }
  if (/<foreignObject\b/i.test(svg)) {
    return 'contains a <foreignObject> element';
  }
  if (/\son[a-z]+\s*=/i.test(svg)) {
    return 'has an event handler attribute (on…)';
  }
  if (/(?:xlink:)?href\s*=\s*["']\s*(?!#)/i.test(svg)) {
    return 'links to something outside the file (href not starting with #)';
  }
  if (/javascript:/i.test(svg)) {
    return 'contains a javascript: URL';
  }
  return null;
}

/** The licence a LICENSE text is, by the passages that identify each full text. */
export function detectLicense(text: string): string | null {
  const normal = text.replace(/\s+/g, ' ');
  if (
    normal.includes('Apache License Version 2.0, January 2004') &&
    normal.includes('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION') &&
    normal.includes('9. Accepting Warranty or Additional Liability')
  ) {
    return 'Apache-2.0';
  }
  if (normal.includes('Permission is hereby granted, free of charge, to any person obtaining a copy')) {
    return 'MIT';
  }
  return null;
}

const VALID_LICENSES = [
  /^0BSD$/,
  /^BSD-.*$/,
  /^MIT.*$/,
  /^Apache-2\.0$/,
  /^LGPL-3.*$/,
  /^GPL-3\.0.*$/,
  /^AGPL-3\.0.*$/,
];

/** Source rules of the validator's semgrep set (coderules), as patterns over the plugin's src/. */
const CODE_RULES: Array<{ rule: string; severity: Severity; pattern: RegExp; message: string }> = [
  {
    rule: 'no-api-ds-query-endpoint',
    severity: 'error',
    pattern: /\/api\/ds\/query/,
    message:
      "direct use of '/api/ds/query': query through getDataSourceSrv().get(…).query(…) or a scenes query runner",
  },
  {
    rule: 'console-logging',
    severity: 'warning',
    pattern:
      /\bconsole\.(log|info|table|clear|count|countReset|dir|dirxml|group|groupEnd|time|timeEnd|timeLog|trace)\s*\(/,
    message: 'console logging',
  },
  {
    rule: 'window-properties',
    severity: 'error',
    pattern: /window\.(grafanaBootData|grafanaRuntime|__grafanaSceneContext)/,
    message: 'access to a restricted window property',
  },
  {
    rule: 'native-browser-dialogs',
    severity: 'error',
    pattern: /(?:^|[^.\w])(?:window\.)?(?:alert|confirm|prompt)\s*\(/,
    message: 'native browser dialog',
  },
  {
    rule: 'window-open-without-noopener',
    severity: 'error',
    pattern: /window\.open\((?![^)]*noopener[^)]*noreferrer|[^)]*noreferrer[^)]*noopener)[^)]*\)/,
    message: "window.open without 'noopener,noreferrer'",
  },
  {
    rule: 'direct-window-location-access',
    severity: 'warning',
    pattern: /window\.location\.(search|href)\b/,
    message: 'direct window.location access: use locationService',
  },
  {
    rule: 'ts-ignore-suppress',
    severity: 'warning',
    pattern: /@ts-(ignore|expect-error)/,
    message: 'suppressed TypeScript error',
  },
  {
    rule: 'no-direct-css-imports',
    severity: 'error',
    pattern:
      /import\s+['"].*\.(css|scss|less)['"]|import\s*\{\s*Global\s*\}\s*from\s*['"]@emotion\/react['"]/,
    message: 'direct CSS import or Emotion Global',
  },
  {
    rule: 'deprecated-gf-form-css-classes',
    severity: 'warning',
    pattern: /gf-form/,
    message: 'deprecated gf-form class',
  },
  {
    rule: 'topnav-toggle',
    severity: 'error',
    pattern: /featureToggles\.topnav/,
    message: 'deprecated topnav toggle',
  },
  {
    rule: 'access-old-react-internals',
    severity: 'warning',
    pattern: /__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED/,
    message: 'React internals',
  },
];

/** Hosts of analytics and tracking services (the validator's trackingscripts keeps its own list). */
const TRACKING_HOSTS = [
  'google-analytics.com',
  'googletagmanager.com',
  'segment.com',
  'segment.io',
  'hotjar.com',
  'mixpanel.com',
  'amplitude.com',
  'plausible.io',
  'fullstory.com',
  'heap.io',
];

const isTestFile = (file: string) => /\.(test|spec)\.[jt]sx?$/.test(file);

export interface ValidateOptions {
  dist: string;
  src: string;
  schemaFile: string;
  /** Repository root and its public URL: links into the repository must name files that exist. */
  repoRoot: string;
  repositoryUrl?: string;
}

export function validatePlugin(options: ValidateOptions): Finding[] {
  const findings: Finding[] = [];
  const report = (analyzer: string, rule: string, severity: Severity, message: string) =>
    findings.push({ analyzer, rule, severity, message });
  const { dist } = options;

  // metadata / metadatavalid
  const pluginJsonText = readText(path.join(dist, 'plugin.json'));
  if (pluginJsonText === null) {
    report('metadatavalid', 'metadata-not-found', 'error', `no plugin.json in ${dist}`);
    return findings;
  }
  const plugin = JSON.parse(pluginJsonText) as PluginJson;
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(options.schemaFile, 'utf8')));
  if (validate(plugin)) {
    report('metadatavalid', 'valid-metadata', 'ok', 'plugin.json matches the plugin schema');
  } else {
    for (const e of validate.errors ?? []) {
      report('metadatavalid', 'invalid-metadata', 'error', `plugin.json${e.instancePath} ${e.message}`);
    }
  }

  // typesuffix, pluginname
  const idParts = plugin.id.split('-');
  if (idParts[idParts.length - 1] !== plugin.type) {
    report(
      'typesuffix',
      'plugin-type-suffix',
      'error',
      `the id ${plugin.id} does not end with its type ${plugin.type}`,
    );
  }
  if (plugin.id === plugin.name) {
    report('pluginname', 'human-friendly-name', 'error', 'the name is the id: give it a human-friendly name');
  }
  if (idParts.length < 3) {
    report('pluginname', 'invalid-id-format', 'warning', `the id ${plugin.id} is not <org>-<name>-<type>`);
  }

  // version, grafanadependency, restrictivedep
  if (!semver.valid(plugin.info.version ?? '')) {
    report('version', 'wrong-plugin-version', 'error', `version ${plugin.info.version} is not semver`);
  }
  const dependency = plugin.dependencies?.grafanaDependency ?? '';
  if (!dependency || semver.validRange(dependency) === null) {
    report(
      'grafanadependency',
      'invalid-grafana-dependency',
      'error',
      `grafanaDependency ${JSON.stringify(dependency)} is not a version constraint`,
    );
  } else {
    report('grafanadependency', 'valid-grafana-dependency', 'ok', `grafanaDependency ${dependency}`);
  }
  if (/^[0-9]+.[0-9]+.x$/.test(dependency)) {
    report(
      'restrictivedep',
      'depends-on-patch-releases',
      'warning',
      `grafanaDependency ${dependency} allows patch releases only`,
    );
  }
  if (/^[0-9]+.[0-9]+.[0-9]+$/.test(dependency)) {
    report(
      'restrictivedep',
      'depends-on-single-release',
      'warning',
      `grafanaDependency ${dependency} allows one release only`,
    );
  }

  // circulardependencies
  for (const p of plugin.dependencies?.plugins ?? []) {
    if (p.id === plugin.id) {
      report('circulardependencies', 'circular-dependency', 'error', 'the plugin depends on itself');
    }
  }

  // discoverability, sponsorshiplink
  if (!plugin.info.description) {
    report('discoverability', 'empty-description', 'warning', 'plugin.json has no description');
  }
  if (!plugin.info.keywords?.length) {
    report('discoverability', 'empty-keywords', 'warning', 'plugin.json has no keywords');
  } else {
    report('discoverability', 'has-keywords', 'ok', `${plugin.info.keywords.length} keywords`);
  }
  if (!(plugin.info.links ?? []).some((l) => /sponsor/i.test(l.name))) {
    report('sponsorshiplink', 'sponsorshiplink', 'recommendation', 'no sponsorship link (optional)');
  }

  // logos, metadatapaths, screenshots
  const logos = plugin.info.logos ?? {};
  for (const size of ['small', 'large'] as const) {
    if (!logos[size]?.trim()) {
      report('logos', 'logos', 'error', `plugin.json: invalid empty ${size} logo path`);
    }
  }
  const paths = [
    ...(logos.small ? [{ kind: 'small logo', file: logos.small }] : []),
    ...(logos.large ? [{ kind: 'large logo', file: logos.large }] : []),
    ...(plugin.info.screenshots ?? []).map((s) => ({ kind: 'screenshot', file: s.path })),
  ];
  for (const { kind, file } of paths) {
    if (/^[a-z]+:\/\//i.test(file)) {
      report(
        'metadatapaths',
        'path-relative-to-metadata',
        'error',
        `${kind} ${file} must be relative to plugin.json`,
      );
    } else if (file.startsWith('.') || file.startsWith('/')) {
      report('metadatapaths', 'invalid-relative-path', 'error', `${kind} ${file} must not start with . or /`);
    } else if (!fs.existsSync(path.join(dist, file))) {
      report('metadatapaths', 'path-not-exists', 'error', `${kind} ${file} does not exist in ${dist}`);
    }
  }
  const screenshots = plugin.info.screenshots ?? [];
  if (screenshots.length === 0) {
    report('screenshots', 'screenshots', 'warning', 'plugin.json lists no screenshots');
  }
  for (const s of screenshots) {
    const file = path.join(dist, s.path);
    if (!s.path.trim()) {
      report('screenshots', 'screenshots', 'warning', `invalid empty screenshot path: ${s.name}`);
    } else if (fs.existsSync(file)) {
      const type = sniffImageType(fs.readFileSync(file));
      const named = {
        png: 'image/png',
        jpg: 'image/jpeg',
        jpeg: 'image/jpeg',
        gif: 'image/gif',
        svg: 'image/svg+xml',
      }[path.extname(file).slice(1).toLowerCase()];
      if (!['image/png', 'image/jpeg', 'image/gif', 'image/svg+xml'].includes(type) || type !== named) {
        report(
          'screenshots',
          'screenshots-image-type',
          'error',
          `${s.path} is ${type}, its name says ${named ?? 'nothing'}`,
        );
      }
    }
  }

  // unsafesvg
  for (const file of walk(dist).filter((f) => f.endsWith('.svg'))) {
    const reason = unsafeSvgReason(fs.readFileSync(file, 'utf8'));
    if (reason) {
      report(
        'unsafesvg',
        'unsafe-svg-file',
        'error',
        `SVG file ${path.relative(dist, file)} is unsafe: ${reason}`,
      );
    }
  }

  // modulejs, jssourcemap, trackingscripts
  const moduleFiles = walk(dist).filter((f) => path.basename(f) === 'module.js');
  if (moduleFiles.length === 0) {
    report('modulejs', 'missing-modulejs', 'error', 'missing module.js');
  }
  for (const file of moduleFiles) {
    const map = readText(`${file}.map`);
    if (map === null) {
      report('jsMap', 'js-map-not-found', 'error', `missing ${path.relative(dist, file)}.map`);
      continue;
    }
    const sourceMap = JSON.parse(map) as { sources?: string[]; sourcesContent?: Array<string | null> };
    const prefix = `webpack://${plugin.id}/./src/`;
    (sourceMap.sources ?? []).forEach((source, i) => {
      if (!source.startsWith(prefix)) {
        return;
      }
      const original = readText(path.join(options.src, source.slice(prefix.length)));
      if (original === null || original !== sourceMap.sourcesContent?.[i]) {
        report(
          'jsMap',
          'js-map-no-match',
          'error',
          `${source} in the source map differs from src/ (rebuild)`,
        );
      }
    });
  }
  for (const file of walk(dist).filter((f) => f.endsWith('.js'))) {
    const urls = fs.readFileSync(file, 'utf8').match(/https?:\/\/[^\s"'`)]+/g) ?? [];
    for (const url of urls) {
      const host = TRACKING_HOSTS.find((h) => url.includes(h));
      if (host) {
        report(
          'trackingscripts',
          'tracking-scripts',
          'error',
          `${path.relative(dist, file)} loads ${url} (${host})`,
        );
      }
    }
  }

  // includesnested
  for (const file of walk(dist).filter(
    (f) =>
      path.basename(f) === 'plugin.json' &&
      path.dirname(f) !== path.resolve(dist) &&
      path.dirname(f) !== dist,
  )) {
    const nested = JSON.parse(fs.readFileSync(file, 'utf8')) as PluginJson;
    const relative = path.relative(dist, file);
    const include = (plugin.includes ?? []).find((i) => i.path === relative);
    if (plugin.type !== 'app') {
      report(
        'includesnested',
        'nested-plugin-id-in-non-app',
        'error',
        `${relative}: only apps can nest plugins`,
      );
    } else if (!include) {
      report(
        'includesnested',
        'nested-plugins-not-declared',
        'error',
        `${relative} is not declared in includes`,
      );
    } else if (!include.type) {
      report('includesnested', 'nested-plugin-missing-type', 'error', `${relative}: include has no type`);
    } else if (include.type !== nested.type) {
      report(
        'includesnested',
        'nested-plugin-type-missmatch',
        'error',
        `${relative}: include type ${include.type}, plugin type ${nested.type}`,
      );
    }
  }

  // readme, templatereadme, jargon, changelog
  const readme = readText(path.join(dist, 'README.md'));
  if (readme === null || readme.trim() === '') {
    report('readme', 'missing-readme', 'error', 'README.md is missing or empty');
  } else {
    if (/<!--(.*?)-->/s.test(readme)) {
      report('readme', 'readme-comment', 'warning', 'README.md contains comment(s)');
    }
    if (/Grafana (Panel|Data Source|Datasource|App|Data Source Backend) Plugin Template/i.test(readme)) {
      report('templatereadme', 'template-readme', 'error', 'README.md is the create-plugin template');
    }
    const jargon = ['yarn', 'nodejs'].filter((word) => readme.includes(word));
    if (jargon.length > 0) {
      report(
        'jargon',
        'developer-jargon',
        'warning',
        `README.md contains developer jargon: (${jargon.join(', ')})`,
      );
    }
  }
  const changelog = readText(path.join(dist, 'CHANGELOG.md'));
  if (changelog === null || changelog.trim() === '') {
    report('changelog', 'missing-changelog', 'warning', 'missing CHANGELOG.md');
  }

  // license
  const license = readText(path.join(dist, 'LICENSE'));
  if (license === null) {
    report('license', 'license-not-provided', 'error', 'no LICENSE file');
  } else {
    const detected = detectLicense(license);
    if (!detected || !VALID_LICENSES.some((r) => r.test(detected))) {
      report('license', 'license-not-valid', 'error', 'LICENSE is not the full text of an accepted licence');
    } else {
      report('license', 'valid-license-provided', 'ok', `LICENSE is ${detected}`);
    }
    if (license.includes('{name of copyright owner}') || license.includes('{yyyy}')) {
      report('license', 'license-with-generic-text', 'warning', 'LICENSE has unfilled placeholders');
    }
  }

  // Links into this repository name files that exist (offline stand-in for brokenlinks).
  if (options.repositoryUrl) {
    const base = options.repositoryUrl.replace(/\.git$/, '');
    for (const link of plugin.info.links ?? []) {
      if (!link.url.startsWith(base)) {
        continue;
      }
      const file = link.url.slice(base.length).replace(/^\/blob\/main\/?/, '');
      if (file && !fs.existsSync(path.join(options.repoRoot, file))) {
        report(
          'brokenlinks',
          'broken-link',
          'error',
          `link "${link.name}" names ${file}, which is not in the repository`,
        );
      }
    }
  }

  // coderules (the validator runs them over the source code, tests excluded)
  for (const file of walk(options.src).filter((f) => /\.(ts|tsx|js|jsx)$/.test(f) && !isTestFile(f))) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const rule of CODE_RULES) {
        if (rule.pattern.test(line)) {
          report(
            'coderules',
            rule.rule,
            rule.severity,
            `${path.relative(options.src, file)}:${i + 1}: ${rule.message}`,
          );
        }
      }
    });
  }

  return findings;
}

function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(
      'usage: tsx scripts/validate-plugin.ts [dist] [--src src] [--json]\n' +
        "Checks a built plugin against the offline rules of Grafana's plugin validator; exits 1 on an error.",
    );
    return 0;
  }
  const root = path.join(__dirname, '..');
  const positional = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--src');
  const dist = path.resolve(positional[0] ?? path.join(root, 'dist'));
  const srcIndex = args.indexOf('--src');
  const src = path.resolve(srcIndex >= 0 ? args[srcIndex + 1]! : path.join(root, 'src'));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    repository?: { url?: string };
  };
  const findings = validatePlugin({
    dist,
    src,
    schemaFile: path.join(root, 'test', 'data', 'plugin.schema.json'),
    repoRoot: path.join(root, '..'),
    repositoryUrl: pkg.repository?.url,
  });
  if (args.includes('--json')) {
    console.log(JSON.stringify({ findings, notChecked: NOT_CHECKED }, null, 2));
  } else {
    for (const f of findings) {
      console.log(`${f.severity.padEnd(14)} ${f.analyzer}/${f.rule}: ${f.message}`);
    }
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.filter((f) => REPORTED.includes(f.severity) && f.severity !== 'error').length;
    console.log(
      `plugin validator (offline rules): ${errors} error(s), ${warnings} warning(s)/recommendation(s) in ${dist}`,
    );
    for (const [rules, why] of Object.entries(NOT_CHECKED)) {
      console.log(`not checked: ${rules}: ${why}`);
    }
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

if (require.main === module) {
  process.exit(main());
}
