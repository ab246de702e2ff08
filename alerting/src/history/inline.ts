import type { Rule } from '../rule-files';

/**
 * Rewrites `expr` so that it no longer needs recorded series: every recording-rule name is replaced
 * by its own expression, and a range over a recorded name becomes a subquery at `step` (what the
 * rule would have recorded every `step`). Used to evaluate rules at past instants without
 * backfilling each level first.
 *
 * Also handled: equality matchers on a recorded name (`name{resource="storage"}` keeps the results
 * with that label) and `offset` (`name offset 1h` reads the last value recorded an hour earlier).
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
  for (let depth = 0; depth < 12; depth++) {
    let changed = false;
    for (const name of names) {
      const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const pattern = new RegExp(
        `(^|[^a-zA-Z0-9_:])${escaped}(\\{[^}]*\\})?(\\[[0-9a-z]+\\])?(\\s+offset\\s+[0-9a-z]+)?(?=$|[^a-zA-Z0-9_:{])`,
        'g',
      );
      result = result.replace(
        pattern,
        (
          _m,
          before: string,
          matchers: string | undefined,
          range: string | undefined,
          offset: string | undefined,
        ) => {
          changed = true;
          let inner = `(${byName.get(name)})`;
          if (matchers) inner = `(${inner}${labelFilter(matchers, name)})`;
          if (range) return `${before}${inner}${range.slice(0, -1)}:${step}]${offset ?? ''}`;
          if (offset) return `${before}last_over_time(${inner}[${step}:${step}]${offset})`;
          return `${before}${inner}`;
        },
      );
    }
    if (!changed) return result;
  }
  throw new Error('recording rules nest too deeply to inline');
}

/** ` and on (k) label_replace(vector(1), "k", "v", "", "")` for each `k="v"` of a selector's matchers. */
function labelFilter(matchers: string, name: string): string {
  const body = matchers.slice(1, -1).trim();
  if (!body) return '';
  return body
    .split(',')
    .map((m) => {
      const match = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*["']([^"']*)["']\s*$/.exec(m);
      if (!match) throw new Error(`${name}${matchers}: only equality matchers can be inlined`);
      return ` and on (${match[1]}) label_replace(vector(1), "${match[1]}", "${match[2]}", "", "")`;
    })
    .join('');
}
