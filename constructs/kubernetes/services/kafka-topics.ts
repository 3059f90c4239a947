import { createHash } from 'crypto';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { checkRange, Duration, KafkaTopicSpec, Problem, ValidationError } from '../../../model';
import { awsJobNetworkPolicy } from '../core/network-policy';
import { PROVIDER_CONTAINER_SECURITY, PROVIDER_POD_SECURITY } from '../core/pod-spec';
import { IMAGES } from '../platform/charts';

/** Props of {@link KafkaTopics}. */
export interface KafkaTopicsProps {
  /**
   * Namespace the Job runs in. The construct does not create it: pass the
   * namespace resource's name attribute so the objects depend on it.
   */
  readonly namespace: string;
  /**
   * Annotations of the Job's ServiceAccount, for workload identity:
   * `{ 'eks.amazonaws.com/role-arn': roleArn }` for IRSA. Values may be Terraform
   * tokens. The role needs `kafka-cluster:Connect` on the cluster and
   * `DescribeTopic`, `CreateTopic`, `AlterTopic`,
   * `DescribeTopicDynamicConfiguration` and `AlterTopicDynamicConfiguration` on
   * the declared topics.
   * @see https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
   */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  /**
   * The brokers' SASL/IAM listeners, `host:9098` comma-separated, e.g. the MSK
   * cluster's `bootstrap_brokers_sasl_iam`. May be a Terraform token.
   */
  readonly bootstrapServers: string;
  /** AWS region of the cluster, e.g. `eu-west-1`; the client signs for it. */
  readonly region: string;
  /** Network the brokers live in (a VPC or its private subnets), IPv4 or IPv6 CIDR. */
  readonly brokerCidr: string;
  /** TCP port of the brokers' SASL/IAM listener, 1 to 65535; MSK uses 9098. */
  readonly port: number;
  /** The topics; at least one, names unique. */
  readonly topics: readonly KafkaTopicSpec[];
  /**
   * Base name of the ServiceAccount, ConfigMap, NetworkPolicy and Job (the Job
   * adds a suffix): a DNS label of at most 52 characters. Give each cluster's
   * topics their own name when two share a namespace.
   * @default 'kafka-topics'
   */
  readonly name?: string;
  /**
   * How long the Job may run, image pulls included, before Kubernetes stops it
   * and the apply fails. Each topic costs a few JVM starts, so many topics
   * need more.
   * @default Duration.minutes(30)
   */
  readonly timeout?: Duration;
  /**
   * What the Job waits for besides its own objects: typically the MSK cluster
   * and the IRSA role's policy attachment.
   * @default - nothing else
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * Pin of the Amazon MSK IAM auth library's shaded jar (`-all`: the library and
 * its relocated dependencies, without the Kafka client it plugs into).
 *
 * The SHA-256 was not copied from the `.sha256` asset AWS publishes beside the
 * jar: it is the value two separately built artifacts check the download from
 * this URL against: Homebrew tap `chenrui333/tap` (formula `kafka`, resource
 * `aws-msk-iam-auth`, bottled, so Homebrew's fetch checked it) and
 * `chenrui333/schema-registry-iam` (its Dockerfile runs `sha256sum -c` on the
 * jar). Confirm it against the release's `aws-msk-iam-auth-2.3.5-all.jar.sha256`,
 * and take the value from that asset when bumping the version. A wrong value
 * fails closed: the init container stops before anything runs the jar.
 * @see https://github.com/aws/aws-msk-iam-auth/releases/tag/v2.3.5
 */
const MSK_IAM_AUTH = {
  version: '2.3.5',
  url: 'https://github.com/aws/aws-msk-iam-auth/releases/download/v2.3.5/aws-msk-iam-auth-2.3.5-all.jar',
  sha256: 'bcd6020ce1ca2c3f1a65e087057dc8c0757185ba1f169b38e0eda54b617e4225',
} as const;

const CONFIG_DIR = '/etc/kafka-topics';
const JAR_DIR = '/opt/msk-iam-auth';
const JAR = `${JAR_DIR}/aws-msk-iam-auth.jar`;
/** Scheduling and image pulls before the Job's own deadline starts to matter. */
const APPLY_MARGIN = Duration.minutes(5);

const KAFKA_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const CONFIG_KEY = /^[a-z0-9]+([._-][a-z0-9]+)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * Creates the fleet's Kafka topics on Amazon MSK with a Kubernetes Job in the
 * site's EKS cluster, authenticating with IAM through IRSA. Renders a
 * ServiceAccount (no API token mounted), a ConfigMap with the client properties
 * and the scripts, a default-deny NetworkPolicy that lets the pod reach only
 * DNS, the brokers on `port` and HTTPS on public addresses (STS and the jar
 * download), and a `kubernetes_job_v1` Terraform waits for.
 *
 * Why a Job: the AWS provider has no MSK topic resource, and the Terraform
 * Kafka providers need network reach to the private brokers and credentials at
 * plan time, from wherever Terraform runs (CI, outside the VPC), so they could
 * not be planned offline. Broker-side auto-creation cannot set partitions per
 * topic and needs `auto.create.topics.enable`, which the fleet turns off.
 *
 * The script is idempotent: per topic, `kafka-topics.sh --create --if-not-exists`
 * with the declared partitions, replication factor and configuration; then the
 * current partition count is read and grown with `--alter --partitions` when
 * lower (partitions never shrink: a count above the declared one fails the Job
 * with a message, as does a different replication factor); then
 * `kafka-configs.sh --alter --add-config` brings the configuration in step. It
 * never deletes a topic: removing one from the list leaves it on the cluster.
 *
 * The Job's name ends in a hash of what it does (topics, scripts, images), so a
 * changed topic list gives a new name: Terraform replaces the Job and the new
 * one runs. The finished Job is kept (no `ttl_seconds_after_finished`): were
 * Kubernetes to delete it, every later plan would show it to be created again
 * (hashicorp/terraform-provider-kubernetes#2531), which is noise in plan reviews.
 *
 * The pod runs the official `apache/kafka` image ({@link IMAGES}.kafka) as a
 * non-root user with a read-only root filesystem, all capabilities dropped and
 * the runtime's seccomp profile; `aws-msk-iam-auth`, which that image lacks, is
 * fetched by an init container ({@link IMAGES}.curl), checked against a pinned
 * SHA-256 and put on the tools' `CLASSPATH`. The HTTPS rule admits public IPv4
 * addresses only: a VPC that reaches STS through an interface endpoint (private
 * addresses), or an IPv6-only cluster, needs its own egress rule.
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
 * @see https://github.com/aws/aws-msk-iam-auth
 * @see https://registry.terraform.io/providers/hashicorp/kubernetes/2.38.0/docs/resources/job_v1
 */
export class KafkaTopics extends Construct {
  /** Name of the Job; it changes whenever the topics, scripts or images do. */
  readonly jobName: string;
  /** Name of the ServiceAccount, for the IRSA role's trust policy (`system:serviceaccount:<namespace>:<name>`). */
  readonly serviceAccountName: string;
  /** The Job: depend on it to start after the topics exist. */
  readonly dependable: ITerraformDependable;

  constructor(scope: Construct, id: string, props: KafkaTopicsProps) {
    super(scope, id);
    const problems = validateKafkaTopics(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const name = props.name ?? 'kafka-topics';
    const timeout = props.timeout ?? Duration.minutes(30);
    const namespace = props.namespace;
    const labels = {
      'app.kubernetes.io/name': 'kafka-topics',
      'app.kubernetes.io/instance': name,
      'app.kubernetes.io/part-of': 'agent-fleet',
    };
    const files = {
      'client.properties': clientProperties(),
      'create-topics.sh': createTopicsScript(props.topics),
      'fetch-jar.sh': fetchJarScript(),
    };
    this.jobName = `${name}-${fingerprint(JSON.stringify({ files, images: [IMAGES.kafka, IMAGES.curl] }))}`;
    this.serviceAccountName = name;

    const serviceAccount = new ServiceAccountV1(this, 'ServiceAccount', {
      metadata: {
        name,
        namespace,
        labels,
        annotations: { ...props.serviceAccountAnnotations },
      },
      automountServiceAccountToken: false,
    });
    const config = new ConfigMapV1(this, 'Config', {
      metadata: { name, namespace, labels },
      data: files,
    });
    const policy = awsJobNetworkPolicy(this, {
      name,
      namespace,
      labels,
      cidr: props.brokerCidr,
      port: props.port,
    });

    // The topic Job runs as the fleet's UID: Kafka's tools run as any user and write only to the
    // scratch volume.
    const hardened = { ...PROVIDER_CONTAINER_SECURITY };
    const configMount = { name: 'config', mountPath: CONFIG_DIR, readOnly: true };
    const deadline = timeout.toSecondsCeil();
    const applyTimeout = `${timeout.plus(APPLY_MARGIN).toSecondsCeil()}s`;

    const job = new JobV1(this, 'Resource', {
      metadata: { name: this.jobName, namespace, labels },
      waitForCompletion: true,
      timeouts: { create: applyTimeout, update: applyTimeout },
      spec: {
        activeDeadlineSeconds: deadline,
        backoffLimit: 2,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: serviceAccount.metadata.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            restartPolicy: 'Never',
            securityContext: { ...PROVIDER_POD_SECURITY },
            initContainer: [
              {
                name: 'fetch-msk-iam-auth',
                image: IMAGES.curl,
                command: ['sh', `${CONFIG_DIR}/fetch-jar.sh`],
                securityContext: hardened,
                resources: {
                  requests: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '128Mi' },
                  limits: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '128Mi' },
                },
                volumeMount: [configMount, { name: 'msk-iam-auth', mountPath: JAR_DIR }],
              },
            ],
            container: [
              {
                name: 'create-topics',
                image: IMAGES.kafka,
                command: ['sh', `${CONFIG_DIR}/create-topics.sh`],
                env: [
                  { name: 'BOOTSTRAP_SERVERS', value: props.bootstrapServers },
                  { name: 'AWS_REGION', value: props.region },
                  { name: 'CLASSPATH', value: JAR },
                  // The tools' default log directory is inside the read-only image.
                  { name: 'LOG_DIR', value: '/tmp/kafka-logs' },
                  { name: 'KAFKA_HEAP_OPTS', value: '-Xms64m -Xmx256m' },
                ],
                securityContext: hardened,
                resources: {
                  requests: { cpu: '1', memory: '512Mi', 'ephemeral-storage': '256Mi' },
                  limits: { cpu: '1', memory: '512Mi', 'ephemeral-storage': '256Mi' },
                },
                volumeMount: [
                  configMount,
                  { name: 'msk-iam-auth', mountPath: JAR_DIR, readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volume: [
              { name: 'config', configMap: { name: config.metadata.name, defaultMode: '0444' } },
              { name: 'msk-iam-auth', emptyDir: { sizeLimit: '64Mi' } },
              { name: 'tmp', emptyDir: { sizeLimit: '128Mi' } },
            ],
          },
        },
      },
      // Started only once its network is restricted, and after what it talks to.
      dependsOn: [policy, ...(props.dependsOn ?? [])],
    });
    this.dependable = job;
  }
}

/** Every problem of the props, paths relative to them; unresolved tokens are skipped. */
function validateKafkaTopics(props: KafkaTopicsProps): Problem[] {
  const problems: Problem[] = [];
  const add = (path: readonly (string | number)[], message: string) =>
    problems.push({ path, message });
  const known = (value: string) => !Token.isUnresolved(value);

  if (props.name !== undefined && known(props.name)) {
    if (!DNS_LABEL.test(props.name) || props.name.length > 52) {
      add(
        ['name'],
        `'${props.name}' must be at most 52 lowercase letters, digits or '-', starting and ending with a letter or digit`,
      );
    }
  }
  if (known(props.region) && !REGION.test(props.region)) {
    add(['region'], `'${props.region}' is not an AWS region, e.g. 'eu-west-1'`);
  }
  if (known(props.brokerCidr) && !isCidr(props.brokerCidr)) {
    add(['brokerCidr'], `'${props.brokerCidr}' is not a CIDR block, e.g. '10.0.0.0/16'`);
  }
  checkRange(props.port, 1, 65535, ['port'], add);
  if (known(props.bootstrapServers) && props.bootstrapServers.trim() === '') {
    add(['bootstrapServers'], 'must list at least one broker as host:port');
  }
  if (props.timeout !== undefined && !props.timeout.isLongerThan(Duration.seconds(59))) {
    add(['timeout'], `(${props.timeout.toSecondsCeil()}s) must be at least 60s`);
  }
  if (props.topics.length === 0) {
    add(['topics'], 'must declare at least one topic');
  }
  const seen = new Map<string, number>();
  props.topics.forEach((topic, index) => {
    const path = ['topics', index];
    if (!KAFKA_TOPIC.test(topic.name) || topic.name === '.' || topic.name === '..') {
      add(
        [...path, 'name'],
        `'${topic.name}' must be 1 to 249 letters, digits, '.', '_' or '-', and not '.' or '..'`,
      );
    }
    const first = seen.get(topic.name);
    if (first !== undefined) {
      add([...path, 'name'], `'${topic.name}' is already declared at topics[${first}]`);
    } else {
      seen.set(topic.name, index);
    }
    checkRange(topic.partitions, 1, 10_000, [...path, 'partitions'], add);
    checkRange(topic.replicationFactor, 1, 7, [...path, 'replicationFactor'], add);
    for (const [key, value] of Object.entries(topic.config)) {
      if (!CONFIG_KEY.test(key)) {
        add([...path, 'config', key], 'is not a Kafka topic configuration key, e.g. retention.ms');
      }
      // eslint-disable-next-line no-control-regex
      if (value === '' || /[\u0000-\u001f\u007f]/.test(value)) {
        add([...path, 'config', key], 'must be a non-empty value on one line');
      }
    }
    const minInsync = topic.config['min.insync.replicas'];
    if (minInsync !== undefined && /^\d+$/.test(minInsync)) {
      if (Number(minInsync) > topic.replicationFactor) {
        add(
          [...path, 'config', 'min.insync.replicas'],
          `(${minInsync}) must be <= 'replicationFactor' (${topic.replicationFactor}), or no write is ever acknowledged`,
        );
      }
    }
  });
  return problems;
}

function isCidr(text: string): boolean {
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
  if (address.includes(':')) {
    return /^[0-9a-fA-F:]+$/.test(address) && Number(prefix) <= 128;
  }
  const octets = address.split('.');
  return (
    octets.length === 4 &&
    octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255) &&
    Number(prefix) <= 32
  );
}

/** Kafka client settings for IAM authentication against MSK. */
function clientProperties(): string {
  return [
    'security.protocol=SASL_SSL',
    'sasl.mechanism=AWS_MSK_IAM',
    'sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;',
    'sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler',
    '',
  ].join('\n');
}

/** Downloads the pinned jar and keeps it only when its SHA-256 matches. */
function fetchJarScript(): string {
  return `#!/bin/sh
# Fetches aws-msk-iam-auth ${MSK_IAM_AUTH.version} and keeps it only if its SHA-256 matches the pin.
set -eu

jar=${JAR}
curl --fail --silent --show-error --location \\
  --proto '=https' --proto-redir '=https' \\
  --retry 5 --retry-all-errors --connect-timeout 10 --max-time 300 \\
  --output "$jar.part" \\
  ${shellQuote(MSK_IAM_AUTH.url)}
echo "${MSK_IAM_AUTH.sha256}  $jar.part" | sha256sum -c -
mv "$jar.part" "$jar"
`;
}

/** The idempotent script that brings the cluster's topics to the declared ones. */
function createTopicsScript(topics: readonly KafkaTopicSpec[]): string {
  const connect = '--bootstrap-server "$BOOTSTRAP_SERVERS" --command-config "$CLIENT_CONFIG"';
  const header = `#!/bin/sh
# Creates the declared topics and brings existing ones to the declared partitions
# and configuration. Running it again changes nothing; it never deletes a topic.
set -eu

: "\${BOOTSTRAP_SERVERS:?must list the brokers as host:port}"
CLIENT_CONFIG=${CONFIG_DIR}/client.properties
PATH="/opt/kafka/bin:$PATH"

# Prints "<partitions> <replication factor>" of topic $1. --topic takes a regular
# expression, so $2 is the name with its dots escaped, and awk keeps the summary
# line of exactly that topic. A topic created a moment ago may not be known to
# every broker yet, hence the retries.
describe_topic() {
  for _ in 1 2 3 4 5; do
    described=$(kafka-topics.sh ${connect} --describe --topic "$2" |
      awk -v topic="$1" '$1 == "Topic:" && $2 == topic {
        for (i = 3; i < NF; i++) {
          if ($i == "PartitionCount:") partitions = $(i + 1)
          if ($i == "ReplicationFactor:") replication = $(i + 1)
        }
      }
      END { if (partitions != "" && replication != "") print partitions, replication }')
    if [ -n "$described" ]; then
      echo "$described"
      return 0
    fi
    sleep 3
  done
}

# Checks topic $1, described as $2, against $3 partitions and replication factor $4,
# and sets $partitions to its current count. Kafka removes no partitions, and
# changes a replication factor only by reassignment, which this Job does not do.
check_topic() {
  partitions=\${2% *}
  replication=\${2#* }
  case "$partitions:$replication" in
    :* | *: | *[!0-9:]*)
      echo "topic '$1': could not read its partition count and replication factor" >&2
      exit 1
      ;;
  esac
  if [ "$partitions" -gt "$3" ]; then
    echo "topic '$1' has $partitions partitions, more than the $3 declared: Kafka cannot remove partitions; declare $partitions or more" >&2
    exit 1
  fi
  if [ "$replication" -ne "$4" ]; then
    echo "topic '$1' has replication factor $replication, not the $4 declared: change it by partition reassignment (kafka-reassign-partitions.sh), or declare $replication" >&2
    exit 1
  fi
}
`;
  const blocks = [...topics]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((topic) => topicBlock(topic, connect));
  return [header, ...blocks].join('\n');
}

function topicBlock(topic: KafkaTopicSpec, connect: string): string {
  const name = shellQuote(topic.name);
  const pattern = shellQuote(topic.name.replace(/\./g, '\\.'));
  const entries = Object.entries(topic.config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const createConfigs = entries.map(([key, value]) => ` --config ${shellQuote(`${key}=${value}`)}`);
  // kafka-configs.sh splits --add-config on commas; a value holding one goes in brackets.
  const addConfig = entries
    .map(([key, value]) => `${key}=${value.includes(',') ? `[${value}]` : value}`)
    .join(',');
  const lines = [
    `# Topic ${topic.name}`,
    `kafka-topics.sh ${connect} --create --if-not-exists --topic ${name} --partitions ${topic.partitions} --replication-factor ${topic.replicationFactor}${createConfigs.join('')}`,
    `described=$(describe_topic ${name} ${pattern})`,
    `check_topic ${name} "$described" ${topic.partitions} ${topic.replicationFactor}`,
    `if [ "$partitions" -lt ${topic.partitions} ]; then`,
    `  echo "topic ${topic.name}: growing from $partitions to ${topic.partitions} partitions"`,
    `  kafka-topics.sh ${connect} --alter --topic ${pattern} --partitions ${topic.partitions}`,
    'fi',
  ];
  if (entries.length > 0) {
    lines.push(
      `kafka-configs.sh ${connect} --alter --entity-type topics --entity-name ${name} --add-config ${shellQuote(addConfig)}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** One shell word, single-quoted. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Ten hex digits of SHA-256: a DNS-safe suffix that changes with the text. */
function fingerprint(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}
