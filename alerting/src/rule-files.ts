import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/** The alerting workspace folder (alerting/). */
export const alertingDir = path.resolve(__dirname, '..');
export const rulesDir = path.join(alertingDir, 'rules');
export const recordingRulesFile = path.join(rulesDir, 'recording.yml');
export const alertRulesFile = path.join(rulesDir, 'alerts.yml');
export const ruleTestsDir = path.join(alertingDir, 'tests');

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}
export interface RuleFile {
  groups: RuleGroup[];
}

export function readRuleFile(file: string): RuleFile {
  const parsed = YAML.parse(fs.readFileSync(file, 'utf8')) as RuleFile | null;
  if (!parsed || !Array.isArray(parsed.groups)) throw new Error(`${file}: no "groups" list`);
  return parsed;
}

/** Distinct recorded names, in file order. */
export function recordedNames(file: RuleFile): string[] {
  const names = file.groups.flatMap((g) => g.rules.map((r) => r.record).filter((n): n is string => !!n));
  return [...new Set(names)];
}

/** Distinct alert names, in file order. */
export function alertNames(file: RuleFile): string[] {
  const names = file.groups.flatMap((g) => g.rules.map((r) => r.alert).filter((n): n is string => !!n));
  return [...new Set(names)];
}

/** Parses a Prometheus duration such as "1h30m" or "7d" into seconds. */
export function durationSeconds(duration: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  const parts = [...duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== duration) {
    throw new Error(`not a Prometheus duration: "${duration}"`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] as string] ?? 0), 0);
}

/**
 * A copy of a rule file for fast tests: group intervals and `for:` durations divided by `factor`
 * (at least `minimum`). The expressions, labels and annotations stay exactly as defined.
 */
export function acceleratedRuleFile(
  file: RuleFile,
  options: { forSeconds: (s: number) => number; interval: string },
): RuleFile {
  return {
    groups: file.groups.map((group) => ({
      ...group,
      interval: options.interval,
      rules: group.rules.map((rule) =>
        rule.for
          ? { ...rule, for: `${Math.max(0, Math.round(options.forSeconds(durationSeconds(rule.for))))}s` }
          : { ...rule },
      ),
    })),
  };
}

export function writeRuleFile(file: string, content: RuleFile): void {
  fs.writeFileSync(file, YAML.stringify(content, { lineWidth: 0 }));
}
