/** A linear scale rounded outwards to whole ticks. */
export interface NiceScale {
  /** The bottom of the scale, the first tick. */
  readonly min: number;
  /** The top of the scale, the last tick. */
  readonly max: number;
  /** The tick values, ascending, from `min` to `max`. */
  readonly ticks: readonly number[];
  /** Decimals that write every tick exactly. */
  readonly decimals: number;
}

/**
 * A scale from zero (or from below zero, for negative data) to at least
 * `dataMax`, with about `target` ticks at steps of 1, 2 or 5 times a power of
 * ten; whole steps only when `integers`, as half a replica means nothing.
 * @param target about how many ticks are wanted @default 5
 */
export function niceScale(
  dataMin: number,
  dataMax: number,
  integers: boolean,
  target = 5,
): NiceScale {
  const low = Math.min(0, dataMin);
  // A flat series at zero still gets an axis from 0 to 1.
  const high = dataMax > low ? dataMax : low + 1;
  let step = niceStep((high - low) / target);
  if (integers) step = Math.max(1, Math.round(step));
  const first = Math.floor(low / step);
  const last = Math.max(first + 1, Math.ceil(high / step));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) {
    // Multiplying, not summing, keeps 0.1 steps from drifting to 0.30000000000000004.
    ticks.push(Number((i * step).toFixed(decimals)));
  }
  return { min: ticks[0], max: ticks[ticks.length - 1], ticks, decimals };
}

function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalized = raw / magnitude;
  if (normalized <= 1) return magnitude;
  if (normalized <= 2) return 2 * magnitude;
  if (normalized <= 5) return 5 * magnitude;
  return 10 * magnitude;
}

/** Steps between time ticks, in seconds, that read well on a clock. */
const TIME_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 14400, 21600, 43200, 86400,
];

/**
 * Time ticks at round clock times (every 15 minutes, 2 hours, ...) between
 * `start` and `end`, at most `maxTicks` of them.
 * @param start seconds
 * @param end seconds
 * @param maxTicks @default 8
 * @returns the step and the tick times, in seconds
 */
export function timeTicks(
  start: number,
  end: number,
  maxTicks = 8,
): { readonly step: number; readonly ticks: readonly number[] } {
  const span = end - start;
  let step = TIME_STEPS.find((candidate) => span / candidate <= maxTicks - 1);
  // Beyond a day per tick: whole days at 1, 2 or 5 times a power of ten.
  step ??= 86400 * Math.max(1, niceStep(span / 86400 / (maxTicks - 1)));
  const ticks: number[] = [];
  for (let tick = Math.ceil(start / step) * step; tick <= end; tick += step) {
    ticks.push(tick);
  }
  return { step, ticks };
}
