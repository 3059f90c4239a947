import {
  RabbitMqBrokerSpec,
  brokerCredentialsSecret,
  effectivePrometheusQuery,
  ResolvedAgent,
  ResolvedBehavior,
  resolveBehavior,
  resolveFallback,
  ScalingRules,
  ScalingSpec,
} from '../model';
import { Manifest } from './pod-manifest';

const API_VERSION = 'keda.sh/v1alpha1';

/** Name of the ClusterTriggerAuthentication that holds a broker's credentials. */
export function triggerAuthenticationName(broker: RabbitMqBrokerSpec): string {
  return `rabbitmq-${broker.name}`;
}

/**
 * ClusterTriggerAuthentication for a RabbitMQ broker: the management URI comes
 * from a Secret in KEDA's namespace, so no credential is in the output.
 * @see https://keda.sh/docs/latest/concepts/authentication/
 */
export function clusterTriggerAuthentication(broker: RabbitMqBrokerSpec): Manifest {
  return {
    apiVersion: API_VERSION,
    kind: 'ClusterTriggerAuthentication',
    metadata: {
      name: triggerAuthenticationName(broker),
      labels: { 'app.kubernetes.io/part-of': 'agent-fleet' },
    },
    spec: {
      secretTargetRef: [{ parameter: 'host', name: brokerCredentialsSecret(broker), key: 'host' }],
    },
  };
}

/** Inputs of the KEDA triggers of one agent. */
export interface TriggerContext {
  readonly agent: ResolvedAgent;
  readonly scaling: ScalingSpec;
  readonly broker?: RabbitMqBrokerSpec;
  readonly prometheusUrl: string;
}

/**
 * The KEDA triggers of an agent. The RabbitMQ trigger uses the management API
 * (`protocol: http`), where `QueueLength` counts ready and unacknowledged
 * messages; every trigger but cpu/memory is `AverageValue`, so the target is
 * per replica and fallback applies.
 * @see https://keda.sh/docs/latest/scalers/rabbitmq-queue/
 */
export function kedaTriggers(context: TriggerContext): Manifest[] {
  const { agent, scaling, broker } = context;
  const triggers: Manifest[] = [];
  if (scaling.queueDepth && agent.queue && broker) {
    triggers.push({
      type: 'rabbitmq',
      name: 'queue-depth',
      metricType: 'AverageValue',
      metadata: {
        protocol: 'http',
        mode: 'QueueLength',
        value: String(scaling.queueDepth.perReplica),
        activationValue: String(scaling.queueDepth.activation ?? 0),
        queueName: agent.queue.queue,
        vhostName: agent.queue.vhost,
      },
      authenticationRef: {
        name: triggerAuthenticationName(broker),
        kind: 'ClusterTriggerAuthentication',
      },
    });
  }
  if (scaling.prometheus) {
    triggers.push({
      type: 'prometheus',
      name: 'prometheus',
      metricType: 'AverageValue',
      metadata: {
        serverAddress: scaling.prometheus.serverAddress ?? context.prometheusUrl,
        query: effectivePrometheusQuery(scaling.prometheus),
        threshold: String(scaling.prometheus.threshold),
        activationThreshold: String(scaling.prometheus.activationThreshold ?? 0),
      },
    });
  }
  (scaling.cron ?? []).forEach((window, index) => {
    triggers.push({
      type: 'cron',
      name: `cron-${index}`,
      metadata: {
        timezone: window.timezone ?? 'Etc/UTC',
        start: window.start,
        end: window.end,
        desiredReplicas: String(window.replicas),
      },
    });
  });
  for (const resource of ['cpu', 'memory'] as const) {
    const signal = scaling[resource];
    if (!signal) continue;
    triggers.push({
      type: resource,
      name: resource,
      metricType: 'Utilization',
      metadata: { value: String(signal.targetUtilization) },
    });
  }
  return triggers;
}

/**
 * ScaledObject for a long-running consumer: the HPA behaviour goes through
 * `advanced.horizontalPodAutoscalerConfig`, fallback holds replicas when the
 * signal's source fails.
 * @see https://keda.sh/docs/latest/reference/scaledobject-spec/
 */
export function scaledObject(
  context: TriggerContext,
  metadata: Manifest,
  deploymentName: string,
): Manifest {
  const { scaling } = context;
  const fallback = resolveFallback(scaling);
  return {
    apiVersion: API_VERSION,
    kind: 'ScaledObject',
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName },
      pollingInterval: scaling.pollingInterval?.toSecondsCeil() ?? 15,
      cooldownPeriod: scaling.cooldownPeriod?.toSecondsCeil() ?? 300,
      ...(scaling.minReplicas === 0 ? { initialCooldownPeriod: 60 } : {}),
      minReplicaCount: scaling.minReplicas,
      maxReplicaCount: scaling.maxReplicas,
      ...(fallback ? { fallback: { ...fallback, behavior: 'currentReplicasIfHigher' } } : {}),
      advanced: {
        horizontalPodAutoscalerConfig: { behavior: hpaBehaviorManifest(resolveBehavior(scaling)) },
      },
      triggers: kedaTriggers(context),
    },
  };
}

/**
 * ScaledJob for run-to-completion work: one Job per `perReplica` messages, up
 * to `maxReplicas` Jobs at once.
 * @see https://keda.sh/docs/latest/reference/scaledjob-spec/
 */
export function scaledJob(
  context: TriggerContext,
  metadata: Manifest,
  podTemplate: Manifest,
  activeDeadlineSeconds: number,
): Manifest {
  const { scaling } = context;
  return {
    apiVersion: API_VERSION,
    kind: 'ScaledJob',
    metadata,
    spec: {
      jobTargetRef: {
        parallelism: 1,
        completions: 1,
        activeDeadlineSeconds,
        backoffLimit: 2,
        template: podTemplate,
      },
      pollingInterval: scaling.pollingInterval?.toSecondsCeil() ?? 15,
      minReplicaCount: scaling.minReplicas,
      maxReplicaCount: scaling.maxReplicas,
      successfulJobsHistoryLimit: 5,
      failedJobsHistoryLimit: 5,
      rollout: { strategy: 'gradual' },
      triggers: kedaTriggers(context),
    },
  };
}

function hpaBehaviorManifest(behavior: ResolvedBehavior): Manifest {
  return { scaleUp: scalingRules(behavior.scaleUp), scaleDown: scalingRules(behavior.scaleDown) };
}

/** One direction of HPA behaviour in Kubernetes API form (`HPAScalingRules`). */
export function scalingRules(rules: Required<ScalingRules>): {
  stabilizationWindowSeconds: number;
  selectPolicy: string;
  policies: { type: string; value: number; periodSeconds: number }[];
} {
  return {
    stabilizationWindowSeconds: rules.stabilizationWindow.toSecondsCeil(),
    selectPolicy: rules.select === 'min' ? 'Min' : rules.select === 'disabled' ? 'Disabled' : 'Max',
    policies: rules.policies.map((policy) => ({
      type: policy.type === 'pods' ? 'Pods' : 'Percent',
      value: policy.value,
      periodSeconds: policy.period.toSecondsCeil(),
    })),
  };
}
