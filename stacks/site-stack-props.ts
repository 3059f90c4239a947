import {
  AgentSpec,
  BackendSpec,
  BrokerSpec,
  ClusterAccess,
  KubernetesSiteSpec,
  SiteCloudBindings,
} from '../constructs/model';

/** What every stack of a site is built from. */
export interface SiteStackProps {
  readonly site: KubernetesSiteSpec;
  /** The environment's brokers. */
  readonly brokers: readonly BrokerSpec[];
  /** The agent types placed on this site, with the site's overrides applied. */
  readonly agents: readonly AgentSpec[];
  /** @default - local state under `terraform-state/` */
  readonly backend?: BackendSpec;
  /**
   * Synthesize for the offline plan (`npm run plan:offline`) only: local state
   * whatever the environment's backend.
   * @default false
   */
  readonly offline?: boolean;
  /**
   * What the infra stack of a cloud site built for the cluster's agents and KEDA.
   * @default - none: a cluster the user runs
   */
  readonly cloud?: SiteCloudBindings;
  /** How to reach a cluster the fleet builds. @default - the site's kubeconfig */
  readonly clusterAccess?: ClusterAccess;
  /**
   * The cluster autoscaler of an EKS cluster the fleet builds.
   * @default - none: the cluster's own node scaling, if any
   */
  readonly nodeAutoscaler?: {
    readonly clusterName: string;
    readonly region: string;
    readonly roleArn: string;
  };
}
