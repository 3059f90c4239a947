import {
  AgentCloudBindings,
  RabbitMqBrokerSpec,
  brokerCredentialsSecret,
  effectivePrometheusQuery,
  ResolvedAgent,
  ResolvedBehavior,
  ResolvedTopicBinding,
  resolveBehavior,
  resolveFallback,
  ScalingRules,
  ScalingSpec,
} from '../../../model';
import { Manifest } from '../core/pod-manifest';
import { KAFKA_OFFSET_RESET } from '../core/pod-plan';

const API_VERSION = 'keda.sh/v1alpha1';

/**
 * Name of the ClusterTriggerAuthentication through which KEDA reads a
 * broker's management API, whether its credentials are in a Secret or Vault.
 */
export function triggerAuthenticationName(broker: Pick<RabbitMqBrokerSpec, 'name'>): string {
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

/** Name of the ClusterTriggerAuthentication through which KEDA reads AWS services. */
export const AWS_TRIGGER_AUTHENTICATION = 'keda-aws';

/**
 * ClusterTriggerAuthentication for AWS scalers: KEDA calls SQS and MSK as its
 * own operator's role (IRSA, `identityOwner: keda`), set by the KEDA release's
 * `awsRoleArn`. No key is in the output, and the agents' roles need not trust KEDA.
 * @see https://keda.sh/docs/2.20/authentication-providers/aws/
 */
export function awsClusterTriggerAuthentication(): Manifest {
  return {
    apiVersion: API_VERSION,
    kind: 'ClusterTriggerAuthentication',
    metadata: {
      name: AWS_TRIGGER_AUTHENTICATION,
      labels: { 'app.kubernetes.io/part-of': 'agent-fleet' },
    },
    spec: { podIdentity: { provider: 'aws', identityOwner: 'keda' } },
  };
}

/** Name of the ClusterTriggerAuthentication through which KEDA reads Azure services. */
export const AZURE_TRIGGER_AUTHENTICATION = 'keda-azure';

/**
 * ClusterTriggerAuthentication for Azure scalers: KEDA calls Service Bus as
 * its own operator's workload identity, federated by the site's infra stack
 * and set by the KEDA release's `azureIdentity`. No connection string exists.
 * @see https://keda.sh/docs/2.20/authentication-providers/azure-ad-workload-identity/
 */
export function azureClusterTriggerAuthentication(): Manifest {
  return {
    apiVersion: API_VERSION,
    kind: 'ClusterTriggerAuthentication',
    metadata: {
      name: AZURE_TRIGGER_AUTHENTICATION,
      labels: { 'app.kubernetes.io/part-of': 'agent-fleet' },
    },
    spec: { podIdentity: { provider: 'azure-workload' } },
  };
}

/** Inputs of the KEDA triggers of one agent. */
export interface TriggerContext {
  readonly agent: ResolvedAgent;
  readonly scaling: ScalingSpec;
  /** The RabbitMQ broker of the agent's queue binding. @default - none */
  readonly broker?: RabbitMqBrokerSpec;
  /** What the site's infra stack built for the agent: its SQS queue or MSK cluster. @default - none */
  readonly cloud?: AgentCloudBindings;
  readonly prometheusUrl: string;
}

/** The cluster-wide trigger authentications the agent's triggers reference. */
export function clusterTriggerAuthentications(context: TriggerContext): string[] {
  return kedaTriggers(context).flatMap((trigger) => {
    const ref = trigger.authenticationRef as { name?: string; kind?: string } | undefined;
    return ref?.kind === 'ClusterTriggerAuthentication' && ref.name ? [ref.name] : [];
  });
}

/**
 * The KEDA triggers of an agent. The RabbitMQ trigger uses the management API
 * (`protocol: http`), where `QueueLength` counts ready and unacknowledged
 * messages; the SQS trigger likewise counts visible and in-flight messages.
 * Every trigger but cpu/memory is `AverageValue`, so the target is per replica
 * and fallback applies.
 * @see https://keda.sh/docs/2.20/scalers/rabbitmq-queue/
 * @see https://keda.sh/docs/2.20/scalers/aws-sqs/
 * @see https://keda.sh/docs/2.20/scalers/apache-kafka/
 */
export function kedaTriggers(context: TriggerContext): Manifest[] {
  const { agent, scaling, broker, cloud } = context;
  const triggers: Manifest[] = [];
  const awsAuthentication = {
    name: AWS_TRIGGER_AUTHENTICATION,
    kind: 'ClusterTriggerAuthentication',
  };
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
  } else if (scaling.queueDepth && agent.queue && cloud?.queue?.kind === 'servicebus') {
    triggers.push({
      type: 'azure-servicebus',
      name: 'queue-depth',
      metricType: 'AverageValue',
      metadata: {
        queueName: cloud.queue.queue,
        namespace: cloud.queue.namespace,
        messageCount: String(scaling.queueDepth.perReplica),
        activationMessageCount: String(scaling.queueDepth.activation ?? 0),
      },
      authenticationRef: {
        name: AZURE_TRIGGER_AUTHENTICATION,
        kind: 'ClusterTriggerAuthentication',
      },
    });
  } else if (scaling.queueDepth && agent.queue && cloud?.queue?.kind === 'sqs') {
    triggers.push({
      type: 'aws-sqs-queue',
      name: 'queue-depth',
      metricType: 'AverageValue',
      metadata: {
        queueURL: cloud.queue.queueUrl,
        queueLength: String(scaling.queueDepth.perReplica),
        activationQueueLength: String(scaling.queueDepth.activation ?? 0),
        awsRegion: cloud.identity?.region,
      },
      authenticationRef: awsAuthentication,
    });
  }
  if (scaling.consumerLag && agent.topic && cloud?.kafka) {
    const msk = (cloud.kafka.auth ?? 'aws-msk-iam') === 'aws-msk-iam';
    triggers.push({
      type: 'kafka',
      name: 'consumer-lag',
      metricType: 'AverageValue',
      metadata: {
        ...kafkaTriggerMetadata(agent.topic, cloud.kafka.bootstrapServers, scaling.consumerLag),
        ...(msk
          ? {
              sasl: 'oauthbearer',
              saslTokenProvider: 'aws_msk_iam',
              tls: 'enable',
              awsRegion: cloud.identity?.region,
            }
          : {}),
      },
      ...(msk ? { authenticationRef: awsAuthentication } : {}),
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
 * Metadata of the `kafka` (Sarama) trigger. On MSK, the caller adds IAM
 * authentication: SASL OAUTHBEARER with the `aws_msk_iam` token provider over
 * TLS, signed with KEDA's own AWS identity. An in-cluster Strimzi cluster is
 * read on its plain listener, which admits only KEDA's and the agents'
 * namespaces.
 *
 * - `offsetResetPolicy: earliest`: agents start a new consumer group at the
 *   oldest record (`FLEET_KAFKA_AUTO_OFFSET_RESET`), so none published before
 *   the group's first commit is skipped; KEDA then counts those records as lag
 *   instead of holding one replica per partition on a group without offsets.
 * - `allowIdleConsumers: false`: replicas beyond the partition count would
 *   receive no partition.
 * - `limitToPartitionsWithLag: false`: capping replicas at the partitions that
 *   currently lag would resize the group, and rebalance it, each time the lag
 *   moves between partitions; the HPA behaviour already rate-limits scaling.
 * @see https://keda.sh/docs/2.20/scalers/apache-kafka/
 */
function kafkaTriggerMetadata(
  topic: ResolvedTopicBinding,
  bootstrapServers: string,
  lag: { readonly perReplica: number; readonly activation?: number },
): Manifest {
  return {
    bootstrapServers,
    consumerGroup: topic.consumerGroup,
    topic: topic.topic,
    lagThreshold: String(lag.perReplica),
    activationLagThreshold: String(lag.activation ?? 0),
    offsetResetPolicy: KAFKA_OFFSET_RESET,
    allowIdleConsumers: 'false',
    limitToPartitionsWithLag: 'false',
  };
}

/**
 * ScaledObject for a long-running consumer: the HPA behaviour goes through
 * `advanced.horizontalPodAutoscalerConfig`, fallback holds replicas when the
 * signal's source fails ({@link resolveFallback}: none when the spec turns it
 * off), also at `minReplicaCount` 0, where KEDA 2.19 and later wake the target
 * to it (`pkg/scaling/scale_handler.go`: a trigger on fallback counts as active).
 * @see https://keda.sh/docs/2.20/reference/scaledobject-spec/#fallback
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
