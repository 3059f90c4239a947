/**
 * Reads until `done` holds, every `intervalMs`, and returns that value. Past
 * the deadline it throws, naming what was awaited, what was expected and the
 * last value read (or the last error, when every read failed).
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: {
    /** What is read, for the message: `depth of queue x`. */
    readonly what: string;
    /** What `done` waits for, for the message: `7`. */
    readonly expected: string;
    readonly timeoutMs: number;
    /** @default 250 */
    readonly intervalMs?: number;
  },
): Promise<T> {
  const started = Date.now();
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await read();
      if (done(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() - started > options.timeoutMs) break;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
  const read_ =
    last === undefined
      ? 'nothing'
      : 'value' in last
        ? JSON.stringify(last.value)
        : `an error: ${last.error instanceof Error ? last.error.message : String(last.error)}`;
  throw new Error(
    `${options.what}: expected ${options.expected}, read ${read_} after ${Date.now() - started} ms`,
  );
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A deadline for `Promise.race` that does not keep the process alive once the race is won. */
export const raceDeadline = (ms: number) =>
  new Promise((resolve) => setTimeout(resolve, ms).unref());
