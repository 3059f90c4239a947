import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AlertingRule, promQlString } from '../../generators/monitoring';

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

/** 'passed', or everything promtool said, so that a failing test shows why. */
export function verdict(result: { status: number | null; output: string }): string {
  return result.status === 0 ? 'passed' : `exit ${result.status}:\n${result.output}`;
}

/** A series in the text notation promtool's `input_series` and `exp_samples` read. */
export function series(metric: string, labels: Readonly<Record<string, string>>): string {
  const inner = Object.entries(labels).map(([name, value]) => `${name}=${promQlString(value)}`);
  return `${metric}{${inner.join(', ')}}`;
}

/**
 * An alert as `promtool test rules` expects it: the series' labels with the
 * rule's over them, and annotations with `{{ $labels.x }}` filled in.
 */
export function expectedAlert(
  rule: Pick<AlertingRule, 'labels' | 'annotations'>,
  seriesLabels: Readonly<Record<string, string>>,
) {
  const labels: Record<string, string> = { ...seriesLabels, ...rule.labels };
  const expand = (text: string) =>
    text.replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_, name: string) => labels[name] ?? '');
  return {
    exp_labels: labels,
    exp_annotations: {
      summary: expand(rule.annotations.summary),
      description: expand(rule.annotations.description),
    },
  };
}
