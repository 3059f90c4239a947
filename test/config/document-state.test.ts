import { Testing } from 'cdktf';
import { loadFleet } from '../../config';
import {
  FleetEnvironment,
  KubernetesSiteSpec,
  stateEngineFor,
  validateKubernetesSite,
} from '../../model';
import { AgentFleet } from '../../stacks/agent-fleet';
import { Block, manifestOf, resourcesOf, synthesizedChild } from '../support/synthesized';
import { agentType, fixture, problemLines } from './support';

/** `orders` keeps documents: two collections, a compound index, a unique one and a TTL one. */
const CATALOGUE = `
agentTypes:
${agentType(
  'orders',
  `
    queue: { broker: rabbitmq, queue: orders }
    scaling: { minReplicas: 1, maxReplicas: 2, queueDepth: { perReplica: 10 } }
    state:
      model: document
      collections:
        - name: orders
          indexes:
            - keys: [{ field: customer.id, order: asc }, { field: createdAt, order: desc }]
            - keys: [{ field: number, order: asc }]
              unique: true
            - keys: [{ field: expiresAt, order: asc }]
              expireAfter: 0s
        - name: order-events
`,
)}`;

/**
 * Site `dc1` with MongoDB in its cluster (`stateEngines` on line 5), site
 * `edge` without; broker `rabbitmq` outside the clusters. `agents:` is line 15.
 */
function environment(dc1Engines: string, agents: string): string {
  return `sites:
  dc1:
    kind: kubernetes
    kubeconfig: { path: ~/.kube/config, context: dc1 }
    stateEngines: ${dc1Engines}
    nodePools:
      general: { labels: { topology.kubernetes.io/zone: a } }
  edge:
    kind: kubernetes
    kubeconfig: { path: ~/.kube/config, context: edge }
    nodePools:
      general: {}
brokers:
  rabbitmq: { kind: rabbitmq, external: { host: mq.example.com, cidrs: [10.0.0.0/8] } }
agents:
${agents.replace(/^\n+/, '')}`;
}

function load(env: string): { lines: string[]; environment?: FleetEnvironment } {
  const result = loadFleet({
    rootDir: fixture({ catalogue: CATALOGUE, environments: { prod: env } }),
  });
  return result.ok
    ? { lines: [], environment: result.environments[0] }
    : { lines: problemLines(result) };
}

describe('MongoDB on a Kubernetes site, in the files', () => {
  test('a site declares it; an agent with documents loads there', () => {
    const { lines, environment: env } = load(
      environment(
        '{ document: { kind: mongodb, storageClass: encrypted-ssd } }',
        '  orders: { sites: { dc1: {} } }',
      ),
    );
    expect(lines).toEqual([]);
    const dc1 = env!.sites.find((site) => site.name === 'dc1');
    expect(dc1).toMatchObject({
      stateEngines: { document: { kind: 'mongodb', storageClass: 'encrypted-ssd' } },
    });
  });

  test('an agent with documents on a site without the engine is refused with what to declare', () => {
    const { lines } = load(
      environment('{ document: { kind: mongodb } }', '  orders: { sites: { edge: {} } }'),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:16:22 agents.orders.sites.edge: state.model: site 'edge' serves no document state: declare 'stateEngines: { document: { kind: mongodb } }' on the site (MongoDB in its cluster), or keep the state as 'key-value' or 'sql'",
    ]);
  });

  test('an even member count, or fewer than 3 without a reason, is refused at the site', () => {
    const even = load(
      environment(
        '{ document: { kind: mongodb, replicas: 4 } }',
        '  orders: { sites: { dc1: {} } }',
      ),
    );
    expect(even.lines).toEqual([
      'environments/prod.yaml:5:48 sites.dc1.stateEngines.document.replicas: (4) must be odd: a replica set elects its primary by a majority of members',
    ]);
    const one = load(
      environment(
        '{ document: { kind: mongodb, replicas: 1 } }',
        '  orders: { sites: { dc1: {} } }',
      ),
    );
    expect(one.lines).toEqual([
      'environments/prod.yaml:5:21 sites.dc1.stateEngines.document.reason: 1 member(s) keep fewer than 3 copies, so losing a node loses data or availability: give a written reason (at least 10 characters) or use 3 or more',
    ]);
    const reasoned = load(
      environment(
        '{ document: { kind: mongodb, replicas: 1, reason: a laptop cluster of one node } }',
        '  orders: { sites: { dc1: {} } }',
      ),
    );
    expect(reasoned.lines).toEqual([]);
  });

  test('the schema refuses another engine, more than 7 members and a namespace that is no DNS label', () => {
    const { lines } = load(
      environment(
        '{ document: { kind: documentdb, replicas: 9, namespace: Mongo_DB } }',
        '  orders: { sites: { dc1: {} } }',
      ),
    );
    expect(lines.join('\n')).toMatch(/sites\.dc1\.stateEngines\.document\.kind/);
    expect(lines.join('\n')).toMatch(/sites\.dc1\.stateEngines\.document\.replicas/);
    expect(lines.join('\n')).toMatch(/sites\.dc1\.stateEngines\.document\.namespace/);
    for (const line of lines) expect(line).toMatch(/^environments\/prod\.yaml:5:\d+ /);
  });
});

test("an agent's name too long for its collections Job is refused, saying how long it may be", () => {
  const long = 'orders-of-the-northern-region-shops';
  const result = loadFleet({
    rootDir: fixture({
      catalogue: CATALOGUE.replace('  orders:', `  ${long}:`),
      environments: {
        prod: environment('{ document: { kind: mongodb } }', `  ${long}: { sites: { dc1: {} } }`),
      },
    }),
  });
  expect(result.ok ? [] : problemLines(result)).toEqual([
    `fleet/agent-types.yaml:2:3 agentTypes.${long}: the agent name '${long}' makes a name longer than its resource allows: the kubernetes_job_v1.metadata.name 'mongodb-provision-${long}-0000000000' (64 > 63, https://kubernetes.io/docs/concepts/workloads/controllers/job/#writing-a-job-spec); shorten it to at most 34 characters`,
  ]);
});

describe('an agent with documents on a site with MongoDB, through AgentFleet', () => {
  const { lines, environment: env } = load(
    environment('{ document: { kind: mongodb } }', '  orders: { sites: { dc1: {} } }'),
  );
  const app = Testing.app();
  if (lines.length === 0) new AgentFleet(app, 'prod', { environment: env! });
  const platform = synthesizedChild(app, 'prod-dc1-platform');
  const agents = synthesizedChild(app, 'prod-dc1-agents');
  const hosts = [0, 1, 2].map((i) => `mongodb-${i}.mongodb-svc.mongodb.svc.cluster.local`);

  test('loads', () => expect(lines).toEqual([]));

  test('synthesizes with no guardrail error', () => {
    expect(() => app.synth()).not.toThrow();
  });

  test('the agent is told its members, replica set, database, credentials and CA', () => {
    const [deployment] = resourcesOf(agents, 'kubernetes_deployment_v1');
    const pod = deployment.spec.template.spec;
    const vars = Object.fromEntries(pod.container[0].env.map((e: Block) => [e.name, e.value]));
    expect(vars).toMatchObject({
      FLEET_STATE_MODEL: 'document',
      FLEET_STATE_ENGINE: 'mongodb',
      FLEET_STATE_HOSTS: hosts.join(','),
      FLEET_STATE_PORT: '27017',
      FLEET_STATE_DATABASE: 'orders',
      FLEET_STATE_REPLICA_SET: 'mongodb',
      FLEET_STATE_CREDENTIALS_DIR: '/var/run/secrets/agent-fleet/state',
      FLEET_STATE_TLS_CA_FILE: '/var/run/secrets/agent-fleet/state-ca/ca.crt',
    });
    expect(pod.volume).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'state',
          secret: expect.objectContaining({ secret_name: 'orders-mongodb' }),
        }),
        expect.objectContaining({
          name: 'state-ca',
          secret: expect.objectContaining({ secret_name: 'mongodb-ca' }),
        }),
      ]),
    );
    expect(pod.container[0].volume_mount).toEqual(
      expect.arrayContaining([
        { name: 'state', mount_path: '/var/run/secrets/agent-fleet/state', read_only: true },
        { name: 'state-ca', mount_path: '/var/run/secrets/agent-fleet/state-ca', read_only: true },
      ]),
    );
  });

  test('the agent starts once the Job has created its collections', () => {
    const [deployment] = resourcesOf(agents, 'kubernetes_deployment_v1');
    expect(deployment.depends_on).toEqual([
      expect.stringMatching(/^kubernetes_job_v1\.MongoDb_ReplicaSet_Provisioning-orders_/),
    ]);
  });

  test("the agent may reach the members on 27017 and nothing else of MongoDB's namespace", () => {
    const policy = resourcesOf(agents, 'kubernetes_network_policy_v1').find(
      (candidate) => candidate.metadata.name === 'orders',
    )!;
    expect(policy.spec.egress).toContainEqual({
      to: [
        {
          namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'mongodb' } },
          pod_selector: { match_labels: { app: 'mongodb-svc' } },
        },
      ],
      ports: [{ port: '27017', protocol: 'TCP' }],
    });
  });

  test('the agent has a user of its own with readWrite on its database only', () => {
    const replicaSet = manifestOf(agents, 'MongoDBCommunity');
    expect(replicaSet.spec.users).toEqual([
      {
        name: 'orders',
        db: 'orders',
        passwordSecretRef: { name: 'mongodb-user-orders', key: 'password' },
        roles: [{ name: 'readWrite', db: 'orders' }],
        scramCredentialsSecretName: 'mongodb-scram-orders',
      },
    ]);
    const secrets = resourcesOf(platform, 'kubernetes_secret_v1').map(
      (secret) => `${secret.metadata.namespace}/${secret.metadata.name}`,
    );
    expect(secrets).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/mongodb-user-orders$/),
        expect.stringMatching(/orders-mongodb$/),
      ]),
    );
  });

  test('the platform installs the operator and the certificates; the agents stack the replica set and collections', () => {
    expect(resourcesOf(platform, 'helm_release').map((release) => release.chart)).toContain(
      'mongodb-kubernetes',
    );
    expect(
      resourcesOf(platform, 'kubernetes_job_v1').map((job) => job.metadata.name),
    ).toContainEqual(expect.stringMatching(/^mongodb-certificates-[0-9a-f]{10}$/));
    expect(resourcesOf(agents, 'kubernetes_job_v1').map((job) => job.metadata.name)).toContainEqual(
      expect.stringMatching(/^mongodb-provision-orders-[0-9a-f]{10}$/),
    );
  });
});

describe('an agent with documents on a site with MongoDB and Vault', () => {
  const certificate = [
    '-----BEGIN CERTIFICATE-----',
    ...Array.from({ length: 9 }, (_, line) =>
      `MIIBszCCAVmgAwIBAgIUYk8Jm3c2bF0cB2qv5n9Tq4e3b1swCgYIKoZIzj0EAwIw${line}`.slice(0, 64),
    ),
    'K5L7M9N1O3P5Qw==',
    '-----END CERTIFICATE-----',
    '',
  ].join('\n');
  const vault = JSON.stringify({
    address: 'https://vault.dc1.example.com:8200',
    cidrs: ['10.20.8.0/24'],
    kubernetesHost: 'https://dc1-api.example.com:6443',
    kubernetesCaCertificate: certificate,
    caCertificate: certificate,
  });
  const { lines, environment: env } = load(
    environment(
      `{ document: { kind: mongodb } }\n    vault: ${vault}`,
      '  orders: { sites: { dc1: {} } }',
    ),
  );
  const app = Testing.app();
  if (lines.length === 0) new AgentFleet(app, 'prod', { environment: env! });

  test('loads', () => expect(lines).toEqual([]));

  test('the password goes to Vault, not to a Secret of the agent, and Vault writes the same files', () => {
    const platform = synthesizedChild(app, 'prod-dc1-platform');
    const agents = synthesizedChild(app, 'prod-dc1-agents');
    expect(
      resourcesOf(platform, 'kubernetes_secret_v1').map((secret) => secret.metadata.name),
    ).not.toContain('orders-mongodb');
    const written = resourcesOf(platform, 'vault_kv_secret_v2').map((secret) => secret.name);
    expect(written).toContainEqual(expect.stringMatching(/orders\/database$/));
    const [deployment] = resourcesOf(agents, 'kubernetes_deployment_v1');
    const pod = deployment.spec.template;
    expect(pod.metadata.annotations).toMatchObject({
      'vault.hashicorp.com/agent-inject': 'true',
    });
    expect(JSON.stringify(pod.metadata.annotations)).toContain(
      '/var/run/secrets/agent-fleet/state',
    );
    expect(pod.spec.volume.map((volume: Block) => volume.name)).toEqual(
      expect.arrayContaining(['state-ca']),
    );
    expect(pod.spec.volume.map((volume: Block) => volume.name)).not.toContain('state');
  });
});

describe('stateEngineFor: document state', () => {
  const site = (extra: Partial<KubernetesSiteSpec>): KubernetesSiteSpec => ({
    name: 'dc1',
    nodePools: [],
    ...extra,
  });

  test('is served by MongoDB on a cluster you run that declares it', () => {
    expect(
      stateEngineFor(site({ stateEngines: { document: { kind: 'mongodb' } } }), 'document'),
    ).toEqual({ engine: 'mongodb' });
  });

  test('is refused on a cluster you run without it, saying what to declare', () => {
    const choice = stateEngineFor(site({ database: { kind: 'cockroachdb' } }), 'document');
    expect('refused' in choice && choice.refused).toBe(
      "site 'dc1' serves no document state: declare 'stateEngines: { document: { kind: mongodb } }' on the site (MongoDB in its cluster), or keep the state as 'key-value' or 'sql'",
    );
  });

  test('MongoDB declared on a cloud site does not serve it in the cluster', () => {
    const choice = stateEngineFor(
      site({ cloud: 'azure', stateEngines: { document: { kind: 'mongodb' } } }),
      'document',
    );
    expect(choice.engine).not.toBe('mongodb');
  });
});

describe('the engines a site declares for each shape, in the files', () => {
  test('Cassandra and YugabyteDB in a cluster: fewer than 3 nodes need a reason, YugabyteDB an odd count', () => {
    const { lines } = load(
      environment(
        '{ wideColumn: { kind: cassandra, replicas: 2 }, sql: { kind: yugabytedb, replicas: 4 } }',
        '  orders: { sites: { dc1: {} } }',
      ),
    );
    expect(lines).toEqual([
      'environments/prod.yaml:5:21 sites.dc1.stateEngines.wideColumn.reason: 2 node(s) keep fewer than 3 copies, so losing a node loses data or availability: give a written reason (at least 10 characters) or use 3 or more',
      "environments/prod.yaml:5:92 sites.dc1.stateEngines.sql.replicas: (4) must be odd: YugabyteDB's masters elect a leader by a majority",
    ]);
  });

  test('the cloud services are for AWS sites: the schema refuses them on a cluster you run', () => {
    const { lines } = load(
      environment('{ wideColumn: { kind: keyspaces } }', '  orders: { sites: { dc1: {} } }'),
    );
    expect(lines.join('\n')).toMatch(
      /^environments\/prod\.yaml:5:\d+ sites\.dc1\.stateEngines\.wideColumn\.kind: /,
    );
  });

  /** Site `eu` on AWS, with `stateEngines` on line 10. */
  const awsEnvironment = (engines: string) => `sites:
  eu:
    kind: aws
    accountId: '111122223333'
    region: eu-west-1
    network: { cidr: 10.40.0.0/16, availabilityZones: [eu-west-1a, eu-west-1b, eu-west-1c] }
    cluster: { version: '1.35' }
    nodePools:
      general: { instanceTypes: [m7i.large], minSize: 3, maxSize: 6 }
    stateEngines: ${engines}
brokers:
  rabbitmq: { kind: rabbitmq, external: { host: mq.example.com, cidrs: [10.0.0.0/8] } }
agents:
  orders: { sites: { eu: {} } }
`;

  test('an AWS site serves documents with Amazon DocumentDB, sized in its file', () => {
    const { lines, environment: env } = load(
      awsEnvironment('{ document: { kind: documentdb, instances: 3, backupRetentionDays: 14 } }'),
    );
    expect(lines).toEqual([]);
    expect(env!.awsSites?.find((site) => site.name === 'eu')).toMatchObject({
      stateEngines: { document: { kind: 'documentdb', instances: 3, backupRetentionDays: 14 } },
    });
  });

  test('an AWS site refuses fewer than 3 instances without a reason, and more than 35 days', () => {
    const few = load(awsEnvironment('{ document: { kind: documentdb, instances: 2 } }'));
    expect(few.lines).toEqual([
      'environments/prod.yaml:10:21 sites.eu.stateEngines.document.reason: 2 instance(s) keep fewer than 3 copies, so losing a node loses data or availability: give a written reason (at least 10 characters) or use 3 or more',
    ]);
    const long = load(
      awsEnvironment('{ document: { kind: documentdb, backupRetentionDays: 40 } }'),
    );
    expect(long.lines.join('\n')).toMatch(
      /^environments\/prod\.yaml:10:\d+ sites\.eu\.stateEngines\.document\.backupRetentionDays: /,
    );
    const mongo = load(awsEnvironment('{ document: { kind: mongodb } }'));
    expect(mongo.lines.join('\n')).toMatch(
      /^environments\/prod\.yaml:10:\d+ sites\.eu\.stateEngines\.document\.kind: /,
    );
  });
});

describe('a cluster the site runs outside the fleet', () => {
  const CA =
    '-----BEGIN CERTIFICATE-----\\nMIIBszCCAVmgAwIBAgIUYk8Jm3c2bF0cB2qv5n9Tq4e3b1swCgYIKoZIzj0EAwIw\\n-----END CERTIFICATE-----\\n';
  /** Site `dc1` with Vault (line 5) and MongoDB as an external cluster (`document` on line 9). */
  const external = (engines: string, vault = true) => `sites:
  dc1:
    kind: kubernetes
    kubeconfig: { path: ~/.kube/config, context: dc1 }
${
  vault
    ? `    vault: { address: 'https://vault.example.com:8200', cidrs: [10.20.8.0/24], kubernetesHost: 'https://dc1.example.com:6443', kubernetesCaCertificate: "${CA}", caCertificate: "${CA}" }`
    : '    # no vault'
}
    nodePools:
      general: {}
    stateEngines:
      document: ${engines}
brokers:
  rabbitmq: { kind: rabbitmq, external: { host: mq.example.com, cidrs: [10.0.0.0/8] } }
agents:
  orders: { sites: { dc1: {} } }
`;
  const MONGODB = `
        kind: mongodb
        external:
          hosts: [mongo-0.db.example.com, mongo-1.db.example.com, mongo-2.db.example.com]
          cidrs: [10.30.0.0/24]
          replicaSet: rs0
          caCertificate: "${CA}"`;

  test("binds the agent to the cluster's hosts over its networks, with the CA, and runs nothing for it", () => {
    const { lines, environment: env } = load(external(MONGODB));
    expect(lines).toEqual([]);
    const app = Testing.app();
    new AgentFleet(app, 'prod', { environment: env! });
    const platform = synthesizedChild(app, 'prod-dc1-platform');
    const agents = synthesizedChild(app, 'prod-dc1-agents');
    expect(resourcesOf(platform, 'helm_release').map((r) => r.chart)).not.toContain(
      'mongodb-kubernetes',
    );
    expect(resourcesOf(agents, 'kubernetes_manifest')).not.toContainEqual(
      expect.objectContaining({ manifest: expect.objectContaining({ kind: 'MongoDBCommunity' }) }),
    );
    const ca = resourcesOf(platform, 'kubernetes_secret_v1').find(
      (secret) => secret.metadata.name === 'mongodb-ca',
    )!;
    expect(ca.data['ca.crt']).toContain('-----BEGIN CERTIFICATE-----');
    const [deployment] = resourcesOf(agents, 'kubernetes_deployment_v1');
    const vars = Object.fromEntries(
      deployment.spec.template.spec.container[0].env.map((e: Block) => [e.name, e.value]),
    );
    expect(vars).toMatchObject({
      FLEET_STATE_ENGINE: 'mongodb',
      FLEET_STATE_HOSTS: 'mongo-0.db.example.com,mongo-1.db.example.com,mongo-2.db.example.com',
      FLEET_STATE_PORT: '27017',
      FLEET_STATE_REPLICA_SET: 'rs0',
      FLEET_STATE_DATABASE: 'orders',
    });
    // The credentials come from the agent's folder in Vault, written by the cluster's operators.
    expect(deployment.spec.template.metadata.annotations).toMatchObject({
      'vault.hashicorp.com/agent-inject-secret-state-username': expect.stringContaining(
        'prod/dc1/orders/database',
      ),
    });
    const policy = resourcesOf(agents, 'kubernetes_network_policy_v1').find(
      (candidate) => candidate.metadata.name === 'orders',
    )!;
    expect(policy.spec.egress).toContainEqual({
      to: [{ ip_block: { cidr: '10.30.0.0/24' } }],
      ports: [{ port: '27017', protocol: 'TCP' }],
    });
    expect(() => app.synth()).not.toThrow();
  });

  test("needs the site's Vault, a replica set, and none of the settings of an engine the fleet runs", () => {
    const { lines } = load(
      external(
        `{ kind: mongodb, replicas: 3, external: { hosts: [m0], cidrs: [10.30.0.0/24], caCertificate: 'not a pem' } }`,
        false,
      ),
    );
    expect(lines).toEqual([
      'environments/prod.yaml:9:34 sites.dc1.stateEngines.document.replicas: does not apply to an external cluster, which the fleet does not run',
      "environments/prod.yaml:9:47 sites.dc1.stateEngines.document.external: an external cluster's users are its operators': declare 'vault' on the site, where they write each agent's credentials (its 'database' secret) for the agent to read",
      "environments/prod.yaml:9:47 sites.dc1.stateEngines.document.external.replicaSet: names the replica set, which MongoDB's clients need",
      'environments/prod.yaml:9:95 sites.dc1.stateEngines.document.external.caCertificate: must be a PEM certificate (-----BEGIN CERTIFICATE-----)',
    ]);
  });
});

test('an external Cassandra needs its datacenter, and YugabyteDB takes neither a replica set nor a datacenter', () => {
  const external = {
    hosts: ['db-0.example.com'],
    cidrs: ['10.30.0.0/24'],
    caCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  };
  const site: KubernetesSiteSpec = {
    name: 'dc1',
    nodePools: [{ name: 'general' }],
    vault: {
      address: 'https://vault.example.com:8200',
      cidrs: ['10.20.8.0/24'],
      kubernetesHost: 'https://dc1.example.com:6443',
      kubernetesCaCertificate: external.caCertificate,
      caCertificate: external.caCertificate,
    },
    stateEngines: {
      wideColumn: { kind: 'cassandra', external },
      sql: { kind: 'yugabytedb', external: { ...external, replicaSet: 'rs0', datacenter: 'dc1' } },
    },
  };
  expect(validateKubernetesSite(site)).toEqual([
    {
      path: ['stateEngines', 'wideColumn', 'external', 'datacenter'],
      message: "names the agents' local datacenter, which Cassandra's drivers need",
    },
    {
      path: ['stateEngines', 'sql', 'external', 'replicaSet'],
      message: 'applies to MongoDB only',
    },
    {
      path: ['stateEngines', 'sql', 'external', 'datacenter'],
      message: 'applies to Cassandra only',
    },
  ]);
});
