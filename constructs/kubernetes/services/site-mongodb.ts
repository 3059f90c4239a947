import { Construct } from 'constructs';
import {
  brokerPoolMatch,
  DEFAULT_MONITORING_NAMESPACE,
  DocumentStateSpec,
  InClusterMongoDbSpec,
  KubernetesSiteSpec,
  mongoDbNamespace,
  ResolvedAgent,
  stateEngineFor,
  stateModelOf,
  tolerationsFor,
  runsInCluster,
} from '../../../model';
import { MongoDbNames, mongoDbNames } from './mongodb-access';
import { MongoDbReplicaSet } from './mongodb-replica-set';

/** Name of a site's MongoDB replica set and of its `MongoDBCommunity` resource. */
export const SITE_MONGODB_NAME = 'mongodb';

/** A site's in-cluster MongoDB and the agents whose documents it keeps. */
export interface SiteMongoDbPlan {
  /** What the site declares. */
  readonly spec: InClusterMongoDbSpec;
  /** The replica set's names. */
  readonly names: MongoDbNames;
  /** The agents of the site with document state, served by it. */
  readonly agents: readonly ResolvedAgent[];
}

/**
 * The site's MongoDB, when it declares one (`stateEngines.document`) and some
 * agent of the site keeps documents there; the platform stack (operator,
 * users, certificates) and the agents stack (the replica set) plan it alike.
 */
export function siteMongoDbPlan(
  site: KubernetesSiteSpec,
  agents: readonly ResolvedAgent[],
): SiteMongoDbPlan | undefined {
  const spec = site.stateEngines?.document;
  if (spec?.kind !== 'mongodb' || !runsInCluster(site, 'document', 'mongodb')) return undefined;
  const served = agents.filter(
    (agent) =>
      agent.spec.state && stateEngineFor(site, stateModelOf(agent.spec.state)).engine === 'mongodb',
  );
  if (served.length === 0) return undefined;
  return {
    spec,
    names: mongoDbNames(SITE_MONGODB_NAME, mongoDbNamespace(spec), spec.replicas ?? 3),
    agents: served,
  };
}

/** Props of {@link SiteMongoDb}. */
export interface SiteMongoDbProps {
  /** The site: its pools place the members. */
  readonly site: KubernetesSiteSpec;
  /** The agent types placed on the site. */
  readonly agents: readonly ResolvedAgent[];
}

/**
 * The replica set of a site's in-cluster MongoDB, a custom resource (the
 * operator, the users' Secrets and the certificates come with the platform
 * stack), with a collections Job per document-state agent. Members run on
 * the pools an in-cluster broker may use: on-demand, without GPUs.
 */
export class SiteMongoDb extends Construct {
  /** The replica set, when the site runs one for its agents. @default - none */
  readonly replicaSet?: MongoDbReplicaSet;

  constructor(scope: Construct, id: string, props: SiteMongoDbProps) {
    super(scope, id);
    const plan = siteMongoDbPlan(props.site, props.agents);
    if (!plan) return;
    const pools = brokerPoolMatch(props.site.nodePools).pools;
    const { spec } = plan;
    this.replicaSet = new MongoDbReplicaSet(this, 'ReplicaSet', {
      names: plan.names,
      reason: spec.reason,
      storage: spec.storage,
      storageClass: spec.storageClass,
      cpu: spec.resources?.cpu,
      memory: spec.resources?.memory,
      pools: pools.map((pool) => pool.name),
      tolerations: tolerationsFor(pools),
      monitoringNamespace: props.site.monitoring?.namespace ?? DEFAULT_MONITORING_NAMESPACE,
      databases: plan.agents.map((agent) => ({
        agent: agent.spec.name,
        namespace: agent.namespace,
        collections: (agent.spec.state as DocumentStateSpec).collections,
      })),
    });
  }
}
