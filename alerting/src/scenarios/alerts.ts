import { durationSeconds } from '../rule-files';

export interface Episode {
  /** when the alert started firing (after `for`) and stopped (after `keep_firing_for`), unix seconds */
  from: number;
  to: number;
}

/**
 * The firing episodes of one alert series, as Prometheus's rule manager produces them, from the
 * instants (every `step` seconds, ascending) at which the alert expression had a result: pending
 * from the first instant, firing once it has held for `for`, and still firing for `keep_firing_for`
 * after the expression stops returning it.
 */
export function firingEpisodes(
  activeAt: number[],
  options: { step: number; for?: string; keepFiringFor?: string; end: number },
): Episode[] {
  const holdFor = options.for ? durationSeconds(options.for) : 0;
  const keep = options.keepFiringFor ? durationSeconds(options.keepFiringFor) : 0;
  const episodes: Episode[] = [];
  let runStart: number | undefined;
  let previous: number | undefined;
  let firing: Episode | undefined;
  const closeRun = (lastActive: number) => {
    if (firing) firing.to = lastActive + options.step + keep;
    runStart = undefined;
  };
  for (const t of activeAt) {
    if (previous !== undefined && t - previous > options.step) {
      // The expression was empty in between: the pending run is reset; a firing alert may be kept.
      if (firing && t - previous - options.step <= keep) {
        previous = t;
        continue;
      }
      closeRun(previous);
      firing = undefined;
    }
    runStart ??= t;
    if (!firing && t - runStart >= holdFor) {
      firing = { from: t, to: t + options.step };
      episodes.push(firing);
    }
    previous = t;
  }
  if (previous !== undefined) closeRun(previous);
  for (const e of episodes) e.to = Math.min(e.to, options.end);
  return episodes;
}
