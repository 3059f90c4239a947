/**
 * A problem found while validating a spec: the dotted path of the offending
 * field (relative to the object validated) and a message that says what is
 * allowed.
 */
export interface Problem {
  /** Path of the offending field, relative to the object validated: names and list indexes. */
  readonly path: readonly (string | number)[];
  /** What is wrong and what is allowed, e.g. `(5) must be <= 'maxReplicas' (3)`. */
  readonly message: string;
  /**
   * The field names something that does not exist: the line that set it is at
   * fault, wherever it is.
   * @default false
   */
  readonly reference?: boolean;
}

/** Thrown by constructs when eager validation finds problems; lists all of them. */
export class ValidationError extends Error {
  constructor(
    /** The construct path (or other name) of what was validated; starts the message. */
    readonly scope: string,
    /** Every problem found, in the order found. */
    readonly problems: readonly Problem[],
  ) {
    super(
      `${scope}: ${problems.length} problem(s)\n` +
        problems.map((p) => `  - '${formatPath(p.path)}': ${p.message}`).join('\n'),
    );
  }
}

/** `['scaling', 'cron', 0, 'start']` → `scaling.cron[0].start`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`,
    )
    .join('');
}
