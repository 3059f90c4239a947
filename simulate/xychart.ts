import { ChartData, checkChartData } from './chart-data';
import { niceScale } from './chart-scale';
import { bucketBounds } from './downsample';
import { formatElapsed } from './time-label';

/**
 * The most points per line by default: a day in half hours, as many as the
 * x axis of a chart some 700 pixels wide still labels legibly.
 */
export const XYCHART_MAX_POINTS = 48;

/** How {@link renderXyChart} draws a chart. */
export interface XyChartOptions {
  /**
   * Which series to draw: those read against the left axis, those read
   * against the right, or all of them on the one y axis Mermaid has.
   * @default 'all'
   */
  readonly axis?: 'left' | 'right' | 'all';
  /**
   * The most points per line. Longer series are cut into this many runs of
   * consecutive samples, each drawn as its largest value (so a peak survives)
   * at the time its run starts.
   * @default XYCHART_MAX_POINTS
   */
  readonly maxPoints?: number;
  /** The chart's title. @default - the data's title */
  readonly title?: string;
}

/**
 * Writes one agent's series as the text of a Mermaid `xychart-beta` diagram,
 * without the Markdown fence: a title, an x axis of time labels (`hh:mm`
 * since the start, `hh:mm:ss` when runs are under a minute apart), a y axis
 * from zero titled with the series' names, and one `line` per series drawn,
 * named, so that Mermaid versions that draw a legend (`xyChart.showLegend`,
 * on by default in 11) name it there.
 *
 * Mermaid's xychart has a single y axis, so a backlog of thousands of
 * messages would flatten replicas and nodes to the floor: see
 * {@link renderXyCharts} for one chart per axis.
 *
 * All text is written as quoted strings, in which Mermaid accepts anything
 * but a double quote; characters Mermaid would otherwise read as markup
 * (`"`, `#`, `%`, `<`, `>`) become its entity codes (`#quot;`), which it
 * turns back into the characters when it renders.
 * @throws RangeError when `data` breaks the rules of `checkChartData`, has no
 *   sample, or no series on `options.axis`
 * @see https://mermaid.js.org/syntax/xyChart.html
 */
export function renderXyChart(data: ChartData, options: XyChartOptions = {}): string {
  const summaries = checkChartData(data);
  const axis = options.axis ?? 'all';
  const chosen = data.series
    .map((series, i) => ({ series, summary: summaries[i] }))
    .filter(({ series }) => axis === 'all' || series.axis === axis);
  if (data.times.length === 0) {
    throw new RangeError(`chart "${data.title}" has no samples to draw`);
  }
  if (chosen.length === 0) {
    throw new RangeError(`chart "${data.title}" has no series on the ${axis} axis`);
  }
  const bounds = bucketBounds(data.times.length, options.maxPoints ?? XYCHART_MAX_POINTS);
  const starts = bounds.slice(0, -1).map((index) => data.times[index]);
  const lines = chosen.map(({ series }) => ({
    name: series.name,
    values: bucketMaxima(series.values, bounds),
  }));
  const scale = niceScale(
    Math.min(...lines.flatMap((l) => l.values)),
    Math.max(...lines.flatMap((l) => l.values)),
    chosen.every(({ summary }) => summary.integer),
  );
  const title = options.title ?? data.title;
  const text = [
    'xychart-beta',
    ...(title.trim() === '' ? [] : [`  title ${mermaidString(title)}`]),
    `  x-axis ${mermaidString(`time since start (${timeFormatName(starts)})`)} [${timeLabels(starts).map(mermaidString).join(', ')}]`,
    `  y-axis ${mermaidString(chosen.map(({ series }) => series.name).join(', '))} ${mermaidNumber(scale.min)} --> ${mermaidNumber(scale.max)}`,
    ...lines.map(
      ({ name, values }) =>
        `  line ${name.trim() === '' ? '' : `${mermaidString(name)} `}[${values.map(mermaidNumber).join(', ')}]`,
    ),
  ];
  return text.join('\n') + '\n';
}

/**
 * One chart per y axis that has series, the left (backlog) first, then the
 * right (replicas, nodes), each titled with the data's title and its series'
 * names: Mermaid's xychart has one y axis, and counts of a few replicas drawn
 * on the scale of a backlog of thousands would not be seen.
 * @see renderXyChart for the options and what is thrown
 */
export function renderXyCharts(
  data: ChartData,
  options: Omit<XyChartOptions, 'axis' | 'title'> = {},
): string[] {
  return (['left', 'right'] as const)
    .map((axis) => ({ axis, names: data.series.filter((s) => s.axis === axis).map((s) => s.name) }))
    .filter(({ names }) => names.length > 0)
    .map(({ axis, names }) =>
      renderXyChart(data, { ...options, axis, title: `${data.title} (${names.join(', ')})` }),
    );
}

/** The largest value of each run between consecutive `bounds`. */
function bucketMaxima(values: readonly number[], bounds: readonly number[]): number[] {
  const maxima: number[] = [];
  for (let b = 0; b + 1 < bounds.length; b++) {
    let max = values[bounds[b]];
    for (let i = bounds[b] + 1; i < bounds[b + 1]; i++) {
      if (values[i] > max) max = values[i];
    }
    maxima.push(max);
  }
  return maxima;
}

/**
 * Labels for the x axis, all different, as Mermaid's band axis merges equal
 * categories into one: `hh:mm` when that tells the times apart, else
 * `hh:mm:ss`, else the seconds as they are.
 */
function timeLabels(times: readonly number[]): string[] {
  const format = timeFormatName(times);
  if (format === 'seconds') return times.map((t) => `${t}s`);
  return times.map((t) => formatElapsed(t, format === 'hh:mm' ? 'minutes' : 'seconds'));
}

function timeFormatName(times: readonly number[]): 'hh:mm' | 'hh:mm:ss' | 'seconds' {
  if (distinct(times.map((t) => formatElapsed(t, 'minutes')))) return 'hh:mm';
  if (distinct(times.map((t) => formatElapsed(t, 'seconds')))) return 'hh:mm:ss';
  return 'seconds';
}

function distinct(labels: readonly string[]): boolean {
  return labels.every((label, i) => i === 0 || label !== labels[i - 1]);
}

/** Mermaid's entity codes for the characters it would read as markup inside a string. */
const ENTITIES: Readonly<Record<string, string>> = {
  '"': '#quot;',
  '#': '#35;',
  '%': '#37;',
  '<': '#lt;',
  '>': '#gt;',
};

/**
 * Writes text as a Mermaid string: in double quotes, white space runs as one
 * space, the characters of {@link ENTITIES} as entity codes. Mermaid strips
 * the last `;` of a line holding `style` or `classDef`, a colon and an entity
 * code (its style statements end that way), so in such a text colons become
 * entity codes too.
 * @see https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters
 */
export function mermaidString(text: string): string {
  const escaped = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/["#%<>]/g, (c) => ENTITIES[c]);
  return `"${/style|classDef/.test(escaped) ? escaped.replace(/:/g, '#58;') : escaped}"`;
}

/**
 * Writes a number as Mermaid's xychart reads one: digits, an optional sign
 * and fraction, never an exponent; at most six decimals.
 */
export function mermaidNumber(value: number): string {
  // Numbers this large are whole, and only BigInt writes them without an exponent.
  if (Math.abs(value) >= 1e21) return BigInt(value).toString();
  return String(Number(value.toFixed(6)));
}
