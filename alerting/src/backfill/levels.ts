import { durationSeconds, readRuleFile, recordingRulesFile, type Rule, type RuleFile } from '../rule-files';
import { expressionUses } from '../rule-tests';

/**
 * The recording rules needed for `names`, split into dependency levels: level 0 reads only exporter
 * metrics, level n reads recorded names of lower levels. promtool evaluates backfilled rules against
 * what the server already holds, so each level is backfilled after the one below it is loaded.
 */
export function ruleLevels(names: string[], rules: Rule[] = allRecordingRules()): Rule[][] {
  const recorded = [...new Set(rules.map((r) => r.record as string))];
  const byName = new Map<string, Rule[]>();
  for (const rule of rules)
    byName.set(rule.record as string, [...(byName.get(rule.record as string) ?? []), rule]);
  const level = new Map<string, number>();
  const levelOf = (name: string, trail: string[] = []): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    if (trail.includes(name))
      throw new Error(`recording rules depend on each other in a cycle: ${[...trail, name].join(' → ')}`);
    const deps = recorded.filter(
      (other) => other !== name && (byName.get(name) ?? []).some((r) => expressionUses(r.expr, other)),
    );
    const result = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => levelOf(d, [...trail, name])));
    level.set(name, result);
    return result;
  };
  const needed = new Set<string>();
  const collect = (name: string) => {
    if (needed.has(name)) return;
    if (!byName.has(name)) throw new Error(`no recording rule named ${name}`);
    needed.add(name);
    for (const other of recorded)
      if (other !== name && (byName.get(name) ?? []).some((r) => expressionUses(r.expr, other)))
        collect(other);
  };
  names.forEach(collect);
  const levels: Rule[][] = [];
  for (const name of needed) {
    const l = levelOf(name);
    levels[l] = [...(levels[l] ?? []), ...(byName.get(name) ?? [])];
  }
  return levels.filter((l) => l && l.length > 0);
}

export function allRecordingRules(): Rule[] {
  return readRuleFile(recordingRulesFile).groups.flatMap((g) => g.rules.filter((r) => r.record));
}

/** Every recording rule of a rule file with its group's evaluation interval in seconds. */
export function recordingRulesWithIntervals(
  file: RuleFile,
  defaultIntervalSeconds = 60,
): Array<{ rule: Rule; intervalSeconds: number }> {
  return file.groups.flatMap((group) =>
    group.rules
      .filter((rule) => rule.record)
      .map((rule) => ({
        rule,
        intervalSeconds: group.interval ? durationSeconds(group.interval) : defaultIntervalSeconds,
      })),
  );
}
