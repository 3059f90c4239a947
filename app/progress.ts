/** Carriage return and ANSI "erase to the end of the line": rewrites a terminal line in place. */
const CLEAR_LINE = '\r\x1b[K';
/** Interactive mode redraws its line at most this often. */
const REDRAW_MS = 100;
/** Plain mode prints a line on each new step of this many percent. */
const STEP_PERCENT = 10;

/** Where progress is written: a stream, a terminal when `isTTY` is true. */
export type ProgressStream = NodeJS.WritableStream & {
  readonly isTTY?: boolean;
  /** Width of the terminal; an interactive line is cut to fit it. */
  readonly columns?: number;
};

/** Options of {@link startProgress}. */
export interface ProgressOptions {
  /** What is being done, the start of every line, e.g. `synth`. */
  readonly label: string;
  /** How many units there are in all. @default - unknown: counts without a percentage */
  readonly total?: number;
  /** What is counted, in the plural, e.g. `sites`. @default 'steps' */
  readonly unit?: string;
  /** @default process.stderr */
  readonly stream?: ProgressStream;
  /**
   * One line rewritten in place (a terminal), or plain lines (CI, pipes, files).
   * @default stream.isTTY && process.env.CI !== 'true'
   */
  readonly interactive?: boolean;
  /** Plain mode: at most one line per this many ms, besides each 10 % step. @default 5000 */
  readonly intervalMs?: number;
  /** Clock in ms. @default Date.now */
  readonly now?: () => number;
}

/** A running progress report; see {@link startProgress}. */
export interface Progress {
  /** `done` units are done; `detail` says what is being done now. */
  update(done: number, detail?: string): void;
  /**
   * Writes a line of its own, to `stream` (default: the progress stream), above
   * an interactive progress line, which is cleared first and drawn again after.
   */
  log(line: string, stream?: NodeJS.WritableStream): void;
  /** Clears an interactive line and prints `<label>: <figures>`; later calls do nothing. */
  finish(figures: string): void;
}

/**
 * Reports how far a long command is. On a terminal (and outside CI) one line,
 * `synth: 12/50 sites (24 %), 8.1 s, prod/us-east-3`, is rewritten in place at
 * most every 100 ms; elsewhere the same line is printed as plain text (never a
 * `\r`) when a new 10 % step is reached or `intervalMs` has passed since the
 * last one. Updates write nothing between those moments, and no timer runs.
 */
export function startProgress(options: ProgressOptions): Progress {
  const stream: ProgressStream = options.stream ?? process.stderr;
  const interactive = options.interactive ?? (stream.isTTY === true && process.env.CI !== 'true');
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 5000;
  const unit = options.unit ?? 'steps';
  const started = now();
  let state: { done: number; detail?: string } | undefined;
  let drawn = false;
  let lastWrite = Number.NEGATIVE_INFINITY;
  let lastStep = 0;
  let finished = false;

  const line = (): string => {
    const { done, detail } = state!;
    const total = options.total;
    const count =
      total === undefined
        ? `${done} ${unit}`
        : `${done}/${total} ${unit} (${total > 0 ? Math.floor((done * 100) / total) : 100} %)`;
    const seconds = `${((now() - started) / 1000).toFixed(1)} s`;
    return [`${options.label}: ${count}`, seconds, ...(detail ? [detail] : [])].join(', ');
  };
  const fit = (text: string): string =>
    stream.columns && text.length >= stream.columns ? text.slice(0, stream.columns - 1) : text;
  const draw = () => {
    if (!state) return;
    stream.write(`${CLEAR_LINE}${fit(line())}`);
    drawn = true;
    lastWrite = now();
  };
  const clear = () => {
    if (drawn) stream.write(CLEAR_LINE);
    drawn = false;
  };
  const step = (done: number): number =>
    options.total ? Math.floor((done * 100) / options.total / STEP_PERCENT) : 0;

  return {
    update(done, detail) {
      if (finished) return;
      state = { done, detail };
      if (interactive) {
        if (now() - lastWrite >= REDRAW_MS || done === options.total) draw();
        return;
      }
      const reached = step(done);
      const due = now() - Math.max(lastWrite, started) >= intervalMs;
      if (reached > lastStep || due) {
        stream.write(`${line()}\n`);
        lastWrite = now();
        lastStep = Math.max(lastStep, reached);
      }
    },
    log(text, target = stream) {
      if (finished || !interactive) {
        target.write(`${text}\n`);
        return;
      }
      clear();
      target.write(`${text}\n`);
      draw();
    },
    finish(figures) {
      if (finished) return;
      finished = true;
      if (interactive) clear();
      stream.write(`${options.label}: ${figures}\n`);
    },
  };
}
