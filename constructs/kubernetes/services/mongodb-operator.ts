import { Release } from '@cdktf/provider-helm/lib/release';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Taint } from '../../../model/placement';
import { Problem, ValidationError } from '../../../model/problems';
import { Cpu, Size } from '../../../model/units';
import { poolNodeAffinity, tolerationsOf } from '../core/pod-plan';
import { CHARTS } from '../platform/charts';
import { MONGODB_OPERATOR_SIZE } from '../platform/footprint';

/** Props of {@link MongoDbOperatorRelease}. */
export interface MongoDbOperatorReleaseProps {
  /**
   * Namespace the operator runs in, which is also the only one it watches
   * (the chart's `WATCH_NAMESPACE` defaults to the release's): the replica
   * set goes there. Pass the namespace resource's name attribute.
   */
  readonly namespace: string;
  /** Requested and limited memory of the operator. @default MONGODB_OPERATOR_SIZE.memory (512Mi) */
  readonly memory?: Size;
  /** Requested CPU of the operator; the limit is one core. @default MONGODB_OPERATOR_SIZE.cpu (200m) */
  readonly cpu?: Cpu;
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
 * MongoDB Controllers for Kubernetes (chart `mongodb-kubernetes`,
 * {@link CHARTS}.mongodbKubernetes), the operator MongoDB maintains, run for
 * its `MongoDBCommunity` reconciler only: it watches that resource alone
 * (`operator.watchedResources`), not the Enterprise kinds nor
 * `ClusterMongoDBRole` (whose ClusterRole it then does not get), in its own
 * namespace only. Its telemetry, on by default and sent to MongoDB, is
 * turned off (`MDB_OPERATOR_TELEMETRY_ENABLED=false`).
 *
 * The chart ships its CRDs in `crds/`: Helm installs them with the release
 * and never upgrades them, so raising the pin means applying the new CRDs
 * first. The `MongoDBCommunity` object is a `kubernetes_manifest`, which
 * needs the CRD when it is planned: it belongs in a later stack (the
 * agents stack), as Strimzi's `Kafka` objects do.
 * @see https://github.com/mongodb/mongodb-kubernetes/tree/master/helm_chart
 */
export class MongoDbOperatorRelease extends Construct {
  /** The `helm_release` of the operator's chart, which brings the MongoDB CRDs. */
  readonly release: Release;

  constructor(scope: Construct, id: string, props: MongoDbOperatorReleaseProps) {
    super(scope, id);
    const problems: Problem[] = [];
    if (props.pools !== undefined && props.pools.length === 0) {
      problems.push({ path: ['pools'], message: 'must list at least one pool, or be left out' });
    }
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const cpu = props.cpu ?? MONGODB_OPERATOR_SIZE.cpu;
    const memory = (props.memory ?? MONGODB_OPERATOR_SIZE.memory).toKubernetes();
    const cpuLimit = cpu.isAtMost(Cpu.cores(1)) ? Cpu.cores(1) : cpu;
    const pools = props.pools ?? [];
    const { images, ...chart } = CHARTS.mongodbKubernetes;
    const tag = (image: string) => image.slice(image.lastIndexOf(':') + 1);
    this.release = new Release(this, 'Resource', {
      name: 'mongodb-kubernetes',
      namespace: props.namespace,
      ...chart,
      skipCrds: false,
      atomic: true,
      cleanupOnFail: true,
      dependsOn: props.dependsOn,
      values: [
        JSON.stringify({
          operator: {
            version: tag(images.operator),
            watchedResources: ['mongodbcommunity'],
            enableClusterMongoDBRoles: false,
            telemetry: { enabled: false, send: { enabled: false } },
            resources: {
              requests: { cpu: cpu.toKubernetes(), memory },
              limits: { cpu: cpuLimit.toKubernetes(), memory },
            },
            tolerations: tolerationsOf(props.tolerations ?? []),
            affinity: pools.length > 0 ? { nodeAffinity: poolNodeAffinity(pools) } : {},
          },
          community: { agent: { version: tag(images.agent) } },
          readinessProbe: { version: tag(images.readinessProbe) },
          versionUpgradeHook: { version: tag(images.versionUpgradeHook) },
        }),
      ],
    });
  }
}
