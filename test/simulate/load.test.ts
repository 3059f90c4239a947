import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { formatProblem } from '../../config';
import { loadProfileSchema, toLoadShape } from '../../config/schema-load-profile';
import { Duration } from '../../model';
import {
  BURST_DEFAULTS,
  DAILY_DEFAULTS,
  DAY_SECONDS,
  loadAt,
  MAX_PROBLEMS,
  parseLoadCsv,
  readLoadCsv,
  RAMP_DEFAULTS,
  rowAt,
  shapeAt,
  shapeLoad,
  SPIKE_DEFAULTS,
  Trace,
  traceLoad,
  withDefaults,
} from '../../simulate/load';
import {
  CLUSTER_AUTOSCALER,
  CLUSTER_AUTOSCALER_FAQ_COMMIT,
  NODE_PROVISIONING,
  provisioningKind,
} from '../../simulate/provisioning';

const MINUTE = 60;
const HOUR = 3_600;

/** The problems of a CSV as the command prints them, or a failure if it parsed. */
function problems(text: string, options: Parameters<typeof parseLoadCsv>[2] = {}): string[] {
  const result = parseLoadCsv(text, 'traces/day.csv', options);
  if ('trace' in result) throw new Error('expected problems, but the trace parsed');
  return result.problems.map(formatProblem);
}

function trace(text: string): Trace {
  const result = parseLoadCsv(text, 'traces/day.csv');
  if ('problems' in result) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.trace;
}

describe('built-in shapes', () => {
  test('burst: the base, factor times the base for its duration, then the base again', () => {
    const s = withDefaults('burst', { base: 2, factor: 5, start: HOUR, duration: 15 * MINUTE });
    expect(shapeAt(s, 0)).toBe(2);
    expect(shapeAt(s, HOUR - 1)).toBe(2);
    expect(shapeAt(s, HOUR)).toBe(10);
    expect(shapeAt(s, HOUR + 15 * MINUTE - 1)).toBe(10);
    expect(shapeAt(s, HOUR + 15 * MINUTE)).toBe(2);
  });

  test('burst defaults: one replica, 10 times for 15 minutes after the first hour', () => {
    expect(BURST_DEFAULTS).toEqual({
      shape: 'burst',
      base: 1,
      factor: 10,
      start: HOUR,
      duration: 15 * MINUTE,
    });
    expect(shapeAt(BURST_DEFAULTS, HOUR + 5 * MINUTE)).toBe(10);
  });

  test('ramp: a straight line from base to peak over its duration, then peak', () => {
    const s = withDefaults('ramp', { base: 1, peak: 9, start: 100, duration: 800 });
    expect(shapeAt(s, 99)).toBe(1);
    expect(shapeAt(s, 100)).toBe(1);
    expect(shapeAt(s, 500)).toBe(5);
    expect(shapeAt(s, 900)).toBe(9);
    expect(shapeAt(s, 10 * DAY_SECONDS)).toBe(9);
    expect(shapeAt(RAMP_DEFAULTS, 2 * HOUR)).toBe(RAMP_DEFAULTS.peak);
  });

  test('ramp of no duration is a step', () => {
    const s = withDefaults('ramp', { base: 1, peak: 4, start: 10, duration: 0 });
    expect([shapeAt(s, 9), shapeAt(s, 10)]).toEqual([1, 4]);
  });

  test('daily sine: base at 02:00, peak at 14:00, a period of 24 hours', () => {
    const s = withDefaults('daily', { base: 2, peak: 12 });
    expect(shapeAt(s, 2 * HOUR)).toBeCloseTo(2, 9);
    expect(shapeAt(s, 14 * HOUR)).toBeCloseTo(12, 9);
    expect(shapeAt(s, 8 * HOUR)).toBeCloseTo(7, 9);
    for (const t of [0, 3_333, 14 * HOUR, 20 * HOUR]) {
      expect(shapeAt(s, t + DAY_SECONDS)).toBeCloseTo(shapeAt(s, t), 9);
    }
    expect(DAILY_DEFAULTS.curve).toBe('sine');
  });

  test('daily business day: base at night, ramps 07-09 and 17-19, peak in between', () => {
    const s = withDefaults('daily', { curve: 'business-day', base: 1, peak: 5 });
    expect(shapeAt(s, 6 * HOUR + 59 * MINUTE)).toBe(1);
    expect(shapeAt(s, 8 * HOUR)).toBe(3);
    expect(shapeAt(s, 9 * HOUR)).toBe(5);
    expect(shapeAt(s, 16 * HOUR + 59 * MINUTE)).toBe(5);
    expect(shapeAt(s, 18 * HOUR)).toBe(3);
    expect(shapeAt(s, 19 * HOUR)).toBe(1);
    expect(shapeAt(s, DAY_SECONDS + 12 * HOUR)).toBe(5);
  });

  test('daily startsAt shifts the time of day of the first second', () => {
    const s = withDefaults('daily', {
      curve: 'business-day',
      base: 1,
      peak: 5,
      startsAt: 9 * HOUR,
    });
    expect(shapeAt(s, 0)).toBe(5);
    expect(shapeAt(s, 10 * HOUR)).toBe(1);
  });

  test('spike: peak at once, the excess over base halving every half-life', () => {
    const s = withDefaults('spike', { base: 2, peak: 18, at: HOUR, halfLife: 10 * MINUTE });
    expect(shapeAt(s, HOUR - 1)).toBe(2);
    expect(shapeAt(s, HOUR)).toBe(18);
    expect(shapeAt(s, HOUR + 10 * MINUTE)).toBeCloseTo(10, 9);
    expect(shapeAt(s, HOUR + 20 * MINUTE)).toBeCloseTo(6, 9);
    expect(shapeAt(s, HOUR + 100 * MINUTE)).toBeCloseTo(2 + 16 / 1024, 9);
    expect(SPIKE_DEFAULTS).toMatchObject({ base: 1, peak: 20, at: HOUR, halfLife: 10 * MINUTE });
  });

  test('a shape load is the reference times the signal scale times the shape', () => {
    const load = shapeLoad(BURST_DEFAULTS, (signal) => (signal === 'orders' ? 4 : 1), {
      orders: { scale: 0.5 },
    });
    expect(loadAt(load, 'orders', 0)).toBe(2);
    expect(loadAt(load, 'orders', HOUR)).toBe(20);
    expect(loadAt(load, 'payments', HOUR)).toBe(10);
    expect(load.signals).toBeUndefined();
  });
});

describe('load traces', () => {
  test('seconds: each value holds until the next row; before the first, the first', () => {
    const t = trace('time,orders,payments\n0,5,1\n60,7.5,2\n120,0,3\n');
    const load = traceLoad(t, { payments: { scale: 10 } });
    expect(load.signals).toEqual(['orders', 'payments']);
    expect([-5, 0, 59.9, 60, 119, 120, 1e9].map((s) => loadAt(load, 'orders', s))).toEqual([
      5, 5, 5, 7.5, 7.5, 0, 0,
    ]);
    expect(loadAt(load, 'payments', 61)).toBe(20);
  });

  test('ISO-8601 timestamps count from the first row, time zones included', () => {
    const t = trace(
      [
        'time,orders',
        '2026-03-02T09:00:00Z,5',
        '2026-03-02T09:01:00.5Z,7',
        '2026-03-02T11:00:00+01:00,9',
        '2026-03-02T10:00:00-01:00,3',
      ].join('\r\n'),
    );
    expect([...t.times]).toEqual([0, 60.5, HOUR, 2 * HOUR]);
    expect(loadAt(traceLoad(t), 'orders', 3_599)).toBe(7);
  });

  test('lookups out of order give the same values as in order', () => {
    const times = Float64Array.from({ length: 1000 }, (_, i) => i * 3);
    const inOrder = Array.from({ length: 3000 }, (_, s) => rowAt(times, s));
    let hint = 0;
    const hinted = Array.from({ length: 3000 }, (_, s) => (hint = rowAt(times, s, hint)));
    const shuffled = [2999, 0, 1500, 3, 2, 1000].map((s) => rowAt(times, s, 500));
    expect(hinted).toEqual(inOrder);
    expect(inOrder[2999]).toBe(999);
    expect(shuffled).toEqual([999, 0, 500, 1, 0, 333]);
  });

  test('a series refuses a signal the trace has no column for', () => {
    const load = traceLoad(trace('time,orders\n0,1\n'));
    expect(() => loadAt(load, 'payments', 0)).toThrow(
      "traces/day.csv has no column 'payments' (has: orders)",
    );
  });

  test('non-numeric, negative, backwards, unknown column: one line per bad cell', () => {
    const csv = 'time,orders,payments,ordres\n0,1,2,3\n60,abc,-3,1\n30,1,1,1\n';
    expect(problems(csv, { signals: ['orders', 'payments'] })).toEqual([
      "traces/day.csv:1:22 unknown signal 'ordres' (known: orders, payments)",
      "traces/day.csv:3:4 orders: 'abc' is not a number: a value is a decimal number of 0 or more, e.g. 12.5",
      "traces/day.csv:3:8 payments: '-3' is negative: a value is a decimal number of 0 or more, e.g. 12.5",
      "traces/day.csv:4:1 time: '30' is not after the previous row's time '60': times must ascend",
    ]);
  });

  test('times: not a time, and seconds mixed with timestamps', () => {
    expect(problems('time,orders\nnoon,1\n')).toEqual([
      "traces/day.csv:2:1 time: 'noon' is not a time: a time is seconds from the start (a number of 0 or more) or an ISO-8601 timestamp with a time zone, e.g. 2026-03-02T09:00:00Z",
    ]);
    expect(problems('time,orders\n2026-02-30T00:00:00Z,1\n')[0]).toMatch(
      /^traces\/day\.csv:2:1 time: '2026-02-30T00:00:00Z' is not a time: /,
    );
    expect(problems('time,orders\n0,1\n2026-03-02T09:00:00Z,1\n')).toEqual([
      "traces/day.csv:3:1 time: '2026-03-02T09:00:00Z' is a timestamp but the first row's time is seconds: write every time the same way",
    ]);
  });

  test('an empty file, a header without rows or signals, a short row', () => {
    const example =
      "a load trace has a header 'time,<signal>,...' and one row per change, e.g. 'time,orders' then '0,12.5'";
    expect(problems('')).toEqual([`traces/day.csv:1:1 is empty: ${example}`]);
    expect(problems('\n \n')).toEqual([`traces/day.csv:1:1 is empty: ${example}`]);
    expect(problems('time,orders\n')).toEqual([
      `traces/day.csv:1:1 has a header and no rows: ${example}`,
    ]);
    expect(problems('ts,orders\n0,1\n')).toEqual([
      "traces/day.csv:1:1 first column is 'ts': the first column is 'time'",
    ]);
    expect(problems('time,orders,orders\n0,1,1\n')).toEqual([
      "traces/day.csv:1:13 column 'orders' is named twice: each signal has one column",
    ]);
    expect(problems('time,orders\n0,1,2\n0')).toEqual([
      'traces/day.csv:2:5 row has 3 cells, the header 2: one time and one value per signal',
      'traces/day.csv:3:2 row has 1 cells, the header 2: one time and one value per signal',
    ]);
  });

  test('too many rows, too many bytes, too many signals', () => {
    expect(problems('time,orders\n0,1\n1,1\n2,1\n3,1\n', { maxRows: 3 })).toEqual([
      'traces/day.csv:5:1 has more than 3 rows: a load trace may have at most 3',
    ]);
    expect(problems('time,orders\n0,1\n', { maxBytes: 10 })).toEqual([
      'traces/day.csv:1:1 is 16 bytes: a load trace may be at most 10',
    ]);
    expect(problems('time,a,b\n0,1,1\n1,1,1\n2,1,1\n', { maxValues: 5 })).toEqual([
      'traces/day.csv:4:1 has more than 5 values (rows times signals): a load trace may have at most 5',
    ]);
    expect(problems('time,a,b,c\n0,1,1,1\n', { maxSignals: 2 })).toEqual([
      'traces/day.csv:1:10 the header names 3 signals: a load trace may have at most 2',
    ]);
  });

  test('a file of bad cells stops after the problem limit', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `${i},x`).join('\n');
    const found = problems(`time,orders\n${rows}\n`);
    expect(found).toHaveLength(MAX_PROBLEMS + 1);
    expect(found[MAX_PROBLEMS]).toBe(
      `traces/day.csv:${MAX_PROBLEMS + 1}:4 has more than 100 problems: fix these first, the rest of the file was not read`,
    );
  });

  test('a day of one row a second parses and replays quickly', () => {
    const lines = Array.from({ length: DAY_SECONDS }, (_, s) => `${s},${s % 97}`);
    const started = performance.now();
    const t = trace(`time,orders\n${lines.join('\n')}\n`);
    const load = traceLoad(t);
    let sum = 0;
    for (let s = 0; s < DAY_SECONDS; s++) sum += loadAt(load, 'orders', s);
    expect(sum).toBe(lines.reduce((acc, _, s) => acc + (s % 97), 0));
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('reading a trace file', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'load-trace-'));
    fs.mkdirSync(path.join(root, 'traces'));
    fs.writeFileSync(path.join(root, 'traces', 'day.csv'), '\uFEFFtime,orders\n0,3\n');
    fs.writeFileSync(path.join(root, 'traces', 'latin1.csv'), Buffer.from([0x74, 0xe9, 0x0a]));
    fs.writeFileSync(path.join(os.tmpdir(), `outside-${path.basename(root)}.csv`), 'time,a\n0,1\n');
    fs.symlinkSync(
      path.join(os.tmpdir(), `outside-${path.basename(root)}.csv`),
      path.join(root, 'traces', 'link.csv'),
    );
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(path.join(os.tmpdir(), `outside-${path.basename(root)}.csv`), { force: true });
  });

  test('reads a trace inside the root, a byte order mark ignored', () => {
    const result = readLoadCsv(root, 'traces/day.csv');
    expect('trace' in result && result.trace).toMatchObject({
      file: 'traces/day.csv',
      signals: ['orders'],
    });
  });

  test('refuses paths outside the root, missing files, folders, big and non-UTF-8 files', () => {
    expect(
      ['../x.csv', '/etc/passwd', 'traces/link.csv', 'traces/none.csv', 'traces'].map((p) =>
        readLoadCsv(root, p),
      ),
    ).toEqual([
      { refused: "'../x.csv' leads outside the root directory" },
      { refused: "'/etc/passwd' is not a path relative to the root directory" },
      { refused: "'traces/link.csv' leads outside the root directory" },
      { refused: "'traces/none.csv' does not exist" },
      { refused: "'traces' is not a regular file" },
    ]);
    expect(readLoadCsv(root, 'traces/day.csv', { maxBytes: 8 })).toEqual({
      refused: "'traces/day.csv' is 19 bytes: a load trace may be at most 8",
    });
    expect(readLoadCsv(root, 'traces/latin1.csv')).toEqual({
      refused: "'traces/latin1.csv' is not UTF-8 text: a load trace is a CSV file in UTF-8",
    });
  });
});

describe('loadProfile schema', () => {
  const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
    loadProfileSchema,
  );

  test('accepts each shape, a trace, and per-signal scales', () => {
    for (const profile of [
      { shape: 'burst' },
      {
        shape: 'burst',
        base: 2,
        factor: 20,
        start: '30m',
        duration: '1h',
        signals: { orders: { scale: 2 } },
      },
      { shape: 'ramp', peak: 40, duration: '2h' },
      { shape: 'daily', curve: 'business-day', startsAt: '8h' },
      { shape: 'spike', peak: 50, at: '10m', halfLife: '5m' },
      { trace: 'traces/black-friday.csv', signals: { orders: { scale: 1.5 } } },
    ]) {
      expect([profile, validate(profile)]).toEqual([profile, true]);
    }
  });

  test('refuses an unknown shape, keys of another shape, a trace with a shape, negative loads', () => {
    for (const profile of [
      { shape: 'bursty' },
      { shape: 'burst', peak: 3 },
      { shape: 'ramp', factor: 3 },
      { shape: 'burst', trace: 'x.csv' },
      { shape: 'spike', base: -1 },
      { shape: 'daily', curve: 'weekly' },
      { trace: 'x.csv', signals: { orders: { scale: -1 } } },
      { signals: {} },
    ]) {
      expect([profile, validate(profile)]).toEqual([profile, false]);
    }
  });

  test('a parsed shape profile becomes a shape with the defaults for what it leaves out', () => {
    expect(toLoadShape({ shape: 'burst', factor: 3, duration: Duration.parse('30m') })).toEqual({
      ...BURST_DEFAULTS,
      factor: 3,
      duration: 30 * MINUTE,
    });
    expect(toLoadShape({ shape: 'spike', halfLife: Duration.parse('1m') })).toEqual({
      ...SPIKE_DEFAULTS,
      halfLife: MINUTE,
    });
  });
});

describe('provisioning table', () => {
  const tables = { ...NODE_PROVISIONING, ...CLUSTER_AUTOSCALER };

  test('every entry has whole seconds of 0 or more, an https source and a note', () => {
    for (const [name, entry] of Object.entries(tables)) {
      expect([name, Number.isInteger(entry.seconds) && entry.seconds >= 0]).toEqual([name, true]);
      for (const url of [entry.source, ...(entry.seeAlso ?? [])]) {
        expect([name, new URL(url).protocol]).toEqual([name, 'https:']);
      }
      expect(entry.note.length).toBeGreaterThan(40);
    }
  });

  test('clouds provision, fixed nodes do not', () => {
    expect(NODE_PROVISIONING['fixed-nodes']).toMatchObject({ seconds: 0, provisions: false });
    for (const kind of [
      'eks-managed-node-group',
      'aks-node-pool',
      'ec2-auto-scaling-group',
      'azure-vm-scale-set',
    ] as const) {
      expect([
        kind,
        NODE_PROVISIONING[kind].provisions,
        NODE_PROVISIONING[kind].seconds > 0,
      ]).toEqual([kind, true, true]);
    }
    expect(provisioningKind('aws')).toBe('eks-managed-node-group');
    expect(provisioningKind('aws', true)).toBe('ec2-auto-scaling-group');
    expect(provisioningKind('azure', true)).toBe('azure-vm-scale-set');
    expect(provisioningKind('hosts')).toBe('fixed-nodes');
  });

  test('the cluster autoscaler timings are the upstream defaults at the pinned commit', () => {
    expect(CLUSTER_AUTOSCALER.scanInterval.seconds).toBe(10);
    expect(CLUSTER_AUTOSCALER.scaleDownUnneededTime.seconds).toBe(600);
    expect(CLUSTER_AUTOSCALER.scaleDownDelayAfterAdd.seconds).toBe(600);
    expect(CLUSTER_AUTOSCALER.scanInterval.source).toContain(
      `kubernetes/autoscaler/blob/${CLUSTER_AUTOSCALER_FAQ_COMMIT}/cluster-autoscaler/FAQ.md`,
    );
  });
});
