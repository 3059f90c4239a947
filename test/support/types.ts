/**
 * The two ways a test may hand code a value its declared type does not admit.
 * Each says why, where a bare `as never` would not.
 */

/**
 * A value the type forbids, to test the runtime check that must refuse it:
 * what a YAML file or a JavaScript caller could still pass.
 */
export function invalid<T>(value: unknown): T {
  return value as T;
}

/**
 * A value of another shape for code that only passes it through (serializes
 * it), e.g. scrape jobs with static targets in place of Kubernetes discovery,
 * for a Prometheus that runs outside any cluster.
 */
export function passedThrough<T>(value: unknown): T {
  return value as T;
}
