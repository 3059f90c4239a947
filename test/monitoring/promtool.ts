import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The promtool binary: `PROMTOOL`, else `promtool` on the PATH (Debian's `prometheus` package). */
export const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

/**
 * Whether promtool runs here. Outside CI a missing promtool skips the tests
 * that need it, saying so; under `CI=true` it throws, failing them.
 */
export function promtoolAvailable(): boolean {
  const result = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' });
  if (!result.error && result.status === 0) return true;
  const reason =
    `promtool not found ('${PROMTOOL}'): install Debian's 'prometheus' package ` +
    '(apt-get install --no-install-recommends prometheus) or set PROMTOOL';
  if (process.env.CI === 'true') throw new Error(reason);
  console.log(`Skipping the promtool checks. ${reason}`);
  return false;
}

/** Runs promtool in `cwd`; returns its exit status and everything it printed. */
export function runPromtool(
  args: readonly string[],
  cwd: string,
): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL, [...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * Whether this promtool knows `kubernetes_sd_configs`. Debian builds
 * Prometheus without Kubernetes discovery (its client libraries are not
 * packaged), so its `check config` rejects the field outright.
 */
export function promtoolHasKubernetesSd(dir: string): boolean {
  const file = path.join(dir, 'kubernetes-sd-probe.yml');
  fs.writeFileSync(
    file,
    'scrape_configs:\n  - job_name: probe\n    kubernetes_sd_configs:\n      - role: pod\n',
  );
  return runPromtool(['check', 'config', file], dir).status === 0;
}
