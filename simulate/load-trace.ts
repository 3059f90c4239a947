import { ConfigProblem } from '../config/problems';

/**
 * Recorded load as CSV: a header `time,<signal>,<signal>...` and one row per
 * change. `time` is seconds from the start (a number of 0 or more) or an
 * ISO-8601 timestamp with a time zone (`2026-03-02T09:00:00Z`,
 * `2026-03-02T10:00:00.5+01:00`), counted from the first row's; every row
 * writes it the same way. A value is the load of its signal from that time
 * until the next row's: for a queue, messages arriving per second; for a
 * Prometheus signal, the value of the metric the agent scales on (what the
 * query returns). Before the first row the load is the first row's, after the
 * last the last row's.
 *
 * A trace is held to limits, so that whatever the file, parsing takes bounded
 * time and memory: at most `maxBytes` of text, `maxRows` rows, `maxSignals`
 * signals and `maxValues` values (8 bytes each), and it stops after
 * `MAX_PROBLEMS` problems.
 */

/** A parsed trace: times ascending, values row by row. */
export interface Trace {
  /** The file it was read from, as problems name it. */
  readonly file: string;
  /** The signals, in the order of the header's columns. */
  readonly signals: readonly string[];
  /** Each row's time, seconds from the first row's time when timestamps, else as written; ascending. */
  readonly times: Float64Array;
  /** Row-major values: row `r`'s value of signal `s` is `values[r * signals.length + s]`. */
  readonly values: Float64Array;
}

/** Limits and the signals a trace may name. */
export interface LoadCsvOptions {
  /**
   * The signals the trace may name: agents' queues and Prometheus signals.
   * Any other column is a problem.
   * @default - any name is taken
   */
  readonly signals?: Iterable<string>;
  /** Most rows after the header. @default 1,000,000 ({@link MAX_ROWS}) */
  readonly maxRows?: number;
  /** Most bytes of UTF-8 text. @default 64 MiB ({@link MAX_BYTES}) */
  readonly maxBytes?: number;
  /** Most signal columns after `time`. @default 1,000 ({@link MAX_SIGNALS}) */
  readonly maxSignals?: number;
  /** Most values, rows times signals. @default 16,777,216 ({@link MAX_VALUES}) */
  readonly maxValues?: number;
}

/** Rows of a trace, at most: 11 days of one row a second. */
export const MAX_ROWS = 1_000_000;
/** Size of a trace, at most, in bytes of UTF-8. */
export const MAX_BYTES = 64 * 1024 * 1024;
/** Signals of a trace, at most: the columns after `time`. */
export const MAX_SIGNALS = 1_000;
/** Values of a trace, at most, rows times signals: 128 MiB as 8-byte numbers, a day of one row a second for 194 signals. */
export const MAX_VALUES = 16 * 1024 * 1024;
/** Problems reported of one file before parsing stops. */
export const MAX_PROBLEMS = 100;

const EXAMPLE =
  "a header 'time,<signal>,...' and one row per change, e.g. 'time,orders' then '0,12.5'";
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/;
const VALUE_ALLOWED = 'a value is a decimal number of 0 or more, e.g. 12.5';
const TIME_ALLOWED =
  'a time is seconds from the start (a number of 0 or more) or an ISO-8601 timestamp with a time zone, e.g. 2026-03-02T09:00:00Z';

const count = (n: number): string => n.toLocaleString('en-US');

/** Milliseconds since the epoch of an ISO-8601 timestamp with a zone, or undefined if not one. */
function timestampMillis(text: string): number | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = m[8] === 'Z' ? 0 : (Number(m[10]) * 60 + Number(m[11])) * (m[9] === '-' ? -1 : 1);
  if (Number(m[10] ?? 0) > 23 || Number(m[11] ?? 0) > 59) return undefined;
  const fraction = m[7] ? Number(`0${m[7]}`) * 1000 : 0;
  return Date.UTC(year, month - 1, day, hour, minute, second) + fraction - offset * 60_000;
}

/** Grows a Float64Array by doubling, so that appending is amortised O(1). */
class Column {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  done(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/** One cell of a line: its text, trimmed, and its 1-based column. */
interface Cell {
  readonly text: string;
  readonly column: number;
}

/**
 * The first `limit` cells of a line, and how many it has: a line of millions
 * of cells costs a count of its commas, not an object per cell.
 */
function cells(line: string, limit: number): { cells: Cell[]; count: number } {
  const out: Cell[] = [];
  let start = 0;
  for (;;) {
    const comma = line.indexOf(',', start);
    if (out.length === limit) {
      let count = out.length + 1;
      for (let at = comma; at >= 0; at = line.indexOf(',', at + 1)) count++;
      return { cells: out, count };
    }
    const raw = line.slice(start, comma < 0 ? line.length : comma);
    const lead = raw.length - raw.trimStart().length;
    out.push({ text: raw.trim(), column: start + lead + 1 });
    if (comma < 0) return { cells: out, count: out.length };
    start = comma + 1;
  }
}

/**
 * Parses a load trace. Never throws for bad input: returns every problem (up
 * to `MAX_PROBLEMS`), one per bad cell, each at the file, line and column of
 * the cell, with the column's signal as the field.
 *
 * @param text the file's content
 * @param file the file's path as problems name it, relative to the root directory
 */
export function parseLoadCsv(
  text: string,
  file: string,
  options: LoadCsvOptions = {},
): { trace: Trace } | { problems: ConfigProblem[] } {
  const maxRows = options.maxRows ?? MAX_ROWS;
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  const maxSignals = options.maxSignals ?? MAX_SIGNALS;
  const maxValues = options.maxValues ?? MAX_VALUES;
  const known = options.signals === undefined ? undefined : new Set(options.signals);
  const problems: ConfigProblem[] = [];
  const add = (line: number, column: number, field: string, message: string): boolean => {
    problems.push({ file, line, column, field, message });
    if (problems.length < MAX_PROBLEMS) return true;
    problems.push({
      file,
      line,
      column,
      field: '',
      message: `has more than ${count(MAX_PROBLEMS)} problems: fix these first, the rest of the file was not read`,
    });
    return false;
  };
  const refused = () => ({ problems });

  if (text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes) {
    const size = Buffer.byteLength(text, 'utf8');
    add(1, 1, '', `is ${count(size)} bytes: a load trace may be at most ${count(maxBytes)}`);
    return refused();
  }

  let lineNo = 0;
  // A byte order mark, as spreadsheets write, is not part of the header.
  let position = text.startsWith('\uFEFF') ? 1 : 0;
  /** The next line that is not blank, with its number; undefined at the end. */
  const nextLine = (): string | undefined => {
    while (position < text.length) {
      const end = text.indexOf('\n', position);
      const stop = end < 0 ? text.length : end;
      const line = text.slice(
        position,
        stop > position && text[stop - 1] === '\r' ? stop - 1 : stop,
      );
      position = stop + 1;
      lineNo++;
      if (line.trim() !== '') return line;
    }
    return undefined;
  };

  const headerLine = nextLine();
  if (headerLine === undefined) {
    add(1, 1, '', `is empty: a load trace has ${EXAMPLE}`);
    return refused();
  }
  const { cells: header, count: headerCount } = cells(headerLine, maxSignals + 2);
  const headerAt = lineNo;
  if (header[0].text !== 'time') {
    add(
      headerAt,
      header[0].column,
      '',
      `first column is '${header[0].text}': the first column is 'time'`,
    );
  }
  const signals = header.slice(1);
  if (signals.length === 0) {
    add(
      headerAt,
      headerLine.length + 1,
      '',
      `the header names no signal: a load trace has ${EXAMPLE}`,
    );
  }
  if (headerCount - 1 > maxSignals) {
    add(
      headerAt,
      signals[maxSignals].column,
      '',
      `the header names ${count(headerCount - 1)} signals: a load trace may have at most ${count(maxSignals)}`,
    );
    return refused();
  }
  const seen = new Set<string>();
  const allowed = known ? [...known].sort().join(', ') : '';
  for (const { text: name, column } of signals) {
    let ok = true;
    if (name === '')
      ok = add(headerAt, column, '', `a column has no name: name each signal's column`);
    else if (seen.has(name))
      ok = add(headerAt, column, '', `column '${name}' is named twice: each signal has one column`);
    else if (known && !known.has(name)) {
      ok = add(headerAt, column, '', `unknown signal '${name}' (known: ${allowed || 'none'})`);
    }
    if (!ok) return refused();
    seen.add(name);
  }
  const names = signals.map((cell) => cell.text);

  const times = new Column();
  const values = new Column();
  let timestamps: boolean | undefined;
  let firstMillis = 0;
  let previous: { time: number; text: string } | undefined;
  for (let line = nextLine(); line !== undefined; line = nextLine()) {
    if (times.length === maxRows) {
      add(
        lineNo,
        1,
        '',
        `has more than ${count(maxRows)} rows: a load trace may have at most ${count(maxRows)}`,
      );
      return refused();
    }
    if ((times.length + 1) * names.length > maxValues) {
      const most = count(maxValues);
      add(
        lineNo,
        1,
        '',
        `has more than ${most} values (rows times signals): a load trace may have at most ${most}`,
      );
      return refused();
    }
    const { cells: row, count: rowCount } = cells(line, header.length + 1);
    if (rowCount !== header.length) {
      const at = rowCount > header.length ? row[header.length].column : line.length + 1;
      const ok = add(
        lineNo,
        at,
        '',
        `row has ${count(rowCount)} cells, the header ${count(header.length)}: one time and one value per signal`,
      );
      if (!ok) return refused();
      times.push(NaN);
      for (let i = 0; i < names.length; i++) values.push(NaN);
      continue;
    }
    const time = row[0];
    let seconds: number | undefined;
    const millis = timestampMillis(time.text);
    if (millis !== undefined && timestamps !== false) {
      if (timestamps === undefined) firstMillis = millis;
      timestamps = true;
      seconds = (millis - firstMillis) / 1000;
    } else if (NUMBER.test(time.text) && timestamps !== true) {
      const n = Number(time.text);
      if (Number.isFinite(n) && n >= 0) {
        timestamps = false;
        seconds = n;
      }
    }
    let ok = true;
    if (seconds === undefined) {
      const mixed =
        timestamps === true && NUMBER.test(time.text)
          ? `'${time.text}' is seconds but the first row's time is a timestamp: write every time the same way`
          : timestamps === false && millis !== undefined
            ? `'${time.text}' is a timestamp but the first row's time is seconds: write every time the same way`
            : `'${time.text}' is not a time: ${TIME_ALLOWED}`;
      ok = add(lineNo, time.column, 'time', mixed);
    } else if (previous && seconds <= previous.time) {
      ok = add(
        lineNo,
        time.column,
        'time',
        `'${time.text}' is not after the previous row's time '${previous.text}': times must ascend`,
      );
    }
    if (seconds !== undefined) previous = { time: seconds, text: time.text };
    times.push(seconds ?? NaN);
    for (let i = 1; ok && i < row.length; i++) {
      const cell = row[i];
      const n = NUMBER.test(cell.text) ? Number(cell.text) : NaN;
      if (cell.text === '')
        ok = add(lineNo, cell.column, names[i - 1], `is empty: ${VALUE_ALLOWED}`);
      else if (!Number.isFinite(n)) {
        ok = add(
          lineNo,
          cell.column,
          names[i - 1],
          `'${cell.text}' is not a number: ${VALUE_ALLOWED}`,
        );
      } else if (n < 0)
        ok = add(lineNo, cell.column, names[i - 1], `'${cell.text}' is negative: ${VALUE_ALLOWED}`);
      values.push(n);
    }
    if (!ok) return refused();
  }
  if (times.length === 0 && problems.length === 0) {
    add(headerAt, 1, '', `has a header and no rows: a load trace has ${EXAMPLE}`);
  }
  if (problems.length > 0) return refused();
  return { trace: { file, signals: names, times: times.done(), values: values.done() } };
}

/**
 * The row in force at `t`: the last whose time is at most `t`, or 0 before the
 * first. O(1) when `hint` is the row of a nearby earlier call, else O(log n).
 */
export function rowAt(times: Float64Array, t: number, hint = 0): number {
  const last = times.length - 1;
  if (hint >= 0 && hint <= last && times[hint] <= t && (hint === last || times[hint + 1] > t)) {
    return hint;
  }
  const next = hint + 1;
  if (next <= last && times[next] <= t && (next === last || times[next + 1] > t)) return next;
  if (t < times[0]) return 0;
  let low = 0;
  let high = last;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (times[mid] <= t) low = mid;
    else high = mid - 1;
  }
  return low;
}
