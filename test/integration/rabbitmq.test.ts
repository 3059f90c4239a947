import { promtoolAvailable } from '../monitoring/promtool';
import { scaledAgents, synthesizeExamples } from '../support/example-environments';
import { prometheusAvailable } from '../support/prometheus-server';
import { freeRabbitMqPorts, rabbitMqAvailable } from '../support/rabbitmq-server';
import { bootBrokerNode, BrokerNode, passwordBook } from './broker-node';
import { scalingChainSuite } from './scaling-chain-suite';
import { planChain, SitePlan } from './scaling-plan';
import { SiteMonitoring, startChainMonitoring } from './site-monitoring';
import { bootTopology, topologySuite } from './topology-suite';

/**
 * Real servers, started once per run since a RabbitMQ node takes seconds to
 * boot and a Prometheus to apply its first targets: the `local` broker
 * topology as the node imports it at boot, then the scaling signal of every
 * queue- and Prometheus-driven agent of the example environments, broker
 * after broker on the same node.
 */

const available = rabbitMqAvailable();
const withPrometheus = available && prometheusAvailable() && promtoolAvailable();

(available ? describe : describe.skip)('RabbitMQ from the project rabbitmq.conf', () => {
  const examples = synthesizeExamples();
  const local = examples.find((site) => site.key === 'local/dev');
  if (!local) throw new Error('no local/dev site in the example environments');
  const plans = planChain(examples);
  const passwordOf = passwordBook();
  const boot = bootTopology(local.environment, local.site, passwordOf);

  let booting: Promise<BrokerNode> | undefined;
  let node: BrokerNode;
  let starting: Promise<Map<SitePlan, SiteMonitoring>> | undefined;
  let monitoring = new Map<SitePlan, SiteMonitoring>();

  beforeAll(async () => {
    const ports = await freeRabbitMqPorts();
    booting = bootBrokerNode(
      { 'topology.json': boot.definitions, 'users.json': boot.users },
      passwordOf,
      ports,
    );
    // Prometheus scrapes the node's port whether or not it is up yet.
    starting = withPrometheus ? startChainMonitoring(plans, ports) : undefined;
    [node, monitoring] = await Promise.all([booting, starting ?? monitoring]);
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
    // Also when beforeAll failed after a server was started.
    await Promise.all([
      booting?.then(
        (started) => started.server.stop(),
        () => undefined,
      ),
      starting?.then(
        (started) => Promise.all([...started.values()].map((site) => site.stop())),
        () => undefined,
      ),
    ]);
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
    scalingChainSuite(
      () => node,
      examples,
      plans,
      () => monitoring,
    );
  });
});
