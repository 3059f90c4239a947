/**
 * Attributes whose change makes Terraform replace a stateful resource
 * (destroy, then create), losing its data as a destroy does.
 *
 * How the table was read: from each provider's resource source at the
 * version the cdktf bindings in `node_modules/@cdktf/provider-*` were
 * generated from (`cdktf.provider.version` in each binding's `package.json`:
 * aws 5.100.0, azurerm 4.55.0, kubernetes 2.38.0, helm 3.1.1). Kept are the
 * attributes that can be set in configuration and are `ForceNew: true`
 * (plugin SDK v2) or carry a `RequiresReplace()` plan modifier (plugin
 * framework), plus the identity the kubernetes provider's manifest resource
 * marks for replacement while planning. A block marked `ForceNew` replaces
 * only when the block appears or goes; it is listed by its `ForceNew` leaves,
 * or whole when all of them are. Paths use the snake_case names of
 * `cdk.tf.json`; a path through a list of blocks reaches into each element.
 * Lists are compared in order, sets too: a reordered set reads as a change.
 *
 * The azurerm, kubernetes and helm entries were read at the tags named in
 * their `source`: azurerm v4.55.0 (commit 37bf7f03b661b804a59fd62fd6f6e6b8ee4a69df),
 * kubernetes v2.38.0 (be88f44271050f69d52f410bca388834afedfe71), helm v3.1.1
 * (1cbf08f6a306ab3cdff6079b87a61c7641b64f3b). The v5.100.0 tree of the aws
 * provider was not at hand: its entries were read from snapshots of the same
 * files from around that release (2024 to 2026), and each path was checked
 * against the 5.100.0 bindings. Read them again at the tag when the aws
 * bindings move.
 *
 * `conditional` lists attributes the provider replaces on only some changes
 * (a CustomizeDiff `ForceNewIf…`, or `ForceNew` from a diff function): a
 * lower storage request, a SKU to or from Premium. `replacingChanges` leaves
 * them out.
 *
 * Refreshing, when a binding's provider version changes: open each `source`
 * at the new tag, search it for `ForceNew`, `RequiresReplace` and
 * `CustomizeDiff`, update `paths`, `conditional`, `provider` and `source`,
 * and run `test/review/replacing-attributes.test.ts`, which checks every path
 * against the installed bindings.
 */

/** Where one resource type's replacing attributes were read, and the attributes. */
export interface ReplacingAttributes {
  /** `namespace/name@version` of the provider the bindings were generated from. */
  readonly provider: string;
  /** URL of the resource's schema source at that version's tag. */
  readonly source: string;
  /** Attribute paths (dot-separated, snake_case) whose change always replaces. */
  readonly paths: readonly string[];
  /** Attribute paths whose change replaces only in some transitions. @default - none */
  readonly conditional?: readonly string[];
}

const AWS = 'hashicorp/aws@5.100.0';
const AZURERM = 'hashicorp/azurerm@4.55.0';
const KUBERNETES = 'hashicorp/kubernetes@2.38.0';
const HELM = 'hashicorp/helm@3.1.1';

const awsSource = (file: string) =>
  `https://github.com/hashicorp/terraform-provider-aws/blob/v5.100.0/internal/service/${file}`;
const azurermSource = (file: string) =>
  `https://github.com/hashicorp/terraform-provider-azurerm/blob/v4.55.0/internal/services/${file}`;
const kubernetesSource = (file: string) =>
  `https://github.com/hashicorp/terraform-provider-kubernetes/blob/v2.38.0/${file}`;

/** `metadata` of the kubernetes provider's typed resources (`namespacedMetadataSchema`). */
const K8S_METADATA = ['metadata.name', 'metadata.namespace', 'metadata.generate_name'];

/** A persistent volume claim's, alone or as a StatefulSet's claim template (`persistentVolumeClaimFields`). */
const K8S_CLAIM = [
  ...K8S_METADATA,
  'spec.access_modes',
  'spec.resources.limits',
  'spec.selector',
  'spec.volume_name',
  'spec.storage_class_name',
  'spec.volume_mode',
];

/**
 * Per Terraform resource type, the attribute paths whose change replaces it.
 *
 * @see https://developer.hashicorp.com/terraform/plugin/sdkv2/schemas/schema-behaviors#forcenew
 * @see https://developer.hashicorp.com/terraform/plugin/framework/resources/plan-modification#requiresreplace
 */
export const REPLACING_ATTRIBUTES: Readonly<Record<string, ReplacingAttributes>> = {
  aws_dynamodb_table: {
    provider: AWS,
    source: awsSource('dynamodb/table.go'),
    paths: [
      'name',
      'hash_key',
      'range_key',
      'local_secondary_index',
      'restore_date_time',
      'restore_to_latest_time',
    ],
    // The restore sources when set to another non-empty source; the import's S3 source
    // when added or removed.
    conditional: [
      'restore_source_name',
      'restore_source_table_arn',
      'import_table.s3_bucket_source',
    ],
  },
  aws_keyspaces_keyspace: {
    provider: AWS,
    source: awsSource('keyspaces/keyspace.go'),
    paths: ['name'],
  },
  aws_keyspaces_table: {
    provider: AWS,
    source: awsSource('keyspaces/table.go'),
    paths: [
      'keyspace_name',
      'table_name',
      'comment',
      'schema_definition.partition_key',
      'schema_definition.clustering_key',
      'schema_definition.static_column',
    ],
    // Removing client-side timestamps, or removing a column (adding one is in place).
    conditional: ['client_side_timestamps', 'schema_definition.column'],
  },
  aws_dsql_cluster: {
    provider: AWS,
    source: awsSource('dsql/cluster.go'),
    paths: ['multi_region_properties.witness_region'],
  },
  aws_docdb_cluster: {
    provider: AWS,
    source: awsSource('docdb/cluster.go'),
    paths: [
      'cluster_identifier',
      'cluster_identifier_prefix',
      'availability_zones',
      'db_subnet_group_name',
      'engine',
      'kms_key_id',
      'master_username',
      'port',
      'restore_to_point_in_time',
      'storage_encrypted',
    ],
    // Setting it replaces; clearing it does not (a DiffSuppressFunc).
    conditional: ['snapshot_identifier'],
  },
  aws_docdb_cluster_instance: {
    provider: AWS,
    source: awsSource('docdb/cluster_instance.go'),
    paths: ['identifier', 'identifier_prefix', 'cluster_identifier', 'availability_zone', 'engine'],
  },
  aws_msk_cluster: {
    provider: AWS,
    source: awsSource('kafka/cluster.go'),
    paths: [
      'cluster_name',
      'broker_node_group_info.az_distribution',
      'broker_node_group_info.client_subnets',
      'broker_node_group_info.security_groups',
      'encryption_info.encryption_at_rest_kms_key_arn',
      'encryption_info.encryption_in_transit.in_cluster',
    ],
    // A lower Kafka version.
    conditional: ['kafka_version'],
  },
  aws_mq_broker: {
    provider: AWS,
    source: awsSource('mq/broker.go'),
    paths: [
      'broker_name',
      'engine_type',
      'deployment_mode',
      'encryption_options',
      'data_replication_primary_broker_arn',
      'publicly_accessible',
      'subnet_ids',
    ],
    // `ForceNew` on the block with no `ForceNew` leaves: only adding or removing it replaces.
    conditional: ['ldap_server_metadata'],
  },
  aws_sqs_queue: {
    provider: AWS,
    source: awsSource('sqs/queue.go'),
    paths: ['name', 'name_prefix', 'fifo_queue'],
  },
  aws_kms_key: {
    provider: AWS,
    source: awsSource('kms/key.go'),
    paths: [
      'customer_master_key_spec',
      'key_usage',
      'multi_region',
      'custom_key_store_id',
      'xks_key_id',
    ],
  },
  azurerm_cosmosdb_account: {
    provider: AZURERM,
    source: azurermSource('cosmos/cosmosdb_account_resource.go'),
    paths: [
      'name',
      'location',
      'resource_group_name',
      'kind',
      'create_mode',
      'free_tier_enabled',
      'key_vault_key_id',
      'managed_hsm_key_id',
      'restore.source_cosmosdb_account_id',
      'restore.restore_timestamp_in_utc',
      'restore.database',
      'restore.gremlin_database',
      'restore.tables_to_restore',
    ],
    // Backup Continuous to Periodic; analytical storage turned off; capabilities the kind cannot update.
    conditional: ['backup.type', 'analytical_storage_enabled', 'capabilities'],
  },
  azurerm_cosmosdb_sql_database: {
    provider: AZURERM,
    source: azurermSource('cosmos/cosmosdb_sql_database_resource.go'),
    paths: ['name', 'resource_group_name', 'account_name'],
  },
  azurerm_cosmosdb_sql_container: {
    provider: AZURERM,
    source: azurermSource('cosmos/cosmosdb_sql_container_resource.go'),
    paths: [
      'name',
      'resource_group_name',
      'account_name',
      'database_name',
      'partition_key_paths',
      'partition_key_kind',
      'unique_key',
    ],
    // Analytical storage TTL turned off once on; a partition key version other than unset to 1.
    conditional: ['analytical_storage_ttl', 'partition_key_version'],
  },
  azurerm_cosmosdb_sql_role_assignment: {
    provider: AZURERM,
    source: azurermSource('cosmos/cosmosdb_sql_role_assignment_resource.go'),
    paths: ['name', 'resource_group_name', 'account_name', 'principal_id', 'scope'],
  },
  azurerm_servicebus_namespace: {
    provider: AZURERM,
    source: azurermSource('servicebus/servicebus_namespace_resource.go'),
    paths: [
      'name',
      'location',
      'resource_group_name',
      'premium_messaging_partitions',
      'customer_managed_key.infrastructure_encryption_enabled',
    ],
    // SKU to or from Premium; the customer-managed key removed.
    conditional: ['sku', 'customer_managed_key'],
  },
  azurerm_servicebus_queue: {
    provider: AZURERM,
    source: azurermSource('servicebus/servicebus_queue_resource.go'),
    paths: [
      'name',
      'namespace_id',
      'partitioning_enabled',
      'requires_duplicate_detection',
      'requires_session',
    ],
  },
  azurerm_eventhub_namespace: {
    provider: AZURERM,
    source: azurermSource('eventhub/eventhub_namespace_resource.go'),
    paths: ['name', 'location', 'resource_group_name', 'dedicated_cluster_id'],
    // SKU to or from Premium.
    conditional: ['sku'],
  },
  azurerm_eventhub: {
    provider: AZURERM,
    source: azurermSource('eventhub/eventhub_resource.go'),
    paths: ['name', 'namespace_id', 'retention_description.cleanup_policy'],
  },
  azurerm_eventhub_consumer_group: {
    provider: AZURERM,
    source: azurermSource('eventhub/eventhub_consumer_group_resource.go'),
    paths: ['name', 'namespace_name', 'eventhub_name', 'resource_group_name'],
  },
  kubernetes_stateful_set_v1: {
    provider: KUBERNETES,
    source: kubernetesSource('kubernetes/schema_stateful_set_spec.go'),
    paths: [
      ...K8S_METADATA,
      'spec.pod_management_policy',
      'spec.revision_history_limit',
      'spec.selector',
      'spec.service_name',
      ...K8S_CLAIM.map((path) => `spec.volume_claim_template.${path}`),
      'spec.template.metadata.name',
      'spec.template.metadata.namespace',
      'spec.template.metadata.generate_name',
    ],
    // Adding or removing a claim template. A template's storage request is planned as an
    // in-place update that is never applied: the provider patches only replicas, the pod
    // template, the update strategy and the claim retention policy.
    conditional: ['spec.volume_claim_template'],
  },
  kubernetes_persistent_volume_claim_v1: {
    provider: KUBERNETES,
    source: kubernetesSource('kubernetes/schema_persistent_volume_claim.go'),
    paths: K8S_CLAIM,
    // A lower storage request (a higher one resizes in place).
    conditional: ['spec.resources.requests'],
  },
  kubernetes_manifest: {
    provider: KUBERNETES,
    source: kubernetesSource('manifest/provider/plan.go'),
    // The namespace only for namespaced kinds, and none of these for an imported object;
    // a custom resource without an OpenAPI schema is replaced on any change.
    paths: [
      'manifest.apiVersion',
      'manifest.kind',
      'manifest.metadata.name',
      'manifest.metadata.namespace',
    ],
  },
  helm_release: {
    provider: HELM,
    source:
      'https://github.com/hashicorp/terraform-provider-helm/blob/v3.1.1/helm/resource_helm_release.go',
    paths: ['name', 'namespace'],
  },
};

/** Deepest nesting compared; synthesized resource bodies stay far below it. */
const MAX_DEPTH = 64;

/**
 * The paths of `type` in {@link REPLACING_ATTRIBUTES} whose values differ
 * between two synthesized bodies of one resource (its object in
 * `cdk.tf.json`), in the table's order: the changes that make Terraform
 * replace it. A path through a list of blocks compares each element's value
 * there. Absent on both sides is no change; absent on one side is one.
 * Unknown types have none.
 */
export function replacingChanges(type: string, before: unknown, after: unknown): string[] {
  const entry = REPLACING_ATTRIBUTES[type];
  if (!entry) return [];
  return entry.paths.filter((path) => {
    const segments = path.split('.');
    return !sameValue(valueAt(before, segments), valueAt(after, segments), 0);
  });
}

function valueAt(value: unknown, segments: readonly string[]): unknown {
  if (value === undefined || value === null) return undefined;
  if (segments.length === 0) return value;
  if (Array.isArray(value)) {
    const values = value.map((element) => valueAt(element, segments));
    // Blocks none of which sets the attribute: as if the attribute were absent.
    return values.every((v) => v === undefined) ? undefined : values;
  }
  if (typeof value !== 'object') return undefined;
  const [head, ...rest] = segments;
  return valueAt((value as Record<string, unknown>)[head], rest);
}

function sameValue(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (depth > MAX_DEPTH) return false;
  if (a === null || b === null || a === undefined || b === undefined) {
    return (a ?? undefined) === (b ?? undefined);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((element, i) => sameValue(element, b[i], depth + 1));
  }
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].every((key) => sameValue(left[key], right[key], depth + 1));
}
