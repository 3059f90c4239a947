import { CHARTS, IMAGES } from '../../constructs/kubernetes';
import { Cpu, Size } from '../../model';
import { BROKER, consumer, SITE, synthPlatform } from '../support/fixtures';
import { Block, resourcesById, resourcesOf, resourceOf, helmValues } from '../support/synthesized';

const gpuAgent = consumer({
  name: 'gpu-inference',
  queue: { broker: 'rabbitmq', queue: 'inference_requests' },
  resources: { requests: { cpu: Cpu.parse('2'), memory: Size.parse('4Gi') }, gpu: 1 },
});
const scheduled = consumer({
  name: 'forecasting',
  workload: 'scheduled',
  queue: undefined,
  scaling: undefined,
  schedule: { cron: '0 2 * * *' },
});
const json = synthPlatform([consumer(), gpuAgent, scheduled]);
const releases = resourcesOf(json, 'helm_release');
const byName = (name: string): Block => {
  const release = releases.find((candidate) => candidate.name === name);
  if (!release) throw new Error(`no helm_release named ${name}`);
  return release;
};

describe('charts', () => {
  it('installs KEDA, kube-prometheus-stack and the device plugin at pinned versions', () => {
    expect(releases.map((r) => [r.name, r.repository, r.chart, r.version])).toEqual(
      expect.arrayContaining([
        ['keda', CHARTS.keda.repository, 'keda', '2.20.2'],
        [
          'kube-prometheus-stack',
          CHARTS.kubePrometheusStack.repository,
          'kube-prometheus-stack',
          '67.8.0',
        ],
        [
          'nvidia-device-plugin',
          CHARTS.nvidiaDevicePlugin.repository,
          'nvidia-device-plugin',
          '0.17.1',
        ],
      ]),
    );
    for (const release of releases) {
      expect(release.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(release.atomic).toBe(true);
    }
  });

  it('configures the Helm provider from the kubeconfig only', () => {
    expect(json.provider.helm).toEqual([
      { kubernetes: { config_path: '~/.kube/config', config_context: 'dc1' } },
    ]);
  });

  it('lets KEDA export metrics to the Prometheus operator it installs after', () => {
    const values = helmValues(json, 'keda');
    expect(values.prometheus.operator).toEqual({
      enabled: true,
      serviceMonitor: { enabled: true },
    });
    expect(values.resources.operator.limits.memory).toBe('256Mi');
    expect(byName('keda').depends_on).toEqual([expect.stringMatching(/^helm_release\.Monitoring/)]);
  });
});

describe('monitoring', () => {
  const values = helmValues(json, 'kube-prometheus-stack');

  it('scrapes the broker per queue and the agents on their metrics ports', () => {
    const jobs = values.prometheus.prometheusSpec.additionalScrapeConfigs;
    const queueJob = jobs.find((job: any) => job.job_name === 'rabbitmq-rabbitmq');
    expect(queueJob.metrics_path).toBe('/metrics/detailed');
    expect(queueJob.params.family).toEqual(['queue_coarse_metrics', 'queue_consumer_count']);
    expect(jobs.map((job: any) => job.job_name)).toEqual(
      expect.arrayContaining(['rabbitmq-rabbitmq-node', 'agent-fleet-agents']),
    );
    expect(values.prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues).toBe(false);
  });

  it('loads alerting and recording rules for each agent', () => {
    const groups = values.additionalPrometheusRulesMap['agent-fleet'].groups;
    const alerts = groups
      .flatMap((group: any) => group.rules.map((rule: any) => rule.alert))
      .filter(Boolean);
    expect(new Set(alerts)).toEqual(
      new Set([
        'AgentBacklogGrowing',
        'AgentAtMaxReplicas',
        'AgentScalingSourceFailing',
        'BrokerDown',
      ]),
    );
    expect(groups.some((group: any) => group.rules.some((rule: any) => rule.record))).toBe(true);
  });

  it('takes the Grafana admin password from a write-only Secret and loads one dashboard per agent', () => {
    expect(values.grafana.admin).toEqual({
      existingSecret: 'grafana-admin',
      userKey: 'admin-user',
      passwordKey: 'admin-password',
    });
    const admin = resourceOf(json, 'kubernetes_secret_v1', 'GrafanaAdmin');
    expect(admin.data_wo['admin-password']).toMatch(
      /^\$\{ephemeral\.random_password\.[\w-]+\.result\}$/,
    );
    const dashboards = resourcesOf(json, 'kubernetes_config_map_v1').filter(
      (map: any) => map.metadata.labels?.grafana_dashboard === '1',
    );
    expect(dashboards.map((map: any) => Object.keys(map.data)[0]).sort()).toEqual([
      'forecasting.json',
      'gpu-inference.json',
      'image-processing.json',
    ]);
  });
});

describe('GPU device plugin', () => {
  it('runs on the GPU pools only and tolerates their taints', () => {
    const values = helmValues(json, 'nvidia-device-plugin');
    expect(values.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
    ]);
    expect(
      values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
    ).toEqual([
      { matchExpressions: [{ key: 'agent-fleet.dev/pool', operator: 'In', values: ['gpu'] }] },
    ]);
  });

  it('is left out on a site without GPUs', () => {
    const cpuOnly = synthPlatform([consumer()], { ...SITE, nodePools: [SITE.nodePools[0]] });
    expect(resourcesOf(cpuOnly, 'helm_release').map((r) => r.name)).not.toContain(
      'nvidia-device-plugin',
    );
  });
});

describe('namespaces and priority classes', () => {
  const namespaces = Object.fromEntries(
    resourcesOf(json, 'kubernetes_namespace_v1').map((ns) => [
      ns.metadata.name,
      [
        ns.metadata.labels['agent-fleet.dev/role'],
        ns.metadata.labels['pod-security.kubernetes.io/enforce'],
      ],
    ]),
  );

  it('creates every agent namespace restricted, and platform ones as strict as their charts allow', () => {
    expect(namespaces).toEqual({
      'image-processing': ['agents', 'restricted'],
      'gpu-inference': ['agents', 'restricted'],
      forecasting: ['agents', 'restricted'],
      keda: ['platform', 'baseline'],
      monitoring: ['platform', 'privileged'],
      'nvidia-device-plugin': ['platform', 'privileged'],
      rabbitmq: ['platform', 'restricted'],
    });
  });

  it('creates the priority classes the agents use; batch never preempts', () => {
    const classes = resourcesOf(json, 'kubernetes_priority_class_v1').map((c: any) => [
      c.metadata.name,
      c.value,
      c.preemption_policy,
    ]);
    expect(classes.sort()).toEqual([
      ['agent-fleet-batch', 1000, 'Never'],
      ['agent-fleet-standard', 10000, 'PreemptLowerPriority'],
    ]);
  });
});

describe('in-cluster RabbitMQ', () => {
  const statefulSet = resourceOf(json, 'kubernetes_stateful_set_v1');
  const pod = statefulSet.spec.template.spec;
  const container = pod.container[0];

  it('runs 3 nodes by default from the pinned official image, on on-demand pools without GPUs', () => {
    expect(statefulSet.spec.replicas).toBe('3');
    expect(container.image).toBe(IMAGES.rabbitmq);
    expect(
      pod.affinity.node_affinity.required_during_scheduling_ignored_during_execution
        .node_selector_term,
    ).toEqual([
      { match_expressions: [{ key: 'agent-fleet.dev/pool', operator: 'In', values: ['general'] }] },
    ]);
    expect(
      pod.affinity.pod_anti_affinity.required_during_scheduling_ignored_during_execution[0]
        .topology_key,
    ).toBe('kubernetes.io/hostname');
    expect(container.lifecycle.pre_stop[0].exec.command).toEqual([
      'rabbitmq-upgrade',
      'await_online_quorum_plus_one',
      '-t',
      '600',
    ]);
  });

  it('runs one node when the environment says so, without waiting for a quorum on stop', () => {
    const single = synthPlatform([consumer()], SITE, [
      { ...BROKER, inCluster: { site: 'dc1', replicas: 1 } },
    ]);
    const set = resourceOf(single, 'kubernetes_stateful_set_v1');
    expect(set.spec.replicas).toBe('1');
    expect(set.spec.template.spec.container[0].lifecycle).toBeUndefined();
    const config = resourceOf(single, 'kubernetes_config_map_v1', 'Broker-rabbitmq_Config');
    expect(config.data['rabbitmq.conf']).not.toContain('cluster_formation');
  });

  it('keeps its data on volumes that outlive the StatefulSet', () => {
    expect(statefulSet.spec.persistent_volume_claim_retention_policy).toEqual([
      { when_deleted: 'Retain', when_scaled: 'Retain' },
    ]);
    expect(statefulSet.spec.volume_claim_template[0].spec.resources.requests.storage).toBe('10Gi');
  });

  it('is hardened like the agents', () => {
    expect(container.security_context).toMatchObject({
      run_as_non_root: true,
      run_as_user: '10001',
      read_only_root_filesystem: true,
      allow_privilege_escalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.automount_service_account_token).toBe(false);
  });

  it('loads the topology and the users at boot, each from a file of one definitions directory', () => {
    const topology = resourceOf(json, 'kubernetes_config_map_v1', 'Broker-rabbitmq_Topology');
    const definitions = JSON.parse(topology.data['topology.json']);
    expect(definitions.queues.map((q: any) => [q.name, q.arguments['x-queue-type']])).toEqual([
      ['image_processing_tasks', 'quorum'],
      ['image_processing_tasks.dlq', 'quorum'],
      ['inference_requests', 'quorum'],
      ['inference_requests.dlq', 'quorum'],
    ]);
    const config = resourceOf(json, 'kubernetes_config_map_v1', 'Broker-rabbitmq_Config');
    expect(config.data['rabbitmq.conf']).toContain(
      'definitions.local.path = /etc/rabbitmq-definitions',
    );
    // One file per source: a mounted directory would carry Kubernetes' `..data` entries.
    expect(container.volume_mount).toEqual(
      expect.arrayContaining([
        {
          name: 'topology',
          mount_path: '/etc/rabbitmq-definitions/topology.json',
          sub_path: 'topology.json',
          read_only: true,
        },
        {
          name: 'users',
          mount_path: '/etc/rabbitmq-definitions/users.json',
          sub_path: 'users.json',
          read_only: true,
        },
      ]),
    );
  });

  it('rolls the nodes when the topology or the users change, and rewrites every credential together', () => {
    const annotations = statefulSet.spec.template.metadata.annotations;
    const revision = Number(annotations['agent-fleet.dev/credentials']);
    expect(annotations['agent-fleet.dev/definitions']).toMatch(/^\d+$/);
    const credentialSecrets = resourcesOf(json, 'kubernetes_secret_v1').filter(
      (secret) => !['grafana-admin', 'rabbitmq-erlang-cookie'].includes(secret.metadata.name),
    );
    expect(credentialSecrets.map((secret) => secret.data_wo_revision)).toEqual(
      credentialSecrets.map(() => revision),
    );
    const more = synthPlatform([
      consumer(),
      gpuAgent,
      scheduled,
      consumer({ name: 'thumbnailer' }),
    ]);
    const moreSet = resourceOf(more, 'kubernetes_stateful_set_v1');
    expect(
      Number(moreSet.spec.template.metadata.annotations['agent-fleet.dev/credentials']),
    ).not.toBe(revision);
    const cookie = resourceOf(more, 'kubernetes_secret_v1', 'Cookie');
    expect(cookie.data_wo_revision).toBe(1);
  });

  it('rolls the nodes when their configuration changes, and only then', () => {
    const configOf = (synth: typeof json) =>
      resourceOf(synth, 'kubernetes_stateful_set_v1').spec.template.metadata.annotations[
        'agent-fleet.dev/config'
      ];
    const revision = configOf(json);
    expect(revision).toMatch(/^\d+$/);
    // Other agents change the definitions and users, not the configuration.
    expect(configOf(synthPlatform([consumer({ name: 'thumbnailer' })]))).toBe(revision);
    const single = { ...BROKER, inCluster: { ...BROKER.inCluster!, replicas: 1 } };
    const alone = synthPlatform([consumer(), gpuAgent, scheduled], SITE, [single]);
    expect(
      resourceOf(alone, 'kubernetes_config_map_v1', 'Config').data['rabbitmq.conf'],
    ).not.toContain('peer_discovery');
    expect(configOf(alone)).not.toBe(revision);
  });

  it('generates every password at apply time into write-only Secrets', () => {
    const users = resourceOf(json, 'kubernetes_secret_v1', 'Broker-rabbitmq_Users');
    const parsed = JSON.parse(users.data_wo['users.json']);
    expect(parsed.users.map((u: any) => u.name)).toEqual([
      'admin',
      'keda',
      'image-processing',
      'gpu-inference',
    ]);
    for (const user of parsed.users) {
      expect(user.password).toMatch(
        /^\$\{ephemeral\.random_password\.Broker-rabbitmq_Password-[\w-]+\.result\}$/,
      );
    }
    expect(Object.keys(json.ephemeral.random_password)).toEqual(
      expect.arrayContaining(['Broker-rabbitmq_Password-keda', 'Broker-rabbitmq_ErlangCookie']),
    );
    expect(json.terraform.required_providers.random).toEqual({
      source: 'hashicorp/random',
      version: '3.7.2',
    });
  });

  it('gives KEDA its management URL and each agent its own credentials in their namespaces', () => {
    const keda = resourceOf(json, 'kubernetes_secret_v1', 'KedaCredentials');
    expect(keda.metadata.name).toBe('keda-rabbitmq-rabbitmq');
    expect(keda.metadata.namespace).toContain('Namespace-keda');
    expect(keda.data_wo.host).toBe(
      'http://keda:${ephemeral.random_password.Broker-rabbitmq_Password-keda.result}@rabbitmq.rabbitmq.svc.cluster.local:15672/',
    );
    const agent = resourceOf(
      json,
      'kubernetes_secret_v1',
      'AgentCredentials-rabbitmq-image-processing',
    );
    expect(agent.metadata.name).toBe('image-processing-rabbitmq-credentials');
    expect(agent.metadata.namespace).toContain('Namespace-image-processing');
    expect(agent.data_wo).toEqual({
      username: 'image-processing',
      password: '${ephemeral.random_password.Broker-rabbitmq_Password-image-processing.result}',
    });
  });

  it('admits agents to AMQP, KEDA to the management API and Prometheus to metrics only', () => {
    const policy = resourceOf(json, 'kubernetes_network_policy_v1');
    expect(policy.spec.ingress.slice(0, 3)).toEqual([
      {
        from: [{ namespace_selector: { match_labels: { 'agent-fleet.dev/role': 'agents' } } }],
        ports: [{ port: '5672', protocol: 'TCP' }],
      },
      {
        from: [
          {
            namespace_selector: {
              match_labels: {
                'kubernetes.io/metadata.name': expect.stringContaining('Namespace-keda'),
              },
            },
          },
        ],
        ports: [{ port: '15672', protocol: 'TCP' }],
      },
      {
        from: [
          {
            namespace_selector: {
              match_labels: {
                'kubernetes.io/metadata.name': expect.stringContaining('Namespace-monitoring'),
              },
            },
          },
        ],
        ports: [{ port: '15692', protocol: 'TCP' }],
      },
    ]);
  });

  it('is not installed for a broker that runs elsewhere', () => {
    const external = synthPlatform([consumer({ queue: { broker: 'shared', queue: 'q' } })], SITE, [
      {
        name: 'shared',
        kind: 'rabbitmq',
        external: { host: 'mq.example.com', cidrs: ['10.9.0.0/16'] },
      },
    ]);
    expect(resourcesOf(external, 'kubernetes_stateful_set_v1')).toEqual([]);
    expect(resourcesById(external, 'kubernetes_secret_v1')).toEqual(
      expect.not.objectContaining({ KedaCredentials: expect.anything() }),
    );
  });

  it('fails synth when two agents declare one queue differently', () => {
    expect(() =>
      synthPlatform([
        consumer(),
        consumer({
          name: 'thumbnailer',
          queue: {
            broker: 'rabbitmq',
            queue: 'image_processing_tasks',
            deadLetter: { deliveryLimit: 9 },
          },
        }),
      ]),
    ).toThrow(
      "binds queue 'image_processing_tasks' (vhost '/') with other settings than agent 'image-processing'",
    );
  });

  it('fails synth when no pool can run the broker', () => {
    const gpuOnly = { ...SITE, nodePools: [SITE.nodePools[1]] };
    expect(() => synthPlatform([], gpuOnly)).toThrow(
      "no node pool of site 'dc1' can run the broker (gpu: GPU nodes are kept for agents that request GPUs)",
    );
  });
});

describe('Kafka topics of a cloud site', () => {
  const topics = [
    {
      name: 'sensor-readings',
      partitions: 12,
      replicationFactor: 3,
      config: { 'retention.ms': '259200000', 'min.insync.replicas': '2' },
    },
  ];
  const json = synthPlatform([consumer()], SITE, [BROKER], {
    agents: {},
    kafkaTopics: [
      {
        broker: 'events',
        region: 'eu-west-1',
        endpoint: { bootstrapServers: 'b-1.events:9098', port: 9098, networkCidr: '10.40.0.0/16' },
        serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/topics' },
        topics,
      },
    ],
  });

  it('runs the topic Job of each Kafka broker in a restricted namespace of its own', () => {
    const namespaces = resourcesOf(json, 'kubernetes_namespace_v1');
    expect(namespaces.map((ns) => ns.metadata.name)).toContain('kafka-topics');
    const [job] = resourcesOf(json, 'kubernetes_job_v1');
    expect(job.metadata.name).toMatch(/^kafka-topics-events-[0-9a-f]{10}$/);
    expect(job.spec.template.spec.service_account_name).toMatch(
      /KafkaTopics-events_ServiceAccount/,
    );
    const [account] = resourcesOf(json, 'kubernetes_service_account_v1').filter(
      (candidate) => candidate.metadata.name === 'kafka-topics-events',
    );
    expect(account.metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/topics',
    });
  });

  it('has no topic Job where the site has no Kafka topics', () => {
    expect(resourcesOf(synthPlatform([consumer()]), 'kubernetes_job_v1')).toEqual([]);
  });
});
