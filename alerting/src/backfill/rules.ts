import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Rule, RuleFile } from '../rule-files';
import { expressionUses } from '../rule-tests';
import { recordedHistory } from './evaluate';
import { recordingRulesWithIntervals, ruleLevels } from './levels';

const execFileAsync = promisify(execFile);

export interface RulesBackfillOptions {
  /** a Prometheus that serves the history already in the TSDB folder */
  prometheusUrl: string;
  headers?: Record<string, string>;
  rules: RuleFile;
  start: Date;
  end: Date;
  /** resolution of the backfilled exporter series: no rule is evaluated more often than this */
  stepSeconds: number;
  /** resolution of the per-tenant/per-server series, and of every rule that reads them */
  detailStepSeconds?: number;
  /** metric names written at the detail step only */
  detailFamilies?: readonly string[];
  /** scratch folder for the OpenMetrics text and blocks of each level */
  workDir: string;
  /**
   * Puts the blocks in `blocksDir` where the Prometheus at prometheusUrl reads them, and resolves once
   * it serves them (the next level is evaluated from them).
   */
  load: (blocksDir: string, probe: { name: string; time: number }) => Promise<void>;
  onProgress?: (message: string) => void;
}

export interface RulesBackfillSummary {
  levels: number;
  rules: number;
  samples: number;
  seconds: number;
}

/** Rules that read a detail family, directly or through another such rule. */
export function detailRules(levels: Rule[][], families: readonly string[]): Set<string> {
  const detail = new Set<string>();
  for (const level of levels) {
    for (const rule of level) {
      if ([...families, ...detail].some((name) => expressionUses(rule.expr, name)))
        detail.add(rule.record as string);
    }
  }
  return detail;
}

/**
 * Backfills every recording rule of `rules` over [start, end], level by level (a rule that reads
 * recorded names is evaluated once those are loaded): each rule's expression is evaluated by
 * Prometheus over the range at its group's interval (at least `stepSeconds`), written as OpenMetrics,
 * turned into blocks by promtool and loaded before the next level.
 */
export async function backfillRecordingRules(options: RulesBackfillOptions): Promise<RulesBackfillSummary> {
  const started = performance.now();
  const withIntervals = recordingRulesWithIntervals(options.rules);
  const intervalOf = new Map(withIntervals.map(({ rule, intervalSeconds }) => [rule, intervalSeconds]));
  const rules = withIntervals.map(({ rule }) => rule);
  const levels = ruleLevels([...new Set(rules.map((r) => r.record as string))], rules);
  const detail = detailRules(levels, options.detailFamilies ?? []);
  const start = Math.floor(options.start.getTime() / 1000);
  const end = Math.floor(options.end.getTime() / 1000);
  const blockHours = Math.max(2, Math.ceil((end - start) / 3600) + 2);
  fs.mkdirSync(options.workDir, { recursive: true });
  let samples = 0;
  for (const [index, level] of levels.entries()) {
    options.onProgress?.(
      `recording rules, level ${index + 1}/${levels.length}: ${level.map((r) => r.record).join(', ')}`,
    );
    const input = path.join(options.workDir, `rules-level-${index}.om`);
    const output = fs.openSync(input, 'w');
    let probe: { name: string; time: number } | undefined;
    try {
      for (const rule of level) {
        const isDetail = detail.has(rule.record as string);
        const step = Math.max(
          intervalOf.get(rule) ?? 60,
          isDetail ? (options.detailStepSeconds ?? options.stepSeconds) : options.stepSeconds,
        );
        const history = await recordedHistory({
          prometheusUrl: options.prometheusUrl,
          headers: options.headers,
          rule,
          start,
          end,
          stepSeconds: step,
        });
        samples += history.samples;
        if (history.samples > 0) {
          fs.writeSync(output, history.text);
          if (!probe) {
            const firstSample = history.text.split('\n')[1] as string;
            probe = {
              name: rule.record as string,
              time: Number(firstSample.slice(firstSample.lastIndexOf(' ') + 1)),
            };
          }
        }
      }
      fs.writeSync(output, '# EOF\n');
    } finally {
      fs.closeSync(output);
    }
    if (!probe) {
      fs.rmSync(input);
      continue;
    }
    const blocks = path.join(options.workDir, `rules-level-${index}-blocks`);
    fs.rmSync(blocks, { recursive: true, force: true });
    await execFileAsync(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', `--max-block-duration=${blockHours}h`, input, blocks],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    fs.rmSync(input);
    await options.load(blocks, probe);
    fs.rmSync(blocks, { recursive: true, force: true });
  }
  return {
    levels: levels.length,
    rules: rules.length,
    samples,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Moves every block folder of `blocksDir` into the TSDB folder `dataDir`. */
export function moveBlocks(blocksDir: string, dataDir: string): string[] {
  const moved: string[] = [];
  for (const block of fs.readdirSync(blocksDir)) {
    const from = path.join(blocksDir, block);
    if (!fs.statSync(from).isDirectory()) continue;
    const to = path.join(dataDir, block);
    try {
      fs.renameSync(from, to);
    } catch {
      fs.cpSync(from, to, { recursive: true });
      fs.rmSync(from, { recursive: true, force: true });
    }
    moved.push(block);
  }
  return moved;
}

/** Resolves once the Prometheus at `url` answers `name` at `time` (it has loaded the blocks). */
export async function waitForSeries(
  url: string,
  probe: { name: string; time: number },
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const params = new URLSearchParams({ query: `count(${probe.name})`, time: String(probe.time) });
      const response = await fetch(`${url.replace(/\/$/, '')}/api/v1/query?${params}`, { headers });
      const body = (await response.json()) as { data?: { result?: unknown[] } };
      if ((body.data?.result?.length ?? 0) > 0) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline)
      throw new Error(
        `Prometheus at ${url} did not load the backfilled blocks of ${probe.name} within ${timeoutMs / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
