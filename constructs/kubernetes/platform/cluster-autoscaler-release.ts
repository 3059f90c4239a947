import { Release } from '@cdktf/provider-helm/lib/release';
import { Construct } from 'constructs';
import { ValidationError } from '../../../model';
import { CHARTS, CLUSTER_AUTOSCALER_RELEASES, clusterAutoscalerProblems } from './charts';

/** Props of {@link ClusterAutoscalerRelease}. */
export interface ClusterAutoscalerReleaseProps {
  /** Name of the EKS cluster: the autoscaler discovers the Auto Scaling groups tagged as its. */
  readonly clusterName: string;
  /** AWS region of the cluster. */
  readonly region: string;
  /**
   * The cluster's Kubernetes minor version, e.g. `'1.35'`: the autoscaler runs
   * the release line of that minor ({@link CLUSTER_AUTOSCALER_RELEASES}).
   */
  readonly kubernetesVersion: string;
  /** IAM role the autoscaler's service account assumes (IRSA). */
  readonly roleArn: string;
}

/**
 * The cluster autoscaler for an EKS cluster: it discovers the node groups
 * tagged for the cluster and reads their node-template tags, so a pool with no
 * nodes still scales up for a pod that only it can host (a GPU agent). Chosen
 * over Karpenter because the node groups are declared pools with fixed labels
 * and taints the agents' placement is derived from; Karpenter would provision
 * nodes outside them.
 * @see https://github.com/kubernetes/autoscaler/tree/master/charts/cluster-autoscaler
 */
export class ClusterAutoscalerRelease extends Construct {
  constructor(scope: Construct, id: string, props: ClusterAutoscalerReleaseProps) {
    super(scope, id);
    const problems = clusterAutoscalerProblems(props.kubernetesVersion).map((problem) => ({
      ...problem,
      path: ['kubernetesVersion'],
    }));
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const release = CLUSTER_AUTOSCALER_RELEASES[props.kubernetesVersion];
    new Release(this, 'Resource', {
      name: 'cluster-autoscaler',
      namespace: 'kube-system',
      ...CHARTS.clusterAutoscaler,
      atomic: true,
      values: [
        JSON.stringify({
          cloudProvider: 'aws',
          awsRegion: props.region,
          autoDiscovery: { clusterName: props.clusterName },
          image: { tag: release.imageTag },
          rbac: {
            serviceAccount: {
              create: true,
              name: 'cluster-autoscaler',
              annotations: { 'eks.amazonaws.com/role-arn': props.roleArn },
            },
          },
          extraArgs: {
            'balance-similar-node-groups': true,
            // Agents keep only scratch data in emptyDir: it may go with the node. Work in
            // flight is protected by safe-to-evict=false on run-to-completion pods.
            'skip-nodes-with-local-storage': false,
            expander: 'least-waste',
          },
        }),
      ],
    });
  }
}
