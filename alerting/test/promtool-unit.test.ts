import path from 'node:path';
import { execFileAsync } from '@chom/test-support';
import { ruleTestsDir } from '../src/rule-files';
import { ruleTestFiles } from '../src/rule-tests';

// promtool test rules over every file in alerting/tests/, two at a time (they are CPU bound).
const files = ruleTestFiles(ruleTestsDir);

describe('promtool test rules', () => {
  test('there are unit-test files', () => {
    expect(files.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining([
        'alerts_test.yml',
        'anomaly_test.yml',
        'forecast_test.yml',
        'recording_test.yml',
      ]),
    );
  });

  test.concurrent.each(files.map((f) => [path.basename(f), f]))(
    '%s passes',
    async (_name, file) => {
      const result = await execFileAsync('promtool', ['test', 'rules', file], { cwd: ruleTestsDir }).catch(
        (error: { stdout?: string; stderr?: string }) => error,
      );
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
      expect(output).toContain('SUCCESS');
      expect(output).not.toContain('FAILED');
    },
    // anomaly_test.yml evaluates three weeks of 30-minute steps (the median of three weeks): over
    // 2 minutes on a loaded 2-core machine.
    300_000,
  );
});
