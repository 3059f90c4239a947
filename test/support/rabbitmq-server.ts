import { ChildProcess, execFile, execFileSync, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { enabledPluginsFile, serverConfig } from '../../generators/rabbitmq';
import { raceDeadline, sleep } from './poll';

/**
 * A throw-away RabbitMQ node for integration tests, from the machine's
 * `rabbitmq-server` package (Debian: RabbitMQ 3.10): free ports, a unique node
 * name, its own Erlang cookie, epmd, data and log directories, and the
 * project's own `rabbitmq.conf` (`serverConfig()`).
 *
 * The scripts under `/usr/lib/rabbitmq/bin` are run directly, not Debian's
 * `/usr/sbin` wrappers: run as root, those `su` to `rabbitmq`, which resets
 * HOME (so the node would share `/var/lib/rabbitmq/.erlang.cookie`) and the
 * working directory. As root the node runs as the `rabbitmq` user, whose
 * directories are chowned to it; as anyone else it runs as that user.
 */

/** Where the package's own scripts are; `RABBITMQ_SBIN` overrides. */
export const RABBITMQ_SBIN = process.env.RABBITMQ_SBIN ?? '/usr/lib/rabbitmq/bin';

/**
 * Whether the broker can be started. Outside CI a missing server skips the
 * tests that need it, saying so; under `CI=true` it fails.
 */
export function rabbitMqAvailable(): boolean {
  if (fs.existsSync(path.join(RABBITMQ_SBIN, 'rabbitmq-server'))) return true;
  const reason = `rabbitmq-server not found in ${RABBITMQ_SBIN}: install it (apt-get install rabbitmq-server) or set RABBITMQ_SBIN`;
  if (process.env.CI === 'true') throw new Error(reason);
  console.warn(`Skipping the RabbitMQ integration tests. ${reason}`);
  return false;
}

/** Version of the installed server, from its install path (`.../rabbitmq_server-3.10.8/sbin`). */
export function rabbitMqVersion(): [number, number, number] | undefined {
  try {
    const real = fs.realpathSync(path.join(RABBITMQ_SBIN, 'rabbitmq-server'));
    const match = /rabbitmq_server-(\d+)\.(\d+)\.(\d+)/.exec(real);
    return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `definitions.local.path` may name a directory. Before the fix for
 * rabbitmq/rabbitmq-server#7685 (PR #7689, in 3.12.0 and backported to later
 * 3.10/3.11 patches) a node imports a directory only with
 * `definitions.skip_if_unchanged`; otherwise its boot fails with
 * `{could_not_read_defs,{Dir,eisdir}}`. 3.10.8 (Debian 12) has that bug. The
 * exact 3.10/3.11 patches that carry the fix are not pinned here, so anything
 * before 3.12 counts as without it.
 */
export function definitionsDirectorySupported(version = rabbitMqVersion()): boolean {
  if (!version) return false;
  const [major, minor] = version;
  return major > 3 || (major === 3 && minor >= 12);
}

/** Ports of a running node. */
export interface RabbitMqPorts {
  readonly amqp: number;
  readonly management: number;
  readonly prometheus: number;
  /** Erlang distribution (`RABBITMQ_DIST_PORT`). */
  readonly distribution: number;
  /** `ERL_EPMD_PORT`: the node starts its own epmd there. */
  readonly epmd: number;
  /** Distribution port of the CLI tools (`RABBITMQ_CTL_DIST_PORT_MIN/MAX`). */
  readonly cli: number;
}

/** What to start. */
export interface RabbitMqServerOptions {
  /**
   * Definition files by name (`topology.json`, ...), imported at boot. They
   * are written into the `definitionsDir` that `rabbitmq.conf` names, or, on
   * a server that cannot import a directory (see
   * {@link definitionsDirectorySupported}), merged in name order into one file
   * that `definitionsDir` then names.
   */
  readonly definitions: Readonly<Record<string, object>>;
  /**
   * Ports to listen on, for a caller that must know them before the node
   * is up (see {@link freeRabbitMqPorts}).
   * @default - free ports, chosen at start
   */
  readonly ports?: RabbitMqPorts;
  /** @default ['rabbitmq_management', 'rabbitmq_prometheus'] */
  readonly plugins?: readonly string[];
  /** @default 60000 */
  readonly bootTimeoutMs?: number;
  /** Work to do while the node boots; if it throws, the node is stopped. */
  readonly whileBooting?: () => void | Promise<void>;
  /**
   * How often queue statistics (message counts in the management API and on
   * `/metrics/detailed`) are refreshed; see {@link statisticsConfig}.
   * @default - the server's defaults, 5 s
   */
  readonly statisticsIntervalMs?: number;
}

/** A running node; call {@link RabbitMqServer.stop} when done. */
export interface RabbitMqServer {
  readonly nodeName: string;
  readonly ports: RabbitMqPorts;
  /** `http://127.0.0.1:<management port>` */
  readonly managementUrl: string;
  /** What `definitions.local.path` names. */
  readonly definitionsPath: string;
  readonly definitionsLayout: 'directory' | 'single-file';
  readonly version?: [number, number, number];
  /** `rabbitmq.conf` as the node read it. */
  readonly config: string;
  /** Everything the node printed so far. */
  log(): string;
  /** Kills the node and its epmd by pid, and removes its directories. */
  stop(): Promise<void>;
}

/**
 * `advanced.config` (so that `rabbitmq.conf` stays the project's own) for
 * statistics every `intervalMs`: queues emit them at
 * `collect_statistics_interval` (quorum queues at `quorum_tick_interval`),
 * and the management agent collects them at the shortest period of its
 * sample retention policies, in whole seconds.
 * @see https://www.rabbitmq.com/docs/management#statistics-interval
 * @see https://github.com/rabbitmq/rabbitmq-server/blob/v3.10.x/deps/rabbitmq_management_agent/src/rabbit_mgmt_metrics_collector.erl
 */
export function statisticsConfig(intervalMs: number): string {
  const ms = Math.round(intervalMs);
  const seconds = Math.max(1, Math.round(intervalMs / 1000));
  const retention = ['global', 'basic', 'detailed'].map((p) => `{${p}, [{605, ${seconds}}]}`);
  return (
    `[{rabbit, [{collect_statistics_interval, ${ms}}, {quorum_tick_interval, ${ms}}]},\n` +
    ` {rabbitmq_management_agent, [{sample_retention_policies, [${retention.join(', ')}]}]}].\n`
  );
}

/** Binds port 0 `count` times at once, on every interface, and returns the ports given. */
/** Ports {@link freePorts} handed out in this process: never handed out twice. */
const handedOut = new Set<number>();

/**
 * `count` ports free now, none handed out before in this process: servers
 * chosen ports for may start later (a RabbitMQ node binds its ports while it
 * boots), and another server of the same test must not be given one of them.
 */
export async function freePorts(count: number): Promise<number[]> {
  const held: net.Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = await new Promise<net.Server>((resolve, reject) => {
        const candidate = net.createServer();
        candidate.once('error', reject);
        candidate.listen(0, () => resolve(candidate));
      });
      held.push(server);
      const port = (server.address() as net.AddressInfo).port;
      if (!handedOut.has(port)) ports.push(port);
    }
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
  for (const port of ports) handedOut.add(port);
  return ports;
}

/** Free ports for every listener of a node. */
export async function freeRabbitMqPorts(): Promise<RabbitMqPorts> {
  const [amqp, management, prometheus, distribution, epmd, cli] = await freePorts(6);
  return { amqp, management, prometheus, distribution, epmd, cli };
}

/** Merges definition documents: arrays of the same key are concatenated in order. */
export function mergeDefinitions(documents: readonly object[]): Record<string, unknown[]> {
  const merged: Record<string, unknown[]> = {};
  for (const document of documents) {
    for (const [key, value] of Object.entries(document)) {
      if (!Array.isArray(value)) throw new Error(`definitions key '${key}' is not a list`);
      merged[key] = [...(merged[key] ?? []), ...value];
    }
  }
  return merged;
}

interface RunAs {
  readonly uid?: number;
  readonly gid?: number;
}

/** The `rabbitmq` user when we are root; ourselves otherwise. */
function runAs(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'rabbitmq'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

function chownTree(dir: string, user: RunAs): void {
  if (user.uid === undefined || user.gid === undefined) return;
  fs.chownSync(dir, user.uid, user.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(entryPath, user);
    else fs.chownSync(entryPath, user.uid, user.gid);
  }
}

/**
 * Starts a node and resolves once it has imported its definitions ("Server
 * startup complete") and its management API answers.
 */
export async function startRabbitMq(options: RabbitMqServerOptions): Promise<RabbitMqServer> {
  const ports = options.ports ?? (await freeRabbitMqPorts());
  const { amqp, management, prometheus, distribution, epmd, cli } = ports;
  const version = rabbitMqVersion();
  const user = runAs();

  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'rabbitmq-test-'));
  const dirs = {
    home: path.join(base, 'home'),
    mnesia: path.join(base, 'mnesia'),
    log: path.join(base, 'log'),
    definitions: path.join(base, 'definitions'),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir);

  const directory = definitionsDirectorySupported(version);
  const names = Object.keys(options.definitions).sort();
  let definitionsPath: string;
  if (directory) {
    for (const name of names) {
      fs.writeFileSync(
        path.join(dirs.definitions, name),
        JSON.stringify(options.definitions[name], null, 2),
      );
    }
    definitionsPath = dirs.definitions;
  } else {
    definitionsPath = path.join(dirs.definitions, 'definitions.json');
    const merged = mergeDefinitions(names.map((name) => options.definitions[name]));
    fs.writeFileSync(definitionsPath, JSON.stringify(merged, null, 2));
  }

  const config = serverConfig({
    definitionsDir: definitionsPath,
    amqpPort: amqp,
    managementPort: management,
    prometheusPort: prometheus,
  });
  const files = {
    config: path.join(base, 'rabbitmq.conf'),
    plugins: path.join(base, 'enabled_plugins'),
    envConf: path.join(base, 'rabbitmq-env.conf'),
    pid: path.join(base, 'rabbitmq.pid'),
    cookie: path.join(dirs.home, '.erlang.cookie'),
    advanced: path.join(base, 'advanced.config'),
  };
  fs.writeFileSync(files.config, config);
  if (options.statisticsIntervalMs !== undefined) {
    fs.writeFileSync(files.advanced, statisticsConfig(options.statisticsIntervalMs));
  }
  fs.writeFileSync(
    files.plugins,
    enabledPluginsFile(options.plugins ?? ['rabbitmq_management', 'rabbitmq_prometheus']),
  );
  // Empty: keeps /etc/rabbitmq/rabbitmq-env.conf out.
  fs.writeFileSync(files.envConf, '');
  const cookie = randomBytes(24)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase();
  fs.writeFileSync(files.cookie, cookie, { mode: 0o400 });
  chownTree(base, user);

  const nodeName = `agent-fleet-test-${process.pid}-${randomBytes(3).toString('hex')}@localhost`;
  const env: NodeJS.ProcessEnv = {
    PATH: `${process.env.PATH ?? ''}:/usr/sbin:/usr/bin:/sbin:/bin`,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    HOME: dirs.home,
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_MNESIA_BASE: dirs.mnesia,
    RABBITMQ_LOG_BASE: dirs.log,
    RABBITMQ_CONFIG_FILE: files.config,
    RABBITMQ_ADVANCED_CONFIG_FILE: files.advanced,
    RABBITMQ_ENABLED_PLUGINS_FILE: files.plugins,
    RABBITMQ_CONF_ENV_FILE: files.envConf,
    RABBITMQ_PID_FILE: files.pid,
    RABBITMQ_DIST_PORT: String(distribution),
    ERL_EPMD_PORT: String(epmd),
    RABBITMQ_CTL_DIST_PORT_MIN: String(cli),
    RABBITMQ_CTL_DIST_PORT_MAX: String(cli),
  };

  let output = '';
  const child = spawn(path.join(RABBITMQ_SBIN, 'rabbitmq-server'), [], {
    cwd: base,
    env,
    ...user,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const append = (chunk: Buffer) => {
    // eslint-disable-next-line no-control-regex
    output += chunk.toString('utf8').replace(/\u001b\[[0-9;]*m/g, '');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  // Last resort when the test process exits without stopping the node.
  const killOnExit = () => {
    const beam = readPid(files.pid);
    for (const pid of [beam, child.pid, ...epmdPids(epmd)]) {
      try {
        if (pid !== undefined) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.rmSync(base, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopNode(child, exited, files.pid);
    await killEpmd(env, epmd);
    fs.rmSync(base, { recursive: true, force: true });
    process.off('exit', killOnExit);
  };

  const server: RabbitMqServer = {
    nodeName,
    ports,
    managementUrl: `http://127.0.0.1:${management}`,
    definitionsPath,
    definitionsLayout: directory ? 'directory' : 'single-file',
    version,
    config,
    log: () => output,
    stop,
  };

  try {
    await options.whileBooting?.();
    await waitForBoot(server, exited, options.bootTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return server;
}

async function waitForBoot(
  server: RabbitMqServer,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  // The error lines, then the last lines (which list the applications stopped).
  const tail = () => {
    const lines = server.log().split('\n');
    const errors = lines.filter((line) => line.includes('[error]'));
    return [...errors.slice(0, 20), '...', ...lines.slice(-10)].join('\n');
  };
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`RabbitMQ exited (code ${exitCode}) while booting:\n${tail()}`);
    }
    if (/Server startup complete/.test(server.log())) {
      try {
        // Any HTTP answer will do: who may read what is for the tests to say.
        await fetch(`${server.managementUrl}/api/overview`, {
          signal: AbortSignal.timeout(2_000),
        });
        return;
      } catch {
        // not listening yet
      }
    }
    await sleep(200);
  }
  throw new Error(`RabbitMQ did not boot within ${timeoutMs} ms:\n${tail()}`);
}

function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  user: RunAs,
  timeoutMs: number,
): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env, ...user, timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}` }),
    );
  });
}

/**
 * Kills the node and its start script by pid. The node is thrown away with
 * its directories, and a graceful stop (`rabbitmqctl stop`, or SIGTERM) would
 * take seconds, mostly shutting its quorum queues down.
 */
async function stopNode(
  child: ChildProcess,
  exited: Promise<number | null>,
  pidFile: string,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  for (const pid of [readPid(pidFile), child.pid]) {
    try {
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const gone = await Promise.race([
    exited.then(() => true),
    raceDeadline(10_000).then(() => false),
  ]);
  if (!gone) console.warn(`RabbitMQ (pid file ${pidFile}) did not exit after SIGKILL`);
}

/**
 * The node starts an epmd daemon on its own port, which outlives it:
 * `epmd -kill` stops it once no node is registered. Failing that, the epmd
 * whose environment names this port is killed by pid.
 */
async function killEpmd(env: NodeJS.ProcessEnv, port: number): Promise<void> {
  const result = await run('epmd', ['-kill'], env, {}, 10_000);
  for (let attempt = 0; attempt < 20; attempt++) {
    const pids = epmdPids(port);
    if (pids.length === 0) return;
    if (attempt === 10 || !result.ok) {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await sleep(100);
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Live epmd processes started with `ERL_EPMD_PORT=<port>` (zombies are not counted). */
function epmdPids(port: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(epmd)') || / Z /.test(stat.slice(stat.lastIndexOf(')')))) continue;
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.includes(`ERL_EPMD_PORT=${port}`)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}
