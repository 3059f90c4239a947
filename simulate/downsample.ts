/**
 * Splits `length` samples into at most `buckets` runs of consecutive indices,
 * as even as whole samples allow.
 * @returns the first index of each run, followed by `length` as the end of the last
 */
export function bucketBounds(length: number, buckets: number): number[] {
  const count = Math.max(1, Math.min(length, Math.floor(buckets)));
  const bounds: number[] = [];
  for (let b = 0; b <= count; b++) {
    bounds.push(Math.floor((b * length) / count));
  }
  return bounds;
}

/**
 * Picks which samples of a series to draw so that at most about `maxPoints`
 * remain: all of them when they fit, otherwise the minimum and the maximum of
 * each of `maxPoints / 2` buckets (in time order), so that a peak or a dip of
 * a single sample survives, and the first and the last sample, so that the
 * line spans the whole time axis.
 * @param maxPoints the most points wanted, at least 4
 * @returns ascending indices into `values`
 */
export function minMaxIndices(values: readonly number[], maxPoints: number): number[] {
  const n = values.length;
  if (n <= maxPoints) {
    return Array.from({ length: n }, (_, i) => i);
  }
  const bounds = bucketBounds(n, Math.floor((maxPoints - 2) / 2));
  const picked: number[] = [0];
  for (let b = 0; b + 1 < bounds.length; b++) {
    let min = bounds[b];
    let max = bounds[b];
    for (let i = bounds[b] + 1; i < bounds[b + 1]; i++) {
      if (values[i] < values[min]) min = i;
      else if (values[i] > values[max]) max = i;
    }
    const first = Math.min(min, max);
    const second = Math.max(min, max);
    if (first > picked[picked.length - 1]) picked.push(first);
    if (second > picked[picked.length - 1]) picked.push(second);
  }
  if (picked[picked.length - 1] !== n - 1) picked.push(n - 1);
  return picked;
}
