/**
 * The built-in load shapes: pure functions of time, in seconds from the start
 * of a simulation, whose value is a multiple of a reference load. The caller
 * multiplies by the reference: what one replica handles (see `simulate/load.ts`),
 * so that `base: 1` is one replica's worth of work and a shape needs no input.
 */

/** Seconds in a day: the period of the `daily` shape. */
export const DAY_SECONDS = 86_400;

/**
 * A base load, then `factor` times it for `duration`, then the base again.
 * @see BURST_DEFAULTS
 */
export interface BurstShape {
  /** The shape's name. */
  readonly shape: 'burst';
  /** Load before and after the burst, in replicas' worth (a multiple of the reference). */
  readonly base: number;
  /** The burst's load as a multiple of `base`. */
  readonly factor: number;
  /** When the burst starts, seconds from the start. */
  readonly start: number;
  /** How long the burst lasts, seconds. */
  readonly duration: number;
}

/**
 * `base` until `start`, a straight line up (or down) to `peak` over `duration`,
 * then `peak` for good.
 * @see RAMP_DEFAULTS
 */
export interface RampShape {
  /** The shape's name. */
  readonly shape: 'ramp';
  /** Load before the ramp, in replicas' worth. */
  readonly base: number;
  /** Load at the end of the ramp and after it, in replicas' worth. */
  readonly peak: number;
  /** When the ramp starts, seconds from the start. */
  readonly start: number;
  /** How long the ramp takes, seconds; 0 is a step. */
  readonly duration: number;
}

/**
 * A 24-hour cycle between `base` and `peak`, by time of day.
 *
 * - `sine`: `base` at 02:00, `peak` at 14:00, a cosine between them:
 *   `base + (peak − base) × (1 + cos(2π (h − 14) / 24)) / 2` at hour of day `h`.
 * - `business-day`: `base` from 19:00 to 07:00, a straight line up to `peak`
 *   from 07:00 to 09:00, `peak` from 09:00 to 17:00, a straight line down from
 *   17:00 to 19:00. Every day is a business day: there are no weekends.
 *
 * @see DAILY_DEFAULTS
 */
export interface DailyShape {
  /** The shape's name. */
  readonly shape: 'daily';
  /** Which 24-hour curve. */
  readonly curve: 'sine' | 'business-day';
  /** Load at the quietest time of day, in replicas' worth. */
  readonly base: number;
  /** Load at the busiest time of day, in replicas' worth. */
  readonly peak: number;
  /** Time of day at the start of the simulation, seconds after midnight (taken modulo a day). */
  readonly startsAt: number;
}

/**
 * `base` until `at`, then at once `peak`, falling back towards `base`
 * exponentially: the load above `base` halves every `halfLife`.
 * @see SPIKE_DEFAULTS
 */
export interface SpikeShape {
  /** The shape's name. */
  readonly shape: 'spike';
  /** Load before the spike and the level the tail falls back to, in replicas' worth. */
  readonly base: number;
  /** Load at the instant of the spike, in replicas' worth. */
  readonly peak: number;
  /** When the spike happens, seconds from the start. */
  readonly at: number;
  /** Time in which the load above `base` halves, seconds; 0 drops back to `base` at once. */
  readonly halfLife: number;
}

/** One of the built-in shapes with all its parameters. */
export type LoadShape = BurstShape | RampShape | DailyShape | SpikeShape;

/** The names of the built-in shapes, as `--load` and `loadProfile.shape` take them. */
export const SHAPES = ['burst', 'ramp', 'daily', 'spike'] as const;

/** A built-in shape's name. */
export type ShapeName = (typeof SHAPES)[number];

/** Whether a name, say `--load`'s, is a built-in shape's. */
export function isShapeName(name: string): name is ShapeName {
  return (SHAPES as readonly string[]).includes(name);
}

/** One replica's worth, then 10 times it for 15 minutes from the end of the first hour. */
export const BURST_DEFAULTS: BurstShape = {
  shape: 'burst',
  base: 1,
  factor: 10,
  start: 3_600,
  duration: 900,
};

/** One replica's worth for the first hour, then up to 10 over an hour, then 10. */
export const RAMP_DEFAULTS: RampShape = {
  shape: 'ramp',
  base: 1,
  peak: 10,
  start: 3_600,
  duration: 3_600,
};

/** A sine between one and 10 replicas' worth, the simulation starting at midnight. */
export const DAILY_DEFAULTS: DailyShape = {
  shape: 'daily',
  curve: 'sine',
  base: 1,
  peak: 10,
  startsAt: 0,
};

/** One replica's worth, 20 at the end of the first hour, the excess halving every 10 minutes. */
export const SPIKE_DEFAULTS: SpikeShape = {
  shape: 'spike',
  base: 1,
  peak: 20,
  at: 3_600,
  halfLife: 600,
};

/** Each shape's defaults, by name. */
export const SHAPE_DEFAULTS: { readonly [Name in ShapeName]: Extract<LoadShape, { shape: Name }> } =
  {
    burst: BURST_DEFAULTS,
    ramp: RAMP_DEFAULTS,
    daily: DAILY_DEFAULTS,
    spike: SPIKE_DEFAULTS,
  };

/** A shape's parameters with the defaults filled in for those not given. */
export function withDefaults<Name extends ShapeName>(
  shape: Name,
  given: Partial<Omit<Extract<LoadShape, { shape: Name }>, 'shape'>> = {},
): Extract<LoadShape, { shape: Name }> {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...SHAPE_DEFAULTS[shape], ...defined, shape };
}

/** The burst's load at `t` seconds, in replicas' worth. */
export function burstAt(s: BurstShape, t: number): number {
  return t >= s.start && t < s.start + s.duration ? s.base * s.factor : s.base;
}

/** The ramp's load at `t` seconds, in replicas' worth. */
export function rampAt(s: RampShape, t: number): number {
  if (t < s.start) return s.base;
  if (t >= s.start + s.duration) return s.peak;
  return s.base + ((s.peak - s.base) * (t - s.start)) / s.duration;
}

const HOUR = 3_600;

/** The daily cycle's load at `t` seconds, in replicas' worth. */
export function dailyAt(s: DailyShape, t: number): number {
  const ofDay = (((s.startsAt + t) % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS;
  const range = s.peak - s.base;
  if (s.curve === 'sine') {
    return s.base + (range * (1 + Math.cos((2 * Math.PI * (ofDay - 14 * HOUR)) / DAY_SECONDS))) / 2;
  }
  if (ofDay < 7 * HOUR || ofDay >= 19 * HOUR) return s.base;
  if (ofDay < 9 * HOUR) return s.base + (range * (ofDay - 7 * HOUR)) / (2 * HOUR);
  if (ofDay < 17 * HOUR) return s.peak;
  return s.peak - (range * (ofDay - 17 * HOUR)) / (2 * HOUR);
}

/** The spike's load at `t` seconds, in replicas' worth. */
export function spikeAt(s: SpikeShape, t: number): number {
  if (t < s.at) return s.base;
  if (s.halfLife === 0) return t === s.at ? s.peak : s.base;
  return s.base + (s.peak - s.base) * Math.pow(2, -(t - s.at) / s.halfLife);
}

/** Any built-in shape's load at `t` seconds, in replicas' worth. */
export function shapeAt(s: LoadShape, t: number): number {
  switch (s.shape) {
    case 'burst':
      return burstAt(s, t);
    case 'ramp':
      return rampAt(s, t);
    case 'daily':
      return dailyAt(s, t);
    case 'spike':
      return spikeAt(s, t);
  }
}

/** Per-signal multipliers of a load: a signal not named has scale 1. */
export type SignalScales = Readonly<Record<string, { readonly scale: number }>>;

/**
 * An environment's load profile, what the scaling simulator replays by
 * default: a built-in shape (its loads multiples of what one replica handles
 * on each signal) or a recorded trace (a CSV file relative to the project's
 * root), either scaled per signal.
 */
export type LoadProfileSpec =
  | { readonly shape: LoadShape; readonly signals?: SignalScales }
  | { readonly trace: string; readonly signals?: SignalScales };
