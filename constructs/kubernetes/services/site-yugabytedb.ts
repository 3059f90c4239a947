import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { AgentYugabyteDatabase } from '../../../model/cloud-bindings';
import { Taint } from '../../../model/placement';
import { ResolvedAgent } from '../../../model/resolve';
import { KubernetesSiteSpec } from '../../../model/site';
import { stateModelOf } from '../../../model/state';
import {
  InClusterYugabyteDbSpec,
  stateEngineFor,
  stateIdentifier,
  yugabyteDbNamespace,
  runsInCluster,
} from '../../../model/state-engines';
import { EphemeralPassword } from '../../terraform/ephemeral-password';
import { WriteOnlySecret } from '../core/write-only-secret';
import { DatabaseUsers } from './database-users';
import { ServerCertificates } from './server-certificates';
import {
  YUGABYTEDB_YSQL_PORT,
  yugabyteDbCertificateNames,
  YugabyteDbNames,
  yugabyteDbNames,
} from './yugabytedb-access';
import { YugabyteDbDatabases, yugabyteDbProvisioningLabels } from './yugabytedb-databases';
import { YugabyteDbRelease } from './yugabytedb-release';

/** Name of a site's YugabyteDB Helm release; it labels the universe's pods. */
export const SITE_YUGABYTEDB_NAME = 'yugabytedb';

/** Key of the admin password in the chart's `authCredentials.ysql.passwordSecretName`. */
const ADMIN_PASSWORD_KEY = 'ysqlPassword';

/** A site's in-cluster YugabyteDB and the agents whose SQL state it keeps. */
export interface SiteYugabyteDbPlan {
  /** What the site declares. */
  readonly spec: InClusterYugabyteDbSpec;
  /** The universe's names. */
  readonly names: YugabyteDbNames;
  /** The agents of the site with SQL state, served by it. */
  readonly agents: readonly ResolvedAgent[];
}

/**
 * The site's YugabyteDB, when it declares one (`stateEngines.sql` of kind
 * `yugabytedb`) and some agent of the site keeps SQL state there.
 */
export function siteYugabyteDbPlan(
  site: KubernetesSiteSpec,
  agents: readonly ResolvedAgent[],
): SiteYugabyteDbPlan | undefined {
  const spec = site.stateEngines?.sql;
  if (spec?.kind !== 'yugabytedb' || !runsInCluster(site, 'sql', 'yugabytedb')) return undefined;
  const served = agents.filter(
    (agent) =>
      agent.spec.state &&
      stateEngineFor(site, stateModelOf(agent.spec.state)).engine === 'yugabytedb',
  );
  if (served.length === 0) return undefined;
  return {
    spec,
    names: yugabyteDbNames(SITE_YUGABYTEDB_NAME, yugabyteDbNamespace(spec), spec.replicas ?? 3),
    agents: served,
  };
}

/** Props of {@link YugabyteDbPlatform}. */
export interface YugabyteDbPlatformProps {
  /** The site's YugabyteDB and its agents (see {@link siteYugabyteDbPlan}). */
  readonly plan: SiteYugabyteDbPlan;
  /** The universe's namespace as a reference (the namespace resource's name attribute). */
  readonly namespace: string;
  /** Namespaces of the agents, by the agent's namespace name, as references. */
  readonly agentNamespaces: ReadonlyMap<string, string>;
  /**
   * Node pools the universe may run on, matched on the `agent-fleet.dev/pool` node label.
   * @default - any node
   */
  readonly pools?: readonly string[];
  /** Taints of those pools the universe tolerates. @default - none */
  readonly tolerations?: readonly Taint[];
  /**
   * Namespace of Prometheus: admitted to the metrics ports, and the chart's
   * ServiceMonitors scrape the servers.
   * @default - no metrics scraped
   */
  readonly monitoringNamespace?: string;
  /**
   * Whether each agent's credentials are written as a Secret in its namespace.
   * Turn it off where they go elsewhere (Vault), written with
   * {@link YugabyteDbPlatform.credentialsOf}.
   * @default true
   */
  readonly agentSecrets?: boolean;
  /** What must exist first. @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The platform-stack part of a site's YugabyteDB: everything it needs is a
 * built-in kind, so all of it lives there, before the agents.
 *
 * - The `yugabyte` superuser's password, an ephemeral value written
 *   through write-only Secret data (`<name>-admin`, key `ysqlPassword`)
 *   that the chart's post-install hook sets; it is written once (the hook
 *   runs at install only), so it is not rotated by a later apply.
 * - Per agent a password, written the same way into the universe's
 *   namespace and the agent's (`<agent>-yugabytedb`, keys `username` and
 *   `password`; the username is `stateIdentifier(agent)`, the role's name).
 * - The CA and servers' certificate, made in the cluster by
 *   {@link ServerCertificates}, and the CA copied into each agent's namespace.
 * - The release ({@link YugabyteDbRelease}) and the provisioning Jobs
 *   ({@link YugabyteDbDatabases}): role, database, schema, snapshot schedule.
 *
 * No password is in the synthesized output, the plan or the state.
 */
export class YugabyteDbPlatform extends Construct {
  /** Each agent's database, by agent name: what its pods are told. */
  readonly bindings: ReadonlyMap<string, AgentYugabyteDatabase>;
  /** The release. */
  readonly release: YugabyteDbRelease;
  /** The provisioning Jobs, by agent name. */
  readonly databases: YugabyteDbDatabases;
  private readonly users: DatabaseUsers;

  constructor(scope: Construct, id: string, props: YugabyteDbPlatformProps) {
    super(scope, id);
    const { plan } = props;
    const { names, spec } = plan;
    const namespace = props.namespace;
    const agentNamespace = (agent: ResolvedAgent) =>
      props.agentNamespaces.get(agent.namespace) ?? agent.namespace;

    const admin = new WriteOnlySecret(this, 'AdminSecret', {
      name: names.adminSecret,
      namespace,
      labels: { 'app.kubernetes.io/component': 'database-credentials' },
      data: { [ADMIN_PASSWORD_KEY]: new EphemeralPassword(this, 'AdminPassword').value },
    });
    this.users = new DatabaseUsers(this, 'Users', {
      names,
      namespace,
      agentSecrets: props.agentSecrets ?? true,
      users: plan.agents.map((agent) => ({
        agent: agent.spec.name,
        namespace: agentNamespace(agent),
        username: stateIdentifier(agent.spec.name),
      })),
    });

    const references = new Map<string, string>([[names.namespace, namespace]]);
    for (const agent of plan.agents) references.set(agent.namespace, agentNamespace(agent));
    const certificates = new ServerCertificates(this, 'Certificates', {
      names: yugabyteDbCertificateNames(names),
      clientNamespaces: plan.agents.map((agent) => agent.namespace),
      namespaceReferences: references,
      dependsOn: props.dependsOn,
    });
    this.release = new YugabyteDbRelease(this, 'Release', {
      names,
      namespace,
      reason: spec.reason,
      storage: spec.storage,
      storageClass: spec.storageClass,
      cpu: spec.resources?.cpu,
      memory: spec.resources?.memory,
      pools: props.pools,
      tolerations: props.tolerations,
      clientNamespaces: plan.agents.map((agent) => agent.namespace),
      provisioningPodLabels: yugabyteDbProvisioningLabels(names),
      monitoringNamespace: props.monitoringNamespace,
      certificatesRevision: certificates.job.metadata.name,
      dependsOn: [admin.resource, certificates.job, ...(props.dependsOn ?? [])],
    });
    this.databases = new YugabyteDbDatabases(this, 'Databases', {
      names,
      namespace,
      databases: plan.agents.map((agent) => ({
        agent: agent.spec.name,
        schema: agent.spec.state?.model === 'sql' ? agent.spec.state.schema : undefined,
      })),
      dependsOn: [
        this.release.release,
        ...(certificates.caCopies ? [certificates.caCopies.job] : []),
        ...this.users.secrets,
      ],
    });

    const bindings = new Map<string, AgentYugabyteDatabase>();
    for (const agent of plan.agents) {
      const name = agent.spec.name;
      bindings.set(name, {
        kind: 'in-cluster-yugabytedb',
        host: names.host,
        port: YUGABYTEDB_YSQL_PORT,
        database: stateIdentifier(name),
        schema: (agent.spec.state?.model === 'sql' && agent.spec.state.schema) || 'public',
        credentialsSecret: names.agentSecret(name),
        caSecret: names.caSecret,
        namespace: names.namespace,
        podLabels: names.tserverPodLabels,
      });
    }
    this.bindings = bindings;
  }

  /**
   * An agent's username and password, for write-only arguments of this stack
   * only (the password is an ephemeral value), and the revision that rewrites them.
   */
  credentialsOf(agent: string): { username: string; password: string; revision: number } {
    return this.users.credentialsOf(agent);
  }
}
