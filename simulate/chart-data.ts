/** One simulated agent's series, sampled at `times` (seconds from the start). */
export interface ChartData {
  /** The chart's title, e.g. `image-processing on us-east`. */
  readonly title: string;
  /** When each sample was taken, in seconds from the start of the simulation, strictly ascending. */
  readonly times: readonly number[];
  /**
   * The series drawn, each with one value per entry of `times`: typically the
   * backlog (messages, left axis), and replicas and nodes (right axis).
   */
  readonly series: readonly ChartSeries[];
}

/** One line of a chart. */
export interface ChartSeries {
  /** The series' name, shown in the legend, e.g. `backlog`. */
  readonly name: string;
  /** One value per sample time of the chart, in the series' own unit (messages, replicas, nodes). */
  readonly values: readonly number[];
  /** Which y axis the series is read against: the left (backlog) or the right (replicas, nodes). */
  readonly axis: 'left' | 'right';
}

/** What the renderers need to know of a series' values, found in one pass. */
export interface SeriesSummary {
  /** The least value. @default - Infinity for a series without values */
  readonly min: number;
  /** The greatest value. @default - -Infinity for a series without values */
  readonly max: number;
  /** Whether every value is a whole number (a count such as replicas or nodes). */
  readonly integer: boolean;
}

/**
 * Checks what the renderers rely on (finite, strictly ascending times, and
 * one finite value per time in every series), and summarises each series on
 * the way, since the data may be long and is best read once.
 * @returns one summary per series, in order
 * @throws RangeError naming the first offending time or series
 */
export function checkChartData(data: ChartData): SeriesSummary[] {
  const { times } = data;
  for (let i = 0; i < times.length; i++) {
    if (!Number.isFinite(times[i])) {
      throw new RangeError(`time ${i} is ${times[i]}, not a finite number of seconds`);
    }
    if (i > 0 && times[i] <= times[i - 1]) {
      throw new RangeError(`times are not strictly ascending: ${times[i - 1]} then ${times[i]}`);
    }
  }
  return data.series.map(({ name, values }) => {
    if (values.length !== times.length) {
      throw new RangeError(
        `series "${name}" has ${values.length} values for ${times.length} sample times`,
      );
    }
    let min = Infinity;
    let max = -Infinity;
    let integer = true;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) {
        throw new RangeError(`series "${name}" has value ${v} at time ${times[i]}`);
      }
      if (v < min) min = v;
      if (v > max) max = v;
      if (integer && v !== Math.floor(v)) integer = false;
    }
    return { min, max, integer };
  });
}
