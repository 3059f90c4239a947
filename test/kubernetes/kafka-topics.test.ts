import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TerraformVariable, Testing } from 'cdktf';
import { KafkaTopics, KafkaTopicsProps } from '../../constructs/kubernetes/services/kafka-topics';
import { Duration } from '../../model';
import {
  DNS_EGRESS,
  HARDENED_POD_SECURITY_CONTEXT,
  PUBLIC_HTTPS_EGRESS,
} from '../support/kubernetes-expected';
import { Synthesized, resourceOf, synthesizedScope } from '../support/synthesized';
import { tempDir } from '../support/temp-dir';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/agent-fleet-kafka-topics';

const TOPICS: KafkaTopicsProps['topics'] = [
  {
    name: 'sensor.readings',
    partitions: 12,
    replicationFactor: 3,
    config: {
      'retention.ms': '604800000',
      'min.insync.replicas': '2',
      'cleanup.policy': 'compact,delete',
    },
  },
  { name: 'sensor.readings.dlq', partitions: 3, replicationFactor: 3, config: {} },
];

/** Synthesizes one KafkaTopics whose bootstrap servers are a Terraform token. */
function synth(overrides: Partial<KafkaTopicsProps> = {}): Synthesized {
  return synthesizedScope((scope) => {
    const brokers = new TerraformVariable(scope, 'brokers', { type: 'string' });
    new KafkaTopics(scope, 'Topics', {
      namespace: 'platform',
      serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN },
      bootstrapServers: brokers.stringValue,
      region: 'eu-west-1',
      brokerCidr: '10.20.0.0/16',
      port: 9098,
      topics: TOPICS,
      ...overrides,
    });
  });
}

function script(json: Synthesized, file = 'create-topics.sh'): string {
  return resourceOf(json, 'kubernetes_config_map_v1').data[file];
}

function syntaxCheck(text: string): { status: number | null; stderr: string } {
  const result = spawnSync('sh', ['-n'], { input: text, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

describe('defaults', () => {
  const json = synth();
  const job = resourceOf(json, 'kubernetes_job_v1');
  const pod = job.spec.template.spec;

  it('gives the ServiceAccount the IRSA role and mounts no API token', () => {
    const account = resourceOf(json, 'kubernetes_service_account_v1');
    expect(account.metadata).toMatchObject({
      name: 'kafka-topics',
      namespace: 'platform',
      annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN },
    });
    expect(account.automount_service_account_token).toBe(false);
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.service_account_name).toMatch(
      /kubernetes_service_account_v1\..*metadata\[0\]\.name/,
    );
  });

  it('writes the IAM client properties', () => {
    expect(script(json, 'client.properties').split('\n')).toEqual([
      'security.protocol=SASL_SSL',
      'sasl.mechanism=AWS_MSK_IAM',
      'sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;',
      'sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler',
      '',
    ]);
  });

  it('waits for the Job, bounded, with retries, and keeps it once finished', () => {
    expect(job.wait_for_completion).toBe(true);
    expect(job.spec.active_deadline_seconds).toBe(1800);
    expect(job.timeouts).toEqual({ create: '2100s', update: '2100s' });
    expect(job.spec.backoff_limit).toBe(2);
    expect(job.spec).not.toHaveProperty('ttl_seconds_after_finished');
    expect(pod.restart_policy).toBe('Never');
  });

  it('starts the Job after its NetworkPolicy', () => {
    expect(job.depends_on).toEqual([expect.stringMatching(/^kubernetes_network_policy_v1\./)]);
  });

  it('hardens the pod and both containers', () => {
    expect(pod.security_context).toEqual(HARDENED_POD_SECURITY_CONTEXT);
    for (const container of [...pod.init_container, ...pod.container]) {
      expect(container.security_context).toEqual({
        run_as_non_root: true,
        run_as_user: '10001',
        run_as_group: '10001',
        read_only_root_filesystem: true,
        allow_privilege_escalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccomp_profile: { type: 'RuntimeDefault' },
      });
      expect(container.resources.limits).toEqual(container.resources.requests);
    }
    expect(pod.enable_service_links).toBe(false);
  });

  it('gives /tmp and the jar their own emptyDirs, the jar read-only where it runs', () => {
    expect(pod.volume).toEqual([
      {
        name: 'config',
        config_map: {
          name: expect.stringMatching(/kubernetes_config_map_v1\./),
          default_mode: '0444',
        },
      },
      { name: 'msk-iam-auth', empty_dir: { size_limit: '64Mi' } },
      { name: 'tmp', empty_dir: { size_limit: '128Mi' } },
    ]);
    const [fetch] = pod.init_container;
    const [main] = pod.container;
    expect(fetch.volume_mount).toContainEqual({
      name: 'msk-iam-auth',
      mount_path: '/opt/msk-iam-auth',
    });
    expect(main.volume_mount).toEqual([
      { name: 'config', mount_path: '/etc/kafka-topics', read_only: true },
      { name: 'msk-iam-auth', mount_path: '/opt/msk-iam-auth', read_only: true },
      { name: 'tmp', mount_path: '/tmp' },
    ]);
  });

  it('runs the pinned Kafka image with the jar on its classpath and the brokers from a token', () => {
    const [main] = pod.container;
    expect(main.image).toMatch(/^apache\/kafka:\d+\.\d+\.\d+$/);
    expect(main.command).toEqual(['sh', '/etc/kafka-topics/create-topics.sh']);
    expect(main.env).toEqual(
      expect.arrayContaining([
        { name: 'BOOTSTRAP_SERVERS', value: '${var.brokers}' },
        { name: 'AWS_REGION', value: 'eu-west-1' },
        { name: 'CLASSPATH', value: '/opt/msk-iam-auth/aws-msk-iam-auth.jar' },
      ]),
    );
  });

  it('fetches a pinned aws-msk-iam-auth release and checks its SHA-256 before keeping it', () => {
    const [fetch] = pod.init_container;
    expect(fetch.image).toMatch(/^curlimages\/curl:\d+\.\d+\.\d+$/);
    expect(fetch.command).toEqual(['sh', '/etc/kafka-topics/fetch-jar.sh']);
    const text = script(json, 'fetch-jar.sh');
    expect(text).toMatch(
      /'https:\/\/github\.com\/aws\/aws-msk-iam-auth\/releases\/download\/v(\d+\.\d+\.\d+)\/aws-msk-iam-auth-\1-all\.jar'/,
    );
    expect(text).toContain("--proto '=https' --proto-redir '=https'");
    expect(text).toMatch(/^echo "[0-9a-f]{64} {2}\$jar\.part" \| sha256sum -c -$/m);
    // Checked first, renamed after: a failed check leaves no jar behind.
    expect(text.indexOf('sha256sum -c')).toBeLessThan(text.indexOf('mv "$jar.part" "$jar"'));
  });
});

describe('network policy', () => {
  const policy = resourceOf(synth(), 'kubernetes_network_policy_v1');

  it('denies everything but DNS, the brokers and public HTTPS', () => {
    expect(policy.spec.policy_types).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.pod_selector.match_labels).toEqual({
      'app.kubernetes.io/name': 'kafka-topics',
      'app.kubernetes.io/instance': 'kafka-topics',
      'app.kubernetes.io/part-of': 'agent-fleet',
    });
    expect(policy.spec.egress).toEqual([
      DNS_EGRESS,
      {
        to: [{ ip_block: { cidr: '10.20.0.0/16' } }],
        ports: [{ port: '9098', protocol: 'TCP' }],
      },
      PUBLIC_HTTPS_EGRESS,
    ]);
  });
});

describe('script', () => {
  const json = synth();
  const text = script(json);
  const lines = text.split('\n');

  it('is strict and parses in sh', () => {
    expect(lines.slice(0, 4)).toContain('set -eu');
    expect(syntaxCheck(text)).toEqual({ status: 0, stderr: '' });
    expect(syntaxCheck(script(json, 'fetch-jar.sh'))).toEqual({ status: 0, stderr: '' });
  });

  it('creates each topic if missing, with its partitions, replication and configs', () => {
    expect(lines).toContain(
      `kafka-topics.sh --bootstrap-server "$BOOTSTRAP_SERVERS" --command-config "$CLIENT_CONFIG" --create --if-not-exists --topic 'sensor.readings' --partitions 12 --replication-factor 3 --config 'cleanup.policy=compact,delete' --config 'min.insync.replicas=2' --config 'retention.ms=604800000'`,
    );
    expect(lines).toContain(
      `kafka-topics.sh --bootstrap-server "$BOOTSTRAP_SERVERS" --command-config "$CLIENT_CONFIG" --create --if-not-exists --topic 'sensor.readings.dlq' --partitions 3 --replication-factor 3`,
    );
  });

  it('grows partitions with the name escaped for --topic, which reads a regular expression', () => {
    expect(lines).toContain(`described=$(describe_topic 'sensor.readings' 'sensor\\.readings')`);
    expect(lines).toContain(`check_topic 'sensor.readings' "$described" 12 3`);
    expect(lines).toContain('if [ "$partitions" -lt 12 ]; then');
    expect(lines).toContain(
      `  kafka-topics.sh --bootstrap-server "$BOOTSTRAP_SERVERS" --command-config "$CLIENT_CONFIG" --alter --topic 'sensor\\.readings' --partitions 12`,
    );
  });

  it('applies configs to existing topics, bracketing values with commas', () => {
    expect(lines).toContain(
      `kafka-configs.sh --bootstrap-server "$BOOTSTRAP_SERVERS" --command-config "$CLIENT_CONFIG" --alter --entity-type topics --entity-name 'sensor.readings' --add-config 'cleanup.policy=[compact,delete],min.insync.replicas=2,retention.ms=604800000'`,
    );
    expect(lines.filter((line) => line.includes("--entity-name 'sensor.readings.dlq'"))).toEqual(
      [],
    );
  });
});

describe('script run against stand-in Kafka tools', () => {
  const text = script(synth());
  const dir = tempDir('kafka-topics');
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(dir, 'create-topics.sh'), text);
  // Answers --describe like Kafka does, after a decoy topic that the unescaped
  // pattern 'sensor.readings' would also match.
  fs.writeFileSync(
    path.join(bin, 'kafka-topics.sh'),
    String.raw`#!/bin/sh
echo "kafka-topics.sh $*" >> "$STUB_LOG"
case " $* " in
  *" --describe "*)
    prev=
    for arg; do
      [ "$prev" = --topic ] && topic=$arg
      prev=$arg
    done
    name=$(printf '%s' "$topic" | sed 's/\\\././g')
    eval "partitions=\$STUB_PARTITIONS_$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '_')"
    printf 'Topic: sensorXreadings\tTopicId: x\tPartitionCount: 99\tReplicationFactor: 1\tConfigs: \n'
    printf 'Topic: %s\tTopicId: abc\tPartitionCount: %s\tReplicationFactor: %s\tConfigs: \n' "$name" "$partitions" "$STUB_REPLICATION"
    printf '\tTopic: %s\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\n' "$name"
    ;;
esac
`,
    { mode: 0o755 },
  );
  fs.writeFileSync(
    path.join(bin, 'kafka-configs.sh'),
    '#!/bin/sh\necho "kafka-configs.sh $*" >> "$STUB_LOG"\n',
    { mode: 0o755 },
  );

  let runs = 0;
  /** Runs the script against topics that have these partition counts and replication factor. */
  function run(partitions: Record<string, number>, replication = 3) {
    const log = path.join(dir, `calls-${(runs += 1)}.log`);
    const counts = Object.fromEntries(
      Object.entries(partitions).map(([topic, count]) => [
        `STUB_PARTITIONS_${topic.replace(/[^A-Za-z0-9]/g, '_')}`,
        String(count),
      ]),
    );
    const result = spawnSync('sh', [path.join(dir, 'create-topics.sh')], {
      encoding: 'utf8',
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        BOOTSTRAP_SERVERS: 'b-1.example:9098',
        STUB_LOG: log,
        STUB_REPLICATION: String(replication),
        ...counts,
      },
    });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
  }
  const alters = (calls: string[]) => calls.filter((call) => call.includes(' --alter --topic '));

  it('changes nothing but configs when the topics are as declared', () => {
    const result = run({ 'sensor.readings': 12, 'sensor.readings.dlq': 3 });
    expect(result.status).toBe(0);
    expect(result.calls.map((call) => call.split(' --command-config ')[1])).toEqual([
      '/etc/kafka-topics/client.properties --create --if-not-exists --topic sensor.readings --partitions 12 --replication-factor 3 --config cleanup.policy=compact,delete --config min.insync.replicas=2 --config retention.ms=604800000',
      '/etc/kafka-topics/client.properties --describe --topic sensor\\.readings',
      '/etc/kafka-topics/client.properties --alter --entity-type topics --entity-name sensor.readings --add-config cleanup.policy=[compact,delete],min.insync.replicas=2,retention.ms=604800000',
      '/etc/kafka-topics/client.properties --create --if-not-exists --topic sensor.readings.dlq --partitions 3 --replication-factor 3',
      '/etc/kafka-topics/client.properties --describe --topic sensor\\.readings\\.dlq',
    ]);
    expect(result.calls[0]).toMatch(/^kafka-topics\.sh --bootstrap-server b-1\.example:9098 /);
  });

  it('grows a topic with fewer partitions than declared, and only that one', () => {
    const result = run({ 'sensor.readings': 3, 'sensor.readings.dlq': 3 });
    expect(result.status).toBe(0);
    expect(alters(result.calls)).toEqual([
      'kafka-topics.sh --bootstrap-server b-1.example:9098 --command-config /etc/kafka-topics/client.properties --alter --topic sensor\\.readings --partitions 12',
    ]);
    expect(result.stdout).toContain('topic sensor.readings: growing from 3 to 12 partitions');
  });

  it('fails, naming the topic, when a topic has more partitions than declared', () => {
    const result = run({ 'sensor.readings': 13, 'sensor.readings.dlq': 3 });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      "topic 'sensor.readings' has 13 partitions, more than the 12 declared: Kafka cannot remove partitions",
    );
    expect(alters(result.calls)).toEqual([]);
    expect(result.calls.some((call) => call.includes('sensor.readings.dlq'))).toBe(false);
  });

  it('fails when the replication factor differs from the declared one', () => {
    const result = run({ 'sensor.readings': 12, 'sensor.readings.dlq': 3 }, 2);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      "topic 'sensor.readings' has replication factor 2, not the 3 declared",
    );
  });
});

describe('job name', () => {
  const jobName = (json: Synthesized) =>
    resourceOf(json, 'kubernetes_job_v1').metadata.name as string;
  const base = jobName(synth());

  it('is the base name with a short hash of what the Job does', () => {
    expect(base).toMatch(/^kafka-topics-[0-9a-f]{10}$/);
    expect(jobName(synth())).toBe(base);
  });

  it('changes when partitions change, so Terraform replaces the Job and it runs again', () => {
    const grown = TOPICS.map((topic, index) =>
      index === 0 ? { ...topic, partitions: 24 } : topic,
    );
    expect(jobName(synth({ topics: grown }))).not.toBe(base);
  });

  it('changes when a topic is added or a config changes', () => {
    const added = [...TOPICS, { name: 'reports', partitions: 3, replicationFactor: 3, config: {} }];
    expect(jobName(synth({ topics: added }))).not.toBe(base);
    const retained = TOPICS.map((topic, index) =>
      index === 0 ? { ...topic, config: { ...topic.config, 'retention.ms': '86400000' } } : topic,
    );
    expect(jobName(synth({ topics: retained }))).not.toBe(base);
  });

  it('does not change when the same topics are listed in another order', () => {
    expect(jobName(synth({ topics: [...TOPICS].reverse() }))).toBe(base);
  });

  it('takes the given base name for every object', () => {
    const json = synth({ name: 'orders-topics' });
    expect(jobName(json)).toMatch(/^orders-topics-[0-9a-f]{10}$/);
    for (const type of [
      'kubernetes_service_account_v1',
      'kubernetes_config_map_v1',
      'kubernetes_network_policy_v1',
    ]) {
      expect(resourceOf(json, type).metadata.name).toBe('orders-topics');
    }
  });
});

describe('options', () => {
  it('sizes the deadline and the apply timeout from the timeout', () => {
    const job = resourceOf(synth({ timeout: Duration.minutes(10) }), 'kubernetes_job_v1');
    expect(job.spec.active_deadline_seconds).toBe(600);
    expect(job.timeouts.create).toBe('900s');
  });

  it('waits for what it is told to depend on', () => {
    const json = synthesizedScope((scope) => {
      const cluster = new TerraformVariable(scope, 'cluster', { type: 'string' });
      new KafkaTopics(scope, 'Topics', {
        namespace: 'platform',
        serviceAccountAnnotations: {},
        bootstrapServers: 'b-1.example:9098',
        region: 'eu-west-1',
        brokerCidr: '10.20.0.0/16',
        port: 9098,
        topics: TOPICS,
        dependsOn: [cluster],
      });
    });
    expect(resourceOf(json, 'kubernetes_job_v1').depends_on).toEqual([
      expect.stringMatching(/^kubernetes_network_policy_v1\./),
      'var.cluster',
    ]);
  });
});

/** The message a call throws, or '' when it does not. */
function messageOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('validation', () => {
  const fails = (overrides: Partial<KafkaTopicsProps>) => () => synth(overrides);

  it('rejects an empty topic list', () => {
    expect(fails({ topics: [] })).toThrow("'topics': must declare at least one topic");
  });

  it('rejects names Kafka refuses', () => {
    const named = (name: string) => [{ name, partitions: 3, replicationFactor: 3, config: {} }];
    for (const name of ['', '.', '..', 'a b', 'x'.repeat(250), 'topic/1']) {
      expect(fails({ topics: named(name) })).toThrow(
        `'topics[0].name': '${name}' must be 1 to 249 letters, digits, '.', '_' or '-', and not '.' or '..'`,
      );
    }
    expect(() => synth({ topics: named('x'.repeat(249)) })).not.toThrow();
  });

  it('bounds partitions and replication factor', () => {
    const topics = [
      { name: 'a', partitions: 0, replicationFactor: 0, config: {} },
      { name: 'b', partitions: 10_001, replicationFactor: 8, config: {} },
      { name: 'c', partitions: 1.5, replicationFactor: 3, config: {} },
    ];
    const message = messageOf(() => synth({ topics }));
    expect(message).toContain('5 problem(s)');
    expect(message).toContain("'topics[0].partitions': (0) must be a whole number from 1 to 10000");
    expect(message).toContain(
      "'topics[0].replicationFactor': (0) must be a whole number from 1 to 7",
    );
    expect(message).toContain(
      "'topics[1].partitions': (10001) must be a whole number from 1 to 10000",
    );
    expect(message).toContain(
      "'topics[1].replicationFactor': (8) must be a whole number from 1 to 7",
    );
    expect(message).toContain("'topics[2].partitions': (1.5) must be a whole number");
  });

  it('rejects duplicate topic names, naming the first', () => {
    expect(fails({ topics: [TOPICS[0], TOPICS[1], TOPICS[0]] })).toThrow(
      "'topics[2].name': 'sensor.readings' is already declared at topics[0]",
    );
  });

  it('rejects min.insync.replicas above the replication factor, and malformed configs', () => {
    const topics = [
      {
        name: 'a',
        partitions: 3,
        replicationFactor: 2,
        config: { 'min.insync.replicas': '3', 'Retention MS': '1', 'segment.ms': '' },
      },
    ];
    const message = messageOf(() => synth({ topics }));
    expect(message).toContain(
      "'topics[0].config.min.insync.replicas': (3) must be <= 'replicationFactor' (2)",
    );
    expect(message).toContain(
      "'topics[0].config.Retention MS': is not a Kafka topic configuration key",
    );
    expect(message).toContain(
      "'topics[0].config.segment.ms': must be a non-empty value on one line",
    );
  });

  it('checks the network, region, port and name, collecting every problem', () => {
    const message = messageOf(() =>
      synth({ brokerCidr: '10.0.0.0', region: 'Ireland', port: 0, name: 'Kafka_Topics' }),
    );
    expect(message).toMatch(/^stack\/Topics: 4 problem\(s\)/);
    expect(message).toContain("'brokerCidr': '10.0.0.0' is not a CIDR block");
    expect(message).toContain("'region': 'Ireland' is not an AWS region");
    expect(message).toContain("'port': (0) must be a whole number from 1 to 65535");
    expect(message).toContain("'name': 'Kafka_Topics' must be at most 52 lowercase letters");
  });

  it('skips what Terraform resolves later', () => {
    expect(() =>
      Testing.synthScope((scope) => {
        const cidr = new TerraformVariable(scope, 'cidr', { type: 'string' });
        const region = new TerraformVariable(scope, 'region', { type: 'string' });
        new KafkaTopics(scope, 'Topics', {
          namespace: 'platform',
          serviceAccountAnnotations: {},
          bootstrapServers: 'b-1.example:9098',
          region: region.stringValue,
          brokerCidr: cidr.stringValue,
          port: 9098,
          topics: TOPICS,
        });
      }),
    ).not.toThrow();
  });
});
