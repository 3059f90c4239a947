import { ChartData, ChartSeries, checkChartData, SeriesSummary } from './chart-data';
import { niceScale, NiceScale, timeTicks } from './chart-scale';
import { minMaxIndices } from './downsample';
import { formatElapsed } from './time-label';

/** The chart's size, in SVG user units (pixels). */
export const SVG_CHART_SIZE = { width: 800, height: 360 } as const;

/**
 * The most vertices one polyline has. Longer series are cut down to the
 * minimum and maximum of each of a number of buckets (see `minMaxIndices`), a
 * step line to half as many samples, since it draws two vertices per sample.
 */
export const MAX_POLYLINE_POINTS = 1000;

/** Okabe and Ito's palette, told apart also by colour-blind readers. */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/** Polyline coordinates are whole tenths of a pixel. */
const SUBPIXELS = 10;
const PLOT = { left: 72, right: 728, top: 44, bottom: 288 } as const;
const FONT = 'font-family="sans-serif"';
/** About how wide a character of 11-pixel sans-serif text is, to centre the legend without measuring. */
const CHAR_WIDTH = 6.2;

/** One y axis: its series and the scale they share. */
interface Axis {
  readonly side: 'left' | 'right';
  readonly series: readonly ChartSeries[];
  readonly scale: NiceScale;
}

/**
 * Draws one agent's series as a standalone SVG 1.1 line chart of
 * {@link SVG_CHART_SIZE}: a time axis labelled `hh:mm` (hours since the start,
 * `hh:mm:ss` when ticks are under a minute apart), a left and a right y axis
 * (each only when a series uses it, from zero, titled with its series' names),
 * a legend, and one `<polyline>` per series, in the order given.
 *
 * A series whose values are all whole numbers (replicas, nodes, also a backlog
 * counted in messages) is drawn as a step line, holding each value until the
 * next sample, since that is what a count does between samples; any other
 * series joins its samples with straight lines. Series longer than
 * {@link MAX_POLYLINE_POINTS} are cut down keeping each bucket's minimum and
 * maximum, so a peak of a single sample is still drawn.
 *
 * The output depends on `data` only (no ids, dates or fonts to fetch), and all
 * text is XML-escaped.
 * @throws RangeError when `data` breaks the rules of `checkChartData`
 * @see https://www.w3.org/TR/SVG11/shapes.html#PolylineElement
 */
export function renderSvgChart(data: ChartData): string {
  const summaries = checkChartData(data);
  const { width, height } = SVG_CHART_SIZE;
  const axes = (['left', 'right'] as const)
    .map((side) => axisOf(side, data.series, summaries))
    .filter((axis): axis is Axis => axis !== undefined);
  const start = data.times.length > 0 ? data.times[0] : 0;
  const last = data.times.length > 0 ? data.times[data.times.length - 1] : start;
  const end = last > start ? last : start + 1;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${escapeXml(data.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" ${FONT} font-size="15" font-weight="bold" fill="#222222">${escapeXml(data.title)}</text>`,
    ...timeAxis(start, end),
    ...axes.flatMap((axis, i) => yAxis(axis, i === 0)),
    // Polylines are drawn in tenths of a pixel: whole numbers are much faster to write than decimals.
    `<g transform="scale(${1 / SUBPIXELS})" fill="none" stroke-width="${1.5 * SUBPIXELS}" stroke-linejoin="round">`,
  ];
  const xScale = ((PLOT.right - PLOT.left) / (end - start)) * SUBPIXELS;
  const x = { scale: xScale, offset: PLOT.left * SUBPIXELS - start * xScale };
  data.series.forEach((series, i) => {
    const { min, max } = (axes.find((a) => a.side === series.axis) as Axis).scale;
    const yScale = (-(PLOT.bottom - PLOT.top) / (max - min)) * SUBPIXELS;
    const y = { scale: yScale, offset: PLOT.bottom * SUBPIXELS - min * yScale };
    const points = polylinePoints(data.times, series.values, summaries[i].integer, x, y);
    parts.push(
      `<polyline stroke="${colour(i)}" points="${points}"><title>${escapeXml(series.name)}</title></polyline>`,
    );
  });
  parts.push('</g>', ...legend(data.series, axes.length > 1), '</svg>');
  return parts.join('\n') + '\n';
}

function axisOf(
  side: 'left' | 'right',
  all: readonly ChartSeries[],
  summaries: readonly SeriesSummary[],
): Axis | undefined {
  const mine = summaries.filter((_, i) => all[i].axis === side);
  if (mine.length === 0) return undefined;
  const min = Math.min(...mine.map((s) => s.min));
  const max = Math.max(...mine.map((s) => s.max));
  const scale = niceScale(
    min === Infinity ? 0 : min,
    max === -Infinity ? 0 : max,
    mine.every((s) => s.integer),
  );
  return { side, series: all.filter((s) => s.axis === side), scale };
}

function timeAxis(start: number, end: number): string[] {
  const { step, ticks } = timeTicks(start, end);
  const precision = step < 60 ? 'seconds' : 'minutes';
  const scale = (PLOT.right - PLOT.left) / (end - start);
  const parts = [
    `<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}" stroke="#444444"/>`,
  ];
  for (const tick of ticks) {
    const x = round(PLOT.left + (tick - start) * scale);
    parts.push(
      `<line x1="${x}" y1="${PLOT.bottom}" x2="${x}" y2="${PLOT.bottom + 5}" stroke="#444444"/>`,
      `<text x="${x}" y="${PLOT.bottom + 18}" text-anchor="middle" ${FONT} font-size="11" fill="#444444">${formatElapsed(tick, precision)}</text>`,
    );
  }
  parts.push(
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 36}" text-anchor="middle" ${FONT} font-size="11" fill="#444444">time since start (${precision === 'seconds' ? 'hh:mm:ss' : 'hh:mm'})</text>`,
  );
  return parts;
}

/** An axis line with ticks and labels on its side, and grid lines across the plot for the first axis only. */
function yAxis({ side, series, scale }: Axis, grid: boolean): string[] {
  const left = side === 'left';
  const x = left ? PLOT.left : PLOT.right;
  const tickEnd = left ? x - 5 : x + 5;
  const labelX = left ? x - 8 : x + 8;
  const format = tickFormatter(scale);
  const parts = [
    `<line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.bottom}" stroke="#444444"/>`,
  ];
  for (const tick of scale.ticks) {
    const y = round(
      PLOT.bottom - ((tick - scale.min) / (scale.max - scale.min)) * (PLOT.bottom - PLOT.top),
    );
    if (grid) {
      parts.push(
        `<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.right}" y2="${y}" stroke="#e4e4e4"/>`,
      );
    }
    parts.push(
      `<line x1="${x}" y1="${y}" x2="${tickEnd}" y2="${y}" stroke="#444444"/>`,
      `<text x="${labelX}" y="${y + 4}" text-anchor="${left ? 'end' : 'start'}" ${FONT} font-size="11" fill="#444444">${format(tick)}</text>`,
    );
  }
  const titleX = left ? 16 : SVG_CHART_SIZE.width - 16;
  const titleY = (PLOT.top + PLOT.bottom) / 2;
  parts.push(
    `<text x="${titleX}" y="${titleY}" transform="rotate(${left ? -90 : 90} ${titleX} ${titleY})" text-anchor="middle" ${FONT} font-size="12" fill="#222222">${escapeXml(series.map((s) => s.name).join(', '))}</text>`,
  );
  return parts;
}

/** One row under the time axis: a stroke of each series' colour and its name, the whole row centred. */
function legend(series: readonly ChartSeries[], bothAxes: boolean): string[] {
  const labels = series.map((s) => (bothAxes ? `${s.name} (${s.axis})` : s.name));
  const widths = labels.map((label) => 24 + label.length * CHAR_WIDTH + 16);
  let x = round((SVG_CHART_SIZE.width - widths.reduce((a, b) => a + b, 0)) / 2);
  const y = SVG_CHART_SIZE.height - 14;
  return labels.flatMap((label, i) => {
    const entry = [
      `<line x1="${x}" y1="${y - 4}" x2="${x + 18}" y2="${y - 4}" stroke="${colour(i)}" stroke-width="2.5"/>`,
      `<text x="${x + 24}" y="${y}" ${FONT} font-size="11" fill="#222222">${escapeXml(label)}</text>`,
    ];
    x = round(x + widths[i]);
    return entry;
  });
}

/** A linear map from data to polyline coordinates: `value * scale + offset`, rounded. */
interface Linear {
  readonly scale: number;
  readonly offset: number;
}

/**
 * The `points` of one series: the samples `minMaxIndices` keeps, joined by
 * straight segments, or as steps (across at the old value, then up or down).
 * Points inside a flat run are left out: they draw nothing.
 */
function polylinePoints(
  times: readonly number[],
  values: readonly number[],
  step: boolean,
  x: Linear,
  y: Linear,
): string {
  const kept = minMaxIndices(values, step ? MAX_POLYLINE_POINTS / 2 : MAX_POLYLINE_POINTS);
  const last = kept.length - 1;
  let points = '';
  let previousY = NaN;
  let py = last >= 0 ? Math.round(values[kept[0]] * y.scale + y.offset) : NaN;
  for (let k = 0; k <= last; k++) {
    const nextY = k < last ? Math.round(values[kept[k + 1]] * y.scale + y.offset) : NaN;
    const flat = py === previousY && k < last && (step || py === nextY);
    if (!flat) {
      const px = Math.round(times[kept[k]] * x.scale + x.offset);
      if (k > 0) points += ' ';
      if (step && k > 0 && py !== previousY) points += px + ',' + previousY + ' ';
      points += px + ',' + py;
    }
    previousY = py;
    py = nextY;
  }
  return points;
}

function colour(index: number): string {
  return COLOURS[index % COLOURS.length];
}

/**
 * Writes the ticks of one axis alike: in thousands (`k`), millions (`M`) or
 * billions (`G`) when the axis reaches ten thousand, a million or a billion,
 * so that labels fit beside the axis.
 */
function tickFormatter(scale: NiceScale): (value: number) => string {
  const top = Math.max(Math.abs(scale.min), Math.abs(scale.max));
  const [divisor, suffix] =
    top >= 1e9 ? [1e9, 'G'] : top >= 1e6 ? [1e6, 'M'] : top >= 1e4 ? [1e3, 'k'] : [1, ''];
  if (divisor === 1) return (value) => value.toFixed(scale.decimals);
  return (value) => (value === 0 ? '0' : `${Number((value / divisor).toFixed(3))}${suffix}`);
}

/** One decimal of a pixel is as fine as a screen shows. */
function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * Escapes text for XML content and attributes, and replaces what XML 1.0 may
 * not hold at all (control characters, unpaired surrogates) with U+FFFD.
 * @see https://www.w3.org/TR/xml/#charsets
 */
export function escapeXml(text: string): string {
  return text
    .replace(
      // eslint-disable-next-line no-control-regex -- these are exactly the characters XML forbids
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      '\uFFFD',
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
