import { formatPath, ValidationError } from '../model';
import { ConstructSources } from './construct-sources';
import { formatProblem } from './problems';

/** What a guardrail finding needs to be placed: its rule, level, message and construct path. */
interface PlacedFinding {
  readonly rule: string;
  readonly level: string;
  readonly path: string;
  readonly message: string;
}

/**
 * The lines of a construct's validation error, each at the file, line and
 * column of the value that caused it where the environment files hold it,
 * naming the construct and field only where they do not lead to the value.
 */
export function formatValidationError(error: ValidationError, sources: ConstructSources): string[] {
  return error.problems.map((problem) => {
    const field = formatPath(problem.path);
    const position = sources.locate(error.scope, problem.path);
    if (!position) return `${error.scope}: '${field}': ${problem.message}`;
    const context = position.exact || field === '' ? '' : ` ('${field}' of ${error.scope})`;
    return formatProblem({ ...position, message: `${problem.message}${context}` });
  });
}

/** A guardrail finding at the file and line of the entry its resource was built from. */
export function formatPlacedFinding(finding: PlacedFinding, sources: ConstructSources): string {
  const text = `[${finding.rule}] ${finding.level}: ${finding.message} (${finding.path})`;
  const position = sources.locate(finding.path);
  return position ? formatProblem({ ...position, message: text }) : text;
}
