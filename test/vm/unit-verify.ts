import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../support/temp-dir';

/**
 * `systemd-analyze verify` on unit files, in a root of their own: the units
 * under `etc/systemd/system`, a stub of each absolute command they run (an
 * empty `#!/bin/sh` script, mode 0755) and stubs of the units they require.
 * With `--root`, systemd 252 reads units and checks commands inside that
 * directory only, so the verdict does not depend on this machine's systemd
 * units or on whether Docker or Podman is installed. Of the units systemd
 * itself adds, only `sysinit.target` (a service's default `Requires=`) must
 * exist: it is stubbed too.
 */

/** The systemd-analyze binary: `SYSTEMD_ANALYZE`, else `systemd-analyze` on the PATH (Debian's `systemd` package). */
export const SYSTEMD_ANALYZE = process.env.SYSTEMD_ANALYZE ?? 'systemd-analyze';

/**
 * Whether systemd-analyze runs here. Outside CI a missing systemd-analyze
 * skips the tests that need it, saying so; under `CI=true` it throws,
 * failing them.
 */
export function systemdAnalyzeAvailable(): boolean {
  const result = spawnSync(SYSTEMD_ANALYZE, ['--version'], { encoding: 'utf8' });
  if (!result.error && result.status === 0) return true;
  const reason =
    `systemd-analyze not found ('${SYSTEMD_ANALYZE}'): install Debian's 'systemd' package ` +
    '(apt-get install --no-install-recommends systemd) or set SYSTEMD_ANALYZE';
  if (process.env.CI === 'true') throw new Error(reason);
  console.log(`Skipping the systemd-analyze verify checks. ${reason}`);
  return false;
}

/** What `systemd-analyze verify` said. */
export interface VerifyResult {
  /** Its exit status (-1 when killed). */
  readonly code: number;
  /** Everything it printed on stderr. */
  readonly stderr: string;
}

/**
 * Verifies `units` (file name to content), each template through its
 * instance `1` (`agent-x@.service` as `agent-x@1.service`).
 * @param commands absolute paths of the commands the units run, stubbed in the root
 * @param stubUnits units they require that are not theirs (e.g. `docker.service`),
 *   written as stubs (a service with `ExecStart=/bin/true`) and not verified
 */
export function verifyUnits(
  units: Readonly<Record<string, string>>,
  commands: readonly string[],
  stubUnits: readonly string[] = [],
): VerifyResult {
  const root = tempDir('unit-verify');
  const unitDir = path.join(root, 'etc/systemd/system');
  const stubDir = path.join(root, 'usr/lib/systemd/system');
  fs.mkdirSync(unitDir, { recursive: true });
  fs.mkdirSync(stubDir, { recursive: true });
  for (const [name, text] of Object.entries(units)) {
    fs.writeFileSync(path.join(unitDir, name), text);
  }
  for (const name of ['sysinit.target', ...stubUnits]) {
    // A service needs a command to load; this one is never run nor checked.
    const service = name.endsWith('.service') ? '[Service]\nExecStart=/bin/true\n' : '';
    fs.writeFileSync(path.join(stubDir, name), `[Unit]\nDescription=Stub\n${service}`);
  }
  for (const command of commands) {
    if (!path.isAbsolute(command)) throw new Error(`command ${command} is not an absolute path`);
    const file = path.join(root, command);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  const names = Object.keys(units).map((name) => name.replace(/@\.(\w+)$/, '@1.$1'));
  const result = spawnSync(SYSTEMD_ANALYZE, ['verify', `--root=${root}`, ...names], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stderr: result.stderr };
}

/** The lines of `stderr` that name one of `units` (a template also by its instances). */
export function unitComplaints(stderr: string, units: readonly string[]): string[] {
  const stems = units.map((name) => name.replace(/@?\.\w+$/, ''));
  return stderr.split('\n').filter((line) => stems.some((stem) => line.includes(stem)));
}
