import fs from 'node:fs';
import path from 'node:path';
import {
  backfillRecordingRules,
  execFileAsync,
  startPrometheus,
  tempDir,
  type RunningPrometheus,
} from '@chom/test-support';
import { ruleLevels } from '../backfill/levels';
import { writeRuleFile, type Rule } from '../rule-files';

export { allRecordingRules, ruleLevels } from '../backfill/levels';

/**
 * A Prometheus whose TSDB holds `openMetrics` (backfilled) and the recording rules `names` (and what
 * they need) backfilled over [start, end] every `evalInterval`, level by level, restarting Prometheus
 * on the data folder after each level.
 */
export async function prometheusWithHistory(options: {
  openMetrics: string;
  recordingRules: string[];
  start: Date;
  end: Date;
  evalInterval: string;
  /** How far before `end` each recorded name is needed (seconds); the others are backfilled from `start`. */
  windows?: Record<string, number>;
  onProgress?: (message: string) => void;
}): Promise<{ prometheus: RunningPrometheus; stop(): Promise<void> }> {
  const work = tempDir('history');
  const dataDir = path.join(work.dir, 'data');
  // One block per 24 days instead of promtool's default 2 h blocks: far fewer blocks to open and query.
  const input = path.join(work.dir, 'history.om');
  fs.writeFileSync(input, options.openMetrics);
  fs.mkdirSync(dataDir, { recursive: true });
  await execFileAsync(
    'promtool',
    ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=576h', input, dataDir],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  fs.rmSync(input);
  let prometheus = await startPrometheus({ dataDir, retention: '100y' });
  const levels = ruleLevels(options.recordingRules);
  for (const [index, rules] of levels.entries()) {
    options.onProgress?.(
      `backfilling rule level ${index + 1}/${levels.length}: ${rules.map((r) => r.record).join(', ')}`,
    );
    // One promtool run per distinct window in this level.
    const byStart = new Map<number, Rule[]>();
    for (const rule of rules) {
      const window = options.windows?.[rule.record as string];
      const start = window === undefined ? options.start.getTime() : options.end.getTime() - window * 1000;
      byStart.set(start, [...(byStart.get(start) ?? []), rule]);
    }
    const outputDirs: string[] = [];
    for (const [start, group] of byStart) {
      const name = `level-${index}-${outputDirs.length}`;
      const ruleFile = path.join(work.dir, `${name}.yml`);
      writeRuleFile(ruleFile, { groups: [{ name: name.replace(/-/g, '_'), rules: group }] });
      const outputDir = path.join(work.dir, `blocks-${name}`);
      await backfillRecordingRules({
        prometheusUrl: prometheus.url,
        ruleFiles: [ruleFile],
        start: new Date(start),
        end: options.end,
        outputDir,
        evalInterval: options.evalInterval,
      });
      outputDirs.push(outputDir);
    }
    await prometheus.stop();
    for (const outputDir of outputDirs) {
      for (const block of fs.readdirSync(outputDir)) {
        fs.cpSync(path.join(outputDir, block), path.join(dataDir, block), { recursive: true });
      }
    }
    prometheus = await startPrometheus({ dataDir, retention: '100y' });
  }
  return {
    prometheus,
    async stop() {
      await prometheus.stop();
      work.remove();
    },
  };
}
