import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { loadFleet } from '../../config';
import {
  clusterSiteOf,
  clusterSiteOfAzure,
  FleetEnvironment,
  KubernetesSiteSpec,
} from '../../model';
import { AgentFleet } from '../../stacks/agent-fleet';
import { Block, Synthesized, parseSynthesized, resourcesOf } from '../support/synthesized';
import { tempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');

function loadProd(): FleetEnvironment {
  const result = loadFleet({ rootDir: ROOT, environments: ['prod'] });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.environments[0];
}

const prod = loadProd();

/** Every stack of prod, synthesized as one app: stack id → Terraform JSON. */
const stacks: Map<string, Synthesized> = (() => {
  const outdir = tempDir('fleet-prod');
  const app = new App({ outdir });
  new AgentFleet(app, prod.name, { environment: prod });
  app.synth();
  return new Map(
    app.node.children
      .filter(TerraformStack.isStack)
      .map((stack) => [
        stack.node.id,
        parseSynthesized(
          fs.readFileSync(path.join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'),
        ),
      ]),
  );
})();

function stack(id: string): Synthesized {
  const json = stacks.get(id);
  if (!json) throw new Error(`no stack ${id} (have ${[...stacks.keys()].join(', ')})`);
  return json;
}

function manifests(json: Synthesized): Block[] {
  return resourcesOf(json, 'kubernetes_manifest').map((resource) => resource.manifest);
}

/** The pod template of an agent's workload, whichever kind it rendered to. */
function podOf(json: Synthesized, agent: string): { spec: Block; metadata: Block; kind: string } {
  const deployment = resourcesOf(json, 'kubernetes_deployment_v1').find(
    (candidate) => candidate.metadata.name === agent,
  );
  if (deployment) return { kind: 'Deployment', ...deployment.spec.template };
  const cron = resourcesOf(json, 'kubernetes_cron_job_v1').find(
    (candidate) => candidate.metadata.name === agent,
  );
  if (cron) return { kind: 'CronJob', ...cron.spec.job_template.spec.template };
  const job = manifests(json).find((m) => m.kind === 'ScaledJob' && m.metadata.name === agent);
  if (job) return { kind: 'ScaledJob', ...job.spec.jobTargetRef.template };
  throw new Error(`no workload for ${agent}`);
}

/** The pools a pod's required node affinity admits. */
function poolsOf(pod: { spec: Block }): string[] {
  const affinity = pod.spec.affinity.node_affinity ?? pod.spec.affinity.nodeAffinity;
  const required =
    affinity.required_during_scheduling_ignored_during_execution ??
    affinity.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required.node_selector_term ?? required.nodeSelectorTerms;
  const expression = (terms[0].match_expressions ?? terms[0].matchExpressions)[0];
  return [...expression.values].sort();
}

/** The cluster view of every site of prod, by name. */
const clusters = new Map<string, KubernetesSiteSpec>([
  ...prod.sites.map((site) => [site.name, site] as const),
  ...(prod.awsSites ?? []).map((site) => [site.name, clusterSiteOf(site)] as const),
  ...(prod.azureSites ?? []).map((site) => [site.name, clusterSiteOfAzure(site)] as const),
]);
const azureSites = new Set((prod.azureSites ?? []).map((site) => site.name));

describe('prod: every agent lands on every site it names', () => {
  it('spans AWS, Azure, the datacenter, the edge and the warm servers', () => {
    expect([...clusters.keys()].sort()).toEqual(['denver-edge', 'eu-west', 'nebraska', 'us-east']);
    expect((prod.hostsSites ?? []).map((site) => site.name)).toEqual(['nebraska-warm']);
    expect(new Set(prod.deployments.map((d) => d.site)).size).toBe(5);
  });

  /**
   * The pools of its site that meet each pod agent's needs, read off
   * environments/prod.yaml: spot only where the agent allows it, a GPU only
   * for the GPU agent (and the GPU pool for nothing else), the memory pool for
   * forecasting's requests alone, the arm64 edge for the multi-arch agent.
   */
  const POOLS: Readonly<Record<string, readonly string[]>> = {
    'image-processing@us-east': ['general', 'memory', 'spot'],
    'image-processing@eu-west': ['general', 'spot'],
    'metadata-extraction@us-east': ['general', 'memory'],
    'dispatcher@us-east': ['general', 'memory'],
    'reporting@us-east': ['general', 'memory'],
    'forecasting@us-east': ['memory'],
    'gpu-inference@us-east': ['gpu'],
    'gpu-inference@eu-west': ['gpu'],
    'sensor-ingest@us-east': ['general', 'memory'],
    'sensor-ingest@nebraska': ['general'],
    'sensor-ingest@eu-west': ['general'],
    'inventory-update@us-east': ['general', 'memory'],
    'inventory-update@nebraska': ['general'],
    'inventory-update@eu-west': ['general'],
    'chimera-data-ingest@nebraska': ['general'],
    'chimera-data-ingest@denver-edge': ['edge'],
    'order-tracking@us-east': ['general', 'memory'],
    'order-tracking@nebraska': ['general'],
    'sensor-history@us-east': ['general', 'memory'],
    'sensor-history@nebraska': ['general'],
    'ledger@us-east': ['general', 'memory'],
    'ledger@nebraska': ['general'],
  };
  const podAgents = prod.deployments
    .filter(({ agent, site }) => !agent.placement?.scalingGroup && clusters.has(site))
    .map(({ agent, site }) => [`${agent.name}@${site}`, agent.name, site] as const);

  it('lists the pools of every pod agent of every site', () => {
    expect(podAgents.map(([name]) => name).sort()).toEqual(Object.keys(POOLS).sort());
  });

  it.each(podAgents)(
    '%s runs on exactly the pools of its site that meet its needs',
    (name, agent, site) => {
      const expected = POOLS[name] ?? [];
      expect(expected.length).toBeGreaterThan(0);
      expect(poolsOf(podOf(stack(`prod-${site}-agents`), agent))).toEqual(expected);
    },
  );

  it.each(
    prod.deployments
      .filter(({ agent }) => agent.placement?.scalingGroup)
      .map(({ agent, site }) => [`${agent.name}@${site}`, agent.name, site] as const),
  )('%s runs on a scaling group of its site', (_name, agent, site) => {
    const infra = stack(`prod-${site}-infra`);
    if (azureSites.has(site)) {
      const [scaleSet] = resourcesOf(infra, 'azurerm_linux_virtual_machine_scale_set').filter(
        (candidate) => candidate.name === agent,
      );
      expect(scaleSet.sku).toBe('Standard_D2s_v5');
      const [autoscale] = resourcesOf(infra, 'azurerm_monitor_autoscale_setting');
      expect(autoscale.profile[0].capacity).toMatchObject({ minimum: 2, maximum: 20 });
    } else {
      const templates = resourcesOf(infra, 'aws_launch_template').filter((template) =>
        (template.tag_specifications ?? []).some((spec: Block) => spec.tags.agent === agent),
      );
      expect(templates.map((template) => template.instance_type)).toEqual(['c7i.large']);
    }
    expect(
      resourcesOf(stack(`prod-${site}-agents`), 'kubernetes_deployment_v1').map(
        (deployment) => deployment.metadata.name,
      ),
    ).not.toContain(agent);
  });

  it('runs chimera-data-ingest on the warm servers, two instances each, spread before doubled', () => {
    const outdir = tempDir('fleet-prod-warm');
    const app = new App({ outdir });
    const fleet = new AgentFleet(app, prod.name, { environment: prod });
    const [warm] = fleet.hostsSites;
    expect(warm.node.id).toBe('prod-nebraska-warm-hosts');
    const [planned] = warm.plan.agents;
    expect(planned.agent.spec.name).toBe('chimera-data-ingest');
    expect(planned.pools).toEqual(['warm']);
    expect(planned.slots.map((slot) => `${slot.server}@${slot.instance}`)).toEqual([
      'ne-warm-01@1',
      'ne-warm-02@1',
      'ne-warm-03@1',
      'ne-warm-01@2',
      'ne-warm-02@2',
      'ne-warm-03@2',
    ]);
    expect(warm.plan.errors).toEqual([]);
    expect(warm.plan.warnings).toEqual([]);
  });

  it('scales chimera-data-ingest on its own signal on each site', () => {
    const nebraska = manifests(stack('prod-nebraska-agents')).find(
      (m) => m.kind === 'ScaledObject' && m.metadata.name === 'chimera-data-ingest',
    ) as Block;
    expect(nebraska.spec.triggers).toEqual([
      expect.objectContaining({
        type: 'prometheus',
        metadata: expect.objectContaining({
          query: 'min_over_time((sum(chimera_pending_messages_total))[5m:])',
          threshold: '1000',
        }),
      }),
    ]);
    const edge = resourcesOf(stack('prod-denver-edge-agents'), 'kubernetes_deployment_v1').find(
      (deployment) => deployment.metadata.name === 'chimera-data-ingest',
    ) as Block;
    expect(edge.spec.replicas).toBe('1');
    expect(manifests(stack('prod-denver-edge-agents'))).not.toContainEqual(
      expect.objectContaining({ kind: 'ScaledObject' }),
    );
  });
});

describe('prod: Consul registration', () => {
  it.each([
    ['nebraska', 'chimera-data-ingest', 'datacenter=nebraska,hardware-type=cpu,location=nebraska'],
    ['nebraska', 'sensor-ingest', 'datacenter=nebraska,hardware-type=cpu,location=nebraska'],
    [
      'denver-edge',
      'chimera-data-ingest',
      'datacenter=denver-edge,hardware-type=arm-edge,location=denver',
    ],
  ])('registers %s/%s with the tags of its pools', (site, agent, tags) => {
    const service = resourcesOf(stack(`prod-${site}-agents`), 'kubernetes_service_v1').find(
      (candidate) => candidate.metadata.name === `${agent}-consul`,
    ) as Block;
    expect(service.metadata.annotations).toMatchObject({
      'consul.hashicorp.com/service-sync': 'true',
      'consul.hashicorp.com/service-name': agent,
      'consul.hashicorp.com/service-tags': tags,
    });
    expect(service.spec.selector).toMatchObject({ 'app.kubernetes.io/name': agent });
  });

  it('runs Consul servers only where a site asks for them', () => {
    const consul = (site: string) =>
      resourcesOf(stack(`prod-${site}-platform`), 'helm_release').filter(
        (release) => release.chart === 'consul',
      );
    expect(consul('nebraska')).toHaveLength(1);
    expect(consul('denver-edge')).toHaveLength(1);
    expect(consul('us-east')).toHaveLength(0);
  });
});

describe('prod: credentials through Vault in the datacenter', () => {
  const agents = stack('prod-nebraska-agents');
  const platform = stack('prod-nebraska-platform');
  const path = 'fleet/data/prod/nebraska/inventory-update/rabbitmq-dc-rabbitmq';

  it("injects the agent's broker credentials where a Secret volume would put them", () => {
    const pod = podOf(agents, 'inventory-update');
    expect(pod.metadata.annotations).toMatchObject({
      'vault.hashicorp.com/agent-inject': 'true',
      'vault.hashicorp.com/role': 'inventory-update',
      'vault.hashicorp.com/auth-path': 'auth/kubernetes/prod-nebraska',
      'vault.hashicorp.com/agent-inject-secret-dc-rabbitmq-username': path,
      'vault.hashicorp.com/agent-inject-file-dc-rabbitmq-username': 'username',
      'vault.hashicorp.com/secret-volume-path-dc-rabbitmq-username':
        '/var/run/secrets/agent-fleet/brokers/dc-rabbitmq',
      'vault.hashicorp.com/agent-inject-secret-dc-rabbitmq-password': path,
      'vault.hashicorp.com/agent-inject-secret-database-password':
        'fleet/data/prod/nebraska/inventory-update/database',
      'vault.hashicorp.com/secret-volume-path-database-password':
        '/var/run/secrets/agent-fleet/database',
    });
    expect(pod.spec.automount_service_account_token).toBe(true);
    const policy = resourcesOf(agents, 'kubernetes_network_policy_v1').find(
      (candidate) => candidate.metadata.name === 'inventory-update',
    ) as Block;
    expect(policy.spec.egress).toContainEqual({
      to: [{ ip_block: { cidr: '10.20.8.0/24' } }],
      ports: [{ port: '8200', protocol: 'TCP' }],
    });
    expect(pod.spec.volume.map((volume: Block) => volume.name)).not.toContain('broker-dc-rabbitmq');
  });

  it('writes the credentials to Vault with write-only data, and none to Kubernetes Secrets', () => {
    const secrets = resourcesOf(platform, 'vault_kv_secret_v2');
    expect(secrets.map((secret) => secret.name).sort()).toEqual([
      'prod/nebraska/_keda/rabbitmq-dc-rabbitmq',
      'prod/nebraska/inventory-update/database',
      'prod/nebraska/inventory-update/rabbitmq-dc-rabbitmq',
      'prod/nebraska/ledger/database',
      'prod/nebraska/ledger/rabbitmq-dc-rabbitmq',
      'prod/nebraska/order-tracking/database',
      'prod/nebraska/order-tracking/rabbitmq-dc-rabbitmq',
      'prod/nebraska/sensor-history/database',
    ]);
    for (const secret of secrets) {
      expect(secret.data_json).toBeUndefined();
      expect(secret.data_json_wo).toContain('ephemeral.random_password');
    }
    const kubernetesSecrets = resourcesOf(platform, 'kubernetes_secret_v1').map(
      (secret) => secret.metadata.name,
    );
    expect(kubernetesSecrets).not.toContain('inventory-update-dc-rabbitmq-credentials');
    expect(kubernetesSecrets).not.toContain('inventory-update-cockroachdb');
    expect(kubernetesSecrets).not.toContain('sensor-history-cassandra');
    expect(kubernetesSecrets).not.toContain('ledger-yugabytedb');
    expect(kubernetesSecrets).toContain('cassandra-user-sensor-history');
    expect(kubernetesSecrets).toContain('yugabytedb-user-ledger');
  });

  it('lets each agent read only its own paths, as its own service account', () => {
    const policy = resourcesOf(platform, 'vault_policy').find((candidate) =>
      candidate.name.includes('inventory-update'),
    ) as Block;
    expect(policy.policy).toContain('fleet/data/prod/nebraska/inventory-update/*');
    expect(policy.policy).not.toContain('sensor-ingest');
    const role = resourcesOf(platform, 'vault_kubernetes_auth_backend_role').find(
      (candidate) => candidate.role_name === 'inventory-update',
    ) as Block;
    expect(role.bound_service_account_names).toEqual(['inventory-update']);
    expect(role.bound_service_account_namespaces).toEqual(['inventory-update']);
  });

  it('has KEDA read the management API credentials from Vault, trusting its CA', () => {
    const authentication = manifests(agents).find(
      (m) =>
        m.kind === 'ClusterTriggerAuthentication' && m.metadata.name === 'rabbitmq-dc-rabbitmq',
    ) as Block;
    expect(authentication.spec.secretTargetRef).toBeUndefined();
    expect(authentication.spec.hashiCorpVault).toMatchObject({
      address: 'https://vault.nebraska.example.com:8200',
      authentication: 'kubernetes',
      mount: 'kubernetes/prod-nebraska',
      secrets: [
        {
          parameter: 'host',
          key: 'host',
          path: 'fleet/data/prod/nebraska/_keda/rabbitmq-dc-rabbitmq',
        },
      ],
    });
    const keda = resourcesOf(platform, 'helm_release').find(
      (release) => release.name === 'keda',
    ) as Block;
    expect(JSON.parse(keda.values[0]).env).toEqual([
      { name: 'VAULT_CACERT', value: '/etc/vault-ca/ca.crt' },
    ]);
  });

  it('keeps Secret-mounted credentials on sites without Vault', () => {
    const pod = podOf(stack('prod-us-east-agents'), 'inventory-update');
    expect(pod.metadata.annotations?.['vault.hashicorp.com/agent-inject']).toBeUndefined();
    expect(pod.spec.volume.map((volume: Block) => volume.name)).toContain('broker-rabbitmq');
  });
});

describe('prod: in-cluster Kafka and database in the datacenter', () => {
  const agents = stack('prod-nebraska-agents');

  it('runs the projects’ own charts in baseline namespaces, the agents in restricted ones', () => {
    const enforced = Object.fromEntries(
      resourcesOf(stack('prod-nebraska-platform'), 'kubernetes_namespace_v1').map((namespace) => [
        namespace.metadata.name,
        namespace.metadata.labels['pod-security.kubernetes.io/enforce'],
      ]),
    );
    expect(enforced).toMatchObject({
      strimzi: 'baseline',
      kafka: 'baseline',
      cockroachdb: 'baseline',
      consul: 'baseline',
      vault: 'baseline',
      'sensor-ingest': 'restricted',
      'inventory-update': 'restricted',
    });
  });

  it('does not ask for zone labels the datacenter’s nodes may lack', () => {
    const kafka = manifests(agents).find((m) => m.kind === 'Kafka') as Block;
    expect(kafka.spec.kafka.rack).toBeUndefined();
  });

  it('creates the sensor topic with a partition per replica, replicated 3 times', () => {
    const topics = manifests(agents).filter((m) => m.kind === 'KafkaTopic');
    const readings = topics.find((topic) => topic.spec.topicName === 'sensor-readings') as Block;
    expect(readings.spec).toMatchObject({
      partitions: 12,
      replicas: 3,
      config: expect.objectContaining({ 'min.insync.replicas': '2' }),
    });
    expect(readings.metadata.labels).toMatchObject({ 'strimzi.io/cluster': 'dc-events' });
    expect(topics.map((topic) => topic.spec.topicName).sort()).toEqual([
      'sensor-readings',
      'sensor-readings.dlq',
    ]);
  });

  it('points sensor-ingest and its lag trigger at the plain in-cluster listener', () => {
    const pod = podOf(agents, 'sensor-ingest');
    const env = Object.fromEntries(
      pod.spec.container[0].env.map((variable: Block) => [variable.name, variable.value]),
    );
    expect(env).toMatchObject({
      FLEET_KAFKA_BOOTSTRAP_SERVERS: 'dc-events-kafka-bootstrap.kafka.svc:9092',
      FLEET_KAFKA_AUTH: 'none',
    });
    const scaled = manifests(agents).find(
      (m) => m.kind === 'ScaledObject' && m.metadata.name === 'sensor-ingest',
    ) as Block;
    const [trigger] = scaled.spec.triggers;
    expect(trigger.type).toBe('kafka');
    expect(trigger.metadata.sasl).toBeUndefined();
    expect(trigger.authenticationRef).toBeUndefined();
  });

  it("gives inventory-update its own database, reached only on CockroachDB's SQL port", () => {
    const pod = podOf(agents, 'inventory-update');
    const env = Object.fromEntries(
      pod.spec.container[0].env.map((variable: Block) => [variable.name, variable.value]),
    );
    expect(env).toMatchObject({
      FLEET_DATABASE_HOST: 'cockroachdb-public.cockroachdb.svc.cluster.local',
      FLEET_DATABASE_PORT: '26257',
      FLEET_DATABASE_NAME: 'inventory_update',
    });
    const policy = resourcesOf(agents, 'kubernetes_network_policy_v1').find(
      (candidate) => candidate.metadata.name === 'inventory-update',
    ) as Block;
    expect(policy.spec.egress).toContainEqual({
      to: [
        {
          namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'cockroachdb' } },
          pod_selector: {
            match_labels: expect.objectContaining({ 'app.kubernetes.io/name': 'cockroachdb' }),
          },
        },
      ],
      ports: [{ port: '26257', protocol: 'TCP' }],
    });
  });
});

describe('prod: Azure', () => {
  const agents = stack('prod-eu-west-agents');

  it('scales image-processing on its Service Bus queue through KEDA’s workload identity', () => {
    const scaled = manifests(agents).find(
      (m) => m.kind === 'ScaledObject' && m.metadata.name === 'image-processing',
    ) as Block;
    expect(scaled.spec.triggers[0]).toMatchObject({
      type: 'azure-servicebus',
      metadata: { queueName: 'image-processing-tasks', messageCount: '20' },
      authenticationRef: { name: 'keda-azure', kind: 'ClusterTriggerAuthentication' },
    });
    const keda = resourcesOf(stack('prod-eu-west-platform'), 'helm_release').find(
      (release) => release.name === 'keda',
    ) as Block;
    expect(JSON.parse(keda.values[0]).podIdentity.azureWorkload).toMatchObject({ enabled: true });
  });

  it('gives each agent its own workload identity and the private endpoints’ network', () => {
    const account = resourcesOf(agents, 'kubernetes_service_account_v1').find(
      (candidate) => candidate.metadata.name === 'inventory-update',
    ) as Block;
    expect(Object.keys(account.metadata.annotations)).toEqual([
      'azure.workload.identity/client-id',
    ]);
    const pod = podOf(agents, 'inventory-update');
    expect(pod.metadata.labels).toMatchObject({ 'azure.workload.identity/use': 'true' });
    const env = Object.fromEntries(
      pod.spec.container[0].env.map((variable: Block) => [variable.name, variable.value]),
    );
    expect(env).toMatchObject({
      FLEET_COSMOS_DATABASE: 'fleet',
      FLEET_COSMOS_CONTAINER: 'inventory-update',
      FLEET_COSMOS_CONNECTION_MODE: 'Gateway',
    });
    const policy = resourcesOf(agents, 'kubernetes_network_policy_v1').find(
      (candidate) => candidate.metadata.name === 'inventory-update',
    ) as Block;
    // The private endpoints' subnet of the VNet 10.70.0.0/16, nothing else of it.
    expect(policy.spec.egress).toContainEqual({
      to: [{ ip_block: { cidr: '10.70.192.0/20' } }],
      ports: [
        { port: '443', protocol: 'TCP' },
        { port: '5671', protocol: 'TCP' },
      ],
    });
  });

  it('reaches AKS through the cluster’s data and kubelogin, never a stored credential', () => {
    for (const id of ['prod-eu-west-platform', 'prod-eu-west-agents']) {
      const json = stack(id);
      const [kubernetes] = json.provider.kubernetes;
      expect(kubernetes.host).toBe(
        '${data.azurerm_kubernetes_cluster.AksCluster.kube_config[0].host}',
      );
      expect(kubernetes.exec[0]).toMatchObject({ command: 'kubelogin' });
      expect(json.data.azurerm_kubernetes_cluster.AksCluster).toMatchObject({
        name: 'prod-eu-west',
        resource_group_name: 'prod-eu-west',
      });
    }
  });

  it('lets spot-tolerant agents on spot pools and keeps GPU pools for the device plugin and GPU agents', () => {
    const images = podOf(agents, 'image-processing');
    expect(poolsOf(images)).toEqual(['general', 'spot']);
    expect(images.spec.toleration).toEqual([
      {
        key: 'kubernetes.azure.com/scalesetpriority',
        operator: 'Equal',
        value: 'spot',
        effect: 'NoSchedule',
      },
    ]);
    const plugin = resourcesOf(stack('prod-eu-west-platform'), 'helm_release').find(
      (release) => release.chart === 'nvidia-device-plugin',
    ) as Block;
    expect(JSON.parse(plugin.values[0]).tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
    ]);
  });

  it('keeps the Azure stacks’ state in the site’s own storage account', () => {
    for (const id of ['prod-eu-west-infra', 'prod-eu-west-platform', 'prod-eu-west-agents']) {
      expect(stack(id).terraform.backend.azurerm).toMatchObject({
        storage_account_name: 'agentfleetstateprod',
        key: `prod/${id}.tfstate`,
        use_azuread_auth: true,
      });
    }
    expect(stack('prod-us-east-infra').terraform.backend.s3).toMatchObject({
      bucket: 'agent-fleet-terraform-state-prod',
      key: 'prod/prod-us-east-infra.tfstate',
    });
  });
});

describe('prod: wide rows and SQL in the datacenter', () => {
  const agents = stack('prod-nebraska-agents');
  const platform = stack('prod-nebraska-platform');
  const envOf = (agent: string): Record<string, string> =>
    Object.fromEntries(
      podOf(agents, agent).spec.container[0].env.map((e: Block) => [e.name, e.value]),
    );

  it("tells sensor-history its keyspace in the datacenter's Cassandra, with the CA to verify it", () => {
    expect(envOf('sensor-history')).toMatchObject({
      FLEET_STATE_MODEL: 'wide-column',
      FLEET_STATE_ENGINE: 'cassandra',
      FLEET_STATE_HOSTS: 'cassandra-dc1-service.cassandra.svc.cluster.local',
      FLEET_STATE_PORT: '9042',
      FLEET_STATE_DATACENTER: 'dc1',
      FLEET_STATE_KEYSPACE: 'sensor_history',
      FLEET_STATE_TLS_CA_FILE: '/var/run/secrets/agent-fleet/state-ca/ca.crt',
    });
    expect(manifests(agents).filter((m) => m.kind === 'CassandraDatacenter')).toHaveLength(1);
  });

  it("tells ledger its database and schema in the datacenter's YugabyteDB, not CockroachDB", () => {
    expect(envOf('ledger')).toMatchObject({
      FLEET_STATE_MODEL: 'sql',
      FLEET_STATE_ENGINE: 'yugabytedb',
      FLEET_STATE_HOST: 'yb-tservers.yugabytedb.svc.cluster.local',
      FLEET_STATE_PORT: '5433',
      FLEET_STATE_DATABASE: 'ledger',
      FLEET_DATABASE_SCHEMA: 'ledger',
    });
    const releases = resourcesOf(platform, 'helm_release').map((release) => release.chart);
    expect(releases).toEqual(expect.arrayContaining(['cockroachdb', 'yugabyte', 'cass-operator']));
  });

  it('lets each agent reach only its own engine, on its port', () => {
    const policies = resourcesOf(agents, 'kubernetes_network_policy_v1');
    const egressOf = (agent: string) =>
      JSON.stringify(policies.find((p) => p.metadata.name === agent)?.spec.egress);
    expect(egressOf('sensor-history')).toContain('"9042"');
    expect(egressOf('sensor-history')).not.toContain('"5433"');
    expect(egressOf('ledger')).toContain('"5433"');
    expect(egressOf('ledger')).not.toContain('"26257"');
  });
});
