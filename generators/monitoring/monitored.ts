import { Problem, ValidationError } from '../../model/problems';

/** What monitoring needs to know about one agent type on one site. */
export interface MonitoredAgent {
  /** Agent type name, a DNS label. It names the Deployment, ScaledObject, HPA or Job of the agent. */
  readonly name: string;
  /** Kubernetes namespace of its workload. */
  readonly namespace: string;
  /**
   * How it scales: 'keda' (KEDA ScaledObject; KEDA creates the HPA named
   * `keda-hpa-<name>`), 'hpa' (native HPA named `<name>`), 'fixed',
   * 'keda-job' (KEDA ScaledJob), 'cron-job'.
   */
  readonly scaling: 'keda' | 'hpa' | 'fixed' | 'keda-job' | 'cron-job';
  /** Fewest replicas the agent runs, at least 0: a line on its dashboard. */
  readonly minReplicas: number;
  /** Most replicas the agent runs, at least 1: the ceiling its alerts and dashboard compare against. */
  readonly maxReplicas: number;
  /**
   * The RabbitMQ queue it consumes.
   * @default - none: no queue alerts, recording rules or dashboard panel
   */
  readonly queue?: {
    readonly broker: string;
    readonly vhost: string;
    readonly queue: string;
    /**
     * Messages one replica is meant to handle (the KEDA queue-length target).
     * @default - unknown: the backlog alert fires above `DEFAULT_BACKLOG_FLOOR` (100) messages
     */
    readonly perReplica?: number;
  };
  /**
   * Name of the container port on which its pods expose Prometheus metrics.
   * @default - none: its pods are not scraped
   */
  readonly metricsPort?: string;
}

/**
 * An in-cluster RabbitMQ broker: pods in `namespace` with label
 * app.kubernetes.io/name=rabbitmq, app.kubernetes.io/instance=<name>;
 * Prometheus plugin on port 15692 (port name `prometheus`).
 */
export interface MonitoredBroker {
  /** Name of the broker: its pods' `app.kubernetes.io/instance` label, a DNS label of at most 50 characters. */
  readonly name: string;
  /** Kubernetes namespace of the broker's pods. */
  readonly namespace: string;
}

/** Name of the HorizontalPodAutoscaler that scales the agent, if one does. */
export function hpaName(agent: MonitoredAgent): string | undefined {
  if (agent.scaling === 'keda') return `keda-hpa-${agent.name}`;
  if (agent.scaling === 'hpa') return agent.name;
  return undefined;
}

/** Whether the agent runs as a Deployment named after it (as opposed to Jobs). */
export function runsAsDeployment(agent: MonitoredAgent): boolean {
  return agent.scaling === 'keda' || agent.scaling === 'hpa' || agent.scaling === 'fixed';
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SCALING_KINDS = ['keda', 'hpa', 'fixed', 'keda-job', 'cron-job'];

/**
 * Checks the inputs of the monitoring functions and throws one
 * {@link ValidationError} listing every problem. Names end up in job names,
 * PromQL and alert templates, so they must be DNS labels; queue and vhost
 * names may be anything RabbitMQ accepts and are escaped where used.
 */
export function validateMonitored(
  brokers: readonly MonitoredBroker[],
  agents: readonly MonitoredAgent[],
): void {
  const problems: Problem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  const dnsLabel = (path: (string | number)[], value: string, max = 63) => {
    if (!DNS_LABEL.test(value) || value.length > max) {
      add(path, `'${value}' must be a DNS label (lowercase letters, digits, '-'; at most ${max})`);
    }
  };

  const brokerNames = new Set<string>();
  brokers.forEach((broker, index) => {
    // 'rabbitmq-<name>-node' must stay a valid, unambiguous job name.
    dnsLabel(['brokers', index, 'name'], broker.name, 50);
    dnsLabel(['brokers', index, 'namespace'], broker.namespace);
    if (brokerNames.has(broker.name))
      add(['brokers', index, 'name'], `'${broker.name}' is repeated`);
    brokerNames.add(broker.name);
  });
  for (const name of brokerNames) {
    if (name.endsWith('-node') && brokerNames.has(name.slice(0, -'-node'.length))) {
      add(['brokers'], `'${name}' clashes with the node job of broker '${name.slice(0, -5)}'`);
    }
  }

  const agentNames = new Set<string>();
  agents.forEach((agent, index) => {
    const at = (...path: (string | number)[]) => ['agents', index, ...path];
    dnsLabel(at('name'), agent.name);
    dnsLabel(at('namespace'), agent.namespace);
    if (agentNames.has(agent.name)) add(at('name'), `'${agent.name}' is repeated`);
    agentNames.add(agent.name);
    if (!SCALING_KINDS.includes(agent.scaling)) {
      add(at('scaling'), `'${agent.scaling}' must be one of ${SCALING_KINDS.join(', ')}`);
    }
    if (!Number.isInteger(agent.minReplicas) || agent.minReplicas < 0) {
      add(at('minReplicas'), `(${agent.minReplicas}) must be a whole number >= 0`);
    }
    if (!Number.isInteger(agent.maxReplicas) || agent.maxReplicas < 1) {
      add(at('maxReplicas'), `(${agent.maxReplicas}) must be a whole number >= 1`);
    }
    if (agent.minReplicas > agent.maxReplicas) {
      add(
        at('minReplicas'),
        `(${agent.minReplicas}) must be <= 'maxReplicas' (${agent.maxReplicas})`,
      );
    }
    if (agent.queue) {
      dnsLabel(at('queue', 'broker'), agent.queue.broker, 50);
      if (agent.queue.queue.length === 0) add(at('queue', 'queue'), 'must not be empty');
      if (agent.queue.vhost.length === 0) add(at('queue', 'vhost'), 'must not be empty');
      const perReplica = agent.queue.perReplica;
      if (perReplica !== undefined && !(perReplica > 0 && Number.isFinite(perReplica))) {
        add(at('queue', 'perReplica'), `(${perReplica}) must be a number > 0`);
      }
    }
    if (agent.metricsPort !== undefined) {
      if (!PORT_NAME.test(agent.metricsPort) || agent.metricsPort.length > 15) {
        add(at('metricsPort'), `'${agent.metricsPort}' must be a port name (IANA_SVC_NAME)`);
      }
    }
  });

  if (problems.length > 0) throw new ValidationError('monitoring', problems);
}
