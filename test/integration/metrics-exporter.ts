import * as http from 'http';
import { freePorts } from '../support/rabbitmq-server';

/** A loopback HTTP server exposing one gauge in Prometheus' text format. */
export interface GaugeExporter {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** Sets the value the next scrape reads. */
  set(value: number): void;
  stop(): Promise<void>;
}

/**
 * Exposes `metric` with `value`, unlabelled, on every path, as an agent's
 * metrics port would: the scrape job adds the pod's labels.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
export async function startGaugeExporter(metric: string, value: number): Promise<GaugeExporter> {
  let current = value;
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    response.end(`# TYPE ${metric} gauge\n${metric} ${current}\n`);
  });
  // Not an arbitrary free port: one the RabbitMQ node booting beside it was not given.
  const [port] = await freePorts(1);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    address: `127.0.0.1:${port}`,
    set: (next) => (current = next),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
