import { Release } from '@cdktf/provider-helm/lib/release';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Taint } from '../../../model/placement';
import { Problem, ValidationError } from '../../../model/problems';
import { Cpu, Size } from '../../../model/units';
import { POOL_LABEL, tolerationsOf } from '../core/pod-plan';
import { CHARTS } from '../platform/charts';
import { CASSANDRA_OPERATOR_SIZE } from '../platform/footprint';

/**
 * cass-operator's image, as chart {@link CHARTS}.cassOperator (0.64.1) pins it
 * (k8ssandra/k8ssandra `charts/cass-operator/values.yaml` `image`, appVersion
 * 1.30.0 in its `Chart.yaml`), set explicitly so the pin is visible here.
 */
export const CASS_OPERATOR_IMAGE = {
  registry: 'docker.io',
  repository: 'k8ssandra/cass-operator',
  tag: 'v1.30.0',
} as const;

/** Name of the operator's release, and so of its Deployment (`<release>` as the chart names it). */
export const CASS_OPERATOR_RELEASE = 'cass-operator';

/**
 * Labels of the operator's pods: the chart's `k8ssandra-common.selectorLabels`
 * (k8ssandra/k8ssandra `charts/k8ssandra-common/templates/_helpers.tpl`) for
 * release {@link CASS_OPERATOR_RELEASE}.
 */
export function cassOperatorPodLabels(namespace: string): Readonly<Record<string, string>> {
  return {
    'app.kubernetes.io/name': 'cass-operator',
    'app.kubernetes.io/instance': CASS_OPERATOR_RELEASE,
    'app.kubernetes.io/part-of': `k8ssandra-${CASS_OPERATOR_RELEASE}-${namespace}`,
  };
}

/** Props of {@link CassandraOperatorRelease}. */
export interface CassandraOperatorReleaseProps {
  /**
   * Namespace the operator runs in, which is also the only one it watches
   * (`global.clusterScoped: false`: `WATCH_NAMESPACE` is the pod's own
   * namespace): the datacenter goes there. Pass the namespace resource's name attribute.
   */
  readonly namespace: string;
  /** Requested and limited memory of the operator. @default CASSANDRA_OPERATOR_SIZE.memory (256Mi) */
  readonly memory?: Size;
  /** Requested CPU of the operator; the limit is one core. @default CASSANDRA_OPERATOR_SIZE.cpu (100m) */
  readonly cpu?: Cpu;
  /**
   * The node pool the operator runs on, matched on the `agent-fleet.dev/pool`
   * node label. One pool: the chart's Deployment takes a `nodeSelector` only,
   * no affinity, so it cannot list several.
   * @default - any node
   */
  readonly pool?: string;
  /** Taints the operator tolerates. @default - none */
  readonly tolerations?: readonly Taint[];
  /** What must be installed first. @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * cass-operator (chart `cass-operator`, {@link CHARTS}.cassOperator, the
 * K8ssandra project's), which runs Apache Cassandra datacenters from
 * `CassandraDatacenter` resources, for its own namespace only.
 *
 * Its admission webhook is turned off (`admissionWebhooks.enabled: false`):
 * the chart makes its serving certificate with cert-manager only
 * (`templates/certificates.yaml` renders a cert-manager `Issuer` and
 * `Certificate` whenever the webhook is on, and the
 * `ValidatingWebhookConfiguration` gets its CA bundle only from cert-manager's
 * `inject-ca-from` annotation; no value sets a `caBundle`), and the platform
 * runs no cert-manager. A certificate from `ServerCertificates` could not
 * reach the API server's webhook client. Without `--webhook-cert-path` the
 * operator starts without its webhook server (cass-operator v1.29.1, #899).
 * What the webhook refused (a change of `clusterName`, of the storage claim,
 * of racks) is then not refused at admission: `CassandraDatacenter` renders
 * those from fixed settings, and the operator still checks the superuser and
 * users' Secrets, FQL settings and Service labels when it reconciles
 * (`pkg/reconciliation/handler.go` `IsValid`).
 *
 * The chart ships its CRDs in `crds/`: Helm installs them with the release
 * and never upgrades them. The `CassandraDatacenter` is a
 * `kubernetes_manifest`, which needs the CRD when it is planned: it belongs in
 * a later stack (the agents stack).
 * @see https://github.com/k8ssandra/k8ssandra/tree/main/charts/cass-operator
 */
export class CassandraOperatorRelease extends Construct {
  /** The `helm_release` of the operator's chart, which brings the cass-operator CRDs. */
  readonly release: Release;

  constructor(scope: Construct, id: string, props: CassandraOperatorReleaseProps) {
    super(scope, id);
    const problems: Problem[] = [];
    if (props.pool !== undefined && props.pool.trim() === '') {
      problems.push({ path: ['pool'], message: 'must name a pool, or be left out' });
    }
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const cpu = props.cpu ?? CASSANDRA_OPERATOR_SIZE.cpu;
    const memory = (props.memory ?? CASSANDRA_OPERATOR_SIZE.memory).toKubernetes();
    const cpuLimit = cpu.isAtMost(Cpu.cores(1)) ? Cpu.cores(1) : cpu;
    this.release = new Release(this, 'Resource', {
      name: CASS_OPERATOR_RELEASE,
      namespace: props.namespace,
      ...CHARTS.cassOperator,
      skipCrds: false,
      atomic: true,
      cleanupOnFail: true,
      dependsOn: props.dependsOn,
      values: [JSON.stringify(cassOperatorValues(props, cpu, cpuLimit, memory))],
    });
  }
}

/** The chart values: each key is one of the chart's `values.yaml` (0.64.1). */
function cassOperatorValues(
  props: CassandraOperatorReleaseProps,
  cpu: Cpu,
  cpuLimit: Cpu,
  memory: string,
) {
  return {
    global: { clusterScoped: false },
    admissionWebhooks: { enabled: false },
    image: { ...CASS_OPERATOR_IMAGE },
    replicaCount: 1,
    // The chart's own container settings, with what `restricted` adds.
    securityContext: {
      runAsNonRoot: true,
      runAsGroup: 65534,
      runAsUser: 65534,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    resources: {
      requests: { cpu: cpu.toKubernetes(), memory },
      limits: { cpu: cpuLimit.toKubernetes(), memory },
    },
    nodeSelector: props.pool !== undefined ? { [POOL_LABEL]: props.pool } : {},
    tolerations: tolerationsOf(props.tolerations ?? []),
  };
}
