import { promtoolAvailable } from '../monitoring/promtool';
import { prometheusAvailable } from '../support/prometheus-server';
import { rabbitMqAvailable } from '../support/rabbitmq-server';
import { bootBrokerNode, BrokerNode, passwordBook } from './broker-node';
import { scaledAgents, synthesizeExamples } from '../support/example-environments';
import { scalingChainSuite } from './scaling-chain-suite';
import { bootTopology, topologySuite } from './topology-suite';

/**
 * Real servers, booted once per run since a RabbitMQ node takes seconds to
 * start: the `local` broker topology as the node imports it at boot, then the
 * scaling signal of every queue- and Prometheus-driven agent of the example
 * environments, broker after broker on the same node.
 */

const available = rabbitMqAvailable();
const withPrometheus = available && prometheusAvailable() && promtoolAvailable();

(available ? describe : describe.skip)('RabbitMQ from the project rabbitmq.conf', () => {
  const examples = synthesizeExamples();
  const local = examples.find((site) => site.key === 'local/dev');
  if (!local) throw new Error('no local/dev site in the example environments');
  const passwordOf = passwordBook();
  const boot = bootTopology(local.environment, local.site, passwordOf);

  let booting: Promise<BrokerNode> | undefined;
  let node: BrokerNode;

  beforeAll(async () => {
    booting = bootBrokerNode(
      { 'topology.json': boot.definitions, 'users.json': boot.users },
      passwordOf,
    );
    node = await booting;
    const { server } = node;
    if (server.definitionsLayout === 'single-file') {
      console.warn(
        `RabbitMQ ${server.version?.join('.') ?? '(unknown version)'} cannot import a definitions ` +
          `directory (rabbitmq/rabbitmq-server#7685): topology.json and users.json were merged ` +
          `into ${server.definitionsPath}, which rabbitmq.conf names instead of the directory.`,
      );
    }
  }, 90_000);

  afterAll(async () => {
    // Also when beforeAll failed after the node was spawned.
    await booting?.then(
      (started) => started.server.stop(),
      () => undefined,
    );
  }, 60_000);

  describe('the local broker topology, imported at boot', () => {
    topologySuite(
      () => node,
      boot,
      () => {
        const consumer = scaledAgents(local).find((agent) => agent.name === 'image-processing');
        if (!consumer) throw new Error('local/dev: no ScaledObject image-processing');
        return consumer.trigger;
      },
    );
  });

  (withPrometheus ? describe : describe.skip)('the scaling signal, end to end', () => {
    scalingChainSuite(() => node, examples);
  });
});
