import fs from 'node:fs';
import path from 'node:path';
import { execFileAsync, repoRoot, tempDir } from '@chom/test-support';
import {
  alertingDir,
  alertNames,
  alertRulesFile,
  readRuleFile,
  recordedNames,
  recordingRulesFile,
  ruleTestsDir,
} from '../src/rule-files';
import { expressionUses, ruleTestCoverage, ruleTestFiles } from '../src/rule-tests';

const recording = readRuleFile(recordingRulesFile);
const alerts = readRuleFile(alertRulesFile);
const alertRules = alerts.groups.flatMap((g) => g.rules.filter((r) => r.alert));

/** The names in the first column of docs/recording-rules.md (some cells hold several). */
function documentedNames(): string[] {
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'recording-rules.md'), 'utf8');
  const names: string[] = [];
  for (const line of doc.split('\n')) {
    const firstCell = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
    for (const m of firstCell.matchAll(/`(chom:[a-z0-9_:]+)`/g)) names.push(m[1] as string);
  }
  return names;
}

describe('Prometheus configuration and rule files', () => {
  test('promtool check config accepts prometheus.yml and the rule files it loads', async () => {
    // promtool checks that the credential files exist: a copy beside the rules, with a stand-in
    // for the operator's secret file (docs/deployment.md), as the compose stack lays it out.
    const work = tempDir('promtool-config');
    try {
      fs.copyFileSync(path.join(alertingDir, 'prometheus.yml'), path.join(work.dir, 'prometheus.yml'));
      fs.symlinkSync(path.join(alertingDir, 'rules'), path.join(work.dir, 'rules'));
      fs.mkdirSync(path.join(work.dir, 'secrets'));
      fs.writeFileSync(path.join(work.dir, 'secrets', 'chom-exporter-token'), 'stand-in-token-0123456789');
      const { stdout } = await execFileAsync('promtool', ['check', 'config', 'prometheus.yml'], {
        cwd: work.dir,
      });
      expect(stdout).toContain('rules/recording.yml');
      expect(stdout).toContain('rules/alerts.yml');
    } finally {
      work.remove();
    }
  });

  test('promtool check rules --lint=all reports nothing', async () => {
    const { stdout, stderr } = await execFileAsync(
      'promtool',
      ['check', 'rules', '--lint=all', '--lint-fatal', recordingRulesFile, alertRulesFile],
      { cwd: alertingDir },
    );
    expect(stderr).toBe('');
    expect(stdout.match(/SUCCESS/g)).toHaveLength(2);
  });

  test('every name of docs/recording-rules.md is recorded', () => {
    const documented = documentedNames();
    expect(documented.length).toBeGreaterThanOrEqual(30);
    const recorded = new Set(recordedNames(recording));
    expect(documented.filter((n) => !recorded.has(n))).toEqual([]);
  });

  test('every alert has severity, category, summary, description, runbook and dashboard', () => {
    for (const rule of alertRules) {
      const where = `${rule.alert} (${rule.labels?.severity})`;
      expect([where, ['critical', 'warning', 'info', 'none'].includes(rule.labels?.severity ?? '')]).toEqual([
        where,
        true,
      ]);
      expect([where, rule.labels?.category]).toEqual([
        where,
        expect.stringMatching(/^(cost|capacity|host|exporter|reporting|meta)$/),
      ]);
      const a = rule.annotations ?? {};
      // The summary is static; the description carries the templated values.
      expect([where, a.summary && !a.summary.includes('{{')]).toEqual([where, true]);
      expect([where, a.description?.includes('{{')]).toEqual([where, true]);
      expect(a.runbook_url).toBe(
        `https://github.com/chom-finops/chom-finops/blob/main/docs/runbooks/${rule.alert}.md`,
      );
      expect(a.dashboard_url).toMatch(/^http:\/\/localhost:3000\/a\/chom-finops-app\//);
    }
  });

  test('every alert has its runbook in docs/runbooks/', () => {
    const missing = alertNames(alerts).filter(
      (name) => !fs.existsSync(path.join(repoRoot, 'docs', 'runbooks', `${name}.md`)),
    );
    expect(missing).toEqual([]);
  });
});

describe('coverage of the promtool unit tests', () => {
  const coverage = ruleTestCoverage(ruleTestFiles(ruleTestsDir));

  test('every alert has a firing and a not-firing case', () => {
    const names = alertNames(alerts);
    expect(names.length).toBeGreaterThanOrEqual(15);
    // Watchdog is always firing by design (expr vector(1)); it has no state in which it must be quiet.
    const lacking = names.flatMap((name) => [
      ...(coverage.firing.get(name) ? [] : [`${name}: no firing case`]),
      ...(coverage.notFiring.get(name) || name === 'Watchdog' ? [] : [`${name}: no not-firing case`]),
    ]);
    expect(lacking).toEqual([]);
  });

  test('every recording rule has a value test', () => {
    const untested = recordedNames(recording).filter(
      (name) => !coverage.expressions.some((expr) => expressionUses(expr, name)),
    );
    expect(untested).toEqual([]);
  });

  test('the coverage check sees a missing case', () => {
    const alone = ruleTestCoverage([path.join(ruleTestsDir, 'forecast_test.yml')]);
    expect(alone.firing.get('ChomMonthEndForecastOverBudget')).toBe(4);
    expect(alone.firing.get('ChomCostAnomaly')).toBeUndefined();
    expect(expressionUses('round(chom:cost_monthly:sum_by_category, 1)', 'chom:cost_monthly:sum')).toBe(
      false,
    );
  });
});
