/** How precisely a time label is written: `hh:mm`, or `hh:mm:ss` when minutes are too coarse. */
export type TimeLabelPrecision = 'minutes' | 'seconds';

/**
 * Writes a time since the start as `hh:mm` (or `hh:mm:ss`), hours counted
 * from the start without wrapping at a day (`36:30`), at least two digits
 * each. A fraction of a second or of a minute is cut, not rounded, so a label
 * never names a time that has not come yet.
 * @param seconds time since the start, in seconds
 */
export function formatElapsed(seconds: number, precision: TimeLabelPrecision): string {
  const sign = seconds < 0 ? '-' : '';
  // A step of 0.1 s summed in floating point lands a hair below the whole second.
  const whole = Math.floor(Math.abs(seconds) + 1e-9);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const label = `${sign}${pad(hours)}:${pad(minutes)}`;
  return precision === 'minutes' ? label : `${label}:${pad(whole % 60)}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
