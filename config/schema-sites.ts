import { Static, Type } from '@sinclair/typebox';
import { PATTERNS } from './formats';
import {
  cpuSchema,
  definitionRef,
  dnsLabelSchema,
  durationSchema,
  enumSchema,
  integerSchema,
  kindSchema,
  listSchema,
  mapSchema,
  objectSchema,
  sizeSchema,
  stringSchema,
} from './schema-types';

/** The sites and the state backend of the environment files. */

/** A written opt-in to paid support past a Kubernetes version's standard window. */
function extendedSupportSchema(what: string) {
  return objectSchema(
    `Keep a version past its standard support on ${what}. Default: standard support only.`,
    {
      reason: stringSchema('Why the cluster stays on the older version (at least 10 characters).', {
        minLength: 10,
      }),
    },
    ['reason'],
  );
}

/** What a node pool of any kind declares. */
const nodePoolFields = {
  arch: enumSchema("CPU architecture. Default 'amd64'.", ['amd64', 'arm64']),
  capacity: enumSchema("Default 'on-demand'.", ['on-demand', 'spot']),
  gpu: objectSchema(
    'GPUs per node and their model.',
    {
      count: integerSchema('GPUs per node.', 1, 16),
      model: stringSchema('GPU model, e.g. nvidia-tesla-t4.'),
    },
    ['count', 'model'],
  ),
  labels: mapSchema('Node labels such as location, datacenter, hardware-type.', Type.String()),
  allocatable: objectSchema(
    'What one node offers to pods, for small (edge) nodes: agents requesting more do not fit the pool. Default: not checked.',
    {
      cpu: cpuSchema('CPU one node offers to pods.'),
      memory: sizeSchema('Memory one node offers to pods.'),
    },
  ),
  taints: listSchema(
    'Node taints; agents that match the pool tolerate them.',
    objectSchema(
      'A taint.',
      {
        key: stringSchema('Taint key, e.g. nvidia.com/gpu.'),
        value: stringSchema('Taint value, possibly empty. Default: none.', { minLength: 0 }),
        effect: enumSchema('Taint effect.', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
      },
      ['key', 'effect'],
    ),
  ),
};

/**
 * An engine a cluster the user runs serves a shape of state with: its kind,
 * namespace, servers (a written reason below 3), volumes and size.
 */
function inClusterEngineSchema<Kind extends string>(
  description: string,
  engine: { kind: Kind; servers: string; namespace: string; odd: boolean },
  defaults: { storage: string; cpu: string; memory: string },
) {
  const { servers } = engine;
  return objectSchema(
    description,
    {
      kind: enumSchema('The engine.', [engine.kind]),
      namespace: stringSchema(`Namespace of the engine. Default '${engine.namespace}'.`, {
        pattern: PATTERNS.dnsLabel,
      }),
      replicas: integerSchema(
        `${servers[0].toUpperCase()}${servers.slice(1)}s${engine.odd ? ', odd' : ''}. Default 3, the smallest count that keeps three copies and survives the loss of one; fewer needs a reason.`,
        1,
        7,
      ),
      reason: stringSchema(`Why fewer than 3 ${servers}s are acceptable here.`),
      storage: sizeSchema(`Persistent volume of each ${servers}. Default ${defaults.storage}.`),
      storageClass: stringSchema(
        "StorageClass of the volumes; it decides encryption at rest. Default: the cluster's default.",
      ),
      resources: objectSchema(`CPU and memory of each ${servers}, requests equal to limits.`, {
        cpu: cpuSchema(`CPU of each ${servers}. Default ${defaults.cpu}.`),
        memory: sizeSchema(`Memory of each ${servers}. Default ${defaults.memory}.`),
      }),
      external: EXTERNAL_CLUSTER,
    },
    ['kind'],
  );
}

/** A cluster of the engine run outside the fleet, which the agents reach on its networks. */
const EXTERNAL_CLUSTER = objectSchema(
  "A cluster run outside the fleet, instead of one in the site's cluster: the fleet runs and creates nothing in it; its operators create each agent's user and store and write the agent's credentials to its 'database' secret in the site's Vault. The other settings then do not apply.",
  {
    hosts: listSchema('Host names of the servers.', stringSchema('Host name.'), 1),
    port: integerSchema(
      "Port of the servers. Default: the engine's (27017, 9042, 5433).",
      1,
      65535,
    ),
    cidrs: listSchema(
      'Networks of the servers, which the agents may reach.',
      stringSchema('IPv4 CIDR.', { pattern: PATTERNS.cidr }),
      1,
    ),
    caCertificate: stringSchema("PEM certificate of the CA that signed the servers' certificates."),
    replicaSet: stringSchema("MongoDB only: the replica set's name."),
    datacenter: stringSchema("Cassandra only: the agents' local datacenter."),
  },
  ['hosts', 'cidrs', 'caCertificate'],
);

const nodePool = objectSchema(
  'A node pool: what its nodes offer and their taints.',
  nodePoolFields,
);

/** A Kubernetes cluster you run, on-prem or at the edge. */
export const kubernetesSite = objectSchema(
  'A Kubernetes cluster reached through a kubeconfig context.',
  {
    kind: enumSchema('Kind of site.', ['kubernetes']),
    kubeconfig: objectSchema(
      'How to reach the cluster.',
      {
        path: stringSchema('Path to the kubeconfig file; ~ is expanded.'),
        context: stringSchema('Context of the kubeconfig.'),
      },
      ['path', 'context'],
    ),
    nodePools: mapSchema('Node pools by name (DNS label).', nodePool, dnsLabelSchema(63), {
      minProperties: 1,
    }),
    monitoring: objectSchema('Where monitoring runs.', {
      namespace: stringSchema("Namespace of monitoring. Default 'monitoring'."),
      prometheusUrl: stringSchema('Prometheus URL. Default: the kube-prometheus-stack Prometheus.'),
    }),
    kedaNamespace: stringSchema("Namespace of KEDA. Default 'keda'."),
    database: objectSchema(
      'CockroachDB run by the platform stack for the stateful agents of the site: TLS, spread over zones, a database and SQL user per agent. Default: none (stateful agents are refused on the site).',
      {
        kind: enumSchema('Database engine.', ['cockroachdb']),
        namespace: stringSchema("Namespace of the database. Default 'cockroachdb'.", {
          pattern: PATTERNS.dnsLabel,
        }),
        replicas: integerSchema(
          'Nodes. Default 3, the smallest count that survives the loss of one; fewer needs a reason.',
          1,
          9,
        ),
        reason: stringSchema('Why fewer than 3 nodes are acceptable here.'),
        storage: sizeSchema('Persistent volume of each node. Default 100Gi.'),
        storageClass: stringSchema("StorageClass of the volumes. Default: the cluster's default."),
        resources: objectSchema('CPU and memory of each node, requests equal to limits.', {
          cpu: cpuSchema('CPU of each node. Default 2.'),
          memory: sizeSchema('Memory of each node. Default 8Gi.'),
        }),
      },
      ['kind'],
    ),
    stateEngines: objectSchema(
      'Engines of the shapes of state the site serves in its cluster besides its database. Default: none (agents with document or wide-column state are refused on the site; SQL state takes the database).',
      {
        document: inClusterEngineSchema(
          "MongoDB run in the cluster by MongoDB's Kubernetes operator for the document-state agents of the site: a replica set spread over zones, TLS, SCRAM-SHA-256, a database and user per agent.",
          { kind: 'mongodb', servers: 'member', namespace: 'mongodb', odd: true },
          { storage: '50Gi', cpu: '1', memory: '4Gi' },
        ),
        wideColumn: inClusterEngineSchema(
          'Apache Cassandra run in the cluster by cass-operator for the wide-column agents of the site: a datacenter spread over zones, TLS, password authentication, a keyspace and role per agent.',
          { kind: 'cassandra', servers: 'node', namespace: 'cassandra', odd: false },
          { storage: '100Gi', cpu: '2', memory: '8Gi' },
        ),
        sql: inClusterEngineSchema(
          "YugabyteDB run in the cluster from its chart for the SQL-state agents of the site, instead of the site's database: masters and tablet servers spread over zones, TLS, password authentication, a database and role per agent.",
          { kind: 'yugabytedb', servers: 'server', namespace: 'yugabytedb', odd: true },
          { storage: '50Gi', cpu: '2', memory: '4Gi' },
        ),
      },
    ),
    consul: objectSchema(
      'Consul servers in the cluster; agents are registered in its catalog with location, datacenter and hardware-type tags from their pools. Default: no registration.',
      {
        datacenter: stringSchema('Consul datacenter name.', { pattern: PATTERNS.dnsLabel }),
        namespace: stringSchema("Namespace of Consul. Default 'consul'.", {
          pattern: PATTERNS.dnsLabel,
        }),
        replicas: integerSchema('Servers, odd. Default 3.', 1, 7),
      },
      ['datacenter'],
    ),
    vault: objectSchema(
      "The Vault agents and KEDA read broker and database credentials from, instead of Kubernetes Secrets. The platform stack installs Vault's Agent Injector and configures a Kubernetes auth mount, a policy and a role per agent.",
      {
        address: stringSchema('https:// address of the Vault server.', {
          pattern: '^https://[^\\s/]+(:[0-9]+)?/?$',
        }),
        caCertificate: stringSchema(
          "PEM of the CA of the server's certificate (public, not a secret).",
          { pattern: '^-----BEGIN CERTIFICATE-----' },
        ),
        kubernetesHost: stringSchema(
          "The cluster's API server as Vault reaches it; Vault reviews the agents' service account tokens there.",
          { pattern: '^https://' },
        ),
        kubernetesCaCertificate: stringSchema(
          "PEM of the cluster API server's CA, with which Vault verifies it.",
          { pattern: '^-----BEGIN CERTIFICATE-----' },
        ),
        kvMount: stringSchema(
          "KV version 2 mount of the fleet's credentials. Default 'fleet'.",
          {},
        ),
        cidrs: listSchema(
          "Networks the Vault server answers on: the only egress agents' Vault sidecars get for it.",
          stringSchema('IPv4 CIDR.', { pattern: PATTERNS.cidr }),
          1,
        ),
      },
      ['address', 'caCertificate', 'kubernetesHost', 'kubernetesCaCertificate', 'cidrs'],
    ),
  },
  ['kind', 'kubeconfig', 'nodePools'],
);

const awsNodePool = objectSchema(
  'A managed node group: what its nodes offer, their instances and bounds.',
  {
    ...nodePoolFields,
    instanceTypes: listSchema(
      'EC2 instance types, e.g. m7i.large.',
      stringSchema('Instance type.'),
      1,
    ),
    minSize: integerSchema('Fewest nodes; 0 lets the cluster autoscaler empty the pool.', 0, 1000),
    maxSize: integerSchema('Most nodes.', 1, 1000),
    desiredSize: integerSchema('Nodes at creation. Default: minSize.', 0, 1000),
    diskSize: sizeSchema('Root volume of each node. Default 50Gi.'),
  },
  ['instanceTypes', 'minSize', 'maxSize'],
);

/** An AWS region with its EKS cluster. */
export const awsSite = objectSchema(
  'An AWS region: a private network, an EKS cluster and managed node groups (stack <env>-<site>-infra).',
  {
    kind: enumSchema('Kind of site.', ['aws']),
    accountId: stringSchema('The 12-digit AWS account.', { pattern: PATTERNS.awsAccount }),
    region: stringSchema('AWS region, e.g. eu-west-1.', { pattern: PATTERNS.awsRegion }),
    network: objectSchema(
      'The private network.',
      {
        cidr: stringSchema('VPC CIDR, /16 to /20.', { pattern: PATTERNS.cidr }),
        availabilityZones: listSchema(
          'Two or three zones of the region, e.g. eu-west-1a.',
          stringSchema('Zone.'),
          2,
          { maxItems: 3 },
        ),
      },
      ['cidr', 'availabilityZones'],
    ),
    cluster: objectSchema(
      'The EKS cluster.',
      {
        version: stringSchema(
          'Kubernetes version of EKS, e.g. 1.35: one in standard support (the calendar is in model/kubernetes-versions.ts).',
          { pattern: '^1\\.[0-9]+$' },
        ),
        extendedSupport: extendedSupportSchema(
          'EKS extended support, billed at a higher hourly rate',
        ),
        publicAccessCidrs: listSchema(
          'CIDRs allowed to reach the API publicly. Default: private endpoint only.',
          stringSchema('IPv4 CIDR.', { pattern: PATTERNS.cidr }),
        ),
        admins: mapSchema(
          'IAM roles with cluster-admin access, by entry name.',
          stringSchema('IAM role ARN.', { pattern: PATTERNS.iamRoleArn }),
        ),
      },
      ['version'],
    ),
    stateEngines: objectSchema(
      "Settings of the engines the site serves state with: Amazon DocumentDB for documents (Amazon Keyspaces for wide rows and Aurora DSQL for SQL take none). Default: each engine's defaults.",
      {
        document: objectSchema(
          'The Amazon DocumentDB cluster of the document-state agents of the site: instances across its zones, TLS, encrypted with a key of its own, point-in-time recovery, deletion protection; each agent signs in with its IAM role.',
          {
            kind: enumSchema('The engine.', ['documentdb']),
            instanceClass: stringSchema(
              "Instance class of the instances. Default 'db.r6g.large'.",
              {
                pattern: '^db\\.[a-z0-9]+\\.[a-z0-9]+$',
              },
            ),
            instances: integerSchema(
              'Instances across the zones: a primary and replicas. Default 3; fewer needs a reason.',
              1,
              16,
            ),
            reason: stringSchema('Why fewer than 3 instances are acceptable here.'),
            backupRetentionDays: integerSchema('Days of point-in-time recovery. Default 7.', 1, 35),
          },
          ['kind'],
        ),
      },
    ),
    nodePools: mapSchema('Node groups by name (DNS label).', awsNodePool, dnsLabelSchema(63), {
      minProperties: 1,
    }),
  },
  ['kind', 'accountId', 'region', 'network', 'cluster', 'nodePools'],
);

const azureNodePool = objectSchema(
  'An AKS node pool: what its nodes offer, their VM size and bounds.',
  {
    ...nodePoolFields,
    vmSize: stringSchema('VM size, e.g. Standard_D4s_v5.', { pattern: PATTERNS.azureVmSize }),
    minCount: integerSchema('Fewest nodes; 0 lets the cluster autoscaler empty the pool.', 0, 1000),
    maxCount: integerSchema('Most nodes.', 1, 1000),
    diskSize: sizeSchema('OS disk of each node. Default 128Gi.'),
  },
  ['vmSize', 'minCount', 'maxCount'],
);

/** An Azure region with its AKS cluster. */
export const azureSite = objectSchema(
  'An Azure region: a resource group, a private VNet, an AKS cluster with workload identity and node pools (stack <env>-<site>-infra).',
  {
    kind: enumSchema('Kind of site.', ['azure']),
    subscriptionId: stringSchema('The subscription id.', { pattern: PATTERNS.guid }),
    tenantId: stringSchema('The Microsoft Entra tenant id.', { pattern: PATTERNS.guid }),
    location: stringSchema('Azure region, e.g. westeurope.', { pattern: PATTERNS.azureLocation }),
    network: objectSchema(
      'The private network.',
      {
        cidr: stringSchema('VNet CIDR, /16 to /20.', { pattern: PATTERNS.cidr }),
        zones: listSchema(
          'Availability zones of the region the pools spread over.',
          enumSchema('Zone.', ['1', '2', '3']),
          1,
          { maxItems: 3 },
        ),
      },
      ['cidr', 'zones'],
    ),
    cluster: objectSchema(
      'The AKS cluster.',
      {
        version: stringSchema(
          'Kubernetes version of AKS, e.g. 1.35: one before its end of life (the calendar is in model/kubernetes-versions.ts).',
          { pattern: '^1\\.[0-9]+$' },
        ),
        extendedSupport: extendedSupportSchema(
          'AKS long-term support, on the Premium tier it requires',
        ),
        authorizedIpRanges: listSchema(
          'CIDRs allowed to reach the API publicly. Default: private API server only.',
          stringSchema('IPv4 CIDR.', { pattern: PATTERNS.cidr }),
          1,
        ),
        admins: mapSchema(
          'Entra groups with cluster-admin access, by entry name; at least one (local accounts are off), and the identity that deploys must belong to one.',
          stringSchema('Group object id.', { pattern: PATTERNS.guid }),
          undefined,
          { minProperties: 1 },
        ),
      },
      ['version', 'admins'],
    ),
    nodePools: mapSchema(
      'Node pools by name: 1 to 12 lowercase letters and digits, starting with a letter.',
      azureNodePool,
      stringSchema('Pool name.', { pattern: '^[a-z][a-z0-9]{0,11}$' }),
      { minProperties: 1 },
    ),
    vmAdmin: objectSchema(
      'Administrator of the VM scale sets of agents: SSH key only. Default: none (scale-set agents refused).',
      {
        username: stringSchema("Default 'fleetadmin'.", { pattern: '^[a-z][a-z0-9_-]{0,31}$' }),
        sshPublicKey: stringSchema('OpenSSH public key.', {
          pattern: '^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp[0-9]+) ',
        }),
      },
      ['sshPublicKey'],
    ),
    backend: definitionRef<typeof backend>('backend'),
  },
  ['kind', 'subscriptionId', 'tenantId', 'location', 'network', 'cluster', 'nodePools'],
);

/** Warm servers without Kubernetes, deployed with Ansible. */
export const hostsSite = objectSchema(
  'Warm servers without Kubernetes: agents run as systemd services around their containers, deployed with Ansible and scaled by a reconcile playbook on their own signal.',
  {
    kind: enumSchema('Kind of site.', ['hosts']),
    runtime: enumSchema("Container runtime installed on every server. Default 'podman'.", [
      'podman',
      'docker',
    ]),
    ansible: objectSchema(
      "How Ansible reaches the servers. Never a key or password: the controller's ssh-agent or SSH configuration holds them.",
      {
        user: stringSchema('SSH user, e.g. deploy.'),
        port: integerSchema('SSH port. Default 22.', 1, 65535),
        sshArgs: stringSchema(
          'Further arguments of every SSH connection, e.g. -o ProxyJump=bastion.example.com. Default: none.',
        ),
        becomeMethod: enumSchema("How tasks that change the system gain root. Default 'sudo'.", [
          'sudo',
          'su',
          'doas',
        ]),
      },
      ['user'],
    ),
    pools: mapSchema(
      'Pools of servers by name, which agents are placed on as on node pools.',
      objectSchema(
        'A pool of servers.',
        {
          labels: mapSchema(
            'Labels such as location, datacenter, hardware-type, which placement matches.',
            Type.String(),
          ),
          instancesPerAgent: integerSchema(
            'Most instances of one agent a server runs; instance n publishes each container port at the port plus n - 1. Default 1.',
            1,
            16,
          ),
          servers: mapSchema(
            'The servers by inventory name, in the order instances start on them.',
            objectSchema(
              'A server.',
              {
                address: stringSchema('Address Ansible connects to: an IP address or DNS name.'),
                arch: enumSchema("CPU architecture. Default 'amd64'.", ['amd64', 'arm64']),
                cpu: cpuSchema('CPU the server offers to agents.'),
                memory: sizeSchema('Memory the server offers to agents.'),
                gpu: nodePoolFields.gpu,
                labels: mapSchema('Further labels of this server, e.g. its rack.', Type.String()),
              },
              ['address', 'cpu', 'memory'],
            ),
            dnsLabelSchema(63),
            { minProperties: 1 },
          ),
        },
        ['servers'],
      ),
      dnsLabelSchema(63),
      { minProperties: 1 },
    ),
    scaling: objectSchema(
      'Where the scaling decision reads its signals and runs.',
      {
        prometheusUrl: stringSchema(
          "Prometheus holding the agents' signals, as the controller reaches it.",
          {
            pattern: '^https?://',
          },
        ),
        controller: stringSchema(
          'The machine that runs ansible-playbook for the site (reconcile timer, rulebook); Alertmanager posts to it.',
        ),
        webhookPort: integerSchema(
          "Port of the rulebook's Alertmanager webhook. Default 5000.",
          1,
          65535,
        ),
        interval: durationSchema(
          'How often the controller runs the reconcile playbook. Default 1m.',
        ),
      },
      ['prometheusUrl', 'controller'],
    ),
    credentialsDir: stringSchema(
      "Directory on every server holding each agent's credential files in a folder of its name, put there by the datacenter's own means. Default '/etc/agent-fleet/credentials'.",
    ),
  },
  ['kind', 'ansible', 'pools', 'scaling'],
);

/** A hosts site as an environment file writes it. */
export type RawHostsSite = Static<typeof hostsSite>;

/** A Kubernetes site as an environment file writes it (its name is its key). */
export type RawSite = Static<typeof kubernetesSite>;
/** An AWS site as an environment file writes it. */
export type RawAwsSite = Static<typeof awsSite>;
/** An Azure site as an environment file writes it. */
export type RawAzureSite = Static<typeof azureSite>;

/** A site: its `kind` picks the schema that applies. */
export const site = kindSchema<RawSite | RawAwsSite | RawAzureSite | RawHostsSite>(
  [
    ['aws', awsSite],
    ['azure', azureSite],
    ['hosts', hostsSite],
  ],
  kubernetesSite,
);

/** Where Terraform keeps state. */
export const backend = objectSchema(
  'Where Terraform keeps state: exactly one of local, s3 or azurerm. Default: local.',
  {
    local: objectSchema('Local state files.', {
      dir: stringSchema("Directory of the state files. Default 'terraform-state'.", {}),
    }),
    s3: objectSchema(
      'An S3 bucket with KMS encryption and lock files.',
      {
        bucket: stringSchema('Bucket name.'),
        region: stringSchema('Region of the bucket.'),
        keyPrefix: stringSchema('Prefix of the state keys. Default: the environment name.'),
        kmsKeyId: stringSchema('KMS key that encrypts the state objects.'),
      },
      ['bucket', 'region', 'kmsKeyId'],
    ),
    azurerm: objectSchema(
      'An Azure Storage container; Entra ID authentication, blob lease locking.',
      {
        subscriptionId: stringSchema('Subscription of the storage account.', {
          pattern: PATTERNS.guid,
        }),
        resourceGroupName: stringSchema('Resource group of the storage account.', {}),
        storageAccountName: stringSchema('Storage account name.', {
          pattern: '^[a-z0-9]{3,24}$',
        }),
        containerName: stringSchema('Blob container.', { minLength: 3 }),
        keyPrefix: stringSchema('Prefix of the state blobs. Default: the environment name.'),
      },
      ['subscriptionId', 'resourceGroupName', 'storageAccountName', 'containerName'],
    ),
  },
  undefined,
  { minProperties: 1, maxProperties: 1 },
);
