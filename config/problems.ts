/**
 * Problems found in configuration files, each pinned to a file, a line, a
 * column and the field it concerns.
 */

/** One problem in a configuration file. */
export interface ConfigProblem {
  /** Path of the file relative to the root directory, with `/` separators. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** Dotted path of the field in the file, e.g. `agents.dispatcher.scaling.minReplicas`; empty for file-level problems. */
  readonly field: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/** A position in a configuration file, with the path of the field found there. */
export interface Origin {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Path of the field inside its file, e.g. `['agents', 'dispatcher', 'scaling']`. */
  readonly path: readonly (string | number)[];
}

/**
 * One line per problem: `environments/local.yaml:23:7 agents.image-processing.scaling.minReplicas: (5) must be <= 'scaling.maxReplicas' (3)`.
 */
export function formatProblem(problem: ConfigProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  return problem.field
    ? `${where} ${problem.field}: ${problem.message}`
    : `${where} ${problem.message}`;
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `['agents', 'x', 'container', 'env', 'A.B', 0]` → `agents.x.container.env["A.B"][0]`. */
export function formatField(path: readonly (string | number)[]): string {
  let field = '';
  for (const part of path) {
    if (typeof part === 'number') field += `[${part}]`;
    else if (!PLAIN_KEY.test(part)) field += `[${JSON.stringify(part)}]`;
    else field += field ? `.${part}` : part;
  }
  return field;
}

/** Collects problems, drops exact repeats, and hands them back sorted by file, line and column. */
export class ProblemList {
  private readonly byKey = new Map<string, ConfigProblem>();

  /** Records a problem at an origin; `rest` extends the origin's field path (for fields that are absent). */
  at(origin: Origin, message: string, rest: readonly (string | number)[] = []): void {
    this.add({
      file: origin.file,
      line: origin.line,
      column: origin.column,
      field: formatField([...origin.path, ...rest]),
      message,
    });
  }

  add(problem: ConfigProblem): void {
    const key = formatProblem(problem);
    if (!this.byKey.has(key)) this.byKey.set(key, problem);
  }

  get size(): number {
    return this.byKey.size;
  }

  sorted(): ConfigProblem[] {
    return [...this.byKey.values()].sort(
      (a, b) =>
        (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column,
    );
  }
}
