import { Construct } from 'constructs';
import {
  AgentCloudBindings,
  AzureSiteSpec,
  BrokerSpec,
  DEFAULT_KEDA_NAMESPACE,
  Duration,
  KEDA_OPERATOR_SERVICE_ACCOUNT,
  keyValueState,
  Problem,
  ResolvedAgent,
  SiteCloudBindings,
  ValidationError,
} from '../../model';
import { AgentIdentity, WORKLOAD_IDENTITY_USE_LABEL } from './agent-identity';
import { CosmosDbAccount, CosmosDbContainer, FLEET_DATABASE } from './cosmos-db';
import { EVENT_HUBS_KAFKA_PORT, EventHubsNamespace, EventHubTopic } from './event-hubs';
import { planVirtualNetwork } from './network';
import { AgentServiceBusQueue, ServiceBusNamespace } from './service-bus';
import { AgentScaleSet, ScaleSetSignal } from './vm-scale-set';

/**
 * Ports of the private endpoints agents reach: HTTPS (Cosmos DB in gateway
 * mode, Service Bus over WebSockets) and AMQP over TLS (Service Bus).
 */
const PRIVATE_ENDPOINT_PORTS = [443, 5671] as const;

/** Whether an agent sends to queues of the site. */
function publishesTo(agent: ResolvedAgent): boolean {
  return (agent.spec.publishes ?? []).length > 0;
}

/** Props of {@link AzureSiteAgents}. */
export interface AzureSiteAgentsProps {
  /** Name of the environment; with the site's and the agent's, it names the identities. */
  readonly environment: string;
  /** The Azure site: its location, resource group and scale sets. */
  readonly site: AzureSiteSpec;
  /** The agents placed on the site, resolved, with the site's overrides applied. */
  readonly agents: readonly ResolvedAgent[];
  /** The brokers reachable on the site. */
  readonly brokers: readonly BrokerSpec[];
  /** The site's resource group; the caller creates it. */
  readonly resourceGroupName: string;
  /** Azure region of the identities and scale sets. @default - the site's location */
  readonly location?: string;
  /** The site's AKS cluster: its OIDC issuer signs the tokens of the agents' service accounts. */
  readonly cluster: { readonly oidcIssuerUrl: string };
  /** The site's Service Bus namespaces by broker name. @default - none */
  readonly serviceBus?: ReadonlyMap<string, ServiceBusNamespace>;
  /** The site's Event Hubs namespaces by broker name. @default - none */
  readonly eventHubs?: ReadonlyMap<string, EventHubsNamespace>;
  /** The site's Cosmos DB account, required when an agent keeps state. @default - none */
  readonly cosmos?: CosmosDbAccount;
  /** Subnet of the agents' VM scale sets (`PrivateVirtualNetwork.agentSubnetId`). */
  readonly agentSubnetId: string;
  /** Namespace of KEDA on the cluster. @default 'keda' */
  readonly kedaNamespace?: string;
}

/** How long a dead-letter event hub keeps what it holds, within its tier's limit. */
const DEAD_LETTER_HUB_RETENTION = Duration.days(14);
const MAX_HUB_RETENTION = { Standard: Duration.days(7), Premium: Duration.days(90) } as const;

/** An event hub to build: merged over the agents that read it. */
interface HubPlan {
  readonly broker: string;
  readonly name: string;
  partitions: number;
  retention: Duration;
  readonly consumerGroups: Set<string>;
}

/**
 * The cloud side of an Azure site's agents:
 * - per agent with a queue on a Service Bus broker, its {@link AgentServiceBusQueue}
 *   in the broker's namespace (named after the binding's queue);
 * - per topic bound on an Event Hubs broker, an {@link EventHubTopic} with the
 *   consumer groups of its readers and at least as many partitions as the largest
 *   reader resolves to, and its dead-letter hub (`<topic>.dlq` by default, 14 days
 *   or the tier's most) when dead-lettering is on;
 * - per stateful agent, a {@link CosmosDbContainer} named after it in the site's
 *   account (partitioned on its partition key; Cosmos DB has no sort key, so items
 *   are addressed by partition key and `id`);
 * - per agent on the AKS cluster, an {@link AgentIdentity} `<env>-<site>-<agent>`
 *   federated to its service account `<namespace>:<agent>`, granted exactly what its
 *   bindings need: receive on its queue, send to the Service Bus queues it publishes
 *   to, receive on its event hub and send to its dead-letter hub, read and write its
 *   container; none when it needs nothing. Its pods get the identity through the
 *   bindings' service-account annotation and the workload identity label;
 * - per agent placed on a scaling group, an identity with the same grants (no
 *   federated service account) and an {@link AgentScaleSet} in the agents' subnet,
 *   scaled on its queue's active messages per instance;
 * - KEDA's identity `<env>-<site>-keda`, federated to `<kedaNamespace>:keda-operator`,
 *   holding Azure Service Bus Data Owner on exactly the queues of the cluster's agents
 *   that scale on queue depth, and nothing else: the role KEDA's scaler needs to read a
 *   queue's message count (`Manage`), which also lets it send, receive and change
 *   those queues (see {@link AgentServiceBusQueue.grantScaleReader}).
 * Every problem (a scale set without the site's `vmAdmin`, a publish target no agent
 * of the site consumes, a broker or database the site does not build) is reported
 * at once, before anything is built. Children take the agent's name (`<agent>/Identity`,
 * `<agent>/ScaleSet`); queues, hubs and containers are children of their namespace or
 * account, named after the queue, hub or agent: renaming one replaces it.
 * @see https://learn.microsoft.com/azure/aks/workload-identity-overview
 * @see https://keda.sh/docs/latest/scalers/azure-service-bus/
 */
export class AzureSiteAgents extends Construct {
  /** What the cluster's platform and agents stacks need. */
  readonly bindings: SiteCloudBindings;
  /** Service Bus queues by the name of the agent consuming them. */
  readonly queues: ReadonlyMap<string, AgentServiceBusQueue>;
  /** Event hubs, dead-letter hubs included, by `<broker>/<hub>`. */
  readonly hubs: ReadonlyMap<string, EventHubTopic>;
  /** Cosmos DB containers by agent name. */
  readonly containers: ReadonlyMap<string, CosmosDbContainer>;
  /** Scale sets by agent name. */
  readonly scaleSets: ReadonlyMap<string, AgentScaleSet>;
  /** Agent identities by agent name. */
  readonly identities: ReadonlyMap<string, AgentIdentity>;
  /** KEDA's identity; undefined when no agent of the cluster scales on a Service Bus queue. */
  readonly kedaIdentity?: AgentIdentity;

  constructor(scope: Construct, id: string, props: AzureSiteAgentsProps) {
    super(scope, id);
    const { site } = props;
    const location = props.location ?? site.location;
    const serviceBus = props.serviceBus ?? new Map<string, ServiceBusNamespace>();
    const eventHubs = props.eventHubs ?? new Map<string, EventHubsNamespace>();
    const resolved = props.agents;
    const brokerKind = (name: string) => props.brokers.find((b) => b.name === name)?.kind;
    const isServiceBus = (broker: string) => brokerKind(broker) === 'servicebus';
    const isEventHubs = (broker: string) =>
      props.brokers.some((b) => b.name === broker && b.kind === 'kafka' && b.eventHubs);
    const problems: Problem[] = [];
    const add = (path: (string | number)[], message: string) => problems.push({ path, message });

    // Who consumes each Service Bus queue of the site, by `<broker>/<queue>`.
    const consumers = new Map<string, string>();
    const hubPlans = new Map<string, HubPlan>();
    const planHub = (broker: string, name: string, partitions: number, retention: Duration) => {
      const key = `${broker}/${name}`;
      const known = hubPlans.get(key);
      const hub = known ?? { broker, name, partitions, retention, consumerGroups: new Set() };
      hub.partitions = Math.max(hub.partitions, partitions);
      if (retention.isLongerThan(hub.retention)) hub.retention = retention;
      hubPlans.set(key, hub);
      return hub;
    };
    for (const agent of resolved) {
      const name = agent.spec.name;
      const queue = agent.queue;
      if (queue && isServiceBus(queue.broker)) {
        const key = `${queue.broker}/${queue.queue}`;
        if (!serviceBus.has(queue.broker)) {
          add(
            [name, 'queue', 'broker'],
            `Service Bus broker '${queue.broker}' is not built on site '${site.name}'`,
          );
        } else if (consumers.has(key)) {
          add(
            [name, 'queue', 'queue'],
            `Service Bus queue '${queue.queue}' is already consumed by agent '${consumers.get(key)}': each agent type has a queue of its own`,
          );
        } else consumers.set(key, name);
      }
      const topic = agent.topic;
      if (topic && isEventHubs(topic.broker)) {
        const namespace = eventHubs.get(topic.broker);
        if (!namespace) {
          add(
            [name, 'topic', 'broker'],
            `Event Hubs broker '${topic.broker}' is not built on site '${site.name}'`,
          );
        } else {
          planHub(topic.broker, topic.topic, topic.partitions, topic.retention).consumerGroups.add(
            topic.consumerGroup,
          );
          if (topic.deadLetter.enabled) {
            const max = MAX_HUB_RETENTION[namespace.sku];
            const retention = DEAD_LETTER_HUB_RETENTION.isLongerThan(max)
              ? max
              : DEAD_LETTER_HUB_RETENTION;
            planHub(topic.broker, topic.deadLetter.topic, topic.partitions, retention);
          }
        }
      }
      if (agent.spec.state && !props.cosmos) {
        add(
          [name, 'state'],
          `site '${site.name}' was given no Cosmos DB account to keep the agent's state in`,
        );
      }
      if (agent.spec.placement?.scalingGroup) {
        if (!site.vmAdmin) {
          add(
            [name, 'placement', 'scalingGroup'],
            `site '${site.name}' declares no 'vmAdmin': a scale set needs its administrator's SSH public key (password login is off)`,
          );
        }
        if (!queue || !isServiceBus(queue.broker) || !agent.spec.scaling?.queueDepth) {
          add(
            [name, 'placement', 'scalingGroup'],
            "needs a 'queue' binding on a Service Bus broker and 'scaling.queueDepth': a scale set follows its queue's active messages per instance",
          );
        }
      }
      if (name === 'keda') {
        add([name], `'keda' names the identity of KEDA on site '${site.name}': rename the agent`);
      }
    }
    resolved.forEach((agent) => {
      (agent.spec.publishes ?? []).forEach((target, index) => {
        if (!isServiceBus(target.broker)) return;
        if (!consumers.has(`${target.broker}/${target.queue}`)) {
          add(
            [agent.spec.name, 'publishes', index, 'queue'],
            `no agent of site '${site.name}' consumes Service Bus queue '${target.queue}', so the fleet does not create it`,
          );
        }
      });
    });
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const queues = new Map<string, AgentServiceBusQueue>();
    const queueByKey = new Map<string, AgentServiceBusQueue>();
    for (const agent of resolved) {
      const binding = agent.spec.queue;
      if (!binding || !isServiceBus(binding.broker)) continue;
      const queue = serviceBus.get(binding.broker)!.addQueue({ binding });
      queues.set(agent.spec.name, queue);
      queueByKey.set(`${binding.broker}/${binding.queue}`, queue);
    }
    const hubs = new Map<string, EventHubTopic>();
    for (const [key, hub] of hubPlans) {
      hubs.set(
        key,
        eventHubs.get(hub.broker)!.addTopic({
          name: hub.name,
          partitions: hub.partitions,
          retention: hub.retention,
          consumerGroups: [...hub.consumerGroups].sort(),
        }),
      );
    }
    const containers = new Map<string, CosmosDbContainer>();
    for (const agent of resolved) {
      const state = keyValueState(agent.spec.state);
      if (!state || !props.cosmos) continue;
      containers.set(
        agent.spec.name,
        props.cosmos.addContainer({ name: agent.spec.name, partitionKey: state.partitionKey }),
      );
    }
    this.queues = queues;
    this.hubs = hubs;
    this.containers = containers;

    /** What an agent's identity is granted, as grant calls; empty when it needs nothing. */
    const grantsOf = (agent: ResolvedAgent): ((identity: AgentIdentity) => void)[] => {
      const name = agent.spec.name;
      const grants: ((identity: AgentIdentity) => void)[] = [];
      const queue = queues.get(name);
      if (queue) grants.push((identity) => queue.grantReceive(identity));
      const published = new Set(
        (agent.spec.publishes ?? []).map((target) =>
          queueByKey.get(`${target.broker}/${target.queue}`),
        ),
      );
      for (const target of published) {
        if (target) grants.push((identity) => target.grantSend(identity));
      }
      const topic = agent.topic;
      const hub = topic && hubs.get(`${topic.broker}/${topic.topic}`);
      if (topic && hub) {
        grants.push((identity) => hub.grantReceive(identity));
        const deadLetter =
          topic.deadLetter.enabled && hubs.get(`${topic.broker}/${topic.deadLetter.topic}`);
        if (deadLetter) grants.push((identity) => deadLetter.grantSend(identity));
      }
      const container = containers.get(name);
      if (container) grants.push((identity) => container.grantReadWrite(identity));
      return grants;
    };

    const identities = new Map<string, AgentIdentity>();
    const scaleSets = new Map<string, AgentScaleSet>();
    const agentBindings: Record<string, AgentCloudBindings> = {};
    for (const agent of resolved) {
      const name = agent.spec.name;
      const grants = grantsOf(agent);
      const group = agent.spec.placement?.scalingGroup;
      if (!group && grants.length === 0) continue;
      const agentScope = new Construct(this, name);
      const identity = new AgentIdentity(agentScope, 'Identity', {
        name: `${props.environment}-${site.name}-${name}`,
        resourceGroupName: props.resourceGroupName,
        location,
        oidcIssuerUrl: props.cluster.oidcIssuerUrl,
        serviceAccounts: group ? undefined : [{ namespace: agent.namespace, name }],
      });
      identities.set(name, identity);
      grants.forEach((grant) => grant(identity));
      const queue = queues.get(name);
      const namespace = agent.queue && serviceBus.get(agent.queue.broker);
      const container = containers.get(name);
      const cosmos = container && props.cosmos;

      if (group) {
        // Checked above: the site has a vmAdmin, the agent a Service Bus queue and queueDepth.
        const admin = site.vmAdmin!;
        const binding = agent.queue!;
        const scaling = agent.spec.scaling!;
        scaleSets.set(
          name,
          new AgentScaleSet(agentScope, 'ScaleSet', {
            agent,
            resourceGroupName: props.resourceGroupName,
            location,
            subnetId: props.agentSubnetId,
            vmSize: group.instanceType,
            adminSshPublicKey: admin.sshPublicKey,
            adminUsername: admin.username,
            identity,
            signal: ScaleSetSignal.serviceBusQueue({
              namespaceId: queue!.namespaceId,
              queueName: binding.queue,
              perInstance: scaling.queueDepth!.perReplica,
            }),
            capacity: { minimum: scaling.minReplicas, maximum: scaling.maxReplicas },
            zones: site.network.zones,
            env: {
              FLEET_QUEUE_KIND: 'servicebus',
              FLEET_SERVICEBUS_NAMESPACE: namespace!.fullyQualifiedName,
              FLEET_QUEUE_NAME: binding.queue,
              FLEET_MAX_PROCESSING_SECONDS: String(binding.maxProcessingTime.toSecondsCeil()),
              ...(cosmos
                ? {
                    FLEET_COSMOS_ENDPOINT: cosmos.endpoint,
                    FLEET_COSMOS_DATABASE: FLEET_DATABASE,
                    FLEET_COSMOS_CONTAINER: name,
                  }
                : {}),
            },
          }),
        );
        continue;
      }

      const topic = agent.topic;
      const hubNamespace =
        topic && hubs.has(`${topic.broker}/${topic.topic}`)
          ? eventHubs.get(topic.broker)
          : undefined;
      agentBindings[name] = {
        identity: {
          cloud: 'azure',
          region: site.location,
          serviceAccountAnnotations: identity.serviceAccountAnnotations(),
          podLabels: { ...WORKLOAD_IDENTITY_USE_LABEL },
        },
        queue:
          queue && namespace
            ? {
                kind: 'servicebus',
                namespace: queue.namespaceName,
                fullyQualifiedNamespace: namespace.fullyQualifiedName,
                queue: agent.queue!.queue,
              }
            : undefined,
        kafka: hubNamespace && {
          bootstrapServers: hubNamespace.kafkaBootstrapServers,
          port: EVENT_HUBS_KAFKA_PORT,
          auth: 'azure-entra-id',
          networkCidr: site.network.cidr,
        },
        store: cosmos && {
          kind: 'cosmos',
          endpoint: cosmos.endpoint,
          database: FLEET_DATABASE,
          container: name,
        },
        // Service Bus and Cosmos DB answer on private endpoints in their own subnet.
        privateEgress:
          (queue && namespace) || cosmos || publishesTo(agent)
            ? [
                {
                  cidr: planVirtualNetwork(site.network.cidr).privateEndpoints,
                  ports: [...PRIVATE_ENDPOINT_PORTS],
                },
              ]
            : undefined,
      };
    }
    this.identities = identities;
    this.scaleSets = scaleSets;

    const scaledOnQueues = resolved
      .filter((agent) => !agent.spec.placement?.scalingGroup && agent.spec.scaling?.queueDepth)
      .map((agent) => queues.get(agent.spec.name))
      .filter((queue): queue is AgentServiceBusQueue => queue !== undefined);
    if (scaledOnQueues.length > 0) {
      const keda = new AgentIdentity(this, 'KedaIdentity', {
        name: `${props.environment}-${site.name}-keda`,
        resourceGroupName: props.resourceGroupName,
        location,
        oidcIssuerUrl: props.cluster.oidcIssuerUrl,
        serviceAccounts: [
          {
            namespace: props.kedaNamespace ?? DEFAULT_KEDA_NAMESPACE,
            name: KEDA_OPERATOR_SERVICE_ACCOUNT,
          },
        ],
      });
      scaledOnQueues.forEach((queue) => queue.grantScaleReader(keda));
      this.kedaIdentity = keda;
    }
    this.bindings = {
      kedaAzureIdentity: this.kedaIdentity && {
        clientId: this.kedaIdentity.clientId,
        tenantId: site.tenantId,
      },
      agents: agentBindings,
    };
  }
}
