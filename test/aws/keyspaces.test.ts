import { Testing } from 'cdktf';
import { AgentKeyspace, KeyspacesEndpoint, PendingGrants } from '../../constructs/aws';
import { AgentSpec, clusterSiteOf, planSite, WideColumnStateSpec } from '../../model';
import { AwsInfraStack } from '../../stacks/aws-infra-stack';
import { consumer } from '../support/fixtures';
import { resourcesOf, synthesized } from '../support/synthesized';
import { ACCOUNT_ID, AWS_SITE, READINGS_TABLES, REGION, synthAws } from './support';

const READINGS: WideColumnStateSpec = { model: 'wide-column', tables: READINGS_TABLES };

describe('AgentKeyspace', () => {
  const json = synthAws((stack) => {
    new AgentKeyspace(stack, 'readings', {
      name: 'test_eu_readings',
      accountId: ACCOUNT_ID,
      region: REGION,
      tables: READINGS.tables,
    });
  });

  it('creates the keyspace and its key, both kept from destruction', () => {
    const [keyspace] = resourcesOf(json, 'aws_keyspaces_keyspace');
    expect(keyspace).toMatchObject({
      name: 'test_eu_readings',
      lifecycle: { prevent_destroy: true },
    });
    expect(keyspace.replication_specification).toBeUndefined();
    const [key] = resourcesOf(json, 'aws_kms_key');
    expect(key).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    expect(resourcesOf(json, 'aws_kms_alias')[0].name).toBe('alias/keyspaces/test_eu_readings');
  });

  it('renders each table: schema, keys in order, on demand, PITR, its key, TTL', () => {
    const tables = resourcesOf(json, 'aws_keyspaces_table');
    expect(tables).toHaveLength(2);
    const [readings, sensors] = tables;
    expect(readings).toMatchObject({
      table_name: 'readings_by_sensor',
      schema_definition: {
        column: [
          { name: 'sensor_id', type: 'text' },
          { name: 'day', type: 'date' },
          { name: 'at', type: 'timestamp' },
          { name: 'value', type: 'double' },
        ],
        partition_key: [{ name: 'sensor_id' }, { name: 'day' }],
        clustering_key: [{ name: 'at', order_by: 'DESC' }],
      },
      capacity_specification: { throughput_mode: 'PAY_PER_REQUEST' },
      point_in_time_recovery: { status: 'ENABLED' },
      encryption_specification: {
        type: 'CUSTOMER_MANAGED_KMS_KEY',
        kms_key_identifier: expect.stringMatching(/^\$\{aws_kms_key\.\w+\.arn\}$/),
      },
      ttl: { status: 'ENABLED' },
      default_time_to_live: 30 * 24 * 3600,
      lifecycle: { prevent_destroy: true },
    });
    expect(String(readings.keyspace_name)).toMatch(/aws_keyspaces_keyspace\.\w+\.name/);
    expect(sensors.ttl).toBeUndefined();
    expect(sensors.default_time_to_live).toBeUndefined();
    expect(sensors.schema_definition).toMatchObject({ clustering_key: [] });
  });

  it('grants Select and Modify on its tables only, through the endpoint', () => {
    const grants = new PendingGrants();
    synthAws((stack) => {
      new AgentKeyspace(stack, 'readings', {
        name: 'test_eu_readings',
        accountId: ACCOUNT_ID,
        region: REGION,
        tables: READINGS.tables,
      }).grantReadWriteData(grants, 'vpce-0123');
    });
    const base = `arn:aws:cassandra:${REGION}:${ACCOUNT_ID}:/keyspace`;
    const [data, system, peers, key] = grants.statements;
    expect(data).toEqual({
      Effect: 'Allow',
      Action: ['cassandra:Select', 'cassandra:Modify'],
      Resource: [
        `${base}/test_eu_readings/table/readings_by_sensor`,
        `${base}/test_eu_readings/table/sensors`,
      ],
      Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0123' } },
    });
    expect(system).toEqual({
      Effect: 'Allow',
      Action: ['cassandra:Select'],
      Resource: [`${base}/system*`],
      Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0123' } },
    });
    expect(peers).toEqual({
      Effect: 'Allow',
      Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcEndpoints'],
      Resource: ['*'],
    });
    expect(key.Condition).toEqual({
      StringEquals: { 'kms:ViaService': `cassandra.${REGION}.amazonaws.com` },
    });
  });

  it('refuses a name Keyspaces does not accept, and no tables', () => {
    expect(() =>
      synthAws((stack) => {
        new AgentKeyspace(stack, 'bad', {
          name: 'test-eu-readings',
          accountId: ACCOUNT_ID,
          region: REGION,
          tables: [],
        });
      }),
    ).toThrow(
      /'name': 'test-eu-readings' is not a keyspace name[\s\S]*'tables': needs at least one table/,
    );
  });
});

describe('KeyspacesEndpoint', () => {
  const json = synthAws((stack) => {
    new KeyspacesEndpoint(stack, 'Keyspaces', {
      vpcId: 'vpc-1',
      subnetIds: ['subnet-a', 'subnet-b'],
      region: REGION,
      clientCidrs: ['10.40.0.0/16'],
    });
  });

  it('is an interface endpoint of the regional service with private DNS', () => {
    expect(resourcesOf(json, 'aws_vpc_endpoint')).toEqual([
      expect.objectContaining({
        service_name: `com.amazonaws.${REGION}.cassandra`,
        vpc_endpoint_type: 'Interface',
        subnet_ids: ['subnet-a', 'subnet-b'],
        private_dns_enabled: true,
      }),
    ]);
  });

  it('admits the clients on 9142 only', () => {
    expect(resourcesOf(json, 'aws_vpc_security_group_ingress_rule')).toEqual([
      expect.objectContaining({
        ip_protocol: 'tcp',
        from_port: 9142,
        to_port: 9142,
        cidr_ipv4: '10.40.0.0/16',
      }),
    ]);
  });

  it('refuses the whole internet as a client', () => {
    expect(() =>
      synthAws((stack) => {
        new KeyspacesEndpoint(stack, 'Open', {
          vpcId: 'vpc-1',
          subnetIds: ['subnet-a'],
          region: REGION,
          clientCidrs: ['0.0.0.0/0'],
        });
      }),
    ).toThrow(/admits the whole internet/);
  });
});

describe('wide-column state on an AWS site', () => {
  const SITE = AWS_SITE;
  const readings = consumer({
    name: 'sensor-readings',
    queue: { broker: 'queues', queue: 'readings' },
    state: READINGS,
    scaling: { minReplicas: 1, maxReplicas: 4, queueDepth: { perReplica: 50 } },
  });
  const build = (agents: AgentSpec[]) => {
    const stack = new AwsInfraStack(Testing.app(), 'test-eu-infra', {
      site: SITE,
      plan: planSite({
        environment: 'test',
        site: clusterSiteOf(SITE),
        brokers: [{ name: 'queues', kind: 'sqs', site: 'eu' }],
        agents,
      }),
    });
    return { stack, json: synthesized(stack) };
  };
  const { stack, json } = build([readings]);

  it('builds the agent a keyspace and the site one endpoint, and no DynamoDB table', () => {
    expect(resourcesOf(json, 'aws_keyspaces_keyspace').map((k) => k.name)).toEqual([
      'test_eu_sensor_readings',
    ]);
    expect(resourcesOf(json, 'aws_keyspaces_table')).toHaveLength(2);
    expect(resourcesOf(json, 'aws_vpc_endpoint')).toHaveLength(1);
    expect(resourcesOf(json, 'aws_dynamodb_table')).toEqual([]);
  });

  it('hands the cluster the keyspace, its host and port, and the egress to the endpoint', () => {
    const bindings = stack.bindings.agents['sensor-readings'];
    expect(bindings.store).toEqual({
      kind: 'keyspaces',
      host: `cassandra.${REGION}.amazonaws.com`,
      port: 9142,
      keyspace: 'test_eu_sensor_readings',
      region: REGION,
      auth: 'aws-sigv4',
    });
    expect(bindings.privateEgress).toEqual([{ cidr: '10.40.0.0/16', ports: [9142] }]);
  });

  it('requires the endpoint in the role’s CQL grants', () => {
    const policy = resourcesOf(json, 'aws_iam_role_policy')
      .map((p) => String(p.policy))
      .find((text) => text.includes('cassandra:Modify'));
    expect(policy).toMatch(/"aws:SourceVpce":"\$\{aws_vpc_endpoint\.\w+\.id\}"/);
    expect(policy).toContain('/keyspace/test_eu_sensor_readings/table/readings_by_sensor');
  });

  it('builds no endpoint without wide-column state', () => {
    const plain = consumer({
      name: 'plain',
      queue: { broker: 'queues', queue: 'plain' },
      scaling: { minReplicas: 1, maxReplicas: 2, queueDepth: { perReplica: 5 } },
    });
    expect(resourcesOf(build([plain]).json, 'aws_vpc_endpoint')).toEqual([]);
  });
});
