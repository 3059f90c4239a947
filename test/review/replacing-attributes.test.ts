import * as fs from 'fs';
import * as path from 'path';
import { isStateful } from '../../review/diff';
import { REPLACING_ATTRIBUTES, replacingChanges } from '../../review/replacing-attributes';
import { REPO } from '../support/typescript-process';

/** A copy of `body` with `edit` applied to it. */
function edited<T>(body: T, edit: (copy: T) => void): T {
  const copy = structuredClone(body);
  edit(copy);
  return copy;
}

describe('aws', () => {
  const table = {
    name: 'agent-fleet-prod-inventory-update',
    billing_mode: 'PAY_PER_REQUEST',
    hash_key: 'pk',
    range_key: 'sk',
    attribute: [
      { name: 'pk', type: 'S' },
      { name: 'sk', type: 'S' },
    ],
    point_in_time_recovery: { enabled: true },
    server_side_encryption: { enabled: true, kms_key_arn: '${aws_kms_key.StateKey.arn}' },
    tags: { 'agent-fleet.dev/agent': 'inventory-update' },
  };

  it('replaces a DynamoDB table whose hash key changes', () => {
    expect(replacingChanges('aws_dynamodb_table', table, { ...table, hash_key: 'id' })).toEqual([
      'hash_key',
    ]);
  });

  it('updates a DynamoDB table in place for a billing mode, tags or recovery change', () => {
    const after = edited(table, (t) => {
      t.billing_mode = 'PROVISIONED';
      t.tags = { 'agent-fleet.dev/agent': 'renamed' };
      t.point_in_time_recovery.enabled = false;
    });
    expect(replacingChanges('aws_dynamodb_table', table, after)).toEqual([]);
  });

  it('replaces a table that gains a local secondary index', () => {
    const after = {
      ...table,
      local_secondary_index: [{ name: 'by-time', range_key: 'ts', projection_type: 'ALL' }],
    };
    expect(replacingChanges('aws_dynamodb_table', table, after)).toEqual(['local_secondary_index']);
  });

  const msk = {
    cluster_name: 'agent-fleet-prod-events',
    kafka_version: '3.6.0',
    number_of_broker_nodes: 3,
    broker_node_group_info: {
      instance_type: 'kafka.m5.large',
      client_subnets: ['${aws_subnet.a.id}', '${aws_subnet.b.id}', '${aws_subnet.c.id}'],
      security_groups: ['${aws_security_group.msk.id}'],
      storage_info: { ebs_storage_info: { volume_size: 100 } },
    },
    encryption_info: { encryption_in_transit: { client_broker: 'TLS', in_cluster: true } },
  };

  it('replaces an MSK cluster whose client subnets change, not one whose brokers grow', () => {
    const moved = edited(msk, (m) => {
      m.broker_node_group_info.client_subnets = ['${aws_subnet.d.id}'];
    });
    expect(replacingChanges('aws_msk_cluster', msk, moved)).toEqual([
      'broker_node_group_info.client_subnets',
    ]);
    const grown = edited(msk, (m) => {
      m.number_of_broker_nodes = 6;
      m.broker_node_group_info.instance_type = 'kafka.m5.xlarge';
      m.broker_node_group_info.storage_info.ebs_storage_info.volume_size = 200;
      m.encryption_info.encryption_in_transit.client_broker = 'TLS_PLAINTEXT';
    });
    expect(replacingChanges('aws_msk_cluster', msk, grown)).toEqual([]);
  });

  it('replaces a queue that becomes FIFO but not one whose retention changes', () => {
    const queue = { name: 'agent-fleet-prod-tasks', message_retention_seconds: 345600 };
    expect(
      replacingChanges('aws_sqs_queue', queue, { ...queue, message_retention_seconds: 60 }),
    ).toEqual([]);
    expect(
      replacingChanges('aws_sqs_queue', queue, {
        name: 'agent-fleet-prod-tasks.fifo',
        fifo_queue: true,
      }),
    ).toEqual(['name', 'fifo_queue']);
  });
});

describe('azurerm', () => {
  const container = {
    name: 'state',
    resource_group_name: '${azurerm_resource_group.fleet.name}',
    account_name: '${azurerm_cosmosdb_account.fleet.name}',
    database_name: '${azurerm_cosmosdb_sql_database.fleet.name}',
    partition_key_paths: ['/pk'],
    default_ttl: -1,
    autoscale_settings: { max_throughput: 4000 },
  };

  it('replaces a Cosmos DB container whose partition key changes', () => {
    expect(
      replacingChanges('azurerm_cosmosdb_sql_container', container, {
        ...container,
        partition_key_paths: ['/tenant'],
      }),
    ).toEqual(['partition_key_paths']);
  });

  it('updates a Cosmos DB container in place for throughput and TTL', () => {
    const after = { ...container, default_ttl: 3600, autoscale_settings: { max_throughput: 8000 } };
    expect(replacingChanges('azurerm_cosmosdb_sql_container', container, after)).toEqual([]);
  });

  it('replaces a Service Bus queue that starts requiring sessions, not one with a new TTL', () => {
    const queue = {
      name: 'tasks',
      namespace_id: '${azurerm_servicebus_namespace.fleet.id}',
      default_message_ttl: 'P14D',
    };
    expect(
      replacingChanges('azurerm_servicebus_queue', queue, { ...queue, requires_session: true }),
    ).toEqual(['requires_session']);
    expect(
      replacingChanges('azurerm_servicebus_queue', queue, { ...queue, default_message_ttl: 'P1D' }),
    ).toEqual([]);
  });

  it('replaces an event hub namespace moved to another region, not one with more capacity', () => {
    const namespace = {
      name: 'fleet-events',
      location: 'westeurope',
      resource_group_name: 'fleet',
      sku: 'Standard',
      capacity: 1,
    };
    expect(
      replacingChanges('azurerm_eventhub_namespace', namespace, { ...namespace, capacity: 4 }),
    ).toEqual([]);
    expect(
      replacingChanges('azurerm_eventhub_namespace', namespace, {
        ...namespace,
        location: 'northeurope',
      }),
    ).toEqual(['location']);
  });
});

describe('kubernetes', () => {
  const statefulSet = {
    metadata: {
      name: 'rabbitmq',
      namespace: '${kubernetes_namespace_v1.rabbitmq.metadata[0].name}',
    },
    spec: {
      pod_management_policy: 'Parallel',
      replicas: '1',
      selector: { match_labels: { 'app.kubernetes.io/name': 'rabbitmq' } },
      service_name: 'rabbitmq-nodes',
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'rabbitmq' } },
        spec: { container: [{ name: 'rabbitmq', image: 'rabbitmq:3.13' }] },
      },
      volume_claim_template: [
        {
          metadata: { name: 'data' },
          spec: {
            access_modes: ['ReadWriteOnce'],
            resources: { requests: { storage: '10Gi' } },
            storage_class_name: 'gp3',
          },
        },
      ],
    },
  };

  it('replaces a StatefulSet whose selector changes', () => {
    const after = edited(statefulSet, (s) => {
      s.spec.selector.match_labels = { 'app.kubernetes.io/name': 'broker' };
    });
    expect(replacingChanges('kubernetes_stateful_set_v1', statefulSet, after)).toEqual([
      'spec.selector',
    ]);
  });

  it('reads blocks synthesized as lists of objects too', () => {
    const before = { ...statefulSet, spec: [statefulSet.spec] };
    const after = edited(before, (s) => {
      s.spec[0].selector.match_labels = { 'app.kubernetes.io/name': 'broker' };
    });
    expect(replacingChanges('kubernetes_stateful_set_v1', before, after)).toEqual([
      'spec.selector',
    ]);
  });

  it('updates a StatefulSet in place for replicas and a new image', () => {
    const after = edited(statefulSet, (s) => {
      s.spec.replicas = '3';
      s.spec.template.spec.container[0].image = 'rabbitmq:4.0';
    });
    expect(replacingChanges('kubernetes_stateful_set_v1', statefulSet, after)).toEqual([]);
  });

  it('replaces a StatefulSet that moves namespace or whose claims take another storage class', () => {
    const after = edited(statefulSet, (s) => {
      s.metadata.namespace = 'brokers';
      s.spec.volume_claim_template[0].spec.storage_class_name = 'io2';
    });
    expect(replacingChanges('kubernetes_stateful_set_v1', statefulSet, after)).toEqual([
      'metadata.namespace',
      'spec.volume_claim_template.spec.storage_class_name',
    ]);
  });

  it('does not count a larger claim template as a replacement', () => {
    const after = edited(statefulSet, (s) => {
      s.spec.volume_claim_template[0].spec.resources.requests.storage = '20Gi';
    });
    expect(replacingChanges('kubernetes_stateful_set_v1', statefulSet, after)).toEqual([]);
  });

  it('replaces a StatefulSet that gains a claim template', () => {
    const after = edited(statefulSet, (s) => {
      s.spec.volume_claim_template.push({
        metadata: { name: 'logs' },
        spec: {
          access_modes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
          storage_class_name: 'gp3',
        },
      });
    });
    expect(replacingChanges('kubernetes_stateful_set_v1', statefulSet, after)).toEqual([
      'spec.volume_claim_template.metadata.name',
      'spec.volume_claim_template.spec.access_modes',
      'spec.volume_claim_template.spec.storage_class_name',
    ]);
  });

  it('resizes a persistent volume claim in place but replaces one on another storage class', () => {
    const claim = {
      metadata: { name: 'data', namespace: 'fleet' },
      spec: {
        access_modes: ['ReadWriteOnce'],
        resources: { requests: { storage: '10Gi' } },
        storage_class_name: 'gp3',
      },
    };
    const grown = edited(claim, (c) => {
      c.spec.resources.requests.storage = '20Gi';
    });
    expect(replacingChanges('kubernetes_persistent_volume_claim_v1', claim, grown)).toEqual([]);
    const moved = edited(claim, (c) => {
      c.spec.storage_class_name = 'io2';
    });
    expect(replacingChanges('kubernetes_persistent_volume_claim_v1', claim, moved)).toEqual([
      'spec.storage_class_name',
    ]);
  });

  const kafka = {
    manifest: {
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'Kafka',
      metadata: { name: 'events', namespace: 'kafka' },
      spec: { kafka: { replicas: 3 } },
    },
  };

  it('replaces a manifest whose name changes, not one whose spec changes', () => {
    const renamed = edited(kafka, (k) => {
      k.manifest.metadata.name = 'events-v2';
    });
    expect(replacingChanges('kubernetes_manifest', kafka, renamed)).toEqual([
      'manifest.metadata.name',
    ]);
    const scaled = edited(kafka, (k) => {
      k.manifest.spec.kafka.replicas = 5;
    });
    expect(replacingChanges('kubernetes_manifest', kafka, scaled)).toEqual([]);
  });

  it('replaces a manifest whose kind or API version changes', () => {
    const after = edited(kafka, (k) => {
      k.manifest.apiVersion = 'kafka.strimzi.io/v1';
      k.manifest.kind = 'KafkaNodePool';
    });
    expect(replacingChanges('kubernetes_manifest', kafka, after)).toEqual([
      'manifest.apiVersion',
      'manifest.kind',
    ]);
  });
});

describe('helm', () => {
  const release = {
    name: 'postgresql',
    namespace: 'data',
    chart: 'postgresql',
    repository: 'oci://registry-1.docker.io/bitnamicharts',
    version: '15.5.0',
    values: ['{"primary":{"persistence":{"size":"10Gi"}}}'],
  };

  it('replaces a release whose name changes', () => {
    expect(replacingChanges('helm_release', release, { ...release, name: 'postgres' })).toEqual([
      'name',
    ]);
  });

  it('upgrades a release in place for new values or a new chart version', () => {
    const after = {
      ...release,
      version: '16.0.0',
      values: ['{"primary":{"persistence":{"size":"20Gi"}}}'],
    };
    expect(replacingChanges('helm_release', release, after)).toEqual([]);
  });
});

describe('comparing values', () => {
  it('sees no change where an attribute is absent on both sides', () => {
    expect(replacingChanges('aws_sqs_queue', {}, {})).toEqual([]);
  });

  it('sees a change where an attribute is set on one side only', () => {
    expect(replacingChanges('aws_sqs_queue', { name: 'tasks' }, {})).toEqual(['name']);
    expect(replacingChanges('aws_kms_key', {}, { multi_region: true })).toEqual(['multi_region']);
  });

  it('reads a block none of whose elements sets the attribute as absent', () => {
    const before = { cluster_name: 'events' };
    const after = {
      cluster_name: 'events',
      encryption_info: [{ encryption_in_transit: [{ client_broker: 'TLS' }] }],
    };
    expect(replacingChanges('aws_msk_cluster', before, after)).toEqual([]);
  });

  it('compares every element of a list of blocks, and their count', () => {
    const before = { schema_definition: { partition_key: [{ name: 'pk' }] } };
    expect(
      replacingChanges('aws_keyspaces_table', before, {
        schema_definition: { partition_key: [{ name: 'pk' }, { name: 'tenant' }] },
      }),
    ).toEqual(['schema_definition.partition_key']);
    expect(
      replacingChanges('aws_keyspaces_table', before, {
        schema_definition: { partition_key: [{ name: 'pk' }] },
      }),
    ).toEqual([]);
  });

  it('has no replacing changes for types it does not know', () => {
    expect(replacingChanges('aws_iam_role', { name: 'a' }, { name: 'b' })).toEqual([]);
  });
});

/** `lib/<dir>` of each binding the project's source imports, as Terraform types. */
function generatedTypes(): string[] {
  const types = new Set<string>();
  const skip = new Set(['node_modules', 'test', 'dist', 'cdktf.out', 'scripts']);
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || skip.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        for (const m of text.matchAll(/@cdktf\/provider-([a-z]+)\/lib\/([a-z0-9-]+)/g)) {
          if (!m[2].startsWith('data-')) types.add(`${m[1]}_${m[2].replace(/-/g, '_')}`);
        }
      }
    }
  };
  walk(REPO);
  return [...types].sort();
}

/** The compiled JavaScript of the binding of `type`, where its attribute names are written. */
function bindingSource(type: string): string {
  const [provider, ...rest] = type.split('_');
  const root = path.join(
    REPO,
    'node_modules/@cdktf',
    `provider-${provider}`,
    'lib',
    rest.join('-'),
  );
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.js'))
    .map((file) => fs.readFileSync(path.join(root, file), 'utf8'))
    .join('\n');
}

describe('the table', () => {
  it('has an entry for every stateful type the project generates', () => {
    // A chart and an API group isStateful counts as stateful, for the two types it decides by them.
    const attributes = {
      chart: 'postgresql',
      manifest: { apiVersion: 'kafka.strimzi.io/v1beta2' },
    };
    const stateful = generatedTypes().filter((type) => isStateful(type, attributes));
    expect(stateful).toEqual(
      expect.arrayContaining(['aws_dynamodb_table', 'kubernetes_stateful_set_v1', 'helm_release']),
    );
    expect(stateful.filter((type) => !(type in REPLACING_ATTRIBUTES))).toEqual([]);
  });

  it('names for every entry the provider version of the installed bindings, and its source at that tag', () => {
    for (const [type, entry] of Object.entries(REPLACING_ATTRIBUTES)) {
      const provider = type.split('_')[0];
      const binding = JSON.parse(
        fs.readFileSync(
          path.join(REPO, 'node_modules/@cdktf', `provider-${provider}`, 'package.json'),
          'utf8',
        ),
      ) as { cdktf: { provider: { name: string; version: string } } };
      const { name, version } = binding.cdktf.provider;
      expect([type, entry.provider]).toEqual([
        type,
        `${name.replace('registry.terraform.io/', '')}@${version}`,
      ]);
      expect([type, entry.source]).toEqual([
        type,
        expect.stringMatching(
          new RegExp(
            `^https://github\\.com/hashicorp/terraform-provider-${provider}/blob/v${version.replace(/\./g, '\\.')}/\\S+\\.go$`,
          ),
        ),
      ]);
    }
  });

  it('lists only attributes the installed bindings synthesize', () => {
    for (const [type, entry] of Object.entries(REPLACING_ATTRIBUTES)) {
      const source = bindingSource(type);
      // kubernetes_manifest's manifest is free-form: only its own name is in the binding.
      const segments = (p: string) =>
        type === 'kubernetes_manifest' ? ['manifest'] : p.split('.');
      const missing = [...entry.paths, ...(entry.conditional ?? [])].filter((p) =>
        segments(p).some((segment) => !source.includes(`${segment}:`)),
      );
      expect([type, missing]).toEqual([type, []]);
    }
  });
});
