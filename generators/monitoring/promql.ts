/**
 * A PromQL double-quoted string literal holding `value` exactly. PromQL
 * strings follow Go's escaping: backslash and double quote are escaped, and
 * control characters are written as `\xNN` so the literal stays on one line.
 * @see https://prometheus.io/docs/prometheus/latest/querying/basics/#string-literals
 */
export function promQlString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0) as number;
    if (char === '\\' || char === '"') out += `\\${char}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** One label matcher: `=` (exact), `!=`, `=~` or `!~` (RE2, fully anchored). */
export type Matcher = readonly [label: string, op: '=' | '!=' | '=~' | '!~', value: string];

/** `metric{label="value",...}` with every value escaped. */
export function selector(metric: string, matchers: readonly Matcher[]): string {
  const inner = matchers.map(([label, op, value]) => `${label}${op}${promQlString(value)}`);
  return `${metric}{${inner.join(', ')}}`;
}

/**
 * `value` as a regular expression that matches only itself (RE2, as used by
 * PromQL `=~` matchers and relabelling).
 * @see https://github.com/google/re2/wiki/Syntax
 */
export function regexLiteral(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
