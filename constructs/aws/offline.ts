/**
 * The explicit offline mode of the app: stacks synthesized for a `terraform plan`
 * that needs no cloud account and no network (`npm run plan:offline`). Only the
 * entry points (`main.ts`, `scripts/`) read the environment; they pass the result
 * down as `offline` to `applyBackend` and `awsProvider`.
 */
export const OFFLINE_ENV = 'FLEET_OFFLINE';

/** `FLEET_OFFLINE`: `1` or `true` for offline, unset, empty, `0` or `false` for a real synth. */
export function parseOfflineMode(value: string | undefined): boolean {
  const normalized = (value ?? '').trim().toLowerCase();
  if (normalized === '' || normalized === '0' || normalized === 'false') return false;
  if (normalized === '1' || normalized === 'true') return true;
  throw new Error(`${OFFLINE_ENV} must be 1 (offline plan) or 0, got '${value}'`);
}
