import { Construct } from 'constructs';
import {
  AgentCloudBindings,
  AwsSiteSpec,
  BrokerSpec,
  DEFAULT_KEDA_NAMESPACE,
  DOCUMENTDB_USERS_ACCOUNT,
  DocumentDbAgentUser,
  documentDbClusterName,
  DSQL_ROLES_ACCOUNT,
  DsqlAgentRole,
  dsqlRoleName,
  kafkaTopicsAccount,
  KafkaTopicSet,
  kafkaTopicsOf,
  KEDA_OPERATOR_SERVICE_ACCOUNT,
  keyspaceName,
  keyValueState,
  ResolvedAgent,
  SiteCloudBindings,
  ValidationError,
} from '../../model';
import { AgentRole } from './agent-role';
import { AgentScalingGroup, ECS_AL2023_AMI } from './agent-scaling-group';
import { AuroraDsqlCluster, DSQL_DATABASE } from './aurora-dsql';
import { DocumentDbCluster } from './documentdb';
import { AgentTable, TableBilling } from './dynamodb-table';
import { PendingGrants } from './grants';
import { AgentKeyspace, KeyspacesEndpoint } from './keyspaces';
import { MSK_IAM_PORT, MskCluster } from './msk-cluster';
import { AgentQueue } from './sqs-queue';

/** Props of {@link AwsSiteAgents}. */
export interface AwsSiteAgentsProps {
  /** Name of the environment; with the site's and the agent's, it names tables. */
  readonly environment: string;
  /** The AWS site: its region, account and scaling groups. */
  readonly site: AwsSiteSpec;
  /** The agents placed on the site, resolved, with the site's overrides applied. */
  readonly agents: readonly ResolvedAgent[];
  /** The brokers reachable on the site. */
  readonly brokers: readonly BrokerSpec[];
  /** The site's MSK clusters by broker name. */
  readonly kafka: ReadonlyMap<string, MskCluster>;
  /** The site's EKS cluster: its OIDC provider trusts the agents' service accounts. */
  readonly cluster: { readonly oidcProviderArn: string; readonly oidcIssuer: string };
  /** The site's VPC, where the agents' Auto Scaling groups run. */
  readonly vpcId: string;
  /** Private subnets, one per availability zone. */
  readonly subnetIds: readonly string[];
  /** Namespace of KEDA on the cluster. @default 'keda' */
  readonly kedaNamespace?: string;
}

/**
 * The cloud side of a site's agents:
 * - per agent with an SQS binding, its {@link AgentQueue} and dead-letter queue;
 * - per agent with key-value state, its {@link AgentTable} `<env>-<site>-<agent>`;
 * - per agent with wide-column state, its {@link AgentKeyspace}
 *   `<env>_<site>_<agent>` on Amazon Keyspaces, and once per site the
 *   {@link KeyspacesEndpoint} in the private subnets through which alone the
 *   agents' roles may use their keyspaces;
 * - when an agent has document state, one {@link DocumentDbCluster} for the
 *   site, where each such agent is a `$external` user named by its IAM role
 *   (`MONGODB-AWS`) with `readWrite` on its own database, created with its
 *   collections by a Job of the platform stack whose role alone may read the
 *   master user's secret;
 * - when an agent has SQL state, one {@link AuroraDsqlCluster} for the site
 *   (its private endpoint is per cluster, and a VPC serves one private DNS
 *   domain per DSQL service, so clusters of one region could not each have
 *   theirs), where each such agent's IAM role may connect (`dsql:DbConnect`)
 *   and is mapped to a database role of its own that owns its schema, created
 *   by a Job of the platform stack whose role alone may connect as `admin`;
 * - per agent on the EKS cluster, an {@link AgentRole} for its service account
 *   with exactly what its bindings need (consume its queue or topic, send to the
 *   SQS queues it publishes to, write its dead-letter topic, read and write its
 *   table, use the keys of those); none when it needs nothing;
 * - per agent placed on a scaling group, its {@link AgentScalingGroup} with the
 *   same statements on its instance role;
 * - KEDA's operator role, limited to reading the depth of those queues and the
 *   lag of those consumer groups;
 * - per MSK cluster, the topics to create (replication 3; partitions at least
 *   the consumer's maximum replicas; a dead-letter topic beside each) and the
 *   role allowed to create exactly those.
 * Children take the agent's or broker's name: renaming one replaces its resources.
 */
export class AwsSiteAgents extends Construct {
  /** What the cluster's platform and agents stacks need. */
  readonly bindings: SiteCloudBindings;
  /** Agents on scaling groups, by name. */
  readonly scalingGroups: ReadonlyMap<string, AgentScalingGroup>;
  /** SQS queues by agent name. */
  readonly queues: ReadonlyMap<string, AgentQueue>;
  /** Tables by agent name. */
  readonly tables: ReadonlyMap<string, AgentTable>;
  /** Keyspaces by agent name. */
  readonly keyspaces: ReadonlyMap<string, AgentKeyspace>;
  /** The site's Aurora DSQL cluster, when an agent has SQL state. */
  readonly dsql?: AuroraDsqlCluster;
  /** The site's Amazon DocumentDB cluster, when an agent has document state. */
  readonly documentDb?: DocumentDbCluster;

  constructor(scope: Construct, id: string, props: AwsSiteAgentsProps) {
    super(scope, id);
    const { site } = props;
    const resolved = props.agents;
    const brokerKind = (name: string) => props.brokers.find((b) => b.name === name)?.kind;
    const queues = new Map<string, AgentQueue>();
    for (const agent of resolved) {
      if (!agent.spec.queue || brokerKind(agent.spec.queue.broker) !== 'sqs') continue;
      queues.set(
        agent.spec.name,
        new AgentQueue(this, `Queue-${agent.spec.name}`, {
          binding: agent.spec.queue,
          accountId: site.accountId,
          region: site.region,
        }),
      );
    }
    const tables = new Map<string, AgentTable>();
    for (const agent of resolved) {
      const state = keyValueState(agent.spec.state);
      if (!state) continue;
      const capacity = state.capacity;
      tables.set(
        agent.spec.name,
        new AgentTable(this, `Table-${agent.spec.name}`, {
          name: `${props.environment}-${site.name}-${agent.spec.name}`,
          accountId: site.accountId,
          region: site.region,
          partitionKey: state.partitionKey,
          sortKey: state.sortKey,
          billing: capacity
            ? TableBilling.provisioned({
                readCapacity: capacity.read,
                writeCapacity: capacity.write,
                targetUtilizationPercent: capacity.targetUtilization,
              })
            : TableBilling.onDemand(),
        }),
      );
    }
    this.queues = queues;
    this.tables = tables;
    const keyspaces = new Map<string, AgentKeyspace>();
    for (const agent of resolved) {
      const state = agent.spec.state;
      if (state?.model !== 'wide-column') continue;
      keyspaces.set(
        agent.spec.name,
        new AgentKeyspace(this, `Keyspace-${agent.spec.name}`, {
          name: keyspaceName(props.environment, site.name, agent.spec.name),
          accountId: site.accountId,
          region: site.region,
          tables: state.tables,
        }),
      );
    }
    this.keyspaces = keyspaces;
    const keyspacesEndpoint =
      keyspaces.size > 0
        ? new KeyspacesEndpoint(this, 'KeyspacesEndpoint', {
            vpcId: props.vpcId,
            subnetIds: props.subnetIds,
            region: site.region,
            clientCidrs: [site.network.cidr],
          })
        : undefined;

    const sqlAgents = resolved.filter((agent) => agent.spec.state?.model === 'sql');
    const dsql =
      sqlAgents.length > 0
        ? new AuroraDsqlCluster(this, 'Dsql', {
            name: `${props.environment}-${site.name}`,
            accountId: site.accountId,
            region: site.region,
            vpcId: props.vpcId,
            subnetIds: props.subnetIds,
            clientCidrs: [site.network.cidr],
          })
        : undefined;
    this.dsql = dsql;
    const documentAgents = new Set(
      resolved.filter((agent) => agent.spec.state?.model === 'document').map((a) => a.spec.name),
    );
    const documentSpec =
      site.stateEngines?.document?.kind === 'documentdb' ? site.stateEngines.document : undefined;
    const documentDb =
      documentAgents.size > 0
        ? new DocumentDbCluster(this, 'DocumentDb', {
            name: documentDbClusterName(props.environment, site.name),
            accountId: site.accountId,
            region: site.region,
            vpcId: props.vpcId,
            subnetIds: props.subnetIds,
            availabilityZones: site.network.availabilityZones,
            clientCidrs: [site.network.cidr],
            instanceClass: documentSpec?.instanceClass,
            instances: documentSpec?.instances,
            backupRetentionDays: documentSpec?.backupRetentionDays,
          })
        : undefined;
    this.documentDb = documentDb;
    const dsqlSchemaOf = (agent: ResolvedAgent): string => {
      const state = agent.spec.state;
      return (state?.model === 'sql' && state.schema) || dsqlRoleName(agent.spec.name);
    };
    const queueOf = (broker: string, queue: string): AgentQueue | undefined =>
      resolved
        .filter((a) => a.spec.queue?.broker === broker && a.spec.queue.queue === queue)
        .map((a) => queues.get(a.spec.name))
        .find((found) => found !== undefined);
    const problems: { path: (string | number)[]; message: string }[] = [];
    const schemaOwners = new Map<string, string>();
    for (const agent of sqlAgents) {
      const schema = dsqlSchemaOf(agent);
      const owner = schemaOwners.get(schema);
      if (owner) {
        problems.push({
          path: [agent.spec.name, 'state', 'schema'],
          message: `schema '${schema}' is already owned by agent '${owner}' in the site's Aurora DSQL cluster: give each agent a schema of its own`,
        });
      } else schemaOwners.set(schema, agent.spec.name);
    }
    /** Grants an agent exactly what its bindings need, in the order of its bindings. */
    const grantsOf = (agent: ResolvedAgent): PendingGrants => {
      const name = agent.spec.name;
      const grants = new PendingGrants();
      queues.get(name)?.grantConsumeMessages(grants);
      tables.get(name)?.grantReadWriteData(grants);
      keyspaces.get(name)?.grantReadWriteData(grants, keyspacesEndpoint?.endpointId);
      if (dsql && agent.spec.state?.model === 'sql') dsql.grantConnect(grants);
      (agent.spec.publishes ?? []).forEach((target, index) => {
        if (brokerKind(target.broker) !== 'sqs') return;
        const queue = queueOf(target.broker, target.queue);
        if (queue) queue.grantSendMessages(grants);
        else {
          problems.push({
            path: [name, 'publishes', index, 'queue'],
            message: `no agent of site '${site.name}' consumes SQS queue '${target.queue}', so the fleet does not create it`,
          });
        }
      });
      const topic = agent.topic;
      const msk = topic && props.kafka.get(topic.broker);
      if (topic && msk) {
        msk.grantConsume(grants, topic.topic, topic.consumerGroup);
        if (topic.deadLetter.enabled) msk.grantProduce(grants, topic.deadLetter.topic);
      }
      return grants;
    };

    const agentBindings: Record<string, AgentCloudBindings> = {};
    const dsqlRoles: DsqlAgentRole[] = [];
    const documentUsers: DocumentDbAgentUser[] = [];
    const scalingGroups = new Map<string, AgentScalingGroup>();
    for (const agent of resolved) {
      const name = agent.spec.name;
      const grants = grantsOf(agent);
      const group = agent.spec.placement?.scalingGroup;
      const queue = queues.get(name);
      if (group) {
        if (!queue || !agent.spec.scaling) continue; // the model refuses this placement
        scalingGroups.set(
          name,
          new AgentScalingGroup(this, `ScalingGroup-${name}`, {
            agent,
            vpcId: props.vpcId,
            subnetIds: props.subnetIds,
            instanceType: group.instanceType,
            amiId: group.image ?? ECS_AL2023_AMI,
            sessionManager: group.sessionManager,
            minSize: agent.spec.scaling.minReplicas,
            maxSize: agent.spec.scaling.maxReplicas,
            queue: { name: queue.queueName, arn: queue.queueArn, url: queue.queueUrl },
            policyStatements: grants.statements,
          }),
        );
        continue;
      }
      // A document-state agent signs in to DocumentDB as its role, which may need no statement.
      if (grants.isEmpty && !documentAgents.has(name)) continue;
      const role = new AgentRole(this, `Role-${name}`, {
        ...props.cluster,
        namespace: agent.namespace,
        serviceAccount: name,
        statements: grants.statements,
      });
      const topic = agent.topic;
      const msk = topic && props.kafka.get(topic.broker);
      const table = tables.get(name);
      const keyspace = keyspaces.get(name);
      const sql = dsql && agent.spec.state?.model === 'sql';
      const documents = documentDb && documentAgents.has(name) ? documentDb : undefined;
      const state = agent.spec.state;
      if (documents && state?.model === 'document') {
        documentUsers.push({
          agent: name,
          database: name,
          iamRoleArn: role.roleArn,
          collections: state.collections,
        });
      }
      if (sql) {
        dsqlRoles.push({
          agent: name,
          role: dsqlRoleName(name),
          schema: dsqlSchemaOf(agent),
          iamRoleArn: role.roleArn,
        });
      }
      agentBindings[name] = {
        identity: {
          cloud: 'aws',
          region: site.region,
          serviceAccountAnnotations: role.serviceAccountAnnotations,
        },
        queue: queue && {
          kind: 'sqs',
          queueUrl: queue.queueUrl,
          deadLetterQueueUrl: queue.deadLetterQueueUrl,
        },
        kafka: msk && {
          bootstrapServers: msk.bootstrapBrokersSaslIam,
          port: MSK_IAM_PORT,
          networkCidr: site.network.cidr,
        },
        store: table
          ? { kind: 'dynamodb', tableName: table.tableName }
          : sql
            ? {
                kind: 'aurora-dsql',
                host: dsql.host,
                port: dsql.port,
                database: DSQL_DATABASE,
                schema: dsqlSchemaOf(agent),
                user: dsqlRoleName(name),
                region: site.region,
                auth: 'aws-iam-token',
              }
            : keyspace && keyspacesEndpoint
              ? {
                  kind: 'keyspaces',
                  host: keyspacesEndpoint.host,
                  port: keyspacesEndpoint.port,
                  keyspace: keyspace.keyspaceName,
                  region: site.region,
                  auth: 'aws-sigv4',
                }
              : documents
                ? {
                    kind: 'documentdb',
                    host: documents.endpoint,
                    port: documents.port,
                    database: name,
                    region: site.region,
                    auth: 'mongodb-aws',
                  }
                : undefined,
        // Keyspaces answers on the endpoint's addresses in the VPC, which the
        // public-HTTPS egress of the cloud APIs excludes.
        privateEgress:
          keyspace && keyspacesEndpoint
            ? [{ cidr: site.network.cidr, ports: [keyspacesEndpoint.port] }]
            : sql
              ? [{ cidr: site.network.cidr, ports: [dsql.port] }]
              : documents
                ? [{ cidr: site.network.cidr, ports: [documents.port] }]
                : undefined,
      };
    }
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    this.scalingGroups = scalingGroups;

    const onCluster = resolved.filter((agent) => !agent.spec.placement?.scalingGroup);
    const kedaGrants = new PendingGrants();
    for (const agent of onCluster) {
      const queue = queues.get(agent.spec.name);
      const topic = agent.topic;
      const msk = topic && props.kafka.get(topic.broker);
      if (queue && agent.spec.scaling?.queueDepth) queue.grantReadDepth(kedaGrants);
      if (topic && msk && agent.spec.scaling?.consumerLag) {
        msk.grantReadLag(kedaGrants, topic.topic, topic.consumerGroup);
      }
    }
    const kedaRole = kedaGrants.isEmpty
      ? undefined
      : new AgentRole(this, 'KedaRole', {
          ...props.cluster,
          namespace: props.kedaNamespace ?? DEFAULT_KEDA_NAMESPACE,
          serviceAccount: KEDA_OPERATOR_SERVICE_ACCOUNT,
          statements: kedaGrants.statements,
        });

    const kafkaTopics: KafkaTopicSet[] = [];
    for (const [broker, msk] of props.kafka) {
      const topics = kafkaTopicsOf(onCluster.filter((agent) => agent.topic?.broker === broker));
      if (topics.length === 0) continue;
      const admin = new PendingGrants();
      msk.grantTopicAdmin(
        admin,
        topics.map((topic) => topic.name),
      );
      const role = new AgentRole(this, `KafkaTopicsRole-${broker}`, {
        ...props.cluster,
        namespace: kafkaTopicsAccount(broker).namespace,
        serviceAccount: kafkaTopicsAccount(broker).name,
        statements: admin.statements,
      });
      kafkaTopics.push({
        broker,
        region: site.region,
        endpoint: {
          bootstrapServers: msk.bootstrapBrokersSaslIam,
          port: MSK_IAM_PORT,
          networkCidr: site.network.cidr,
        },
        serviceAccountAnnotations: role.serviceAccountAnnotations,
        topics,
      });
    }
    let dsqlRoleSet: SiteCloudBindings['dsqlRoles'];
    if (dsql && dsqlRoles.length > 0) {
      const admin = new PendingGrants();
      dsql.grantConnectAdmin(admin);
      const role = new AgentRole(this, 'DsqlRolesRole', {
        ...props.cluster,
        namespace: DSQL_ROLES_ACCOUNT.namespace,
        serviceAccount: DSQL_ROLES_ACCOUNT.name,
        statements: admin.statements,
      });
      dsqlRoleSet = {
        host: dsql.host,
        port: dsql.port,
        region: site.region,
        networkCidr: site.network.cidr,
        serviceAccountAnnotations: role.serviceAccountAnnotations,
        roles: [...dsqlRoles].sort((a, b) => a.agent.localeCompare(b.agent)),
      };
    }
    let documentDbUserSet: SiteCloudBindings['documentDbUsers'];
    if (documentDb && documentUsers.length > 0) {
      const admin = new PendingGrants();
      documentDb.grantReadMasterSecret(admin);
      const role = new AgentRole(this, 'DocumentDbUsersRole', {
        ...props.cluster,
        namespace: DOCUMENTDB_USERS_ACCOUNT.namespace,
        serviceAccount: DOCUMENTDB_USERS_ACCOUNT.name,
        statements: admin.statements,
      });
      documentDbUserSet = {
        host: documentDb.endpoint,
        port: documentDb.port,
        region: site.region,
        networkCidr: site.network.cidr,
        masterSecretArn: documentDb.masterSecretArn,
        serviceAccountAnnotations: role.serviceAccountAnnotations,
        users: [...documentUsers].sort((a, b) => a.agent.localeCompare(b.agent)),
      };
    }
    this.bindings = {
      kedaRoleArn: kedaRole?.roleArn,
      agents: agentBindings,
      kafkaTopics: kafkaTopics.length > 0 ? kafkaTopics : undefined,
      dsqlRoles: dsqlRoleSet,
      documentDbUsers: documentDbUserSet,
    };
  }
}
