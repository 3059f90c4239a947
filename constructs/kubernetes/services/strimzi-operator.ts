import { Release } from '@cdktf/provider-helm/lib/release';
import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Taint } from '../../../model/placement';
import { Problem, ValidationError } from '../../../model/problems';
import { Cpu, Size } from '../../../model/units';
import { poolNodeAffinity, tolerationsOf } from '../core/pod-plan';
import { CHARTS } from '../platform/charts';

/** Compute resources of the operator's container. */
export interface StrimziOperatorResources {
  /** Requested CPU; the limit is the larger of this and one core. @default Cpu.millis(200) */
  readonly cpu?: Cpu;
  /** Requested and limited memory. @default Size.mebibytes(384) */
  readonly memory?: Size;
}

/** Props of {@link StrimziOperatorRelease}. */
export interface StrimziOperatorReleaseProps {
  /**
   * Namespace the operator runs in; pass the namespace resource's name
   * attribute. The operator always watches it.
   */
  readonly namespace: string;
  /**
   * Namespaces holding `Kafka`, `KafkaNodePool` and `KafkaTopic` objects the
   * operator reconciles, besides its own. Its own namespace may be listed: it
   * is left out of the chart's list, where it would make the chart create its
   * RoleBindings twice and fail. Pass the same strings (namespace name
   * attributes) the clusters are given.
   */
  readonly watchNamespaces: readonly string[];
  /**
   * CPU and memory of the operator's pod.
   * @default - 200m CPU requested, one core limit, 384Mi memory
   */
  readonly resources?: StrimziOperatorResources;
  /**
   * Node pools the operator may run on, matched on the `agent-fleet.dev/pool` node label.
   * @default - any node
   */
  readonly pools?: readonly string[];
  /** Taints of those pools the operator tolerates. @default - none */
  readonly tolerations?: readonly Taint[];
  /** What must be installed first. @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The Strimzi cluster operator, installed with its CRDs by Strimzi's own chart.
 * It belongs in a site's platform stack: the `Kafka`, `KafkaNodePool` and
 * `KafkaTopic` objects are `kubernetes_manifest` resources, which need their
 * CRDs to exist when they are planned, so they go in a later stack (the agents
 * stack).
 *
 * The chart ships the CRDs in its `crds/` folder: Helm installs them with the
 * release but never upgrades or deletes them. When raising
 * the `CHARTS.strimzi` version, apply the new release's CRDs first, as
 * Strimzi's upgrade guide says.
 *
 * The operator watches only its own namespace and the ones listed, generates
 * the NetworkPolicies of the listeners it manages (`generateNetworkPolicy`)
 * and a PodDisruptionBudget per cluster, and gets the ClusterRoles rack
 * awareness needs (`createGlobalResources`).
 * @see https://github.com/strimzi/strimzi-kafka-operator/tree/main/packaging/helm-charts/helm3/strimzi-kafka-operator
 */
export class StrimziOperatorRelease extends Construct {
  /** The `helm_release` of Strimzi's operator chart, which brings the Strimzi CRDs. */
  readonly release: Release;
  /** The namespaces the chart is told to watch besides the release's own. */
  readonly watchedNamespaces: readonly string[];

  constructor(scope: Construct, id: string, props: StrimziOperatorReleaseProps) {
    super(scope, id);
    const problems = validateOperator(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    this.watchedNamespaces = [...new Set(props.watchNamespaces)].filter(
      (namespace) => namespace !== props.namespace,
    );
    const cpu = props.resources?.cpu ?? Cpu.millis(200);
    const memory = props.resources?.memory ?? Size.mebibytes(384);
    const cpuLimit = cpu.isAtMost(Cpu.cores(1)) ? Cpu.cores(1) : cpu;
    const pools = props.pools ?? [];

    this.release = new Release(this, 'Resource', {
      name: 'strimzi',
      namespace: props.namespace,
      ...CHARTS.strimzi,
      skipCrds: false,
      atomic: true,
      cleanupOnFail: true,
      dependsOn: props.dependsOn,
      values: [
        JSON.stringify({
          watchNamespaces: this.watchedNamespaces,
          watchAnyNamespace: false,
          createGlobalResources: true,
          generateNetworkPolicy: true,
          generatePodDisruptionBudget: true,
          resources: {
            requests: { cpu: cpu.toKubernetes(), memory: memory.toKubernetes() },
            limits: { cpu: cpuLimit.toKubernetes(), memory: memory.toKubernetes() },
          },
          tolerations: tolerationsOf(props.tolerations ?? []),
          affinity: pools.length > 0 ? { nodeAffinity: poolNodeAffinity(pools) } : {},
        }),
      ],
    });
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function validateOperator(props: StrimziOperatorReleaseProps): Problem[] {
  const problems: Problem[] = [];
  props.watchNamespaces.forEach((namespace, index) => {
    if (Token.isUnresolved(namespace)) return;
    if (!DNS_LABEL.test(namespace) || namespace.length > 63) {
      problems.push({
        path: ['watchNamespaces', index],
        message: `'${namespace}' is not a namespace name: at most 63 lowercase letters, digits or '-'`,
      });
    }
  });
  if (props.pools !== undefined && props.pools.length === 0) {
    problems.push({ path: ['pools'], message: 'must list at least one pool, or be left out' });
  }
  return problems;
}
