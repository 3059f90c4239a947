/**
 * A problem found while validating a spec: the dotted path of the offending
 * field (relative to the object validated) and a message that says what is
 * allowed.
 */
export interface Problem {
  readonly path: readonly (string | number)[];
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
    readonly scope: string,
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
