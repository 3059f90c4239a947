import { AgentSpec, Cpu, Duration, Size } from '../../model';
import { consumer, SITE, synthAgents } from '../support/fixtures';
import { HARDENED_POD_SECURITY_CONTEXT } from '../support/kubernetes-expected';
import { Block, Synthesized, resourcesOf, resourceOf, manifestsOf } from '../support/synthesized';

function podSpec(json: Synthesized, type = 'kubernetes_deployment_v1'): Block {
  const workload = resourcesOf(json, type)[0];
  return type === 'kubernetes_cron_job_v1'
    ? workload.spec.job_template.spec.template.spec
    : workload.spec.template.spec;
}

describe('defaults of a queue consumer', () => {
  const json = synthAgents([consumer()]);
  const pod = podSpec(json);
  const container = pod.container[0];

  it('renders a Deployment without replicas, since KEDA owns the count', () => {
    const deployment = resourceOf(json, 'kubernetes_deployment_v1');
    expect(deployment.spec.replicas).toBeUndefined();
    expect(deployment.spec.strategy.rolling_update).toEqual({
      max_surge: '25%',
      max_unavailable: '0',
    });
  });

  it('hardens the pod and the container', () => {
    expect(pod.security_context).toEqual(HARDENED_POD_SECURITY_CONTEXT);
    expect(container.security_context).toMatchObject({
      read_only_root_filesystem: true,
      allow_privilege_escalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccomp_profile: { type: 'RuntimeDefault' },
    });
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.volume[0]).toEqual({ name: 'scratch', empty_dir: { size_limit: '256Mi' } });
    expect(container.volume_mount[0]).toEqual({ name: 'scratch', mount_path: '/tmp' });
  });

  it('sets requests and limits, limits defaulting to the requests', () => {
    expect(container.resources).toEqual({
      requests: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '256Mi' },
      limits: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '256Mi' },
    });
  });

  it('sizes graceful shutdown from the longest processing time', () => {
    // preStop 5 s + processing 2 min + margin 10 s
    expect(pod.termination_grace_period_seconds).toBe(135);
    expect(container.lifecycle.pre_stop[0].exec.command).toEqual(['sleep', '5']);
  });

  it('keeps readiness and liveness probes distinct', () => {
    expect(container.readiness_probe.http_get).toEqual({ path: '/ready', port: 'http' });
    expect(container.liveness_probe.http_get).toEqual({ path: '/healthz', port: 'http' });
    expect(container.liveness_probe.period_seconds).toBe(20);
  });

  it('spreads softly over zones and nodes', () => {
    expect(
      pod.topology_spread_constraint.map((c: Block) => [
        c.topology_key,
        c.when_unsatisfiable,
        c.max_skew,
      ]),
    ).toEqual([
      ['topology.kubernetes.io/zone', 'ScheduleAnyway', 1],
      ['kubernetes.io/hostname', 'ScheduleAnyway', 1],
    ]);
  });

  it('runs in its own namespace with its own service account and the standard priority', () => {
    const deployment = resourceOf(json, 'kubernetes_deployment_v1');
    expect(deployment.metadata.namespace).toBe('image-processing');
    const account = resourceOf(json, 'kubernetes_service_account_v1');
    expect(account.automount_service_account_token).toBe(false);
    expect(pod.service_account_name).toBe('image-processing');
    expect(pod.priority_class_name).toBe('agent-fleet-standard');
    // Namespaces and priority classes belong to the platform stack.
    expect(resourcesOf(json, 'kubernetes_namespace_v1')).toEqual([]);
    expect(resourcesOf(json, 'kubernetes_priority_class_v1')).toEqual([]);
  });

  it('mounts its credentials for the in-cluster broker as files, never as env values', () => {
    expect(pod.volume[1]).toEqual({
      name: 'broker-rabbitmq',
      secret: { secret_name: 'image-processing-rabbitmq-credentials', default_mode: '0440' },
    });
    expect(container.volume_mount[1]).toEqual({
      name: 'broker-rabbitmq',
      mount_path: '/var/run/secrets/agent-fleet/brokers/rabbitmq',
      read_only: true,
    });
    expect(container.env).toContainEqual({
      name: 'FLEET_BROKER_CREDENTIALS_DIR',
      value: '/var/run/secrets/agent-fleet/brokers',
    });
  });

  it('has a PodDisruptionBudget that never blocks a drain', () => {
    const budget = resourceOf(json, 'kubernetes_pod_disruption_budget_v1');
    expect(budget.spec.max_unavailable).toBe('1');
    expect(budget.spec.min_available).toBeUndefined();
  });

  it('allows only DNS, its broker and the metrics scrape on the network', () => {
    const policy = resourceOf(json, 'kubernetes_network_policy_v1');
    expect(policy.spec.policy_types).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
        ],
        ports: [{ port: 'metrics', protocol: 'TCP' }],
      },
    ]);
    expect(policy.spec.egress).toHaveLength(2);
    expect(policy.spec.egress[0].ports).toEqual([
      { port: '53', protocol: 'UDP' },
      { port: '53', protocol: 'TCP' },
    ]);
    expect(policy.spec.egress[1]).toEqual({
      to: [
        {
          namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'rabbitmq' } },
          pod_selector: {
            match_labels: {
              'app.kubernetes.io/name': 'rabbitmq',
              'app.kubernetes.io/instance': 'rabbitmq',
            },
          },
        },
      ],
      ports: [{ port: '5672', protocol: 'TCP' }],
    });
  });

  it('tells the agent its queue binding through FLEET_ variables, without credentials', () => {
    expect(container.env).toEqual([
      { name: 'FLEET_BROKER_HOST', value: 'rabbitmq.rabbitmq.svc.cluster.local' },
      { name: 'FLEET_BROKER_PORT', value: '5672' },
      { name: 'FLEET_QUEUE_VHOST', value: '/' },
      { name: 'FLEET_QUEUE_NAME', value: 'image_processing_tasks' },
      { name: 'FLEET_QUEUE_PREFETCH', value: '10' },
      { name: 'FLEET_MAX_PROCESSING_SECONDS', value: '120' },
      { name: 'FLEET_DEAD_LETTER_EXCHANGE', value: 'image_processing_tasks.dlx' },
      { name: 'FLEET_BROKER_CREDENTIALS_DIR', value: '/var/run/secrets/agent-fleet/brokers' },
    ]);
  });

  it('configures the provider from the kubeconfig only', () => {
    expect(json.provider.kubernetes).toEqual([
      { config_path: '~/.kube/config', config_context: 'dc1' },
    ]);
  });
});

describe('scaling signals', () => {
  it('queue depth renders a ScaledObject whose RabbitMQ trigger counts ready and unacknowledged messages', () => {
    const json = synthAgents([consumer()]);
    const [scaled] = manifestsOf(json, 'ScaledObject');
    expect(scaled.spec.minReplicaCount).toBe(2);
    expect(scaled.spec.maxReplicaCount).toBe(10);
    expect(scaled.spec.triggers).toEqual([
      {
        type: 'rabbitmq',
        name: 'queue-depth',
        metricType: 'AverageValue',
        metadata: {
          protocol: 'http',
          mode: 'QueueLength',
          value: '20',
          activationValue: '0',
          queueName: 'image_processing_tasks',
          vhostName: '/',
        },
        authenticationRef: { name: 'rabbitmq-rabbitmq', kind: 'ClusterTriggerAuthentication' },
      },
    ]);
    expect(scaled.spec.fallback).toEqual({
      failureThreshold: 3,
      replicas: 6,
      behavior: 'currentReplicasIfHigher',
    });
    expect(scaled.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown).toEqual({
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }],
    });
    expect(resourcesOf(json, 'kubernetes_horizontal_pod_autoscaler_v2')).toEqual([]);
  });

  it('reads broker credentials through a ClusterTriggerAuthentication, never inline', () => {
    const json = synthAgents([consumer()]);
    const [auth] = manifestsOf(json, 'ClusterTriggerAuthentication');
    expect(auth.spec.secretTargetRef).toEqual([
      { parameter: 'host', name: 'keda-rabbitmq-rabbitmq', key: 'host' },
    ]);
    expect(JSON.stringify(json)).not.toMatch(/amqp:\/\/|http:\/\/[^/]*@/);
  });

  it('expresses a sustained Prometheus threshold as min_over_time over the window', () => {
    const json = synthAgents([
      consumer({
        name: 'chimera-data-ingest',
        queue: undefined,
        scaling: {
          minReplicas: 1,
          maxReplicas: 10,
          prometheus: {
            query: 'sum(chimera_pending_messages_total)',
            threshold: 1000,
            sustainedFor: Duration.minutes(5),
          },
        },
      }),
    ]);
    const [scaled] = manifestsOf(json, 'ScaledObject');
    expect(scaled.spec.triggers).toEqual([
      {
        type: 'prometheus',
        name: 'prometheus',
        metricType: 'AverageValue',
        metadata: {
          serverAddress:
            'http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090',
          query: 'min_over_time((sum(chimera_pending_messages_total))[5m:])',
          threshold: '1000',
          activationThreshold: '0',
        },
      },
    ]);
    expect(manifestsOf(json, 'ClusterTriggerAuthentication')).toEqual([]);
  });

  it('renders cron windows as cron triggers next to CPU, without a fallback KEDA would refuse', () => {
    const json = synthAgents([
      consumer({
        name: 'reporting',
        queue: undefined,
        scaling: {
          minReplicas: 2,
          maxReplicas: 6,
          cpu: { targetUtilization: 70 },
          cron: [
            { timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '0 18 * * 1-5', replicas: 4 },
          ],
        },
      }),
    ]);
    const [scaled] = manifestsOf(json, 'ScaledObject');
    expect(scaled.spec.triggers).toEqual([
      {
        type: 'cron',
        name: 'cron-0',
        metadata: {
          timezone: 'Europe/Berlin',
          start: '0 8 * * 1-5',
          end: '0 18 * * 1-5',
          desiredReplicas: '4',
        },
      },
      { type: 'cpu', name: 'cpu', metricType: 'Utilization', metadata: { value: '70' } },
    ]);
    expect(scaled.spec.fallback).toBeUndefined();
  });

  it('renders CPU and memory alone as a native autoscaling/v2 HPA and no ScaledObject', () => {
    const json = synthAgents([
      consumer({
        name: 'dispatcher',
        queue: undefined,
        scaling: {
          minReplicas: 2,
          maxReplicas: 4,
          cpu: { targetUtilization: 60 },
          memory: { targetUtilization: 80 },
        },
      }),
    ]);
    expect(manifestsOf(json, 'ScaledObject')).toEqual([]);
    const hpa = resourceOf(json, 'kubernetes_horizontal_pod_autoscaler_v2');
    expect(hpa.spec.min_replicas).toBe(2);
    expect(hpa.spec.max_replicas).toBe(4);
    expect(hpa.spec.scale_target_ref).toEqual({
      api_version: 'apps/v1',
      kind: 'Deployment',
      name: 'dispatcher',
    });
    expect(hpa.spec.metric).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', average_utilization: 60 } },
      },
      {
        type: 'Resource',
        resource: { name: 'memory', target: { type: 'Utilization', average_utilization: 80 } },
      },
    ]);
    expect(hpa.spec.behavior.scale_down[0].stabilization_window_seconds).toBe(300);
    expect(
      Object.values(json.resource.kubernetes_deployment_v1 as Block)[0].spec.replicas,
    ).toBeUndefined();
  });

  it('sets replicas only on a fixed-count agent, which gets no autoscaler', () => {
    const json = synthAgents([
      consumer({
        name: 'edge-relay',
        queue: undefined,
        scaling: { minReplicas: 2, maxReplicas: 2 },
      }),
    ]);
    expect(Object.values(json.resource.kubernetes_deployment_v1 as Block)[0].spec.replicas).toBe(
      '2',
    );
    expect(manifestsOf(json, 'ScaledObject')).toEqual([]);
    expect(resourcesOf(json, 'kubernetes_horizontal_pod_autoscaler_v2')).toEqual([]);
  });

  it('never renders two autoscalers for one workload', () => {
    const json = synthAgents([
      consumer(),
      consumer({
        name: 'cpu-only',
        queue: undefined,
        scaling: { minReplicas: 2, maxReplicas: 3, cpu: { targetUtilization: 50 } },
      }),
      consumer({
        name: 'mixed',
        scaling: {
          minReplicas: 2,
          maxReplicas: 3,
          cpu: { targetUtilization: 50 },
          queueDepth: { perReplica: 5 },
        },
      }),
    ]);
    const targets = [
      ...manifestsOf(json, 'ScaledObject').map((m) => m.spec.scaleTargetRef.name),
      ...resourcesOf(json, 'kubernetes_horizontal_pod_autoscaler_v2').map(
        (h: Block) => h.spec.scale_target_ref.name,
      ),
    ];
    expect(targets.sort()).toEqual(['cpu-only', 'image-processing', 'mixed']);
  });

  it('applies custom behaviour and a short cooldown for scale-to-zero', () => {
    const json = synthAgents([
      consumer({
        scaling: {
          minReplicas: 0,
          maxReplicas: 5,
          queueDepth: { perReplica: 10, activation: 1 },
          behavior: {
            scaleDown: {
              stabilizationWindow: Duration.minutes(10),
              policies: [{ type: 'percent', value: 50, period: Duration.seconds(120) }],
            },
          },
          pollingInterval: Duration.seconds(30),
        },
      }),
    ]);
    const [scaled] = manifestsOf(json, 'ScaledObject');
    expect(scaled.spec.initialCooldownPeriod).toBe(60);
    expect(scaled.spec.pollingInterval).toBe(30);
    expect(scaled.spec.triggers[0].metadata.activationValue).toBe('1');
    expect(scaled.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown).toEqual({
      stabilizationWindowSeconds: 600,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 50, periodSeconds: 120 }],
    });
    // KEDA 2.19 and later wake a scaled-to-zero agent to its fallback.
    expect(scaled.spec.fallback).toEqual({
      failureThreshold: 3,
      replicas: 3,
      behavior: 'currentReplicasIfHigher',
    });
  });

  it('keeps the default fallback replicas when only the threshold is set, and none when turned off', () => {
    const scaling = { minReplicas: 0, maxReplicas: 4, queueDepth: { perReplica: 10 } };
    const threshold = synthAgents([
      consumer({ scaling: { ...scaling, fallback: { failureThreshold: 6 } } }),
    ]);
    expect((manifestsOf(threshold, 'ScaledObject')[0] as Block).spec.fallback).toEqual({
      failureThreshold: 6,
      replicas: 2,
      behavior: 'currentReplicasIfHigher',
    });
    const off = synthAgents([
      consumer({
        scaling: {
          ...scaling,
          fallback: { enabled: false, reason: 'woken by the broker, never by an outage' },
        },
      }),
    ]);
    expect((manifestsOf(off, 'ScaledObject')[0] as Block).spec.fallback).toBeUndefined();
  });
});

describe('placement', () => {
  it('gives a GPU agent the GPU request and the pool taint toleration without writing them', () => {
    const json = synthAgents([
      consumer({
        name: 'gpu-inference',
        resources: { requests: { cpu: Cpu.parse('2'), memory: Size.parse('8Gi') }, gpu: 1 },
        placement: { gpuModel: 'nvidia-tesla-t4' },
      }),
    ]);
    const pod = podSpec(json);
    expect(pod.container[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(pod.container[0].resources.requests['nvidia.com/gpu']).toBe('1');
    expect(pod.toleration).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
    ]);
    expect(
      pod.affinity.node_affinity.required_during_scheduling_ignored_during_execution
        .node_selector_term,
    ).toEqual([
      { match_expressions: [{ key: 'agent-fleet.dev/pool', operator: 'In', values: ['gpu'] }] },
    ]);
  });

  it('keeps agents without GPUs off GPU pools and tolerates nothing', () => {
    const pod = podSpec(synthAgents([consumer()]));
    expect(pod.toleration).toEqual([]);
    expect(
      pod.affinity.node_affinity.required_during_scheduling_ignored_during_execution
        .node_selector_term[0].match_expressions[0].values,
    ).toEqual(['general']);
  });

  it('matches labels, architecture and spot policy', () => {
    const site = {
      ...SITE,
      nodePools: [
        ...SITE.nodePools,
        {
          name: 'arm-spot',
          arch: 'arm64' as const,
          capacity: 'spot' as const,
          labels: { location: 'dc1' },
          taints: [{ key: 'spot', effect: 'NoSchedule' as const }],
        },
      ],
    };
    const pod = podSpec(
      synthAgents(
        [
          consumer({
            placement: { arch: ['amd64', 'arm64'], spot: 'allowed', labels: { location: 'dc1' } },
          }),
        ],
        site,
      ),
    );
    expect(
      pod.affinity.node_affinity.required_during_scheduling_ignored_during_execution
        .node_selector_term[0].match_expressions[0].values,
    ).toEqual(['general', 'arm-spot']);
    expect(pod.toleration).toEqual([{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  it('fails synth naming the agent, the site and what each pool lacks', () => {
    expect(() =>
      synthAgents([
        consumer({
          name: 'gpu-inference',
          resources: { requests: { cpu: Cpu.parse('1'), memory: Size.parse('1Gi') }, gpu: 1 },
          placement: { gpuModel: 'nvidia-a100' },
        }),
      ]),
    ).toThrow(
      "agent 'gpu-inference' fits no node pool of site 'dc1' (general: no GPUs, agent needs 1 | gpu: GPU model nvidia-tesla-t4, agent needs nvidia-a100)",
    );
  });

  it('fails on a site without GPUs for a GPU agent', () => {
    const site = { ...SITE, nodePools: [SITE.nodePools[0]] };
    expect(() =>
      synthAgents(
        [
          consumer({
            resources: { requests: { cpu: Cpu.parse('1'), memory: Size.parse('1Gi') }, gpu: 1 },
          }),
        ],
        site,
      ),
    ).toThrow("fits no node pool of site 'dc1' (general: no GPUs, agent needs 1)");
  });
});

describe('publishing', () => {
  it('opens egress to the brokers an agent publishes to, without a trigger authentication', () => {
    const json = synthAgents([
      consumer({
        name: 'dispatcher',
        queue: undefined,
        publishes: [
          { broker: 'rabbitmq', queue: 'image_processing_tasks' },
          { broker: 'rabbitmq', queue: 'metadata_extraction_tasks' },
        ],
        scaling: { minReplicas: 2, maxReplicas: 4, cpu: { targetUtilization: 70 } },
      }),
    ]);
    const policy = resourceOf(json, 'kubernetes_network_policy_v1');
    expect(policy.spec.egress).toHaveLength(2);
    expect(policy.spec.egress[1].ports).toEqual([{ port: '5672', protocol: 'TCP' }]);
    expect(manifestsOf(json, 'ClusterTriggerAuthentication')).toEqual([]);
  });

  it('refuses a publish target on an unknown broker', () => {
    expect(() => synthAgents([consumer({ publishes: [{ broker: 'kafka', queue: 'q' }] })])).toThrow(
      "'publishes[0].broker': 'kafka' is not a broker of the environment (declared: rabbitmq)",
    );
  });
});

describe('kinds of work', () => {
  it('renders scheduled batch as a CronJob that node consolidation does not evict', () => {
    const json = synthAgents([
      consumer({
        name: 'forecasting',
        workload: 'scheduled',
        queue: undefined,
        scaling: undefined,
        container: { image: consumer().container.image },
        schedule: { cron: '0 2 * * *', timezone: 'Europe/Berlin', deadline: Duration.parse('3h') },
      }),
    ]);
    const cron = resourceOf(json, 'kubernetes_cron_job_v1');
    expect(cron.spec.schedule).toBe('0 2 * * *');
    expect(cron.spec.timezone).toBe('Europe/Berlin');
    expect(cron.spec.concurrency_policy).toBe('Forbid');
    expect(cron.spec.job_template.spec.active_deadline_seconds).toBe(10800);
    expect(cron.spec.job_template.spec.template.metadata.annotations).toEqual({
      'karpenter.sh/do-not-disrupt': 'true',
      'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
    });
    const pod = podSpec(json, 'kubernetes_cron_job_v1');
    expect(pod.restart_policy).toBe('Never');
    expect(pod.priority_class_name).toBe('agent-fleet-batch');
    expect(resourcesOf(json, 'kubernetes_pod_disruption_budget_v1')).toEqual([]);
  });

  it('renders run-to-completion work as a KEDA ScaledJob', () => {
    const json = synthAgents([
      consumer({
        name: 'thumbnail',
        workload: 'per-message',
        scaling: { minReplicas: 0, maxReplicas: 20, queueDepth: { perReplica: 1 } },
      }),
    ]);
    const [job] = manifestsOf(json, 'ScaledJob');
    expect(job.spec.maxReplicaCount).toBe(20);
    expect(job.spec.rollout).toEqual({ strategy: 'gradual' });
    expect(job.spec.jobTargetRef.template.spec.restartPolicy).toBe('Never');
    expect(
      job.spec.jobTargetRef.template.spec.containers[0].securityContext.readOnlyRootFilesystem,
    ).toBe(true);
    expect(job.spec.jobTargetRef.template.metadata.annotations['karpenter.sh/do-not-disrupt']).toBe(
      'true',
    );
    expect(job.spec.triggers[0].type).toBe('rabbitmq');
    expect(resourcesOf(json, 'kubernetes_deployment_v1')).toEqual([]);
  });
});

describe('isolation', () => {
  it('shares a namespace by choice', () => {
    const json = synthAgents([
      consumer({ isolation: { namespace: 'ingest' } }),
      consumer({ name: 'metadata-extraction', isolation: { namespace: 'ingest' } }),
    ]);
    expect(resourcesOf(json, 'kubernetes_deployment_v1').map((d) => d.metadata.namespace)).toEqual([
      'ingest',
      'ingest',
    ]);
  });

  it('mounts the API token, sets the priority tier and opens declared egress only when asked', () => {
    const json = synthAgents([
      consumer({
        isolation: {
          serviceAccountToken: true,
          priority: 'realtime',
          egress: [{ cidr: '10.20.0.0/16', ports: [5432] }],
        },
      }),
    ]);
    expect(podSpec(json).automount_service_account_token).toBe(true);
    expect(podSpec(json).priority_class_name).toBe('agent-fleet-realtime');
    const policy = resourceOf(json, 'kubernetes_network_policy_v1');
    expect(policy.spec.egress[2]).toEqual({
      to: [{ ip_block: { cidr: '10.20.0.0/16' } }],
      ports: [{ port: '5432', protocol: 'TCP' }],
    });
  });
});

describe('validation', () => {
  it.each<[Partial<AgentSpec>, string]>([
    [
      { scaling: { minReplicas: 5, maxReplicas: 3, queueDepth: { perReplica: 10 } } },
      "'scaling.minReplicas': (5) must be <= 'scaling.maxReplicas' (3)",
    ],
    [{ queue: undefined }, "'scaling.queueDepth': needs a 'queue' binding to read the depth of"],
    [
      {
        scaling: {
          minReplicas: 2,
          maxReplicas: 4,
          cpu: { targetUtilization: 50 },
          queueDepth: { perReplica: 5 },
          fallback: { replicas: 3 },
        },
      },
      "'scaling.fallback': KEDA refuses a fallback on a ScaledObject with cpu or memory signals",
    ],
    [
      { scaling: { minReplicas: 1, maxReplicas: 3 } },
      "has no signal, so the count is fixed: set 'minReplicas' (1) equal to 'maxReplicas' (3)",
    ],
    [
      { scaling: { minReplicas: 0, maxReplicas: 3, cpu: { targetUtilization: 50 } } },
      "'scaling.minReplicas': can be 0 only with a queueDepth, prometheus or cron signal",
    ],
    [
      { schedule: { cron: '0 * * * *' } },
      "'schedule': is only allowed for workload 'scheduled', not 'consumer'",
    ],
    [{ isolation: { namespace: 'default' } }, "'isolation.namespace': 'default' is reserved"],
    [
      { isolation: { egress: [{ cidr: '0.0.0.0/0', ports: [443] }] } },
      "'isolation.egress': '0.0.0.0/0' covers 3,702,390,784 public IPv4 addresses (the whole Internet)",
    ],
  ])('reports %j', (overrides, message) => {
    expect(() => synthAgents([consumer(overrides)])).toThrow(message);
  });

  it('refuses secrets in env', () => {
    const agent = consumer();
    expect(() =>
      synthAgents([{ ...agent, container: { ...agent.container, env: { DB_PASSWORD: 'x' } } }]),
    ).toThrow("'container.env.DB_PASSWORD': looks like a secret");
  });

  it('reserves the FLEET_ prefix for the binding', () => {
    const agent = consumer();
    expect(() =>
      synthAgents([
        { ...agent, container: { ...agent.container, env: { FLEET_QUEUE_NAME: 'x' } } },
      ]),
    ).toThrow("'container.env.FLEET_QUEUE_NAME': the 'FLEET_' prefix is reserved");
  });

  it('requires a written reason to turn dead-lettering off', () => {
    const agent = consumer();
    expect(() =>
      synthAgents([{ ...agent, queue: { ...agent.queue!, deadLetter: { enabled: false } } }]),
    ).toThrow("'queue.deadLetter.reason': turning dead-lettering off needs a written reason");
  });

  it('lists every problem at once with the construct path', () => {
    const agent = consumer({
      scaling: { minReplicas: 5, maxReplicas: 3, queueDepth: { perReplica: 0 } },
    });
    expect(() => synthAgents([agent])).toThrow(/test-dc1-agents\/image-processing: 2 problem\(s\)/);
  });

  it('refuses an unknown broker', () => {
    const agent = consumer();
    expect(() => synthAgents([{ ...agent, queue: { ...agent.queue!, broker: 'kafka' } }])).toThrow(
      "'queue.broker': 'kafka' is not a broker of the environment (declared: rabbitmq)",
    );
  });
});
