import { validateAgentStacks } from './agent-stacks';
import { AwsSiteSpec, clusterSiteOf } from './aws-site';
import { clusterSiteOfAzure } from './azure-site';
import { BrokerSpec, brokerSite, rabbitMqBrokers } from './broker';
import { listOf } from './checks';
import { AgentDeployment, environmentNameProblem, FleetEnvironment } from './environment';
import { HostsSiteSpec } from './hosts-site';
import { Problem } from './problems';
import { KubernetesSiteSpec } from './site';
import { StateModel, stateModelOf } from './state';
import { resolveTopicBinding } from './topic-binding';
import {
  validateAgent,
  validateAgentOnSite,
  validateBroker,
  validateBrokerPlacement,
} from './validate';
import { sqsDeadLetterQueue } from './validate-bindings';
import { validateAgentOnHosts, validateHostsSite } from './validate-hosts';

/**
 * Checks of an environment's cloud resources that span several of its parts,
 * which the model's rules see one at a time: a managed broker against the AWS
 * site that builds it, and the bindings of different agents against each other.
 */

/** What an environment-wide check needs to know. */
export interface EnvironmentFacts {
  /** The environment's name, which starts the names of its managed brokers. */
  readonly name: string;
  /** Whether the environment serves production: its managed brokers must then run highly available. */
  readonly production: boolean;
}

/**
 * Problems of a managed broker (MSK, Amazon MQ) on the AWS site that builds it,
 * with paths relative to the broker: the name its infra stack gives it
 * (`<environment>-<site>-<broker>`), MSK's brokers spread evenly over the site's
 * zones, Amazon MQ's production cluster on an `mq.m5` type.
 * @param site the AWS site that builds the broker
 */
export function managedBrokerProblems(
  environment: EnvironmentFacts,
  broker: BrokerSpec,
  site: AwsSiteSpec,
): Problem[] {
  const problems: Problem[] = [];
  if (broker.kind === 'kafka' && broker.msk) {
    const zones = site.network.availabilityZones.length;
    const count = broker.msk.brokerCount;
    // A count out of range is the model's to report.
    if (count !== undefined && count >= 3 && count <= 30 && count % zones !== 0) {
      problems.push({
        path: ['msk', 'brokerCount'],
        message: `(${count}) must be a multiple of the ${zones} availability zones of site '${site.name}': MSK puts as many brokers in each zone`,
      });
    }
  }
  if (broker.kind === 'rabbitmq' && broker.amazonMq) {
    const instanceType = broker.amazonMq.instanceType;
    if (environment.production && instanceType && !instanceType.startsWith('mq.m5.')) {
      problems.push({
        path: ['amazonMq', 'instanceType'],
        message: `'${instanceType}' cannot run the three-node cluster (CLUSTER_MULTI_AZ) of a production environment: use an mq.m5 type such as 'mq.m5.large'`,
      });
    }
  }
  return problems;
}

/** A problem of one agent on one site, caused by another agent's binding. */
export interface BindingConflict {
  /** Name of the agent the problem is reported against: of two clashing agents, the later in file order. */
  readonly agent: string;
  /** Name of the site that agent is placed on. */
  readonly site: string;
  /** What is wrong, worded to follow the agent's name, e.g. `reads topic 'orders' of broker ...`. */
  readonly message: string;
}

/**
 * Problems between the cloud bindings of different agents, each reported
 * against the later of the two in file order:
 * - two agents reading one Kafka topic in one consumer group, which would
 *   split its partitions between them;
 * - an SQS queue or dead-letter queue name used twice on one site (each SQS
 *   binding creates queues of its own, and names are unique in a region);
 * - a Service Bus queue name used twice on one broker (each binding creates
 *   its queue);
 * - with `complete`, an agent publishing to an SQS or Service Bus queue no
 *   agent of the broker's site consumes, which the fleet therefore does not create;
 * - an agent keeping state of one shape on a site and of another on a second
 *   site (each site picks its engine; the agent's code reads one shape).
 * @param complete whether every agent of the environment was placed; the last
 *   check is skipped otherwise, since the consumer may be one that failed
 */
export function bindingConflicts(
  deployments: readonly AgentDeployment[],
  brokers: readonly BrokerSpec[],
  complete: boolean,
): BindingConflict[] {
  const conflicts: BindingConflict[] = [];
  const kindOf = (name: string) => brokers.find((broker) => broker.name === name);
  const groups = new Map<string, string>();
  const sqsNames = new Map<string, { agent: string; role: string }>();
  const serviceBusQueues = new Map<string, string>();
  const shapes = new Map<string, { site: string; model: StateModel }>();
  for (const { site, agent } of deployments) {
    const report = (message: string) => conflicts.push({ agent: agent.name, site, message });
    if (agent.state) {
      const model = stateModelOf(agent.state);
      const first = shapes.get(agent.name);
      if (first && first.model !== model) {
        report(
          `keeps its state as '${model}' here but as '${first.model}' on site '${first.site}': an agent keeps one shape of state on every site (each site picks the engine); set the same 'state.model' on both`,
        );
      } else if (!first) shapes.set(agent.name, { site, model });
    }
    const topic = agent.topic;
    if (topic && kindOf(topic.broker)?.kind === 'kafka') {
      const resolved = resolveTopicBinding(topic, agent.name, agent.scaling?.maxReplicas ?? 1);
      const key = [resolved.broker, resolved.topic, resolved.consumerGroup].join('\u0000');
      const other = groups.get(key);
      if (other !== undefined && other !== agent.name) {
        report(
          `reads topic '${resolved.topic}' of broker '${resolved.broker}' in consumer group '${resolved.consumerGroup}', as agent '${other}' does: agents in one group split the partitions, so each would miss the records the other reads; set a 'topic.consumerGroup' of its own`,
        );
      } else groups.set(key, agent.name);
    }
    const queue = agent.queue;
    const broker = queue && kindOf(queue.broker);
    if (queue && broker?.kind === 'sqs') {
      const names: [string, string][] = [
        [queue.queue, 'queue'],
        [sqsDeadLetterQueue(queue), 'dead-letter queue'],
      ];
      const taken = names
        .map(([name]) => ({ name, by: sqsNames.get(`${broker.site}\u0000${name}`) }))
        .find(({ by }) => by !== undefined && by.agent !== agent.name);
      if (taken?.by) {
        report(
          `binds SQS queue '${queue.queue}' (dead-letter queue '${names[1][0]}') on site '${broker.site}', where '${taken.name}' is already the ${taken.by.role} of agent '${taken.by.agent}': each SQS binding creates queues of its own, named uniquely in the site's region; name another queue`,
        );
      } else {
        for (const [name, role] of names) {
          sqsNames.set(`${broker.site}\u0000${name}`, { agent: agent.name, role });
        }
      }
    }
    if (queue && broker?.kind === 'servicebus') {
      const key = `${broker.name}\u0000${queue.queue.toLowerCase()}`;
      const other = serviceBusQueues.get(key);
      if (other !== undefined && other !== agent.name) {
        report(
          `binds Service Bus queue '${queue.queue}' of broker '${broker.name}', which agent '${other}' already consumes: each binding creates a queue of its own (names are case-insensitive); name another queue`,
        );
      } else serviceBusQueues.set(key, agent.name);
    }
  }
  if (!complete) return conflicts;
  for (const { site, agent } of deployments) {
    for (const target of agent.publishes ?? []) {
      const broker = kindOf(target.broker);
      if (broker?.kind !== 'sqs' && broker?.kind !== 'servicebus') continue;
      const [label, article] = broker.kind === 'sqs' ? ['SQS', 'an'] : ['Service Bus', 'a'];
      const home = brokerSite(broker);
      const consumed = deployments.some(
        (other) =>
          other.site === home &&
          other.agent.queue?.broker === broker.name &&
          other.agent.queue.queue === target.queue,
      );
      if (!consumed) {
        conflicts.push({
          agent: agent.name,
          site,
          message: `publishes to ${label} queue '${target.queue}' of broker '${broker.name}', which no agent of site '${home}' consumes: the fleet creates ${article} ${label} queue for its consumer only`,
        });
      }
    }
  }
  return conflicts;
}

/** `<agent>@<site>`: how a deployment is named in the paths of {@link validateEnvironment}. */
export function deploymentKey(agent: string, site: string): string {
  return `${agent}@${site}`;
}

/**
 * The checks across a whole environment that the environment files get from
 * the loader and that no single stack or construct applies, for an environment
 * declared in code (the loader calls the same functions on the files):
 * - its name;
 * - each broker against the environment's sites (`validateBroker` with the site
 *   names), a managed broker against the AWS site that builds it
 *   ({@link managedBrokerProblems}), an in-cluster RabbitMQ broker against its
 *   site's pools (`validateBrokerPlacement`);
 * - each deployment: on a declared site, once, its agent by the model's rules
 *   (`validateAgent`) and on its site (`validateAgentOnSite`);
 * - the bindings of different agents against each other ({@link bindingConflicts}).
 *
 * Paths start at the environment: `name`, `brokers.<broker>.<field>`,
 * `deployments.<agent>@<site>.<field>` (see {@link deploymentKey}).
 * @param sites check the agents of these sites only on their sites, for a
 *   synth of some sites; every site's by default
 */
export function validateEnvironment(
  environment: FleetEnvironment,
  sites?: readonly string[],
): Problem[] {
  const problems: Problem[] = [];
  const badName = environmentNameProblem(environment.name);
  if (badName) problems.push({ path: ['name'], message: badName });
  validateAgentStacks(environment.agentStacks, (path, message) => problems.push({ path, message }));
  const awsSites = environment.awsSites ?? [];
  const azureSites = environment.azureSites ?? [];
  const clusters = new Map<string, KubernetesSiteSpec>([
    ...environment.sites.map((site): [string, KubernetesSiteSpec] => [site.name, site]),
    ...awsSites.map((site): [string, KubernetesSiteSpec] => [site.name, clusterSiteOf(site)]),
    ...azureSites.map((site): [string, KubernetesSiteSpec] => [
      site.name,
      clusterSiteOfAzure(site),
    ]),
  ]);
  const hostsSites = new Map((environment.hostsSites ?? []).map((site) => [site.name, site]));
  const siteNames = [...clusters.keys(), ...hostsSites.keys()];
  const kinds = {
    aws: awsSites.map((site) => site.name),
    azure: azureSites.map((site) => site.name),
  };
  const under = (prefix: readonly (string | number)[], found: readonly Problem[]) => {
    for (const problem of found) problems.push({ ...problem, path: [...prefix, ...problem.path] });
  };
  for (const broker of environment.brokers) {
    const home = brokerSite(broker);
    const awsSite = awsSites.find((site) => site.name === home);
    under(
      ['brokers', broker.name],
      [
        ...validateBroker(broker, siteNames, kinds),
        ...(awsSite
          ? managedBrokerProblems(
              { name: environment.name, production: environment.production ?? false },
              broker,
              awsSite,
            )
          : []),
      ],
    );
  }
  for (const broker of rabbitMqBrokers(environment.brokers)) {
    const site = broker.inCluster && clusters.get(broker.inCluster.site);
    if (site) under(['brokers', broker.name], validateBrokerPlacement(site));
  }
  const seen = new Set<string>();
  for (const { site: siteName, agent } of environment.deployments) {
    const key = deploymentKey(agent.name, siteName);
    const site = clusters.get(siteName);
    const hosts = hostsSites.get(siteName);
    if (!site && !hosts) {
      problems.push({
        path: ['deployments', key, 'site'],
        message: `'${siteName}' is not a site of the environment (${listOf(siteNames)})`,
      });
      continue;
    }
    if (seen.has(key)) {
      problems.push({
        path: ['deployments', key],
        message: `agent '${agent.name}' is placed on site '${siteName}' more than once`,
      });
      continue;
    }
    seen.add(key);
    if (sites && !sites.includes(siteName)) continue;
    under(
      ['deployments', key],
      [
        ...validateAgent(agent),
        ...(site
          ? validateAgentOnSite(agent, site, environment.brokers)
          : validateAgentOnHosts(agent, hosts as HostsSiteSpec)),
      ],
    );
  }
  for (const site of hostsSites.values()) under(['hostsSites', site.name], validateHostsSite(site));
  if (problems.length > 0) return problems;
  for (const conflict of bindingConflicts(environment.deployments, environment.brokers, true)) {
    problems.push({
      path: ['deployments', deploymentKey(conflict.agent, conflict.site)],
      message: conflict.message,
    });
  }
  return problems;
}
