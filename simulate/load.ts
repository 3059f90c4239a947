import { LoadShape, shapeAt, SignalScales } from '../model/load-shapes';
import { rowAt, Trace } from './load-trace';

export * from './load-file';
export * from '../model/load-shapes';
export * from './load-trace';

/**
 * Load as a function of time, per signal: what the simulator replays through
 * each agent's scaling rules. A signal is what an agent scales on, by name: a
 * queue (the load is messages arriving per second) or a Prometheus signal (the
 * load is the metric's value).
 */

/** A signal's load at a time: `t` seconds from the start of the simulation. */
export type LoadSeries = (t: number) => number;

/** Load per signal, built once and evaluated many times. */
export interface Load {
  /** The signals the load covers; undefined when it covers every signal (a shape). */
  readonly signals: readonly string[] | undefined;
  /**
   * The series of one signal, to call once per simulated second: O(1) for a
   * shape; O(1) for a trace when times come in order, O(log rows) otherwise.
   * Throws for a signal the load does not cover: check `signals` first.
   */
  series(signal: string): LoadSeries;
}

const scaleOf = (scales: SignalScales | undefined, signal: string): number =>
  scales && Object.hasOwn(scales, signal) ? scales[signal].scale : 1;

/**
 * A built-in shape's load: for each signal, `reference(signal) × scale × shape(t)`.
 *
 * @param reference what one replica handles on the signal: for a queue, the
 *   messages per second one replica processes; for a Prometheus signal, the
 *   metric value one replica is scaled for (its target per replica). The
 *   shapes' `base`, `peak` and so on are multiples of it.
 */
export function shapeLoad(
  shape: LoadShape,
  reference: (signal: string) => number,
  scales?: SignalScales,
): Load {
  return {
    signals: undefined,
    series(signal) {
      const factor = reference(signal) * scaleOf(scales, signal);
      return (t) => factor * shapeAt(shape, t);
    },
  };
}

/** A recorded trace's load: for each of its signals, its value in force at `t` times the signal's scale. */
export function traceLoad(trace: Trace, scales?: SignalScales): Load {
  const width = trace.signals.length;
  return {
    signals: trace.signals,
    series(signal) {
      const column = trace.signals.indexOf(signal);
      if (column < 0) {
        throw new Error(
          `${trace.file} has no column '${signal}' (has: ${trace.signals.join(', ')})`,
        );
      }
      const scale = scaleOf(scales, signal);
      let row = 0;
      return (t) => {
        row = rowAt(trace.times, t, row);
        return trace.values[row * width + column] * scale;
      };
    },
  };
}

const seriesCache = new WeakMap<Load, Map<string, LoadSeries>>();

/**
 * A signal's load at `t` seconds from the start. O(1) for a shape and, for a
 * trace, O(1) when one signal's times come in order, O(log rows) otherwise:
 * each signal's series is built on the first call and kept with the load.
 */
export function loadAt(load: Load, signal: string, t: number): number {
  let bySignal = seriesCache.get(load);
  if (!bySignal) {
    bySignal = new Map();
    seriesCache.set(load, bySignal);
  }
  let series = bySignal.get(signal);
  if (!series) {
    series = load.series(signal);
    bySignal.set(signal, series);
  }
  return series(t);
}
