import { CronJobV1 } from '@cdktf/provider-kubernetes/lib/cron-job-v1';
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { Manifest as ManifestResource } from '@cdktf/provider-kubernetes/lib/manifest';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { kedaFallback } from '../../../guardrails';
import {
  rabbitMqBrokers,
  AgentCloudBindings,
  AgentSpec,
  BrokerSpec,
  DEFAULT_MONITORING_NAMESPACE,
  Duration,
  fallbackOffReason,
  GuardrailSuppression,
  KubernetesSiteSpec,
  Problem,
  prometheusUrlOf,
  ResolvedAgent,
  ScalingSpec,
  validateAgent,
  validateAgentOnSite,
  ValidationError,
  isInClusterStore,
} from '../../../model';
import { AgentNetworkPolicy } from '../core/network-policy';
import { manifestPodSpec } from '../core/pod-manifest';
import { PodPlan, planPod, selectorLabels, VaultCredentials } from '../core/pod-plan';
import { providerPodSpec } from '../core/pod-spec';
import { VAULT_INJECT_ANNOTATION } from '../core/vault-annotations';
import { NativeAutoscaler } from './hpa';
import {
  clusterTriggerAuthentications,
  kedaTriggers,
  scaledJob,
  scaledObject,
  TriggerContext,
} from './keda';

/** Props of {@link KubernetesAgent}. */
export interface KubernetesAgentProps {
  /** The agent type, resolved (see `resolveAgent`; a site's plan holds its agents resolved). */
  readonly agent: ResolvedAgent;
  /** The site it runs on; placement is matched against the site's node pools. */
  readonly site: KubernetesSiteSpec;
  /** The brokers reachable on the site; the agent's queue binding and publish targets name them. */
  readonly brokers: readonly BrokerSpec[];
  /**
   * Namespace to render into; pass the namespace resource's name attribute so
   * the objects depend on it.
   */
  readonly namespace: string;
  /** PriorityClass of the agent's tier. */
  readonly priorityClassName: string;
  /**
   * What the infra stack of the agent's cloud site built for it: the service
   * account's cloud identity (IRSA annotations), its SQS queue, its MSK
   * cluster and its table. Values may be Terraform tokens. An SQS queue
   * binding, a Kafka topic binding or state needs the matching value.
   * @default - none: a cluster the user runs, without cloud services
   */
  readonly cloud?: AgentCloudBindings;
  /**
   * The site's Vault, whose Agent Injector writes the agent's broker
   * credentials into its pods instead of mounted Secrets.
   * @default - credentials from Secrets the platform stack writes
   */
  readonly vault?: VaultCredentials;
  /**
   * What must exist before the workload starts, e.g. the Job that creates the
   * collections of its document state.
   * @default - nothing
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One agent type on a Kubernetes site: ServiceAccount, workload (Deployment,
 * CronJob or KEDA ScaledJob), exactly one autoscaler (KEDA ScaledObject for
 * event signals, a native HPA for CPU/memory only, none for a fixed count),
 * PodDisruptionBudget and a default-deny NetworkPolicy, all hardened.
 *
 * Validates eagerly: every problem of the spec on this site is reported at once.
 */
export class KubernetesAgent extends Construct {
  /** The pools the agent may be scheduled on. */
  readonly pools: readonly string[];
  /** The agent type, resolved, as the props gave it. */
  readonly resolved: ResolvedAgent;
  /**
   * The cluster-wide KEDA trigger authentications its triggers reference
   * (`keda-aws`, `keda-azure`, a broker's), which the stack creates.
   */
  readonly clusterTriggerAuthentications: readonly string[];
  /**
   * The written exceptions to the guardrails the agent's spec makes, for the
   * stack to check with the environment's suppressions: a fallback turned off
   * with a reason (`scaling.fallback.enabled: false`) is the exception to
   * GR-AS-06 for its ScaledObject, listed with the suppressions in the plan review.
   */
  readonly guardrailExceptions: readonly GuardrailSuppression[];

  constructor(scope: Construct, id: string, props: KubernetesAgentProps) {
    super(scope, id);
    const { agent: resolved, site, brokers, cloud } = props;
    const agent = resolved.spec;
    const problems = [
      ...validateAgent(agent),
      ...validateAgentOnSite(agent, site, brokers),
      ...cloudBindingProblems(agent, brokers, cloud),
    ];
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    this.resolved = resolved;
    const rabbitMq = rabbitMqBrokers(brokers);
    const broker = rabbitMq.find((candidate) => candidate.name === resolved.queue?.broker);
    const plan = planPod(resolved, site, props.priorityClassName, brokers, cloud, props.vault);
    this.pools = plan.pools;
    const name = agent.name;
    const namespace = props.namespace;
    const labels = { ...selectorLabels(name) };
    const metadata = { name, namespace, labels };

    new ServiceAccountV1(this, 'ServiceAccount', {
      metadata: cloud?.identity
        ? { ...metadata, annotations: { ...cloud.identity.serviceAccountAnnotations } }
        : metadata,
      // IRSA's token is a projected volume the EKS webhook adds for annotated
      // service accounts whatever this says: the Kubernetes API token stays out.
      automountServiceAccountToken: plan.settings.automountServiceAccountToken,
    });

    new AgentNetworkPolicy(this, 'NetworkPolicy', {
      name,
      namespace,
      podLabels: labels,
      brokers: rabbitMq.filter((candidate) => resolved.brokers.includes(candidate.name)),
      metricsPort: resolved.metricsPort?.name,
      monitoringNamespace: site.monitoring?.namespace ?? DEFAULT_MONITORING_NAMESPACE,
      egress: [
        ...(cloud?.privateEgress ?? []),
        ...(plan.annotations[VAULT_INJECT_ANNOTATION] === 'true' ? vaultEgress(props.vault) : []),
        ...(agent.isolation?.egress ?? []),
      ],
      kafka: resolved.topic && cloud?.kafka,
      database: agent.state && isInClusterStore(cloud?.store) ? cloud?.store : undefined,
      cloudApis: cloud?.identity !== undefined,
    });

    const triggers = (scaling: ScalingSpec): TriggerContext => ({
      agent: resolved,
      scaling,
      broker,
      cloud,
      prometheusUrl: prometheusUrlOf(site),
    });
    this.clusterTriggerAuthentications =
      agent.scaling !== undefined ? clusterTriggerAuthentications(triggers(agent.scaling)) : [];

    const exceptions: GuardrailSuppression[] = [];
    this.guardrailExceptions = exceptions;
    switch (resolved.workload) {
      case 'scheduled':
        this.renderCronJob(resolved, plan, metadata, props.dependsOn);
        break;
      case 'per-message': {
        const scaling = agent.scaling as ScalingSpec;
        const deadline = resolved.gracePeriod.plus(
          resolved.queue?.maxProcessingTime ?? Duration.seconds(0),
        );
        new ManifestResource(this, 'Workload', {
          manifest: scaledJob(
            triggers(scaling),
            metadata,
            {
              metadata: { labels: plan.labels, annotations: plan.annotations },
              spec: manifestPodSpec(plan),
            },
            Math.max(deadline.toSecondsCeil(), 60),
          ),
          dependsOn: props.dependsOn,
        });
        break;
      }
      default: {
        const scaling = agent.scaling as ScalingSpec;
        const kind = resolved.scalingMode;
        const deployment = new DeploymentV1(this, 'Workload', {
          metadata,
          waitForRollout: false,
          dependsOn: props.dependsOn,
          spec: {
            // An autoscaled workload never carries replicas: every apply would reset the count.
            replicas: kind === 'fixed' ? String(scaling.minReplicas) : undefined,
            revisionHistoryLimit: 5,
            selector: { matchLabels: labels },
            strategy: {
              type: 'RollingUpdate',
              rollingUpdate: { maxSurge: '25%', maxUnavailable: '0' },
            },
            template: {
              metadata: {
                labels: { ...plan.labels },
                ...(Object.keys(plan.annotations).length > 0
                  ? { annotations: { ...plan.annotations } }
                  : {}),
              },
              spec: providerPodSpec(plan),
            },
          },
        });
        new PodDisruptionBudgetV1(this, 'DisruptionBudget', {
          metadata,
          // One at a time, whatever the count: a drain proceeds even at one replica.
          spec: { maxUnavailable: '1', selector: { matchLabels: labels } },
        });
        if (kind === 'keda') {
          const autoscaler = new ManifestResource(this, 'Autoscaler', {
            manifest: scaledObject(triggers(scaling), metadata, name),
            dependsOn: [deployment],
          });
          // Validation allows `enabled: false` only where a fallback would be set, so the
          // exception always meets GR-AS-06's finding.
          const reason = fallbackOffReason(scaling);
          if (reason !== undefined && kedaTriggers(triggers(scaling)).length > 0) {
            exceptions.push({
              rule: kedaFallback.id,
              resource: autoscaler.node.path,
              reason: `scaling.fallback is off: ${reason}`,
            });
          }
        } else if (kind === 'hpa') {
          new NativeAutoscaler(this, 'Autoscaler', { name, namespace, labels, scaling });
        }
      }
    }
  }

  private renderCronJob(
    resolved: ResolvedAgent,
    plan: PodPlan,
    metadata: { name: string; namespace: string; labels: Record<string, string> },
    dependsOn?: ITerraformDependable[],
  ): void {
    const schedule = resolved.spec.schedule;
    if (!schedule) return;
    const concurrency = schedule.concurrency ?? 'forbid';
    new CronJobV1(this, 'Workload', {
      metadata,
      dependsOn,
      spec: {
        schedule: schedule.cron,
        timezone: schedule.timezone ?? 'Etc/UTC',
        concurrencyPolicy: concurrency.charAt(0).toUpperCase() + concurrency.slice(1),
        startingDeadlineSeconds: 300,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: { ...plan.labels } },
          spec: {
            activeDeadlineSeconds: (schedule.deadline ?? Duration.minutes(60)).toSecondsCeil(),
            backoffLimit: schedule.retries ?? 2,
            ttlSecondsAfterFinished: '86400',
            template: {
              metadata: {
                labels: { ...plan.labels },
                ...(Object.keys(plan.annotations).length > 0
                  ? { annotations: { ...plan.annotations } }
                  : {}),
              },
              spec: providerPodSpec(plan),
            },
          },
        },
      },
    });
  }
}

/** Egress of a pod's Vault sidecar: the Vault server's networks on its port. */
function vaultEgress(vault?: VaultCredentials): { cidr: string; ports: number[] }[] {
  return (vault?.server.cidrs ?? []).map((cidr) => ({ cidr, ports: [vault!.server.port] }));
}

/**
 * Bindings to services that the site's bindings must back: without them the
 * agent would run with no queue, topic, table or database to reach.
 */
function cloudBindingProblems(
  agent: AgentSpec,
  brokers: readonly BrokerSpec[],
  cloud?: AgentCloudBindings,
): Problem[] {
  const problems: Problem[] = [];
  const missing = (what: string) =>
    cloud
      ? `the bindings of agent '${agent.name}' hold no ${what}`
      : `the site gave no bindings for agent '${agent.name}'`;
  const queueBroker = brokers.find((broker) => broker.name === agent.queue?.broker);
  if (queueBroker?.kind === 'sqs' && cloud?.queue?.kind !== 'sqs') {
    problems.push({
      path: ['queue', 'broker'],
      message: `SQS broker '${queueBroker.name}' needs the queue its site's infra stack builds, and ${missing('SQS queue')}; SQS is reached only from an AWS site's EKS cluster`,
    });
  }
  if (queueBroker?.kind === 'servicebus' && cloud?.queue?.kind !== 'servicebus') {
    problems.push({
      path: ['queue', 'broker'],
      message: `Service Bus broker '${queueBroker.name}' needs the queue its site's infra stack builds, and ${missing('Service Bus queue')}; Service Bus is reached only from an Azure site's AKS cluster`,
    });
  }
  if (agent.topic && !cloud?.kafka) {
    problems.push({
      path: ['topic', 'broker'],
      message: `Kafka broker '${agent.topic.broker}' needs the cluster its site runs, and ${missing('Kafka endpoint')}`,
    });
  }
  if (agent.state && !cloud?.store) {
    problems.push({
      path: ['state'],
      message: `needs the table or database its site provides, and ${missing('table or database')}`,
    });
  }
  if (cloud?.identity?.cloud === 'aws' && agent.container.env?.AWS_REGION !== undefined) {
    problems.push({
      path: ['container', 'env', 'AWS_REGION'],
      message: `is set from the site's cloud bindings (${cloud.identity.region})`,
    });
  }
  return problems;
}
