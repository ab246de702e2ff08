import type { Rule } from '../rule-files';

/**
 * Rewrites `expr` so that it no longer needs recorded series: every recording-rule name is replaced
 * by its own expression, and a range over a recorded name becomes a subquery at `step` (what the
 * rule would have recorded every `step`). Used to evaluate rules at past instants without
 * backfilling each level first.
 */
export function inlineRecordingRules(expr: string, rules: Rule[], step: string): string {
  const byName = new Map<string, string>();
  for (const rule of rules) {
    if (!rule.record) continue;
    if (byName.has(rule.record)) throw new Error(`${rule.record} has several rules and cannot be inlined`);
    byName.set(rule.record, rule.expr.trim());
  }
  const names = [...byName.keys()].sort((a, b) => b.length - a.length);
  let result = expr;
  for (let depth = 0; depth < 10; depth++) {
    let changed = false;
    for (const name of names) {
      const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const pattern = new RegExp(`(^|[^a-zA-Z0-9_:])${escaped}(\\[[0-9a-z]+\\])?(?=$|[^a-zA-Z0-9_:{])`, 'g');
      result = result.replace(pattern, (_m, before: string, range: string | undefined) => {
        changed = true;
        const inner = `(${byName.get(name)})`;
        return `${before}${range ? `${inner}${range.slice(0, -1)}:${step}]` : inner}`;
      });
    }
    if (!changed) return result;
  }
  throw new Error('recording rules nest too deeply to inline');
}
