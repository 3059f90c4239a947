import { AgentSpec, MAX_PER_REPLICA, ProbeSpec } from './agent-spec';
import { validateAgentStack } from './agent-stacks';
import {
  brokerNamespace,
  BrokerSpec,
  inClusterKafkaOn,
  isRabbitMq,
  KafkaBrokerSpec,
  kafkaNamespace,
  RabbitMqBrokerSpec,
} from './broker';
import { AddProblem, checkRange, listOf, Path } from './checks';
import { publicExposure } from './cidr';
import { cronProblems, timeZoneProblems } from './cron';
import {
  dns1123LabelProblems,
  dns1123SubdomainProblems,
  isReservedNamespace,
  namespaceProblems,
} from './kubernetes-rules';
import { agentMachineProblems } from './machine-pools';
import { brokerPoolMatch, matchPools } from './placement';
import { Problem } from './problems';
import {
  autoscalerKind,
  FallbackSpec,
  hasEventSignal,
  hasFallbackSignal,
  ScalingRules,
  ScalingSpec,
} from './scaling';
import {
  consulNamespace,
  databaseNamespace,
  DEFAULT_KEDA_NAMESPACE,
  DEFAULT_MONITORING_NAMESPACE,
  DEVICE_PLUGIN_NAMESPACE,
  KAFKA_TOPICS_NAMESPACE,
  KubernetesSiteSpec,
  STRIMZI_OPERATOR_NAMESPACE,
  VAULT_INJECTOR_NAMESPACE,
} from './site';
import { Duration, Size } from './units';
import { isMachineTypeName, validateBindings, validateBindingsOnSite } from './validate-bindings';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Processing units a Premium Event Hubs namespace can have. */
const PREMIUM_PROCESSING_UNITS = [1, 2, 4, 8, 16];
const CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
/** A portable environment variable name. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Environment variable names that suggest a secret, which never goes in env or synthesized output. */
export const SECRET_LIKE_ENV = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

/** Why a broker's namespace may not be one Kubernetes owns. */
const BROKER_NAMESPACE = 'the platform creates a namespace of its own for the broker';

/** Every problem of an agent spec on its own, each with the path of its field. */
export function validateAgent(spec: AgentSpec): Problem[] {
  const problems: Problem[] = [];
  const add = (path: Path, message: string) => problems.push({ path, message });

  if (!DNS_LABEL.test(spec.name) || spec.name.length > 50) {
    add(
      ['name'],
      `'${spec.name}' must be a DNS label: lowercase letters, digits and '-', at most 50 characters`,
    );
  }
  validateWorkloadShape(spec, add);
  validateContainer(spec, add);
  validateResources(spec, add);
  validateQueue(spec, add);
  (spec.publishes ?? []).forEach((target, index) => {
    if (target.queue.length === 0 || target.queue.length > 200) {
      add(['publishes', index, 'queue'], 'must be 1 to 200 characters');
    }
    if (target.vhost === '') add(['publishes', index, 'vhost'], 'must not be empty');
  });
  if (spec.scaling) validateScaling(spec, spec.scaling, add);
  validateIsolation(spec, add);
  validateBindings(spec, add);
  validateProcessing(spec, add);
  validateAgentStack(spec, add);
  return problems;
}

function validateProcessing(spec: AgentSpec, add: AddProblem): void {
  if (!spec.processing) return;
  const { perReplica, readyAfter } = spec.processing;
  if (!(perReplica > 0 && perReplica <= MAX_PER_REPLICA)) {
    add(['processing', 'perReplica'], `(${perReplica}) must be > 0 and <= ${MAX_PER_REPLICA}`);
  }
  if (readyAfter && readyAfter.millis > 3_600_000) {
    add(['processing', 'readyAfter'], `(${readyAfter}) must be at most 1h`);
  }
}

function validateWorkloadShape(spec: AgentSpec, add: AddProblem): void {
  const workload = spec.workload ?? 'consumer';
  if (spec.schedule) {
    for (const message of cronProblems(spec.schedule.cron, 'kubernetes')) {
      add(['schedule', 'cron'], message);
    }
    if (spec.schedule.timezone !== undefined) {
      for (const message of timeZoneProblems(spec.schedule.timezone)) {
        add(['schedule', 'timezone'], message);
      }
    }
  }
  if (workload === 'scheduled') {
    if (!spec.schedule) add(['schedule'], "is required for workload 'scheduled'");
    if (spec.scaling)
      add(['scaling'], "is not allowed for workload 'scheduled': a scheduled run has one replica");
    return;
  }
  if (spec.schedule)
    add(['schedule'], `is only allowed for workload 'scheduled', not '${workload}'`);
  if (!spec.scaling) add(['scaling'], `is required for workload '${workload}'`);
  if (workload === 'consumer' && !spec.container.probes) {
    add(
      ['container', 'probes'],
      "readiness and liveness probes are required for workload 'consumer'",
    );
  }
  if (workload === 'per-message' && spec.scaling) {
    const { cpu, memory, cron, queueDepth, prometheus } = spec.scaling;
    if (cpu || memory || (cron && cron.length > 0)) {
      add(
        ['scaling'],
        "workload 'per-message' scales on 'queueDepth' or 'prometheus' only (KEDA ScaledJob)",
      );
    }
    if (!queueDepth && !prometheus) {
      add(['scaling'], "workload 'per-message' needs a 'queueDepth' or 'prometheus' signal");
    }
  }
}

function validateContainer(spec: AgentSpec, add: AddProblem): void {
  const ports = spec.container.ports ?? {};
  for (const [name, port] of Object.entries(ports)) {
    if (!DNS_LABEL.test(name) || name.length > 15) {
      add(['container', 'ports', name], 'port names must be DNS labels of at most 15 characters');
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      add(['container', 'ports', name], `${port} must be a whole number from 1 to 65535`);
    }
  }
  for (const [name, value] of Object.entries(spec.container.env ?? {})) {
    if (!ENV_NAME.test(name)) {
      add(['container', 'env', name], 'must be a valid environment variable name');
    }
    if (name.startsWith('FLEET_')) {
      add(
        ['container', 'env', name],
        "the 'FLEET_' prefix is reserved for the queue binding the fleet passes to the agent",
      );
    }
    if (SECRET_LIKE_ENV.test(name)) {
      add(
        ['container', 'env', name],
        'looks like a secret: secrets never go in env or the synthesized output; read them from Vault or workload identity',
      );
    }
    if (typeof value !== 'string') add(['container', 'env', name], 'must be a string');
  }
  if (spec.container.metricsPort && ports[spec.container.metricsPort] === undefined) {
    add(
      ['container', 'metricsPort'],
      `'${spec.container.metricsPort}' is not a declared port (${listOf(Object.keys(ports))})`,
    );
  }
  const probes = spec.container.probes;
  if (probes) {
    validateProbe(probes.readiness, ['container', 'probes', 'readiness'], ports, add);
    validateProbe(probes.liveness, ['container', 'probes', 'liveness'], ports, add);
  }
  const drain = spec.container.shutdown?.drainCommand;
  if (drain && drain.length === 0)
    add(['container', 'shutdown', 'drainCommand'], 'must not be empty');
}

function validateProbe(
  probe: ProbeSpec,
  path: Path,
  ports: Readonly<Record<string, number>>,
  add: AddProblem,
): void {
  const handlers = [probe.httpGet, probe.tcpSocket, probe.exec].filter((h) => h !== undefined);
  if (handlers.length !== 1) {
    add(path, "needs exactly one of 'httpGet', 'tcpSocket' or 'exec'");
    return;
  }
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  if (typeof port === 'string' && ports[port] === undefined) {
    add(
      [...path, probe.httpGet ? 'httpGet' : 'tcpSocket', 'port'],
      `'${port}' is not a declared port (${listOf(Object.keys(ports))})`,
    );
  }
  if (probe.failureThreshold !== undefined) {
    checkRange(probe.failureThreshold, 1, 100, [...path, 'failureThreshold'], add);
  }
}

function validateResources(spec: AgentSpec, add: AddProblem): void {
  const { requests, limits, gpu } = spec.resources;
  if (limits?.cpu && !requests.cpu.isAtMost(limits.cpu)) {
    add(
      ['resources', 'limits', 'cpu'],
      `(${limits.cpu.toKubernetes()}) must be >= 'resources.requests.cpu' (${requests.cpu.toKubernetes()})`,
    );
  }
  if (limits?.memory && !requests.memory.isAtMost(limits.memory)) {
    add(
      ['resources', 'limits', 'memory'],
      `(${limits.memory.toKubernetes()}) must be >= 'resources.requests.memory' (${requests.memory.toKubernetes()})`,
    );
  }
  if (
    limits?.ephemeralStorage &&
    requests.ephemeralStorage &&
    !requests.ephemeralStorage.isAtMost(limits.ephemeralStorage)
  ) {
    add(
      ['resources', 'limits', 'ephemeralStorage'],
      `(${limits.ephemeralStorage.toKubernetes()}) must be >= 'resources.requests.ephemeralStorage' (${requests.ephemeralStorage.toKubernetes()})`,
    );
  }
  if (gpu !== undefined) checkRange(gpu, 0, 16, ['resources', 'gpu'], add);
}

function validateQueue(spec: AgentSpec, add: AddProblem): void {
  const queue = spec.queue;
  if (!queue) return;
  if (queue.queue.length === 0 || queue.queue.length > 200)
    add(['queue', 'queue'], 'must be 1 to 200 characters');
  if (queue.vhost === '') add(['queue', 'vhost'], 'must not be empty');
  if (queue.maxLength !== undefined) {
    checkRange(queue.maxLength, 1, 100_000_000, ['queue', 'maxLength'], add);
  }
  if (queue.maxPriority !== undefined)
    checkRange(queue.maxPriority, 1, 10, ['queue', 'maxPriority'], add);
  const dead = queue.deadLetter;
  if (dead?.enabled === false && (dead.reason ?? '').trim().length < 10) {
    add(
      ['queue', 'deadLetter', 'reason'],
      'turning dead-lettering off needs a written reason (at least 10 characters)',
    );
  }
  if (dead?.deliveryLimit !== undefined)
    checkRange(dead.deliveryLimit, 1, 1000, ['queue', 'deadLetter', 'deliveryLimit'], add);
  const consumer = queue.consumer;
  if (consumer?.prefetch !== undefined)
    checkRange(consumer.prefetch, 1, 10000, ['queue', 'consumer', 'prefetch'], add);
  if (
    consumer?.maxProcessingTime &&
    consumer.maxProcessingTime.isLongerThan(Duration.minutes(120))
  ) {
    add(
      ['queue', 'consumer', 'maxProcessingTime'],
      `(${consumer.maxProcessingTime}) must be at most 2h; longer work belongs in workload 'per-message'`,
    );
  }
}

function validateScaling(spec: AgentSpec, scaling: ScalingSpec, add: AddProblem): void {
  const { minReplicas: min, maxReplicas: max } = scaling;
  checkRange(min, 0, 1000, ['scaling', 'minReplicas'], add);
  checkRange(max, 1, 1000, ['scaling', 'maxReplicas'], add);
  if (min > max)
    add(['scaling', 'minReplicas'], `(${min}) must be <= 'scaling.maxReplicas' (${max})`);
  const kind = autoscalerKind(scaling);
  const perMessage = spec.workload === 'per-message';
  if (kind === 'fixed' && !perMessage && min !== max) {
    add(
      ['scaling'],
      `has no signal, so the count is fixed: set 'minReplicas' (${min}) equal to 'maxReplicas' (${max}) or add a signal`,
    );
  }
  if (min === 0 && kind !== 'keda') {
    add(
      ['scaling', 'minReplicas'],
      'can be 0 only with a queueDepth, prometheus or cron signal (KEDA scales to zero; an HPA cannot)',
    );
  }
  if (scaling.queueDepth) {
    if (!spec.queue) add(['scaling', 'queueDepth'], "needs a 'queue' binding to read the depth of");
    checkRange(
      scaling.queueDepth.perReplica,
      1,
      1_000_000,
      ['scaling', 'queueDepth', 'perReplica'],
      add,
    );
  }
  if (scaling.cpu)
    checkRange(scaling.cpu.targetUtilization, 1, 100, ['scaling', 'cpu', 'targetUtilization'], add);
  if (scaling.memory)
    checkRange(
      scaling.memory.targetUtilization,
      1,
      100,
      ['scaling', 'memory', 'targetUtilization'],
      add,
    );
  if (scaling.prometheus) {
    if (scaling.prometheus.query.trim().length === 0)
      add(['scaling', 'prometheus', 'query'], 'must not be empty');
    if (!(scaling.prometheus.threshold > 0))
      add(['scaling', 'prometheus', 'threshold'], `(${scaling.prometheus.threshold}) must be > 0`);
  }
  (scaling.cron ?? []).forEach((window, index) => {
    const path = ['scaling', 'cron', index];
    checkRange(window.replicas, 1, max, [...path, 'replicas'], add);
    for (const field of ['start', 'end'] as const) {
      for (const message of cronProblems(window[field], 'keda')) add([...path, field], message);
    }
    if (window.start.trim() === window.end.trim()) {
      add(
        [...path, 'end'],
        `'${window.end}' equals 'start': KEDA refuses a window that closes as it opens`,
      );
    }
    if (window.timezone !== undefined) {
      for (const message of timeZoneProblems(window.timezone)) {
        add([...path, 'timezone'], message);
      }
    }
  });
  if (scaling.fallback) validateFallback(scaling, scaling.fallback, perMessage, add);
  validateRules(scaling.behavior?.scaleUp, ['scaling', 'behavior', 'scaleUp'], add);
  validateRules(scaling.behavior?.scaleDown, ['scaling', 'behavior', 'scaleDown'], add);
  if (scaling.behavior && !hasEventSignal(scaling) && !scaling.cpu && !scaling.memory) {
    add(['scaling', 'behavior'], 'has no effect without a scaling signal');
  }
}

/** A fallback is set only where KEDA applies one; turning it off takes a written reason. */
function validateFallback(
  scaling: ScalingSpec,
  fallback: FallbackSpec,
  perMessage: boolean,
  add: AddProblem,
): void {
  const path = ['scaling', 'fallback'];
  const off = fallback.enabled === false;
  // Turning off a fallback that would not exist is a reason with nothing to explain.
  const what = off ? 'there is no fallback to turn off' : 'KEDA sets no fallback there';
  if (scaling.cpu || scaling.memory) {
    add(
      path,
      off
        ? `${what}: KEDA refuses a fallback next to cpu or memory signals; remove 'fallback'`
        : 'KEDA refuses a fallback on a ScaledObject with cpu or memory signals: drop one of them',
    );
  } else if (!hasFallbackSignal(scaling)) {
    add(path, `applies only to queueDepth, consumerLag or prometheus signals (${what})`);
  }
  if (perMessage) {
    add(path, `a KEDA ScaledJob has no fallback; remove it for workload 'per-message'`);
  }
  if (off) {
    if ((fallback.reason ?? '').trim().length < 20) {
      add(
        [...path, 'reason'],
        'turning the fallback off needs a written reason (at least 20 characters): a failing signal source then leaves the agent where it is, at zero included',
      );
    }
    for (const field of ['replicas', 'failureThreshold'] as const) {
      if (fallback[field] !== undefined) {
        add(
          [...path, field],
          `(${fallback[field]}) has no effect with 'enabled: false': remove it ('${field}: null' in an override)`,
        );
      }
    }
    return;
  }
  if (fallback.reason !== undefined) {
    add([...path, 'reason'], "is for a fallback turned off: add 'enabled: false' or remove it");
  }
  if (fallback.replicas !== undefined) {
    checkRange(
      fallback.replicas,
      Math.max(scaling.minReplicas, 1),
      scaling.maxReplicas,
      [...path, 'replicas'],
      add,
    );
  }
  if (fallback.failureThreshold !== undefined) {
    checkRange(fallback.failureThreshold, 1, 100, [...path, 'failureThreshold'], add);
  }
}

function validateRules(rules: ScalingRules | undefined, path: Path, add: AddProblem): void {
  if (!rules) return;
  if (rules.stabilizationWindow && rules.stabilizationWindow.isLongerThan(Duration.minutes(60))) {
    add([...path, 'stabilizationWindow'], `(${rules.stabilizationWindow}) must be at most 1h`);
  }
  (rules.policies ?? []).forEach((policy, index) => {
    checkRange(policy.value, 1, 1000, [...path, 'policies', index, 'value'], add);
    if (policy.period.millis < 1000 || policy.period.isLongerThan(Duration.minutes(30))) {
      add([...path, 'policies', index, 'period'], `(${policy.period}) must be from 1s to 30m`);
    }
  });
}

function validateIsolation(spec: AgentSpec, add: AddProblem): void {
  const namespace = spec.isolation?.namespace;
  if (namespace !== undefined) {
    for (const message of namespaceProblems(namespace, 'agents run in namespaces of their own')) {
      add(['isolation', 'namespace'], message);
    }
  }
  if (isReservedNamespace(spec.name)) {
    add(
      ['name'],
      `'${spec.name}' is reserved: Kubernetes owns the namespaces 'default' and 'kube-*', and an agent's name is its namespace's by default; choose another name`,
    );
  }
  const egress = spec.isolation?.egress ?? [];
  const exposure = publicExposure(egress.map((rule) => rule.cidr));
  if (exposure) {
    add(
      ['isolation', 'egress'],
      `${exposure}: this opens egress to the Internet; name the networks the agent needs`,
    );
  }
  egress.forEach((rule, index) => {
    if (!CIDR.test(rule.cidr)) {
      add(
        ['isolation', 'egress', index, 'cidr'],
        `'${rule.cidr}' must be an IPv4 CIDR such as 10.0.0.0/16`,
      );
    }
    rule.ports.forEach((port, portIndex) =>
      checkRange(port, 1, 65535, ['isolation', 'egress', index, 'ports', portIndex], add),
    );
  });
}

/**
 * Problems of an agent on a site: its broker must exist and a node pool must
 * meet its needs. Paths are relative to the agent spec.
 */
export function validateAgentOnSite(
  spec: AgentSpec,
  site: KubernetesSiteSpec,
  brokers: readonly BrokerSpec[],
): Problem[] {
  const problems: Problem[] = [];
  const declared = brokers.map((broker) => broker.name);
  const unknown = (name: string) =>
    `'${name}' is not a broker of the environment (${listOf(declared)})`;
  if (spec.queue && !declared.includes(spec.queue.broker)) {
    problems.push({
      path: ['queue', 'broker'],
      message: unknown(spec.queue.broker),
      reference: true,
    });
  }
  const elsewhere = brokers
    .filter(isRabbitMq)
    .filter((broker) => broker.inCluster && broker.inCluster.site !== site.name);
  const usesBroker = (name: string, path: Path) => {
    const broker = elsewhere.find((candidate) => candidate.name === name);
    if (broker) {
      problems.push({
        path,
        message: `broker '${name}' runs in the cluster of site '${broker.inCluster?.site}', which agents on site '${site.name}' cannot reach; declare it 'external' or run one on this site`,
      });
    }
  };
  if (spec.queue) usesBroker(spec.queue.broker, ['queue', 'broker']);
  (spec.publishes ?? []).forEach((target, index) =>
    usesBroker(target.broker, ['publishes', index, 'broker']),
  );
  (spec.publishes ?? []).forEach((target, index) => {
    if (!declared.includes(target.broker)) {
      problems.push({
        path: ['publishes', index, 'broker'],
        message: unknown(target.broker),
        reference: true,
      });
    }
  });
  const namespace = spec.isolation?.namespace ?? spec.name;
  if (platformNamespaces(site, brokers).includes(namespace)) {
    problems.push({
      path: spec.isolation?.namespace ? ['isolation', 'namespace'] : ['name'],
      message: `namespace '${namespace}' belongs to the platform of site '${site.name}'; agents run in namespaces of their own`,
    });
  }
  problems.push(...validateBindingsOnSite(spec, site, brokers));
  const group = spec.placement?.scalingGroup;
  if (group) {
    // A name of no machine shape, or of the other cloud's, is reported by the bindings' checks.
    if (site.cloud && isMachineTypeName(group.instanceType, site.cloud)) {
      problems.push(...agentMachineProblems(spec, group.instanceType, site.cloud));
    }
    return problems;
  }
  const match = matchPools(
    spec.placement,
    spec.resources.gpu ?? 0,
    site.nodePools,
    'agent',
    spec.resources.requests,
  );
  if (match.pools.length === 0) {
    const why = match.refusals.map((r) => `${r.pool}: ${r.reasons.join('; ')}`).join(' | ');
    problems.push({
      path: ['placement'],
      message: `agent '${spec.name}' fits no node pool of site '${site.name}' (${why || 'the site has no node pools'})`,
    });
  }
  return problems;
}

/** Namespaces the platform stack of a site creates for itself. */
export function platformNamespaces(
  site: KubernetesSiteSpec,
  brokers: readonly BrokerSpec[],
): string[] {
  return [
    site.kedaNamespace ?? DEFAULT_KEDA_NAMESPACE,
    site.monitoring?.namespace ?? DEFAULT_MONITORING_NAMESPACE,
    DEVICE_PLUGIN_NAMESPACE,
    ...brokers
      .filter(isRabbitMq)
      .filter((broker) => broker.inCluster?.site === site.name)
      .map(brokerNamespace),
    ...(brokers.some((broker) => broker.kind === 'kafka' && broker.msk?.site === site.name)
      ? [KAFKA_TOPICS_NAMESPACE]
      : []),
    ...inClusterKafkaOn(brokers, site.name).map(kafkaNamespace),
    ...(inClusterKafkaOn(brokers, site.name).length > 0 ? [STRIMZI_OPERATOR_NAMESPACE] : []),
    ...(site.database ? [databaseNamespace(site.database)] : []),
    ...(site.consul ? [consulNamespace(site.consul)] : []),
    ...(site.vault ? [VAULT_INJECTOR_NAMESPACE] : []),
  ];
}

/** The cloud sites of an environment, by cloud. */
export interface CloudSiteNames {
  /** Names of the AWS sites. @default - none */
  readonly aws?: readonly string[];
  /** Names of the Azure sites. @default - none */
  readonly azure?: readonly string[];
}

/**
 * Problems of a broker declaration. RabbitMQ: exactly one of `inCluster`,
 * `amazonMq` or `external`; an in-cluster broker on a declared site with an
 * odd node count. Kafka: exactly one of `msk`, `eventHubs` or `inCluster`.
 * Amazon MQ, MSK and SQS on a declared AWS site; Event Hubs and Service Bus on
 * a declared Azure site. MSK: 3 to 30 brokers (replication factor 3), storage
 * in whole GiB up to 16384 GiB. In-cluster Kafka: 3 to 9 nodes, fewer only
 * with a written reason.
 * @param sites every site of the environment; `undefined` where the
 *   environment is not known (a stack built from TypeScript), which skips the
 *   checks of the sites the broker names
 * @param cloudSites the cloud sites among them
 */
export function validateBroker(
  broker: BrokerSpec,
  sites?: readonly string[],
  cloudSites: CloudSiteNames = {},
): Problem[] {
  const problems: Problem[] = [];
  const add: AddProblem = (path, message) => problems.push({ path, message });
  for (const message of dns1123LabelProblems(broker.name, 'broker name')) add(['name'], message);
  const onCloudSite = (cloud: 'aws' | 'azure', site: string, path: Path) => {
    if (!sites) return;
    const names = cloudSites[cloud] ?? [];
    if (!names.includes(site)) {
      const label = cloud === 'aws' ? 'an AWS' : 'an Azure';
      add(path, `'${site}' is not ${label} site of the environment (${listOf(names)})`);
    }
  };
  switch (broker.kind) {
    case 'rabbitmq':
      validateRabbitMq(broker, sites, add);
      if (broker.amazonMq) onCloudSite('aws', broker.amazonMq.site, ['amazonMq', 'site']);
      break;
    case 'kafka':
      validateKafka(broker, sites, onCloudSite, add);
      break;
    case 'sqs':
      onCloudSite('aws', broker.site, ['site']);
      break;
    case 'servicebus':
      onCloudSite('azure', broker.site, ['site']);
      break;
  }
  return problems;
}

function validateKafka(
  broker: KafkaBrokerSpec,
  sites: readonly string[] | undefined,
  onCloudSite: (cloud: 'aws' | 'azure', site: string, path: Path) => void,
  add: AddProblem,
): void {
  const placements = [broker.msk, broker.eventHubs, broker.inCluster].filter(Boolean);
  if (placements.length !== 1) {
    add([], "needs exactly one of 'msk', 'eventHubs' or 'inCluster'");
  }
  const { msk, eventHubs, inCluster } = broker;
  if (msk) {
    onCloudSite('aws', msk.site, ['msk', 'site']);
    // Replication factor 3 needs three brokers.
    if (msk.brokerCount !== undefined)
      checkRange(msk.brokerCount, 3, 30, ['msk', 'brokerCount'], add);
    const volume = msk.volumeSize;
    const gib = (volume?.bytes ?? 0) / Size.gibibytes(1).bytes;
    if (volume && (!Number.isInteger(gib) || gib < 1 || gib > 16384)) {
      add(
        ['msk', 'volumeSize'],
        `(${volume.toKubernetes()}) must be a whole number of GiB from 1Gi to 16384Gi`,
      );
    }
  }
  if (eventHubs) {
    onCloudSite('azure', eventHubs.site, ['eventHubs', 'site']);
    const capacity = eventHubs.capacity;
    if (capacity !== undefined) {
      if ((eventHubs.sku ?? 'Premium') === 'Premium') {
        if (!PREMIUM_PROCESSING_UNITS.includes(capacity)) {
          add(
            ['eventHubs', 'capacity'],
            `(${capacity}) is not a Premium processing-unit count: use ${PREMIUM_PROCESSING_UNITS.join(', ')}`,
          );
        }
      } else checkRange(capacity, 1, 40, ['eventHubs', 'capacity'], add);
    }
  }
  if (inCluster) {
    if (sites && !sites.includes(inCluster.site)) {
      add(
        ['inCluster', 'site'],
        `'${inCluster.site}' is not a site of the environment (${listOf(sites)})`,
      );
    }
    validateReplicasWithReason(inCluster.replicas, inCluster.reason, ['inCluster'], add, 9);
    const replicas = inCluster.replicas ?? 3;
    if (replicas % 2 === 0) {
      add(
        ['inCluster', 'replicas'],
        `(${replicas}) must be odd: the KRaft controllers need a majority of nodes`,
      );
    }
    if (inCluster.namespace !== undefined) {
      for (const message of namespaceProblems(inCluster.namespace, BROKER_NAMESPACE)) {
        add(['inCluster', 'namespace'], message);
      }
    }
  }
}

/**
 * A replicated store's node count: 3 or more (3 copies of every record
 * survive the loss of one node), fewer only with a written reason.
 */
export function validateReplicasWithReason(
  replicas: number | undefined,
  reason: string | undefined,
  path: Path,
  add: AddProblem,
  max: number,
): void {
  if (replicas === undefined) return;
  checkRange(replicas, 1, max, [...path, 'replicas'], add);
  if (replicas < 3 && (reason ?? '').trim().length < 10) {
    add(
      [...path, 'reason'],
      `${replicas} node(s) keep fewer than 3 copies, so losing a node loses data or availability: give a written reason (at least 10 characters) or use 3 or more`,
    );
  }
}

function validateRabbitMq(
  broker: RabbitMqBrokerSpec,
  sites: readonly string[] | undefined,
  add: AddProblem,
) {
  const placements = [broker.inCluster, broker.amazonMq, broker.external].filter(Boolean);
  if (placements.length !== 1) {
    add([], "needs exactly one of 'inCluster', 'amazonMq' or 'external'");
  }
  const inCluster = broker.inCluster;
  if (inCluster) {
    if (sites && !sites.includes(inCluster.site)) {
      add(
        ['inCluster', 'site'],
        `'${inCluster.site}' is not a site of the environment (${listOf(sites)})`,
      );
    }
    const replicas = inCluster.replicas ?? 3;
    checkRange(replicas, 1, 7, ['inCluster', 'replicas'], add);
    if (replicas % 2 === 0) {
      add(
        ['inCluster', 'replicas'],
        `(${replicas}) must be odd: quorum queues need a majority of nodes`,
      );
    }
    if (inCluster.namespace !== undefined) {
      for (const message of namespaceProblems(inCluster.namespace, BROKER_NAMESPACE)) {
        add(['inCluster', 'namespace'], message);
      }
    }
  }
  const external = broker.external;
  if (external) {
    for (const message of dns1123SubdomainProblems(external.host, 'host name')) {
      add(['external', 'host'], message);
    }
    if (external.cidrs.length === 0) {
      add(
        ['external', 'cidrs'],
        "needs at least one network: the agents' NetworkPolicy opens egress to these CIDRs only",
      );
    }
    external.cidrs.forEach((cidr, index) => {
      if (!CIDR.test(cidr))
        add(['external', 'cidrs', index], `'${cidr}' must be an IPv4 CIDR such as 10.0.0.0/16`);
    });
  }
}

/**
 * Problems of the services a Kubernetes site runs for its agents: a database
 * of 3 or more nodes (fewer with a written reason), an odd number of Consul
 * servers.
 */
export function validateSiteServices(site: KubernetesSiteSpec): Problem[] {
  const problems: Problem[] = [];
  const add: AddProblem = (path, message) => problems.push({ path, message });
  const database = site.database;
  if (database) {
    validateReplicasWithReason(database.replicas, database.reason, ['database'], add, 9);
  }
  (site.vault?.cidrs ?? []).forEach((cidr, index) => {
    if (!CIDR.test(cidr))
      add(['vault', 'cidrs', index], `'${cidr}' must be an IPv4 CIDR such as 10.0.0.0/16`);
  });
  const servers = site.consul?.replicas;
  if (servers !== undefined && servers % 2 === 0) {
    add(['consul', 'replicas'], `(${servers}) must be odd: Raft needs a majority of servers`);
  }
  return problems;
}

/** Problems of running an in-cluster broker on a site: some pool must be able to run it. */
export function validateBrokerPlacement(site: KubernetesSiteSpec): Problem[] {
  const match = brokerPoolMatch(site.nodePools);
  if (match.pools.length > 0) return [];
  const why = match.refusals.map((r) => `${r.pool}: ${r.reasons.join('; ')}`).join(' | ');
  return [
    {
      path: ['inCluster', 'site'],
      message: `no node pool of site '${site.name}' can run the broker (${why || 'none declared'})`,
    },
  ];
}
