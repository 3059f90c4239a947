import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AgentSpec, Cpu, HostsSiteSpec, Size } from '../../model';
import { hostsSite, ingestAgent } from './hosts';

/**
 * Ansible's tools for tests, from the machine's packages (Debian 12:
 * ansible-core 2.14, ansible-lint 6.13), run with settings of their own so
 * that no user or system configuration leaks in, and stubs of `systemctl`
 * and the container runtime for playbooks run against localhost.
 */

/** `ansible-playbook`: `ANSIBLE_PLAYBOOK`, else Debian's `/usr/bin/ansible-playbook`. */
export const ANSIBLE_PLAYBOOK = process.env.ANSIBLE_PLAYBOOK ?? '/usr/bin/ansible-playbook';

/** `ansible-lint`: `ANSIBLE_LINT`, else Debian's `/usr/bin/ansible-lint`. */
export const ANSIBLE_LINT = process.env.ANSIBLE_LINT ?? '/usr/bin/ansible-lint';

/**
 * Whether the tools exist. Outside CI a missing one skips the tests that
 * need it, saying so; under `CI=true` it throws, failing them.
 */
export function ansibleToolsAvailable(
  tools: readonly string[] = [ANSIBLE_PLAYBOOK, ANSIBLE_LINT],
): boolean {
  const missing = tools.filter((tool) => !fs.existsSync(tool));
  if (missing.length === 0) return true;
  const reason =
    `${missing.join(', ')} not found: install Debian's 'ansible-core' and 'ansible-lint' packages ` +
    '(apt-get install --no-install-recommends ansible-core ansible-lint) or set ANSIBLE_PLAYBOOK and ANSIBLE_LINT';
  if (process.env.CI === 'true') throw new Error(reason);
  console.warn(`Skipping the Ansible checks. ${reason}`);
  return false;
}

/**
 * The environment the tools run in: the process's without its `ANSIBLE_*`
 * variables, plus a configuration file, home, temporary folders and caches
 * inside `dir`, no colour, no host key checking and no retry files.
 */
export function ansibleEnv(dir: string): NodeJS.ProcessEnv {
  const home = path.join(dir, '.ansible-home');
  for (const sub of ['tmp-local', 'tmp-remote', 'cache']) {
    fs.mkdirSync(path.join(home, sub), { recursive: true });
  }
  const config = path.join(home, 'ansible.cfg');
  fs.writeFileSync(
    config,
    [
      '[defaults]',
      'host_key_checking = False',
      'retry_files_enabled = False',
      'nocolor = True',
      '',
    ].join('\n'),
  );
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('ANSIBLE_')),
  );
  return {
    ...inherited,
    ANSIBLE_CONFIG: config,
    ANSIBLE_HOME: home,
    ANSIBLE_LOCAL_TEMP: path.join(home, 'tmp-local'),
    ANSIBLE_REMOTE_TEMP: path.join(home, 'tmp-remote'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_STDOUT_CALLBACK: 'default',
    NO_COLOR: '1',
    // ansible-lint keeps its cache (ansible-compat) here.
    XDG_CACHE_HOME: path.join(home, 'cache'),
  };
}

/** What a tool printed and how it exited. */
export interface ToolRun {
  /** Exit status; null when killed. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The command line, for messages. */
  readonly command: string;
}

/** Runs a tool to its end (at most `timeoutMs`). */
export function runTool(
  bin: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly timeoutMs?: number },
): ToolRun {
  const result = spawnSync(bin, args, {
    cwd: options.cwd,
    env: options.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  if (result.error) throw result.error;
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    command: [bin, ...args].join(' '),
  };
}

/**
 * ansible-lint with the production profile, offline, on the project in `dir`,
 * or on the files `extra` names there (`--exclude` too).
 */
export function runAnsibleLint(
  dir: string,
  env: NodeJS.ProcessEnv,
  extra: readonly string[] = [],
): ToolRun {
  return runTool(
    ANSIBLE_LINT,
    ['--profile', 'production', '--offline', '--nocolor', '--project-dir', dir, ...extra],
    { cwd: dir, env, timeoutMs: 120_000 },
  );
}

/** What ansible-lint prints when the production profile passes with nothing to say. */
export const LINT_PASSED = /Passed with production profile: 0 failure\(s\), 0 warning\(s\)/;

/** A tool's run as a message: the command, its status and output. */
export function describeRun(run: ToolRun): string {
  return `${run.command}\nexit ${run.status}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

/** One host's line of a `PLAY RECAP`. */
export interface HostRecap {
  readonly ok: number;
  readonly changed: number;
  readonly unreachable: number;
  readonly failed: number;
  readonly skipped: number;
  readonly rescued: number;
  readonly ignored: number;
}

/** The `PLAY RECAP` of `ansible-playbook`'s default output, by host; throws when there is none. */
export function playRecap(stdout: string): Record<string, HostRecap> {
  const at = stdout.lastIndexOf('PLAY RECAP');
  if (at < 0) throw new Error(`no PLAY RECAP in:\n${stdout}`);
  const recap: Record<string, HostRecap> = {};
  for (const line of stdout.slice(at).split('\n').slice(1)) {
    const match = /^(\S+)\s+:\s+(.*)$/.exec(line.trim());
    if (!match) continue;
    const counts = Object.fromEntries(
      [...match[2].matchAll(/(\w+)=(\d+)/g)].map(([, name, value]) => [name, Number(value)]),
    );
    recap[match[1]] = counts as unknown as HostRecap;
  }
  return recap;
}

/** Writes files by path relative to `dir`, making their folders. */
export function writeTree(dir: string, files: ReadonlyMap<string, string>): void {
  for (const [relative, content] of files) {
    const target = path.join(dir, relative);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
}

/** A stand-in `systemctl`: records its calls and keeps unit states as files. */
export interface SystemctlStub {
  /** The script to run as `systemctl`. */
  readonly path: string;
  /** Folder of the active units: a file per unit, named by it. */
  readonly stateDir: string;
  /** The calls so far, one line of arguments each. */
  calls(): string[];
  /** The units `try-restart` restarted (those active), in order. */
  restarted(): string[];
  /** The active units, sorted. */
  active(): string[];
  /** Marks a unit active, as if started before. */
  activate(unit: string): void;
}

/**
 * Writes a `systemctl` stub into `dir`: `is-active <unit>` answers from the
 * state folder (exit 0 `active`, else exit 3 `inactive`); `start`, `stop`
 * (globs as systemd matches them) and `try-restart` (of active units only)
 * change it; every call is recorded. Other commands (`daemon-reload`,
 * `enable`, `disable`) are only recorded.
 */
export function stubSystemctl(dir: string): SystemctlStub {
  const stateDir = path.join(dir, 'units-active');
  const log = path.join(dir, 'systemctl.calls');
  const restarts = path.join(dir, 'systemctl.restarts');
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(log, '');
  fs.writeFileSync(restarts, '');
  const script = path.join(dir, 'systemctl');
  fs.writeFileSync(
    script,
    `#!/bin/sh
# Stand-in systemctl for tests: no systemd runs here.
state='${stateDir}'
echo "$*" >> '${log}'
command="$1"
shift
case "$command" in
  is-active)
    if [ -e "$state/$1" ]; then echo active; exit 0; fi
    echo inactive; exit 3 ;;
  start) for unit in "$@"; do : > "$state/$unit"; done ;;
  stop)
    for pattern in "$@"; do
      for file in "$state"/$pattern; do [ -e "$file" ] && rm -f "$file"; done
    done ;;
  try-restart)
    for unit in "$@"; do if [ -e "$state/$unit" ]; then echo "$unit" >> '${restarts}'; fi; done ;;
  daemon-reload|enable|disable) ;;
  *) echo "stub systemctl: unknown command $command" >&2; exit 1 ;;
esac
exit 0
`,
    { mode: 0o755 },
  );
  const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return {
    path: script,
    stateDir,
    calls: () => lines(log),
    restarted: () => lines(restarts),
    active: () => fs.readdirSync(stateDir).sort(),
    activate: (unit) => fs.writeFileSync(path.join(stateDir, unit), ''),
  };
}

/** A stand-in container runtime: knows which images are present and records its calls. */
export interface RuntimeStub {
  /** The script to run as `/usr/bin/podman` or `/usr/bin/docker`. */
  readonly path: string;
  /** The calls so far, one line of arguments each. */
  calls(): string[];
  /** The images present. */
  images(): string[];
}

/**
 * Writes a `podman`/`docker` stub into `dir`, with `images` present:
 * `image exists <ref>` and `image inspect [--format=...] <ref>` exit 0 when
 * the image is present, else 1; `pull <ref>` makes it present.
 */
export function stubRuntime(dir: string, name: string, images: readonly string[]): RuntimeStub {
  const store = path.join(dir, `${name}.images`);
  const log = path.join(dir, `${name}.calls`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(store, images.map((image) => `${image}\n`).join(''));
  fs.writeFileSync(log, '');
  const script = path.join(dir, name);
  fs.writeFileSync(
    script,
    `#!/bin/sh
# Stand-in container runtime for tests.
echo "$*" >> '${log}'
for last in "$@"; do :; done
case "$1 $2" in
  "image exists"|"image inspect") grep -qxF -- "$last" '${store}' && exit 0; exit 1 ;;
esac
if [ "$1" = pull ]; then echo "$last" >> '${store}'; exit 0; fi
echo "stub ${name}: unknown command $*" >&2
exit 125
`,
    { mode: 0o755 },
  );
  const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return { path: script, calls: () => lines(log), images: () => lines(store) };
}

/** The shared hosts site with a pool of one GPU server (two GPUs) beside the warm one. */
export function gpuHostsSite(runtime: 'docker' | 'podman' = 'podman'): HostsSiteSpec {
  const site = hostsSite({ runtime });
  return {
    ...site,
    pools: [
      ...site.pools,
      {
        name: 'gpu',
        labels: { location: 'nebraska', datacenter: 'nebraska', 'hardware-type': 'gpu' },
        servers: [
          {
            name: 'ne-gpu-01',
            address: '10.20.31.11',
            cpu: Cpu.parse('16'),
            memory: Size.parse('64Gi'),
            gpu: { count: 2, model: 'nvidia-l4' },
          },
        ],
      },
    ],
  };
}

/** An agent of one instance with both GPUs of a server of {@link gpuHostsSite}'s GPU pool. */
export function gpuAgent(): AgentSpec {
  const base = ingestAgent();
  return ingestAgent({
    name: 'gpu-inference',
    container: { ...base.container, ports: { http: 8090 } },
    resources: { ...base.resources, gpu: 2 },
    scaling: { minReplicas: 1, maxReplicas: 1 },
    placement: { labels: { 'hardware-type': 'gpu' } },
  });
}
