import { Static, TSchema, Type } from '@sinclair/typebox';
import {
  BURST_DEFAULTS,
  DAILY_DEFAULTS,
  LoadShape,
  RAMP_DEFAULTS,
  SHAPES,
  SPIKE_DEFAULTS,
  withDefaults,
} from '../model/load-shapes';
import {
  durationSchema,
  enumSchema,
  kindSchema,
  mapSchema,
  objectSchema,
  Parsed,
  stringSchema,
} from './schema-types';

/**
 * `loadProfile` of an environment file: the load the scaling simulator replays
 * through the environment's agents, either a built-in shape or a recorded
 * trace. Optional: without it the simulator takes `--load` (a shape's name,
 * with its defaults).
 *
 * ```yaml
 * loadProfile: { shape: burst, factor: 20, duration: 30m, signals: { orders: { scale: 2 } } }
 * loadProfile: { trace: traces/black-friday.csv }
 * ```
 */

/** The most a multiple of the reference load may be: a million replicas' worth. */
const MAX_MULTIPLE = 1_000_000;

function multipleSchema(description: string) {
  return Type.Number({ minimum: 0, maximum: MAX_MULTIPLE, description });
}

const signals = mapSchema(
  'Per signal (a queue or Prometheus signal an agent scales on, by name), a multiplier of the load. A signal not named has scale 1.',
  objectSchema(
    'The multiplier of one signal.',
    {
      scale: Type.Number({
        minimum: 0,
        maximum: MAX_MULTIPLE,
        description: "Multiplier of the signal's load, 0 to 1,000,000; 0 is no load.",
      }),
    },
    ['scale'],
  ),
  Type.String({ minLength: 1, maxLength: 253 }),
);

const base = (what: string, fallback: number) =>
  multipleSchema(
    `${what}, in replicas' worth: a multiple of what one replica handles on the signal. Default ${fallback}.`,
  );

const burst = objectSchema(
  'A base load, then `factor` times it for `duration`, then the base again.',
  {
    shape: Type.Literal('burst', { description: 'A burst.' }),
    base: base('Load before and after the burst', BURST_DEFAULTS.base),
    factor: multipleSchema(
      `The burst's load as a multiple of base. Default ${BURST_DEFAULTS.factor}.`,
    ),
    start: durationSchema('When the burst starts, from the start of the simulation. Default 1h.'),
    duration: durationSchema('How long the burst lasts. Default 15m.'),
    signals,
  },
  ['shape'],
);

const ramp = objectSchema(
  'base until start, a straight line to peak over duration, then peak.',
  {
    shape: Type.Literal('ramp', { description: 'A ramp.' }),
    base: base('Load before the ramp', RAMP_DEFAULTS.base),
    peak: base('Load at the end of the ramp and after it', RAMP_DEFAULTS.peak),
    start: durationSchema('When the ramp starts, from the start of the simulation. Default 1h.'),
    duration: durationSchema('How long the ramp takes; 0s is a step. Default 1h.'),
    signals,
  },
  ['shape'],
);

const daily = objectSchema(
  'A 24-hour cycle between base and peak, by time of day.',
  {
    shape: Type.Literal('daily', { description: 'A daily cycle.' }),
    curve: enumSchema(
      "'sine': base at 02:00, peak at 14:00, a cosine between. 'business-day': base from 19:00 to 07:00, up to peak by 09:00, peak until 17:00, down to base by 19:00; no weekends. Default 'sine'.",
      ['sine', 'business-day'],
    ),
    base: base('Load at the quietest time of day', DAILY_DEFAULTS.base),
    peak: base('Load at the busiest time of day', DAILY_DEFAULTS.peak),
    startsAt: durationSchema(
      'Time of day at the start of the simulation, after midnight (modulo 24h). Default 0s: midnight.',
    ),
    signals,
  },
  ['shape'],
);

const spike = objectSchema(
  'base until at, then at once peak, the load above base halving every halfLife.',
  {
    shape: Type.Literal('spike', { description: 'A spike.' }),
    base: base('Load before the spike and the level its tail falls to', SPIKE_DEFAULTS.base),
    peak: base('Load at the instant of the spike', SPIKE_DEFAULTS.peak),
    at: durationSchema('When the spike happens, from the start of the simulation. Default 1h.'),
    halfLife: durationSchema(
      'Time in which the load above base halves; 0s drops back at once. Default 10m.',
    ),
    signals,
  },
  ['shape'],
);

const trace = objectSchema(
  'A recorded trace.',
  {
    trace: stringSchema(
      "Path of a CSV file relative to the root directory: a header 'time,<signal>,...', time in seconds from the start or ISO-8601 timestamps with a time zone, values messages per second for a queue or the metric's value for a Prometheus signal, each held until the next row. At most 1,000,000 rows, 1,000 signals, 16,777,216 values (rows times signals) and 64 MiB.",
      { maxLength: 4096 },
    ),
    signals,
  },
  ['trace'],
);

/** A value with a `shape` that is none of the shapes gets one error listing them. */
const unknownShape: TSchema = Type.Unsafe({
  if: { type: 'object', required: ['shape'] },
  then: objectSchema('A built-in shape.', { shape: enumSchema('The shape.', SHAPES) }, ['shape'], {
    additionalProperties: true,
  }),
  else: trace,
});

/** `loadProfile` with `shape: burst`, as the file gives it. */
export type BurstProfile = Static<typeof burst>;
/** `loadProfile` with `shape: ramp`, as the file gives it. */
export type RampProfile = Static<typeof ramp>;
/** `loadProfile` with `shape: daily`, as the file gives it. */
export type DailyProfile = Static<typeof daily>;
/** `loadProfile` with `shape: spike`, as the file gives it. */
export type SpikeProfile = Static<typeof spike>;
/** `loadProfile` with `trace`, as the file gives it. */
export type TraceProfile = Static<typeof trace>;

/** A built-in shape as the file gives it. */
export type ShapeProfile = BurstProfile | RampProfile | DailyProfile | SpikeProfile;

/** `loadProfile` as the file gives it: a shape or a trace. */
export type LoadProfile = ShapeProfile | TraceProfile;

/**
 * The JSON Schema of `loadProfile`, to add to the environment file's
 * properties: `shape` picks the shape's keys; without `shape`, `trace` is required.
 */
export const loadProfileSchema = kindSchema<LoadProfile>(
  [
    ['burst', burst],
    ['ramp', ramp],
    ['daily', daily],
    ['spike', spike],
  ],
  unknownShape,
  {
    key: 'shape',
    description:
      "The load the scaling simulator replays through the agents: a built-in shape ('burst', 'ramp', 'daily', 'spike'), its loads in replicas' worth, or a recorded trace. Default: the simulator's --load.",
  },
);

/** Whether a profile is a recorded trace rather than a shape. */
export function isTraceProfile(
  profile: LoadProfile | Parsed<LoadProfile>,
): profile is TraceProfile {
  return 'trace' in profile;
}

/** Seconds of a duration the loader parsed, or undefined when absent. */
const seconds = (duration: { toSeconds(): number } | undefined): number | undefined =>
  duration?.toSeconds();

/**
 * A shape profile, its durations parsed (as the loader hands it over), with the
 * defaults filled in for what it leaves out.
 */
export function toLoadShape(profile: Parsed<ShapeProfile>): LoadShape {
  switch (profile.shape) {
    case 'burst':
      return withDefaults('burst', {
        base: profile.base,
        factor: profile.factor,
        start: seconds(profile.start),
        duration: seconds(profile.duration),
      });
    case 'ramp':
      return withDefaults('ramp', {
        base: profile.base,
        peak: profile.peak,
        start: seconds(profile.start),
        duration: seconds(profile.duration),
      });
    case 'daily':
      return withDefaults('daily', {
        curve: profile.curve,
        base: profile.base,
        peak: profile.peak,
        startsAt: seconds(profile.startsAt),
      });
    case 'spike':
      return withDefaults('spike', {
        base: profile.base,
        peak: profile.peak,
        at: seconds(profile.at),
        halfLife: seconds(profile.halfLife),
      });
  }
}
