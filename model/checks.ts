/** A field's path inside a spec, e.g. `['scaling', 'maxReplicas']`. */
export type Path = readonly (string | number)[];

/** Records one problem at a path. */
export type AddProblem = (path: Path, message: string) => void;

/** Adds a problem unless `value` is a whole number from `min` to `max`. */
export function checkRange(
  value: number,
  min: number,
  max: number,
  path: Path,
  add: AddProblem,
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    add(path, `(${value}) must be a whole number from ${min} to ${max}`);
  }
}

/** `declared: a, b` or `none declared`, for messages about unknown names. */
export function listOf(names: readonly string[]): string {
  return names.length > 0 ? `declared: ${names.join(', ')}` : 'none declared';
}
