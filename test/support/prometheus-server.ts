import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { raceDeadline, sleep } from './poll';
import { freePorts } from './rabbitmq-server';

/**
 * A throw-away Prometheus server for integration tests, from the machine's
 * `prometheus` package (Debian: 2.42): a free loopback port, a temporary data
 * directory, and the configuration and rule files the test gives it.
 */

/** The server binary: `PROMETHEUS`, else Debian's `/usr/bin/prometheus`. */
export const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';

/**
 * Whether the server can be started. Outside CI a missing binary skips the
 * tests that need it, saying so; under `CI=true` it throws, failing them.
 */
export function prometheusAvailable(): boolean {
  if (fs.existsSync(PROMETHEUS)) return true;
  const reason =
    `prometheus not found at ${PROMETHEUS}: install Debian's 'prometheus' package ` +
    '(apt-get install --no-install-recommends prometheus) or set PROMETHEUS';
  if (process.env.CI === 'true') throw new Error(reason);
  console.warn(`Skipping the Prometheus integration tests. ${reason}`);
  return false;
}

/** What to start. */
export interface PrometheusServerOptions {
  /** `prometheus.yml`; relative paths in it are read from the directory it is written to. */
  readonly config: string;
  /** Further files (rule files) written beside the configuration, by name. @default - none */
  readonly files?: Readonly<Record<string, string>>;
  /** @default 20000 */
  readonly startTimeoutMs?: number;
}

/** One sample of an instant vector, as `/api/v1/query` returns it. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  /** The value as Prometheus printed it (`"42"`, `"NaN"`, `"+Inf"`). */
  readonly value: string;
}

/** A running server; call {@link PrometheusServer.stop} when done. */
export interface PrometheusServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Directory holding `prometheus.yml` and the other files. */
  readonly dir: string;
  readonly configPath: string;
  /** An instant query; throws unless the API answers `success` with a vector. */
  query(expr: string): Promise<PromSample[]>;
  /** `GET /api/v1/<resource>`'s `data`; throws unless the API answers `success`. */
  api(resource: string): Promise<any>;
  /** Everything the server printed so far. */
  log(): string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

/** Starts a server and resolves once `/-/ready` answers 200. */
export async function startPrometheus(options: PrometheusServerOptions): Promise<PrometheusServer> {
  const [port] = await freePorts(1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prometheus-test-'));
  const configPath = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(configPath, options.config);
  for (const [name, content] of Object.entries(options.files ?? {})) {
    fs.writeFileSync(path.join(dir, name), content);
  }
  fs.mkdirSync(path.join(dir, 'data'));

  let output = '';
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  // Last resort when the test process exits without stopping the server.
  const killOnExit = () => {
    kill(child, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    kill(child, 'SIGTERM');
    const gone = await Promise.race([
      exited.then(() => true),
      raceDeadline(10_000).then(() => false),
    ]);
    if (!gone) {
      kill(child, 'SIGKILL');
      await Promise.race([exited, raceDeadline(5_000)]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    process.off('exit', killOnExit);
  };

  const url = `http://127.0.0.1:${port}`;
  const api = async (resource: string) => {
    const response = await fetch(`${url}/api/v1/${resource}`, {
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await response.json()) as { status: string; data?: any; error?: string };
    if (body.status !== 'success') {
      throw new Error(`Prometheus ${resource}: ${response.status} ${body.error ?? ''}`);
    }
    return body.data;
  };
  const server: PrometheusServer = {
    url,
    dir,
    configPath,
    api,
    async query(expr) {
      const data = await api(`query?query=${encodeURIComponent(expr)}`);
      if (data.resultType !== 'vector') {
        throw new Error(`expected a vector from ${expr}, got ${data.resultType}`);
      }
      return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map(
        (sample) => ({ metric: sample.metric, value: sample.value[1] }),
      );
    },
    log: () => output,
    stop,
  };

  try {
    await waitForReady(server, exited, options.startTimeoutMs ?? 20_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return server;
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // already gone
  }
}

async function waitForReady(
  server: PrometheusServer,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (exitCode !== undefined) {
      throw new Error(`Prometheus exited (code ${exitCode}) while starting:\n${server.log()}`);
    }
    try {
      const response = await fetch(`${server.url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`Prometheus was not ready within ${timeoutMs} ms:\n${server.log()}`);
}
