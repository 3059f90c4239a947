import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePorts } from './rabbitmq-server';
import { answersOk, startServerProcess } from './server-process';

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

  const url = `http://127.0.0.1:${port}`;
  const serverProcess = await startServerProcess({
    name: 'Prometheus',
    command: PROMETHEUS,
    args: [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    dir,
    ready: () => answersOk(`${url}/-/ready`),
    timeoutMs: options.startTimeoutMs ?? 20_000,
  });

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
    log: serverProcess.output,
    stop: serverProcess.stop,
  };
  return server;
}
