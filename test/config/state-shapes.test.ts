import { Testing } from 'cdktf';
import { loadFleet } from '../../config';
import { RawAgent, toAgentSpec } from '../../config/to-model';
import {
  AgentSpec,
  Duration,
  FleetEnvironment,
  KubernetesSiteSpec,
  SiteStateEngines,
  StateSpec,
  stateEngineFor,
  validateAgent,
} from '../../model';
import { AgentFleet } from '../../stacks/agent-fleet';
import { Block, resourcesOf, synthesizedChild } from '../support/synthesized';
import { agentType, fixture, problemLines } from './support';

/**
 * An agent of each shape of state: `orders` documents, `readings` wide rows,
 * `ledger` SQL, `inventory` key-value (no `model`, as files written before the
 * shapes existed).
 */
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
            - keys: [{ field: expiresAt, order: asc }]
              expireAfter: 0s
        - name: order-events
`,
)}${agentType(
  'readings',
  `
    queue: { broker: rabbitmq, queue: readings }
    scaling: { minReplicas: 1, maxReplicas: 2, queueDepth: { perReplica: 10 } }
    state:
      model: wide-column
      tables:
        - name: readings_by_sensor
          columns:
            - { name: sensor_id, type: text }
            - { name: day, type: date }
            - { name: at, type: timestamp }
            - { name: value, type: double }
          partitionKey: [sensor_id, day]
          clusteringKey: [{ column: at, order: desc }]
          defaultTtl: 30d
`,
)}${agentType(
  'ledger',
  `
    queue: { broker: rabbitmq, queue: ledger }
    scaling: { minReplicas: 1, maxReplicas: 2, queueDepth: { perReplica: 10 } }
    state: { model: sql, schema: ledger }
`,
)}${agentType(
  'inventory',
  `
    queue: { broker: rabbitmq, queue: inventory }
    scaling: { minReplicas: 1, maxReplicas: 2, queueDepth: { perReplica: 10 } }
    state:
      partitionKey: { name: sku, type: string }
`,
)}`;

/**
 * Kubernetes site `dc1` with CockroachDB, Kubernetes site `edge` without a
 * database, AWS site `eu`, and broker `rabbitmq` outside the clusters. 23 lines;
 * `agents:` is line 23.
 */
const HEAD = `
sites:
  dc1:
    kind: kubernetes
    kubeconfig: { path: ~/.kube/config, context: dc1 }
    database: { kind: cockroachdb }
    nodePools:
      general: {}
  edge:
    kind: kubernetes
    kubeconfig: { path: ~/.kube/config, context: edge }
    nodePools:
      general: {}
  eu:
    kind: aws
    accountId: '111122223333'
    region: eu-west-1
    network: { cidr: 10.40.0.0/16, availabilityZones: [eu-west-1a, eu-west-1b, eu-west-1c] }
    cluster: { version: '1.35' }
    nodePools:
      general: { instanceTypes: [m7i.large], minSize: 3, maxSize: 6 }
brokers:
  rabbitmq: { kind: rabbitmq, external: { host: mq.example.com, cidrs: [10.0.0.0/8] } }
agents:
`;

function environment(agents: string): string {
  return HEAD.replace(/^\n+/, '') + agents.replace(/^\n+/, '');
}

function load(env: string): { lines: string[]; environment?: FleetEnvironment } {
  const result = loadFleet({
    rootDir: fixture({ catalogue: CATALOGUE, environments: { prod: env } }),
  });
  return result.ok
    ? { lines: [], environment: result.environments[0] }
    : { lines: problemLines(result) };
}

function stateOf(env: FleetEnvironment, agent: string): StateSpec | undefined {
  return env.deployments.find((deployment) => deployment.agent.name === agent)?.agent.state;
}

describe('the shapes of state in the files', () => {
  test('each shape loads into the model, its durations parsed', () => {
    const { lines, environment: env } = load(
      environment(`
  inventory: { sites: { dc1: {} } }
  ledger: { sites: { dc1: {} } }
`),
    );
    expect(lines).toEqual([]);
    expect(stateOf(env!, 'inventory')).toEqual({ partitionKey: { name: 'sku', type: 'string' } });
    expect(stateOf(env!, 'ledger')).toEqual({ model: 'sql', schema: 'ledger' });
  });

  test('documents and wide rows are refused where no engine serves them, at the agent on the site', () => {
    const { lines } = load(
      environment(`
  orders: { sites: { dc1: {} } }
  readings: { sites: { dc1: {} } }
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:24:22 agents.orders.sites.dc1: state.model: site 'dc1' serves no document state: declare 'stateEngines: { document: { kind: mongodb } }' on the site (MongoDB in its cluster), or keep the state as 'key-value' or 'sql'",
      "environments/prod.yaml:25:24 agents.readings.sites.dc1: state.model: site 'dc1' serves no wide-column state: declare 'stateEngines: { wideColumn: { kind: cassandra } }' on the site (Cassandra in its cluster), or place the agent on an AWS site (Amazon Keyspaces)",
    ]);
  });

  test('the durations of documents and wide rows are parsed in the shape the model names', () => {
    const raw = (state: unknown) =>
      ({
        container: { image: 'registry.example.com/a:1.0.0' },
        resources: { requests: { cpu: '1', memory: '1Gi' } },
        state,
      }) as RawAgent;
    const documents = toAgentSpec(
      'orders',
      raw({
        model: 'document',
        collections: [
          { name: 'o', indexes: [{ keys: [{ field: 'at', order: 'asc' }], expireAfter: '90d' }] },
        ],
      }),
    );
    const rows = toAgentSpec(
      'readings',
      raw({
        model: 'wide-column',
        tables: [
          {
            name: 'r',
            columns: [{ name: 'k', type: 'text' }],
            partitionKey: ['k'],
            defaultTtl: '30d',
          },
        ],
      }),
    );
    const state = (spec: AgentSpec | undefined) => spec?.state as unknown as Record<string, any>;
    expect(state(documents.spec).collections[0].indexes[0].expireAfter).toEqual(Duration.days(90));
    expect(state(rows.spec).tables[0].defaultTtl).toEqual(Duration.days(30));
  });

  test('a field of another shape is refused, naming the fields of the shape given', () => {
    const { lines } = load(
      environment(`
  ledger:
    state: { partitionKey: { name: id, type: string } }
    sites: { dc1: {} }
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:25:14 agents.ledger.state.partitionKey: unknown key 'partitionKey' (allowed: model, schema)",
    ]);
  });

  test('SQL state loads on an AWS site (Aurora DSQL) and is refused on a site without a database', () => {
    const { lines } = load(
      environment(`
  ledger: { sites: { eu: {}, edge: {} } }
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:24:30 agents.ledger.sites.edge: state.model: site 'edge' offers no database: declare 'database' on the site (CockroachDB in its cluster) or 'stateEngines: { sql: { kind: yugabytedb } }'",
    ]);
  });

  test('one agent with two shapes of state on two sites', () => {
    const { lines } = load(
      environment(`
  ledger:
    sites:
      dc1: {}
      eu:
        state: { model: key-value, schema: null, partitionKey: { name: id, type: string } }
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:27:7 agents.ledger.sites.eu: keeps its state as 'key-value' here but as 'sql' on site 'dc1': an agent keeps one shape of state on every site (each site picks the engine); set the same 'state.model' on both",
    ]);
  });
});

describe('wide rows on an AWS site: Amazon Keyspaces', () => {
  test('are refused on a cluster the user runs, at the agent on the site', () => {
    const { lines } = load(
      environment(`
  readings: { sites: { eu: {}, edge: {} } }
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:24:32 agents.readings.sites.edge: state.model: site 'edge' serves no wide-column state: declare 'stateEngines: { wideColumn: { kind: cassandra } }' on the site (Cassandra in its cluster), or place the agent on an AWS site (Amazon Keyspaces)",
    ]);
  });

  test('synthesize a keyspace in the infra stack and tell the agent where it is', () => {
    const { lines, environment: env } = load(
      environment(`
  readings: { sites: { eu: {} } }
`),
    );
    expect(lines).toEqual([]);
    const app = Testing.app();
    new AgentFleet(app, 'prod', { environment: env! });
    const infra = synthesizedChild(app, 'prod-eu-infra');
    expect(resourcesOf(infra, 'aws_keyspaces_keyspace').map((k) => k.name)).toEqual([
      'prod_eu_readings',
    ]);
    expect(resourcesOf(infra, 'aws_keyspaces_table').map((t) => t.table_name)).toEqual([
      'readings_by_sensor',
    ]);
    const agents = synthesizedChild(app, 'prod-eu-agents');
    const [deployment] = resourcesOf(agents, 'kubernetes_deployment_v1');
    const vars = Object.fromEntries(
      deployment.spec.template.spec.container[0].env.map((e: Block) => [e.name, e.value]),
    );
    expect(vars).toMatchObject({
      FLEET_STATE_MODEL: 'wide-column',
      FLEET_STATE_ENGINE: 'keyspaces',
      FLEET_STATE_HOST: 'cassandra.eu-west-1.amazonaws.com',
      FLEET_STATE_PORT: '9142',
      FLEET_STATE_KEYSPACE: 'prod_eu_readings',
      FLEET_STATE_AUTH: 'aws-sigv4',
    });
  });
});

describe('SQL state on an AWS site: Aurora DSQL', () => {
  const { lines, environment: env } = load(
    environment(`
  ledger: { sites: { eu: {} } }
`),
  );
  const app = Testing.app();
  new AgentFleet(app, 'prod', { environment: env! });
  const infra = synthesizedChild(app, 'prod-eu-infra');
  const agents = synthesizedChild(app, 'prod-eu-agents');
  const platform = synthesizedChild(app, 'prod-eu-platform');

  test('the platform runs a Job that creates the agent’s role, maps it to its IAM role and gives it its schema', () => {
    const [job] = resourcesOf(platform, 'kubernetes_job_v1');
    expect(job.metadata.name).toMatch(/^dsql-roles-[0-9a-f]{10}$/);
    expect(job.metadata.namespace).toMatch(/kubernetes_namespace_v1/);
    const pod = job.spec.template.spec;
    expect(pod.init_container[0].command.join(' ')).toContain(
      'aws dsql generate-db-connect-admin-auth-token',
    );
    expect(pod.container[0].env).toEqual(
      expect.arrayContaining([{ name: 'PGUSER', value: 'admin' }]),
    );
    const [account] = resourcesOf(platform, 'kubernetes_service_account_v1').filter(
      (a) => a.metadata.name === 'dsql-roles',
    );
    expect(Object.keys(account.metadata.annotations)).toEqual(['eks.amazonaws.com/role-arn']);
    const sql = resourcesOf(platform, 'kubernetes_config_map_v1').find(
      (map) => map.metadata.name === 'dsql-roles',
    )!.data['roles.sql'];
    expect(sql).toContain(
      "SELECT 'CREATE ROLE ledger WITH LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger') \\gexec",
    );
    expect(sql).toMatch(/AWS IAM GRANT ledger TO %L', '\$\{.+\}'\)/);
    expect(sql).toContain('CREATE SCHEMA IF NOT EXISTS ledger;');
    expect(sql).toContain('GRANT USAGE, CREATE ON SCHEMA ledger TO ledger;');
  });

  test('loads, and the infra stack builds the site one protected, encrypted cluster', () => {
    expect(lines).toEqual([]);
    expect(resourcesOf(infra, 'aws_dsql_cluster')).toEqual([
      expect.objectContaining({
        deletion_protection_enabled: true,
        kms_encryption_key: expect.stringMatching(/aws_kms_key/),
        lifecycle: { prevent_destroy: true },
      }),
    ]);
    expect(resourcesOf(infra, 'aws_vpc_endpoint')).toEqual([
      expect.objectContaining({
        service_name: expect.stringMatching(/aws_dsql_cluster\.\w+\.vpc_endpoint_service_name/),
        private_dns_enabled: true,
      }),
    ]);
  });

  test('the agent is told its host, database, role, schema and IAM token sign-in', () => {
    const [deployment] = resourcesOf(agents, 'kubernetes_deployment_v1');
    const vars = Object.fromEntries(
      deployment.spec.template.spec.container[0].env.map((e: Block) => [e.name, e.value]),
    );
    expect(vars).toMatchObject({
      FLEET_STATE_MODEL: 'sql',
      FLEET_STATE_ENGINE: 'aurora-dsql',
      FLEET_STATE_PORT: '5432',
      FLEET_STATE_DATABASE: 'postgres',
      FLEET_STATE_USER: 'ledger',
      FLEET_DATABASE_SCHEMA: 'ledger',
      FLEET_STATE_AUTH: 'aws-iam-token',
    });
    expect(vars.FLEET_STATE_HOST).toMatch(/\.on\.aws$/);
  });
});

describe('SQL state on a Kubernetes site, synthesized', () => {
  const { environment: env } = load(
    environment(`
  ledger: { sites: { dc1: {} } }
`),
  );
  const app = Testing.app();
  new AgentFleet(app, 'prod', { environment: env! });
  const agents = synthesizedChild(app, 'prod-dc1-agents');
  const platform = synthesizedChild(app, 'prod-dc1-platform');

  test('the agent is told the shape, the engine, its database and its schema', () => {
    const [deployment] = resourcesOf(agents, 'kubernetes_deployment_v1');
    const env = Object.fromEntries(
      deployment.spec.template.spec.container[0].env.map((e: Block) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      FLEET_STATE_MODEL: 'sql',
      FLEET_STATE_ENGINE: 'cockroachdb',
      FLEET_DATABASE_NAME: 'ledger',
      FLEET_DATABASE_SCHEMA: 'ledger',
    });
  });

  test("CockroachDB's provisioning Job makes the agent's user own the schema", () => {
    const [job] = resourcesOf(platform, 'kubernetes_job_v1').filter((j) =>
      j.metadata.name.startsWith('cockroachdb-provision-ledger-'),
    );
    expect(job.spec.template.spec.container[0].command[2]).toContain(
      'CREATE SCHEMA IF NOT EXISTS "ledger"."ledger" AUTHORIZATION "ledger";',
    );
  });
});

describe('the model rules of each shape', () => {
  const agent = (state: StateSpec): AgentSpec =>
    ({
      name: 'orders',
      container: { image: { toString: () => 'x' } },
      resources: {},
      state,
    }) as unknown as AgentSpec;
  const stateProblems = (state: StateSpec) =>
    validateAgent(agent(state))
      .filter((problem) => problem.path[0] === 'state')
      .map((problem) => `${problem.path.join('.')}: ${problem.message}`);

  test('documents: names, index keys, TTL indexes, repeated collections', () => {
    expect(
      stateProblems({
        model: 'document',
        collections: [
          { name: 'system.users' },
          {
            name: 'orders',
            indexes: [
              { keys: [] },
              {
                keys: [
                  { field: '$where', order: 'asc' },
                  { field: 'a', order: 'asc' },
                  { field: 'a', order: 'desc' },
                ],
              },
              {
                keys: [
                  { field: 'at', order: 'asc' },
                  { field: 'b', order: 'asc' },
                ],
                expireAfter: Duration.days(1),
              },
            ],
          },
          { name: 'orders' },
        ],
      }),
    ).toEqual([
      "state.collections.0.name: 'system.users' must be 1 to 64 letters, digits, '_' or '-' (MongoDB reserves '$' and 'system.')",
      'state.collections.1.indexes.0.keys: needs at least one field',
      "state.collections.1.indexes.1.keys.0.field: '$where' is not a field path: names joined by '.', none starting with '$'",
      "state.collections.1.indexes.1.keys.2.field: 'a' is given twice",
      'state.collections.1.indexes.2.expireAfter: a TTL index has exactly one key, a date field (this one has 2)',
      "state.collections.2.name: 'orders' is given twice",
    ]);
    expect(stateProblems({ model: 'document', collections: [] })).toEqual([
      'state.collections: needs at least one collection',
    ]);
  });

  test('wide rows: keys among the columns, names, time to live, replication', () => {
    expect(
      stateProblems({
        model: 'wide-column',
        tables: [
          {
            name: '1readings',
            columns: [
              { name: 'sensor', type: 'text' },
              { name: 'at', type: 'timestamp' },
              { name: 'at', type: 'text' },
            ],
            partitionKey: ['sensor', 'day'],
            clusteringKey: [
              { column: 'sensor', order: 'asc' },
              { column: 'value', order: 'asc' },
            ],
            defaultTtl: Duration.days(365 * 30),
          },
        ],
        replication: { factor: 1 },
      }),
    ).toEqual([
      "state.tables.0.name: '1readings' must be a letter, then letters, digits or '_', at most 48 characters",
      "state.tables.0.columns.2.name: 'at' is given twice",
      "state.tables.0.partitionKey.1: 'day' is not a column of table '1readings' (sensor, at)",
      "state.tables.0.clusteringKey.0.column: 'sensor' is already in the partition key",
      "state.tables.0.clusteringKey.1.column: 'value' is not a column of table '1readings' (sensor, at)",
      'state.tables.0.defaultTtl: (10950d) must be from 1s to 20 years (7300d)',
      "state.replication.reason: 1 copies survive no zone's loss: give the reason in writing, or keep the default of 3",
    ]);
  });

  test('SQL: the schema is an SQL identifier', () => {
    expect(stateProblems({ model: 'sql', schema: 'Ledger-1' })).toEqual([
      "state.schema: 'Ledger-1' must be a lower-case SQL identifier: a letter or '_', then letters, digits or '_', at most 63 characters",
    ]);
    expect(stateProblems({ model: 'sql' })).toEqual([]);
  });
});

describe('the engine each kind of site offers for each shape', () => {
  const kubernetes = (database: boolean): KubernetesSiteSpec => ({
    name: 'dc1',
    nodePools: [],
    ...(database ? { database: { kind: 'cockroachdb' as const } } : {}),
  });
  const inCluster = (stateEngines: SiteStateEngines): KubernetesSiteSpec => ({
    ...kubernetes(true),
    stateEngines,
  });
  const aws: KubernetesSiteSpec = { name: 'eu', cloud: 'aws', nodePools: [] };
  const azure: KubernetesSiteSpec = { name: 'weu', cloud: 'azure', nodePools: [] };

  test.each([
    ['key-value', aws, 'dynamodb'],
    ['key-value', azure, 'cosmos-nosql'],
    ['key-value', kubernetes(true), 'cockroachdb'],
    ['sql', kubernetes(true), 'cockroachdb'],
    ['wide-column', aws, 'keyspaces'],
    ['sql', aws, 'aurora-dsql'],
    ['document', aws, 'documentdb'],
    ['document', inCluster({ document: { kind: 'mongodb' } }), 'mongodb'],
    ['wide-column', inCluster({ wideColumn: { kind: 'cassandra' } }), 'cassandra'],
    ['sql', inCluster({ sql: { kind: 'yugabytedb' } }), 'yugabytedb'],
  ] as const)('%s state on %o: %s', (model, site, engine) => {
    expect(stateEngineFor(site, model)).toEqual({ engine });
  });

  test.each([
    ['key-value', kubernetes(false)],
    ['sql', kubernetes(false)],
    ['sql', azure],
    ['document', azure],
    ['document', kubernetes(true)],
    ['wide-column', azure],
    ['wide-column', kubernetes(true)],
  ] as const)('%s state on %o is refused with the reason', (model, site) => {
    const choice = stateEngineFor(site, model);
    expect(choice.engine).toBeUndefined();
    expect('refused' in choice && choice.refused).toMatch(
      /^(AWS |Azure )?site '\w+' (serves|offers) no/,
    );
  });

  test('Azure refuses documents, wide rows and SQL: Entra ID only, no keys, no password in the state', () => {
    const refusal = (model: 'document' | 'wide-column' | 'sql') => {
      const choice = stateEngineFor(azure, model);
      return 'refused' in choice ? choice.refused : undefined;
    };
    const tail =
      "; agents on Azure sign in with Entra ID only, so place the agent on an AWS or Kubernetes site, or keep the state as 'key-value'";
    expect(refusal('document')).toBe(
      "Azure site 'weu' serves no document state: Cosmos DB for MongoDB takes keys or passwords only, and Azure DocumentDB keeps its administrator password in the Terraform state" +
        tail,
    );
    expect(refusal('wide-column')).toBe(
      "Azure site 'weu' serves no wide-column state: Cosmos DB for Apache Cassandra takes account keys only (its Entra ID access is in a preview API the pinned azurerm provider lacks), and Managed Instance for Apache Cassandra keeps its administrator password in the Terraform state" +
        tail,
    );
    expect(refusal('sql')).toBe(
      "Azure site 'weu' serves no SQL state: Cosmos DB for PostgreSQL keeps its administrator password in the Terraform state" +
        tail,
    );
  });
});
