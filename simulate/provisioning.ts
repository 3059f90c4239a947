/**
 * How long new capacity takes to arrive, per kind of site and placement, and
 * the cluster autoscaler's own timings: recorded defaults for the scaling
 * simulator, each with where it comes from. Provisioning times are not
 * documented by the clouds as figures; those here are measurements reported
 * in public, rounded to the minute, and say so in their notes.
 */

/** One recorded timing. */
export interface RecordedTiming {
  /** The timing, whole seconds, 0 or more. */
  readonly seconds: number;
  /** Where the figure comes from: a documentation page, a pinned upstream file, or a public measurement. */
  readonly source: string;
  /** Further pages that agree with or qualify the figure. @default - none */
  readonly seeAlso?: readonly string[];
  /** What the figure measures, from when to when, and how it was chosen. */
  readonly note: string;
}

/** Where new capacity for an agent comes from. */
export type ProvisioningKind =
  | 'eks-managed-node-group'
  | 'aks-node-pool'
  | 'fixed-nodes'
  | 'ec2-auto-scaling-group'
  | 'azure-vm-scale-set';

/** Time to a new node (or machine), and whether the kind adds any at all. */
export interface ProvisioningTiming extends RecordedTiming {
  /** False where nodes are fixed: a scale-up beyond them stays pending, whatever `seconds` says. */
  readonly provisions: boolean;
}

/** The kubernetes/autoscaler commit whose `cluster-autoscaler/FAQ.md` the figures below are read from (2026-08-22). */
export const CLUSTER_AUTOSCALER_FAQ_COMMIT = '55c37cd5eb550756c5ccc5a89e9068d77797e575';

const FAQ = `https://github.com/kubernetes/autoscaler/blob/${CLUSTER_AUTOSCALER_FAQ_COMMIT}/cluster-autoscaler/FAQ.md`;
const AKS_PROFILE =
  'https://learn.microsoft.com/en-us/javascript/api/@azure-rest/arm-containerservice/managedclusterpropertiesautoscalerprofile';

/**
 * Time from a scale-up request to new capacity that takes work, per kind:
 * for node pools, from the cluster autoscaler raising the node group's size
 * to the node Ready and pods schedulable on it (the autoscaler's own reaction,
 * up to `scanInterval`, and the pods' image pull and start come on top); for
 * scaling groups of agent machines, from the group's capacity raised to the
 * machine counted as serving.
 */
export const NODE_PROVISIONING: Readonly<Record<ProvisioningKind, ProvisioningTiming>> = {
  'eks-managed-node-group': {
    seconds: 180,
    provisions: true,
    source: 'https://github.com/ovh/public-cloud-roadmap/issues/1198',
    seeAlso: [`${FAQ}#L928`],
    note: "EKS managed node group (an EC2 Auto Scaling group) scaled by the cluster autoscaler: a user's comparison measured EKS at 1 to 3 minutes from the autoscaler's decision to the node Ready; the autoscaler FAQ's own experience is 3 to 4 minutes on GCE. 3 minutes, where the two meet.",
  },
  'aks-node-pool': {
    seconds: 300,
    provisions: true,
    source: 'https://github.com/ANZAzureDevs/New-Breakpoint/pull/37',
    seeAlso: ['https://github.com/Azure/AKS/issues/1898'],
    note: "AKS node pool (a VM scale set) scaled by AKS's cluster autoscaler: node autoscaling adds 3 to 7 minutes before a pod runs; a reported case took about 5 minutes for a second node (15 for the first of a pool). 5 minutes, the middle of the range.",
  },
  'fixed-nodes': {
    seconds: 0,
    provisions: false,
    source: 'https://kubernetes.io/docs/concepts/architecture/nodes/#management',
    note: 'On-premises and edge Kubernetes sites, and hosts sites: nodes are registered by their kubelet or by hand, and no autoscaler adds any, so nothing is provisioned; replicas beyond what the nodes hold stay Pending.',
  },
  'ec2-auto-scaling-group': {
    seconds: 180,
    provisions: true,
    source:
      'https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html',
    seeAlso: [
      'https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/autoscaling/aws.sdk.kotlin.services.autoscaling.model/-create-auto-scaling-group-request/default-cooldown.html',
    ],
    note: "An agent's own EC2 Auto Scaling group: a new instance is not counted in the group's capacity until its default instance warmup has passed after it is InService. The fleet sets that warmup to the agent's `warmup`, 3 minutes unless given (boot, image pull, agent start; constructs/aws/agent-scaling-group.ts). Launch to InService comes on top. AWS itself enables no warmup by default; without one, target tracking waits out the default cooldown, 300 s.",
  },
  'azure-vm-scale-set': {
    seconds: 240,
    provisions: true,
    source: 'https://github.com/jenkinsci/azure-vm-agents-plugin/issues/205',
    seeAlso: ['https://github.com/scylladb/scylla-cluster-tests/issues/11381'],
    note: "An agent's own Azure VM scale set scaled by Azure Monitor autoscale: provisioning a VM from a custom image usually takes 2 to 4 minutes as measured by a Jenkins agents plugin user (another test suite reports up to 9 minutes to cloud-init on Azure). 4 minutes, the top of the usual range, since the agent still starts on boot.",
  },
};

/** A site's kind and, on AWS and Azure sites, whether the agent runs on its own scaling group. */
export function provisioningKind(
  siteKind: 'aws' | 'azure' | 'kubernetes' | 'hosts',
  ownScalingGroup = false,
): ProvisioningKind {
  switch (siteKind) {
    case 'aws':
      return ownScalingGroup ? 'ec2-auto-scaling-group' : 'eks-managed-node-group';
    case 'azure':
      return ownScalingGroup ? 'azure-vm-scale-set' : 'aks-node-pool';
    case 'kubernetes':
    case 'hosts':
      return 'fixed-nodes';
  }
}

/** The cluster autoscaler's timings that shape a simulation. */
export type ClusterAutoscalerTiming =
  | 'scanInterval'
  | 'scaleDownUnneededTime'
  | 'scaleDownDelayAfterAdd'
  | 'scaleDownDelayAfterDelete'
  | 'maxNodeProvisionTime';

/**
 * The cluster autoscaler's defaults, from its FAQ's parameter table at
 * {@link CLUSTER_AUTOSCALER_FAQ_COMMIT}. The fleet's AWS sites run the
 * autoscaler with these (constructs/kubernetes/platform/cluster-autoscaler-release.ts
 * sets none of them); AKS's autoscaler profile has the same defaults.
 */
export const CLUSTER_AUTOSCALER: Readonly<Record<ClusterAutoscalerTiming, RecordedTiming>> = {
  scanInterval: {
    seconds: 10,
    source: `${FAQ}#L1136`,
    seeAlso: [
      'https://learn.microsoft.com/en-us/training/modules/configure-scaling-azure-kubernetes-service/3-cluster-autoscaler',
    ],
    note: '`--scan-interval`: how often the autoscaler looks for unschedulable pods (scale-up) and unneeded nodes (scale-down). A pending pod waits up to this long before a node is asked for.',
  },
  scaleDownUnneededTime: {
    seconds: 600,
    source: `${FAQ}#L1130`,
    seeAlso: [AKS_PROFILE],
    note: '`--scale-down-unneeded-time`: how long a node must stay unneeded (requests under half its allocatable, its pods movable) before it is removed.',
  },
  scaleDownDelayAfterAdd: {
    seconds: 600,
    source: `${FAQ}#L1122`,
    seeAlso: [AKS_PROFILE],
    note: '`--scale-down-delay-after-add`: after a scale-up, no node is removed for this long.',
  },
  scaleDownDelayAfterDelete: {
    seconds: 0,
    source: `${FAQ}#L1123`,
    seeAlso: [AKS_PROFILE],
    note: '`--scale-down-delay-after-delete`: after a node is removed, scale-down resumes after this long (AKS: the scan interval).',
  },
  maxNodeProvisionTime: {
    seconds: 900,
    source: `${FAQ}#L1086`,
    seeAlso: [AKS_PROFILE],
    note: '`--max-node-provision-time`: a node not registered after this long is given up, and another node group may be tried.',
  },
};
