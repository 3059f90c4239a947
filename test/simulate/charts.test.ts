import * as path from 'path';
import { ChartData } from '../../simulate/chart-data';
import { MAX_POLYLINE_POINTS, renderSvgChart } from '../../simulate/svg-chart';
import {
  mermaidNumber,
  mermaidString,
  renderXyChart,
  renderXyCharts,
  XYCHART_MAX_POINTS,
} from '../../simulate/xychart';
import { MermaidVerdict, parseMermaid } from '../support/mermaid';
import { REPO, runTypeScript } from '../support/typescript-process';
import { ParsedElement, ParsedSvg, parseSvgs } from './parse-svg';

/** A polyline's vertices, in the tenths of a pixel it is drawn in. */
function vertices(polyline: ParsedElement): { x: number; y: number }[] {
  const points = polyline.attributes.points ?? '';
  return points === ''
    ? []
    : points.split(' ').map((pair) => {
        const [x, y] = pair.split(',').map(Number);
        return { x, y };
      });
}

const elements = (doc: ParsedSvg, tag: string): ParsedElement[] =>
  doc.elements.filter((e) => e.tag === tag);

/** A text element of the chart by its exact content. */
function textElement(doc: ParsedSvg, content: string): ParsedElement {
  const found = elements(doc, 'text').filter((t) => t.text === content);
  expect(found).toHaveLength(1);
  return found[0];
}

/** `count` samples `step` seconds apart, with the series given as functions of the sample index. */
function chart(
  title: string,
  count: number,
  step: number,
  series: Record<string, { axis: 'left' | 'right'; value: (i: number) => number }>,
): ChartData {
  const times = Array.from({ length: count }, (_, i) => i * step);
  return {
    title,
    times,
    series: Object.entries(series).map(([name, { axis, value }]) => ({
      name,
      axis,
      values: times.map((_, i) => value(i)),
    })),
  };
}

/** A day in seconds: a backlog rising and falling, and the replicas and nodes that follow it. */
const DAY = chart('image-processing on us-east', 86_400, 1, {
  backlog: { axis: 'left', value: (i) => Math.round(5000 + 4000 * Math.sin(i / 7200)) },
  replicas: { axis: 'right', value: (i) => Math.ceil((5000 + 4000 * Math.sin(i / 7200)) / 1000) },
  nodes: { axis: 'right', value: (i) => Math.ceil((5000 + 4000 * Math.sin(i / 7200)) / 3000) },
});

describe('renderSvgChart', () => {
  const TITLE = `a <b> & "c" 'd'`;
  const PEAK_AT = 43_210;
  const svgs = {
    day: renderSvgChart(DAY),
    escaped: renderSvgChart({
      title: TITLE,
      times: [0, 60],
      series: [{ name: '<&">', values: [1, 2], axis: 'left' }],
    }),
    forbidden: renderSvgChart({ title: 'nul\u0000 lone\uD800', times: [0], series: [] }),
    peak: renderSvgChart(
      chart('one peak', 86_400, 1, {
        backlog: { axis: 'left', value: (i) => (i === PEAK_AT ? 1000 : 0) },
      }),
    ),
    steps: renderSvgChart(
      chart('steps', 4, 60, {
        backlog: { axis: 'left', value: (i) => [0.5, 1.5, 2.5, 3.5][i] },
        replicas: { axis: 'right', value: (i) => [1, 1, 3, 3][i] },
      }),
    ),
  };
  let parsed: Record<keyof typeof svgs, ParsedSvg>;

  beforeAll(() => {
    const names = Object.keys(svgs) as (keyof typeof svgs)[];
    const docs = parseSvgs(names.map((name) => svgs[name]));
    parsed = Object.fromEntries(names.map((name, i) => [name, docs[i]])) as typeof parsed;
  });

  it('writes well-formed SVG 1.1 with one polyline per series, named after it', () => {
    for (const doc of Object.values(parsed)) {
      expect(doc.errors).toEqual([]);
      expect(doc.elements[0]).toMatchObject({
        tag: 'svg',
        namespace: 'http://www.w3.org/2000/svg',
        attributes: { version: '1.1', width: '800', height: '360' },
      });
    }
    const doc = parsed.day;
    const polylines = elements(doc, 'polyline');
    expect(polylines.map((p) => p.text)).toEqual(['backlog', 'replicas', 'nodes']);
    for (const polyline of polylines) {
      expect(vertices(polyline).length).toBeGreaterThan(10);
      expect(vertices(polyline).length).toBeLessThanOrEqual(MAX_POLYLINE_POINTS);
    }
    // Both axes are titled with their series' names, the time axis in hours and minutes.
    textElement(doc, 'backlog');
    textElement(doc, 'replicas, nodes');
    textElement(doc, '12:00');
    textElement(doc, 'time since start (hh:mm)');
    expect(svgs.day).not.toMatch(/<script|@import|url\(|href/);
  });

  it('escapes the title and the series names', () => {
    expect(svgs.escaped).toContain('<title>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;</title>');
    const doc = parsed.escaped;
    expect(elements(doc, 'title').map((t) => t.text)).toEqual([TITLE, '<&">']);
    textElement(doc, TITLE);
  });

  it('replaces what XML cannot hold at all', () => {
    expect(elements(parsed.forbidden, 'title')[0].text).toBe('nul\uFFFD lone\uFFFD');
  });

  it('keeps a peak of a single sample among 86,400 where it is', () => {
    const doc = parsed.peak;
    const points = vertices(elements(doc, 'polyline')[0]);
    expect(points.length).toBeLessThanOrEqual(MAX_POLYLINE_POINTS);
    // Where the axes put 0 and 1000 messages, and 00:00 and 04:00, in tenths of a pixel.
    const y = (label: string) => Number(textElement(doc, label).attributes.y) * 10;
    const x = (label: string) => Number(textElement(doc, label).attributes.x) * 10;
    const top = Math.min(...points.map((p) => p.y));
    const bottom = Math.max(...points.map((p) => p.y));
    expect(bottom - top).toBeCloseTo(y('0') - y('1000'), 0);
    const peak = points.find((p) => p.y === top);
    const expectedX = x('00:00') + ((x('04:00') - x('00:00')) * PEAK_AT) / 14_400;
    expect(Math.abs((peak?.x ?? NaN) - expectedX)).toBeLessThan(3);
  });

  it('draws whole-number series as steps and others as straight segments', () => {
    const [straight, steps] = elements(parsed.steps, 'polyline').map(vertices);
    expect(straight).toHaveLength(4);
    // Flat at 1 until the third sample, up to 3 there, flat to the end.
    expect(steps).toHaveLength(4);
    expect(steps[1].x).toBe(steps[2].x);
    expect(steps[0].y).toBe(steps[1].y);
    expect(steps[2].y).toBe(steps[3].y);
    expect(steps[2].y).toBeLessThan(steps[1].y);
  });

  it('renders a thousand agents of a day in 30-second samples in well under a second', () => {
    const run = runTypeScript(path.join(__dirname, 'render-many.ts'), ['1000'], { cwd: REPO });
    expect(run.stderr).toBe('');
    const { seconds, bytes } = JSON.parse(run.stdout) as { seconds: number; bytes: number };
    expect(bytes).toBeGreaterThan(1000 * 5000);
    // About 0.2 s on a two-core machine; the room is for one that is busy with other tests.
    expect(seconds).toBeLessThan(2);
  });

  it('refuses series that do not match the times', () => {
    expect(() =>
      renderSvgChart({
        title: 't',
        times: [0, 1],
        series: [{ name: 'nodes', values: [1], axis: 'right' }],
      }),
    ).toThrow('series "nodes" has 1 values for 2 sample times');
    expect(() => renderSvgChart({ title: 't', times: [0, 1, 1], series: [] })).toThrow(
      'times are not strictly ascending: 1 then 1',
    );
    expect(() =>
      renderSvgChart({
        title: 't',
        times: [0, 1],
        series: [{ name: 'backlog', values: [1, NaN], axis: 'left' }],
      }),
    ).toThrow('series "backlog" has value NaN at time 1');
  });
});

describe('renderXyCharts', () => {
  const quoted = 'He said "scale: now" <fast> & 100% #1; style:#quot;';
  const texts = {
    day: renderXyCharts(DAY),
    quoted: renderXyChart({
      ...chart(quoted, 3, 60, { backlog: { axis: 'left', value: (i) => i } }),
    }),
    seconds: renderXyChart(
      chart('seconds', 10, 1, { nodes: { axis: 'right', value: (i) => i % 3 } }),
    ),
    fractions: renderXyChart(
      chart('fractions', 3, 0.25, { backlog: { axis: 'left', value: (i) => i / 3 } }),
    ),
  };
  let verdicts: MermaidVerdict[];

  beforeAll(() => {
    verdicts = [
      ...parseMermaid([...texts.day, texts.quoted, texts.seconds, texts.fractions]).verdicts,
    ];
  });

  const lineValues = (text: string, name: string): number[] => {
    const line = text.split('\n').find((l) => l.startsWith(`  line "${name}" [`));
    return JSON.parse((line ?? '').replace(/^ {2}line "[^"]*" /, '')) as number[];
  };

  it('draws a day of 86,400 samples as one chart per axis that Mermaid parses', () => {
    expect(verdicts.slice(0, 2)).toEqual([
      { ok: true, type: 'xychart' },
      { ok: true, type: 'xychart' },
    ]);
    const [left, right] = texts.day;
    expect(left.split('\n').slice(0, 2)).toEqual([
      'xychart-beta',
      '  title "image-processing on us-east (backlog)"',
    ]);
    expect(left).toContain('\n  y-axis "backlog" 0 --> 10000\n');
    expect(right).toContain('\n  title "image-processing on us-east (replicas, nodes)"\n');
    expect(right).toContain('\n  y-axis "replicas, nodes" 0 --> 10\n');
    const labels = /x-axis "time since start \(hh:mm\)" \[(.*)\]/.exec(left)?.[1].split(', ');
    expect(labels).toHaveLength(XYCHART_MAX_POINTS);
    expect(labels?.slice(0, 3)).toEqual(['"00:00"', '"00:30"', '"01:00"']);
    expect(labels?.[XYCHART_MAX_POINTS - 1]).toBe('"23:30"');
    expect(lineValues(left, 'backlog')).toHaveLength(XYCHART_MAX_POINTS);
    expect(lineValues(right, 'replicas')).toHaveLength(XYCHART_MAX_POINTS);
    expect(lineValues(right, 'nodes')).toHaveLength(XYCHART_MAX_POINTS);
    expect(Math.max(...lineValues(left, 'backlog'))).toBe(9000);
  });

  it('keeps a single-sample peak in its bucket', () => {
    const text = renderXyChart(
      chart('peak', 86_400, 1, {
        backlog: { axis: 'left', value: (i) => (i === 50_000 ? 777 : 3) },
      }),
    );
    const values = lineValues(text, 'backlog');
    // 50,000 s is 13:53, in the half hour from 13:30, the 28th bucket.
    expect(values[27]).toBe(777);
    expect(values.filter((v) => v !== 3)).toEqual([777]);
  });

  it('quotes a title with quotes, colons and markup as entity codes Mermaid parses', () => {
    expect(verdicts[2]).toEqual({ ok: true, type: 'xychart' });
    expect(texts.quoted.split('\n')[1]).toBe(
      '  title "He said #quot;scale#58; now#quot; #lt;fast#gt; & 100#37; #35;1; style#58;#35;quot;"',
    );
  });

  it('writes seconds when minutes do not tell the samples apart', () => {
    expect(verdicts.slice(3)).toEqual([
      { ok: true, type: 'xychart' },
      { ok: true, type: 'xychart' },
    ]);
    expect(texts.seconds).toContain(
      'x-axis "time since start (hh:mm:ss)" ["00:00:00", "00:00:01", "00:00:02",',
    );
    expect(texts.fractions).toContain(
      'x-axis "time since start (seconds)" ["0s", "0.25s", "0.5s"]',
    );
    expect(texts.fractions).toContain('line "backlog" [0, 0.333333, 0.666667]');
  });

  it('refuses a chart with nothing to draw', () => {
    expect(() => renderXyChart(DAY, { axis: 'right', maxPoints: 4 })).not.toThrow();
    expect(() =>
      renderXyChart(chart('only backlog', 2, 1, { backlog: { axis: 'left', value: () => 1 } }), {
        axis: 'right',
      }),
    ).toThrow('chart "only backlog" has no series on the right axis');
    expect(() => renderXyChart({ title: 'empty', times: [], series: [] })).toThrow(
      'chart "empty" has no samples to draw',
    );
  });
});

describe('Mermaid strings and numbers', () => {
  it('leaves plain text as it is, in quotes', () => {
    expect(mermaidString('image-processing on us-east: 12:30')).toBe(
      '"image-processing on us-east: 12:30"',
    );
  });

  it('writes numbers without exponents', () => {
    expect([1e21, 1.5e-7, 0.1 + 0.2, -3, 123456789].map(mermaidNumber)).toEqual([
      '1000000000000000000000',
      '0',
      '0.3',
      '-3',
      '123456789',
    ]);
  });
});
