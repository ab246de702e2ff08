import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/** What the promtool unit-test files (alerting/tests/*.yml) cover. */
export interface RuleTestCoverage {
  /** alertname → number of cases that expect it firing / not firing. */
  firing: Map<string, number>;
  notFiring: Map<string, number>;
  /** Every promql_expr_test expression. */
  expressions: string[];
}

interface TestFile {
  tests?: Array<{
    alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }>;
    promql_expr_test?: Array<{ expr: string }>;
  }>;
}

export function ruleTestFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => path.join(dir, f))
    .sort();
}

export function ruleTestCoverage(files: string[]): RuleTestCoverage {
  const coverage: RuleTestCoverage = { firing: new Map(), notFiring: new Map(), expressions: [] };
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const file of files) {
    const parsed = YAML.parse(fs.readFileSync(file, 'utf8')) as TestFile;
    for (const test of parsed.tests ?? []) {
      for (const alertTest of test.alert_rule_test ?? []) {
        bump(
          (alertTest.exp_alerts ?? []).length > 0 ? coverage.firing : coverage.notFiring,
          alertTest.alertname,
        );
      }
      for (const exprTest of test.promql_expr_test ?? []) coverage.expressions.push(exprTest.expr);
    }
  }
  return coverage;
}

/** True when `expr` refers to the series `name` (not just to a longer name that starts with it). */
export function expressionUses(expr: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-zA-Z0-9_:])${escaped}($|[^a-zA-Z0-9_:])`).test(expr);
}
