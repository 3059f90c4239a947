import { AgentSpec } from './agent-spec';
import { documentDbClusterName, keyspaceName } from './aws-site';
import { BrokerSpec, brokerSite } from './broker';
import { KubernetesSiteSpec } from './site';

/**
 * The names the fleet derives from the names a user chooses (environment,
 * site, agent, broker) and the limit of each resource that carries one, so
 * that a name too long for its resource is refused at load time instead of by
 * the cloud's or Kubernetes' API at apply time.
 *
 * The forms are those the constructs build; a test synthesizes the examples
 * and fails when a resource carries a derived name that no form here produces,
 * or a resource type has no entry.
 */

/** The names a derived name is built from. */
export interface NameParts {
  /** The environment's name. */
  readonly environment: string;
  /** The site's name. */
  readonly site: string;
  /** The agent's name; empty when the form does not use it. */
  readonly agent: string;
  /** The broker's name; empty when the form does not use it. */
  readonly broker: string;
}

/** One of the user's names. */
export type NamePart = keyof NameParts;

/** How one derived name is built. */
export interface NameForm {
  /** The user's names it is built from. */
  readonly uses: readonly NamePart[];
  /** The name, from those parts. */
  readonly name: (parts: NameParts) => string;
  /** Agents it is built for. @default - every agent of the site */
  readonly agents?: (agent: AgentSpec, site: SiteFacts) => boolean;
  /**
   * Brokers it is built for, among those whose home is the site.
   * @default - every broker of the environment
   */
  readonly brokers?: (broker: BrokerSpec, site: SiteFacts) => boolean;
  /**
   * The name ends in a hash of this many characters, which the form writes as zeros.
   * @default - no hash
   */
  readonly hashLength?: number;
}

/** The limit of one attribute of one resource type, and the names the fleet gives it. */
export interface NameLimit {
  /** Terraform resource type, or the kind of a custom resource. */
  readonly resource: string;
  /** The attribute that holds the name, e.g. `name`, `metadata.name`, `label`. */
  readonly attribute: string;
  /** Sites of which kind build it: a cloud's infra stack, or every cluster. */
  readonly on: 'aws' | 'azure' | 'cluster';
  /** Most characters the resource accepts. */
  readonly max: number;
  /** Where the limit is documented. */
  readonly source: string;
  /** Every way the fleet builds a name for this attribute. */
  readonly forms: readonly NameForm[];
}

/** What the forms need to know of a site: its cloud, database, state engines and Consul. */
export type SiteFacts = Pick<
  KubernetesSiteSpec,
  'name' | 'cloud' | 'database' | 'stateEngines' | 'consul'
>;

const form = (
  uses: readonly NamePart[],
  name: (p: NameParts) => string,
  extra: Partial<NameForm> = {},
): NameForm => ({
  uses,
  name,
  ...extra,
});
const site = (p: NameParts) => `${p.environment}-${p.site}`;
const SITE: readonly NamePart[] = ['environment', 'site'];
const SITE_BROKER: readonly NamePart[] = ['environment', 'site', 'broker'];
const SITE_AGENT: readonly NamePart[] = ['environment', 'site', 'agent'];

const isMsk = (b: BrokerSpec) => b.kind === 'kafka' && b.msk !== undefined;
const isAmazonMq = (b: BrokerSpec) => b.kind === 'rabbitmq' && b.amazonMq !== undefined;
const isInClusterRabbitMq = (b: BrokerSpec, s: SiteFacts) =>
  b.kind === 'rabbitmq' && b.inCluster?.site === s.name;
const isAzureNamespace = (b: BrokerSpec) =>
  b.kind === 'servicebus' || (b.kind === 'kafka' && b.eventHubs !== undefined);
const hasState = (a: AgentSpec) => a.state !== undefined;
const hasWideColumns = (a: AgentSpec) => a.state?.model === 'wide-column';
const hasDocuments = (a: AgentSpec) => a.state?.model === 'document';
const onCassandra = (a: AgentSpec, s: SiteFacts) =>
  a.state?.model === 'wide-column' && s.stateEngines?.wideColumn?.kind === 'cassandra';
const onYugabyteDb = (a: AgentSpec, s: SiteFacts) =>
  a.state?.model === 'sql' && s.stateEngines?.sql?.kind === 'yugabytedb';
const DOCDB_LIMITS =
  'https://docs.aws.amazon.com/documentdb/latest/developerguide/limits.html#limits-naming_constraints';
const keyspace = (p: NameParts) => keyspaceName(p.environment, p.site, p.agent);

const AZURE_RULES =
  'https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules';
const K8S_NAMES = 'https://kubernetes.io/docs/concepts/overview/working-with-objects/names/';
const K8S_LABELS =
  'https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set';

/** Every derived name, by resource and attribute, with its limit. */
export const NAME_LIMITS: readonly NameLimit[] = [
  // AWS
  {
    resource: 'aws_eks_cluster',
    attribute: 'name',
    on: 'aws',
    max: 100,
    source: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html',
    forms: [form(SITE, site)],
  },
  {
    resource: 'aws_iam_role',
    attribute: 'name',
    on: 'aws',
    max: 64,
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
    forms: [form(SITE, (p) => `${site(p)}-cluster-autoscaler`)],
  },
  {
    resource: 'aws_iam_role',
    attribute: 'name_prefix',
    on: 'aws',
    // The provider appends 26 characters to a prefix: 64 − 26.
    max: 38,
    source:
      'https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role#name_prefix',
    forms: [form(SITE, (p) => `${site(p).slice(0, 29)}-cluster-`)],
  },
  {
    resource: 'aws_kms_alias',
    attribute: 'name',
    on: 'aws',
    max: 256,
    source: 'https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html',
    forms: [
      form(SITE, (p) => `alias/eks/${site(p)}`),
      form(SITE_BROKER, (p) => `alias/msk/${site(p)}-${p.broker}`, { brokers: isMsk }),
      form(SITE_AGENT, (p) => `alias/dynamodb/${site(p)}-${p.agent}`, { agents: hasState }),
      form(SITE_AGENT, (p) => `alias/keyspaces/${keyspace(p)}`, { agents: hasWideColumns }),
      form(SITE, (p) => `alias/dsql/${site(p)}`),
      form(SITE, (p) => `alias/docdb/${site(p)}`, { agents: hasDocuments }),
    ],
  },
  {
    resource: 'aws_cloudwatch_log_group',
    attribute: 'name',
    on: 'aws',
    max: 512,
    source:
      'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html',
    forms: [
      form(SITE, (p) => `/aws/eks/${site(p)}/cluster`),
      form(SITE_BROKER, (p) => `/aws/msk/${site(p)}-${p.broker}/broker`, { brokers: isMsk }),
    ],
  },
  {
    resource: 'aws_dynamodb_table',
    attribute: 'name',
    on: 'aws',
    max: 255,
    source:
      'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html',
    forms: [form(SITE_AGENT, (p) => `${site(p)}-${p.agent}`, { agents: hasState })],
  },
  {
    resource: 'aws_keyspaces_keyspace',
    attribute: 'name',
    on: 'aws',
    max: 48,
    source: 'https://docs.aws.amazon.com/keyspaces/latest/APIReference/API_CreateKeyspace.html',
    forms: [form(SITE_AGENT, keyspace, { agents: hasWideColumns })],
  },
  {
    resource: 'aws_docdb_cluster',
    attribute: 'cluster_identifier',
    on: 'aws',
    // 63, less the `-final` of its final snapshot and the `-<n>` of its instances.
    max: 57,
    source: DOCDB_LIMITS,
    forms: [
      form(SITE, (p) => documentDbClusterName(p.environment, p.site), { agents: hasDocuments }),
    ],
  },
  {
    resource: 'aws_docdb_cluster_instance',
    attribute: 'identifier',
    on: 'aws',
    max: 63,
    source: DOCDB_LIMITS,
    forms: [
      form(SITE, (p) => `${documentDbClusterName(p.environment, p.site)}-15`, {
        agents: hasDocuments,
      }),
    ],
  },
  {
    resource: 'aws_docdb_subnet_group',
    attribute: 'name',
    on: 'aws',
    max: 255,
    source: DOCDB_LIMITS,
    forms: [
      form(SITE, (p) => documentDbClusterName(p.environment, p.site), { agents: hasDocuments }),
    ],
  },
  {
    resource: 'aws_docdb_cluster_parameter_group',
    attribute: 'name',
    on: 'aws',
    max: 255,
    source: DOCDB_LIMITS,
    forms: [
      form(SITE, (p) => documentDbClusterName(p.environment, p.site), { agents: hasDocuments }),
    ],
  },
  {
    resource: 'aws_msk_cluster',
    attribute: 'cluster_name',
    on: 'aws',
    max: 64,
    source:
      'https://docs.aws.amazon.com/msk/1.0/apireference/clusters.html#clusters-prop-createclusterrequest-clustername',
    forms: [form(SITE_BROKER, (p) => `${site(p)}-${p.broker}`, { brokers: isMsk })],
  },
  {
    resource: 'aws_msk_configuration',
    attribute: 'name',
    on: 'aws',
    // The configuration takes the cluster's name; the API documents no shorter limit.
    max: 64,
    source: 'https://docs.aws.amazon.com/msk/1.0/apireference/configurations.html',
    forms: [form(SITE_BROKER, (p) => `${site(p)}-${p.broker}`, { brokers: isMsk })],
  },
  {
    resource: 'aws_mq_broker',
    attribute: 'broker_name',
    on: 'aws',
    max: 50,
    source:
      'https://docs.aws.amazon.com/amazon-mq/latest/api-reference/brokers.html#brokers-prop-createbrokerinput-brokername',
    forms: [form(SITE_BROKER, (p) => `${site(p)}-${p.broker}`, { brokers: isAmazonMq })],
  },
  {
    resource: 'aws_security_group',
    attribute: 'name_prefix',
    on: 'aws',
    max: 100,
    source:
      'https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group#name_prefix',
    forms: [
      form(SITE_BROKER, (p) => `${`${site(p)}-${p.broker}`.slice(0, 40)}-msk-`, { brokers: isMsk }),
      form(SITE_BROKER, (p) => `${`${site(p)}-${p.broker}`.slice(0, 40)}-mq-`, {
        brokers: isAmazonMq,
      }),
    ],
  },
  // Azure
  {
    resource: 'azurerm_resource_group',
    attribute: 'name',
    on: 'azure',
    max: 90,
    source: AZURE_RULES,
    forms: [form(SITE, site)],
  },
  {
    resource: 'azurerm_kubernetes_cluster',
    attribute: 'name',
    on: 'azure',
    max: 63,
    source: AZURE_RULES,
    forms: [form(SITE, site)],
  },
  {
    resource: 'azurerm_kubernetes_cluster',
    attribute: 'dns_prefix',
    on: 'azure',
    max: 54,
    source: 'https://learn.microsoft.com/azure/aks/concepts-network#dns-prefix',
    forms: [form(SITE, site)],
  },
  ...(
    [
      ['azurerm_virtual_network', 64, '-vnet'],
      ['azurerm_private_dns_zone_virtual_network_link', 80, '-vnet'],
      ['azurerm_public_ip', 80, '-nat-ip'],
      ['azurerm_nat_gateway', 80, '-nat'],
    ] as const
  ).map(([resource, max, suffix]): NameLimit => ({
    resource,
    attribute: 'name',
    on: 'azure',
    max,
    source: AZURE_RULES,
    forms: [form(SITE, (p) => `${site(p)}${suffix}`)],
  })),
  {
    resource: 'azurerm_network_security_group',
    attribute: 'name',
    on: 'azure',
    max: 80,
    source: AZURE_RULES,
    forms: ['nodes', 'agents', 'private-endpoints'].map((subnet) =>
      form(SITE, (p) => `${site(p)}-${subnet}-nsg`),
    ),
  },
  {
    resource: 'azurerm_private_endpoint',
    attribute: 'name',
    on: 'azure',
    max: 64,
    source: AZURE_RULES,
    forms: [
      form(SITE, (p) => `${site(p)}-state-pe`),
      form(SITE_BROKER, (p) => `${site(p)}-${p.broker}-pe`, { brokers: isAzureNamespace }),
    ],
  },
  {
    resource: 'azurerm_private_endpoint',
    attribute: 'custom_network_interface_name',
    on: 'azure',
    max: 80,
    source: AZURE_RULES,
    forms: [
      form(SITE, (p) => `${site(p)}-state-pe-nic`),
      form(SITE_BROKER, (p) => `${site(p)}-${p.broker}-pe-nic`, { brokers: isAzureNamespace }),
    ],
  },
  {
    resource: 'azurerm_private_endpoint',
    attribute: 'private_service_connection.name',
    on: 'azure',
    max: 80,
    source: AZURE_RULES,
    forms: [
      form(SITE, (p) => `${site(p)}-state-sql`),
      form(SITE_BROKER, (p) => `${site(p)}-${p.broker}-namespace`, { brokers: isAzureNamespace }),
    ],
  },
  ...(['azurerm_servicebus_namespace', 'azurerm_eventhub_namespace'] as const).map(
    (resource): NameLimit => ({
      resource,
      attribute: 'name',
      on: 'azure',
      max: 50,
      source: AZURE_RULES,
      forms: [
        form(SITE_BROKER, (p) => `${site(p)}-${p.broker}`, {
          brokers: (b) =>
            resource === 'azurerm_servicebus_namespace'
              ? b.kind === 'servicebus'
              : b.kind === 'kafka' && b.eventHubs !== undefined,
        }),
      ],
    }),
  ),
  {
    resource: 'azurerm_cosmosdb_account',
    attribute: 'name',
    on: 'azure',
    max: 44,
    source: AZURE_RULES,
    forms: [form(SITE, (p) => `${site(p)}-state`)],
  },
  {
    resource: 'azurerm_user_assigned_identity',
    attribute: 'name',
    on: 'azure',
    max: 128,
    source: AZURE_RULES,
    forms: [
      form(SITE, (p) => `${site(p)}-keda`),
      form(SITE, (p) => `${site(p)}-control-plane`),
      form(SITE_AGENT, (p) => `${site(p)}-${p.agent}`),
    ],
  },
  // Kubernetes, on every cluster
  {
    resource: 'kubernetes_job_v1',
    attribute: 'metadata.name',
    on: 'cluster',
    // The Job controller labels its pods with the Job's name (a label value).
    max: 63,
    source: 'https://kubernetes.io/docs/concepts/workloads/controllers/job/#writing-a-job-spec',
    forms: [
      form(['agent'], (p) => `cockroachdb-provision-${p.agent}-0000000000`, {
        agents: (a, s) => hasState(a) && s.database !== undefined,
        hashLength: 10,
      }),
      form(['broker'], (p) => `kafka-topics-${p.broker}-0000000000`, {
        brokers: isMsk,
        hashLength: 10,
      }),
      form(['agent'], (p) => `mongodb-provision-${p.agent}-0000000000`, {
        agents: (a, s) =>
          a.state?.model === 'document' && s.stateEngines?.document?.kind === 'mongodb',
        hashLength: 10,
      }),
      form(['agent'], (p) => `keyspace-${p.agent}-0000000000`, {
        agents: onCassandra,
        hashLength: 10,
      }),
      form(['agent'], (p) => `yugabytedb-provision-${p.agent}-0000000000`, {
        agents: onYugabyteDb,
        hashLength: 10,
      }),
    ],
  },
  {
    resource: 'kubernetes_service_v1',
    attribute: 'metadata.name',
    on: 'cluster',
    max: 63,
    source: `${K8S_NAMES}#rfc-1035-label-names`,
    forms: [
      form(['agent'], (p) => `${p.agent}-consul`, { agents: (_a, s) => s.consul !== undefined }),
      form(['broker'], (p) => `${p.broker}-nodes`, { brokers: isInClusterRabbitMq }),
    ],
  },
  {
    resource: 'kubernetes_stateful_set_v1',
    attribute: 'metadata.name',
    on: 'cluster',
    // Its pods carry `controller-revision-hash: <name>-<hash>`, a label value.
    max: 52,
    source: 'https://github.com/kubernetes/kubernetes/issues/64023',
    forms: [form(['broker'], (p) => p.broker, { brokers: isInClusterRabbitMq })],
  },
  {
    resource: 'kubernetes_label',
    attribute: 'value',
    on: 'cluster',
    max: 63,
    source: K8S_LABELS,
    forms: [
      form(['agent'], (p) => `cockroachdb-${p.agent}`, {
        agents: (a, s) => hasState(a) && s.database !== undefined,
      }),
      form(['broker'], (p) => `kafka-topics-${p.broker}`, { brokers: isMsk }),
    ],
  },
  ...(
    [
      [
        'kubernetes_config_map_v1',
        [
          'agent-fleet-dashboard-{agent}',
          'kafka-topics-{broker}',
          '{broker}-config',
          '{broker}-topology',
          'mongodb-collections-{agent}',
          'cassandra-keyspace-{agent}',
        ],
      ],
      [
        'kubernetes_network_policy_v1',
        [
          'cockroachdb-provision-{agent}',
          'kafka-topics-{broker}',
          'mongodb-provision-{agent}',
          'cassandra-keyspace-{agent}',
          'yugabytedb-provision-{agent}',
        ],
      ],
      ['kubernetes_service_account_v1', ['kafka-topics-{broker}']],
      [
        'kubernetes_secret_v1',
        [
          '{agent}-{broker}-credentials',
          '{broker}-erlang-cookie',
          '{broker}-users',
          'keda-rabbitmq-{broker}',
          '{agent}-cockroachdb',
          'cockroachdb-user-{agent}',
          '{agent}-mongodb',
          'mongodb-user-{agent}',
          '{agent}-cassandra',
          'cassandra-user-{agent}',
          '{agent}-yugabytedb',
          'yugabytedb-user-{agent}',
        ],
      ],
      ['ClusterTriggerAuthentication', ['rabbitmq-{broker}']],
    ] as const
  ).map(([resource, templates]): NameLimit => ({
    resource,
    attribute: 'metadata.name',
    on: 'cluster',
    max: 253,
    source: `${K8S_NAMES}#dns-subdomain-names`,
    forms: templates.map(template),
  })),
];

/** A form from a template such as `kafka-topics-{broker}`, for names whose limit never binds. */
function template(text: string): NameForm {
  const uses = (['agent', 'broker'] as const).filter((part) => text.includes(`{${part}}`));
  return form(uses, (p) => text.replace('{agent}', p.agent).replace('{broker}', p.broker));
}

/** A derived name that would be too long, and the user's name that makes it so. */
export interface NameTooLong {
  /** Which of the user's names to shorten: the longest the name uses. */
  readonly part: NamePart;
  /** That name, e.g. the site's. */
  readonly value: string;
  /** What is too long, where each limit comes from, and how long the name may be. */
  readonly message: string;
}

/** What {@link derivedNameProblems} checks for one site. */
export interface NamingScope {
  /** The environment's name. */
  readonly environment: string;
  /** The site the names are derived for. */
  readonly site: SiteFacts;
  /** The agents placed on the site. */
  readonly agents: readonly AgentSpec[];
  /** The environment's brokers. */
  readonly brokers: readonly BrokerSpec[];
}

/**
 * Every name the fleet would derive for a site that is longer than its
 * resource allows, each naming the user's name to shorten. The longest name of
 * each form is computed from the names the form uses on this site.
 */
export function derivedNameProblems(scope: NamingScope): NameTooLong[] {
  const facts = scope.site;
  const applies = (limit: NameLimit) => limit.on === 'cluster' || limit.on === facts.cloud;
  const agents = (f: NameForm) =>
    f.uses.includes('agent')
      ? scope.agents.filter((a) => !f.agents || f.agents(a, facts)).map((a) => a.name)
      : [''];
  const brokers = (f: NameForm) =>
    f.uses.includes('broker')
      ? scope.brokers
          .filter((b) => !f.brokers || (f.brokers(b, facts) && brokerSite(b) === facts.name))
          .map((b) => b.name)
      : [''];
  // Per name to shorten: what it makes too long, and the most it may have.
  const byName = new Map<string, { part: NamePart; value: string; over: string[]; most: number }>();
  for (const limit of NAME_LIMITS.filter(applies)) {
    for (const f of limit.forms) {
      for (const agent of agents(f)) {
        for (const broker of brokers(f)) {
          const parts = { environment: scope.environment, site: facts.name, agent, broker };
          const name = f.name(parts);
          if (name.length <= limit.max) continue;
          const part = [...f.uses].sort((a, b) => parts[b].length - parts[a].length)[0];
          const value = parts[part];
          const key = `${part}\u0000${value}`;
          const entry = byName.get(key) ?? { part, value, over: [], most: value.length };
          entry.over.push(
            `${describe(limit)} '${name}' (${name.length} > ${limit.max}, ${limit.source})`,
          );
          entry.most = Math.min(entry.most, limit.max - (name.length - value.length));
          byName.set(key, entry);
        }
      }
    }
  }
  return [...byName.values()].map(({ part, value, over, most }) => ({
    part,
    value,
    message: `the ${part} name '${value}' makes ${over.length === 1 ? 'a name' : `${over.length} names`} longer than ${over.length === 1 ? 'its resource allows' : 'their resources allow'}: ${over.join('; ')}; shorten it to at most ${Math.max(most, 1)} characters`,
  }));
}

function describe(limit: NameLimit): string {
  return limit.resource === 'kubernetes_label'
    ? 'the label value'
    : `the ${limit.resource}.${limit.attribute}`;
}
