import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { freePorts } from './rabbitmq-server';
import { answersOk, startServerProcess } from './server-process';

/**
 * A throw-away Alertmanager for integration tests, from the machine's
 * `prometheus-alertmanager` package (Debian 12: 0.25), on a free loopback
 * port without clustering, and a webhook receiver that records what it is
 * sent.
 */

/** The server binary: `ALERTMANAGER`, else Debian's `/usr/bin/prometheus-alertmanager`. */
export const ALERTMANAGER = process.env.ALERTMANAGER ?? '/usr/bin/prometheus-alertmanager';

/**
 * Whether the server can be started. Outside CI a missing binary skips the
 * tests that need it, saying so; under `CI=true` it throws, failing them.
 */
export function alertmanagerAvailable(): boolean {
  if (fs.existsSync(ALERTMANAGER)) return true;
  const reason =
    `prometheus-alertmanager not found at ${ALERTMANAGER}: install Debian's 'prometheus-alertmanager' ` +
    'package (apt-get install --no-install-recommends prometheus-alertmanager) or set ALERTMANAGER';
  if (process.env.CI === 'true') throw new Error(reason);
  console.warn(`Skipping the Alertmanager integration tests. ${reason}`);
  return false;
}

/** A running Alertmanager; call {@link AlertmanagerServer.stop} when done. */
export interface AlertmanagerServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Posts alerts to `/api/v2/alerts`, as Prometheus does. */
  post(
    alerts: readonly { labels: Record<string, string>; annotations?: Record<string, string> }[],
  ): Promise<void>;
  /** Everything the server printed so far. */
  log(): string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

/** Starts Alertmanager with `config` (an alertmanager.yml) and resolves once `/-/ready` answers 200. */
export async function startAlertmanager(config: string): Promise<AlertmanagerServer> {
  const [port] = await freePorts(1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alertmanager-test-'));
  fs.writeFileSync(path.join(dir, 'alertmanager.yml'), config);
  const url = `http://127.0.0.1:${port}`;
  const server = await startServerProcess({
    name: 'Alertmanager',
    command: ALERTMANAGER,
    args: [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    dir,
    ready: () => answersOk(`${url}/-/ready`),
    timeoutMs: 20_000,
  });

  return {
    url,
    async post(alerts) {
      const response = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(5_000),
      });
      if (response.status !== 200) {
        throw new Error(
          `Alertmanager refused the alerts: ${response.status} ${await response.text()}`,
        );
      }
    },
    log: server.output,
    stop: server.stop,
  };
}

/** A webhook receiver on loopback: what Alertmanager posted, by path. */
export interface WebhookReceiver {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Every request so far: its path and JSON body. */
  readonly received: { readonly path: string; readonly body: any }[];
  stop(): Promise<void>;
}

/** Starts a receiver answering 202 to every POST, as `ansible.eda.alertmanager` does. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: { path: string; body: any }[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: body ? JSON.parse(body) : undefined });
      response.writeHead(202, { 'content-type': 'text/plain' });
      response.end('Received');
    });
  });
  const [port] = await freePorts(1);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port,
    received,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
