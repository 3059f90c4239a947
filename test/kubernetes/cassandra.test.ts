import { spawnSync } from 'child_process';
import { createPrivateKey, generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { CHARTS } from '../../constructs/kubernetes/platform/charts';
import { platformWorkloads } from '../../constructs/kubernetes/platform/footprint';
import {
  cassandraCertificateNames,
  cassandraNames,
} from '../../constructs/kubernetes/services/cassandra-access';
import {
  CASSANDRA_VERSION,
  CassandraDatacenter,
  CassandraDatacenterProps,
  cassandraServerImage,
  keyspaceCql,
  provisioningScript,
} from '../../constructs/kubernetes/services/cassandra-datacenter';
import {
  cassOperatorPodLabels,
  CassandraOperatorRelease,
} from '../../constructs/kubernetes/services/cassandra-operator';
import {
  certificatesScript,
  pkcs8KeystoreCommands,
  ServerCertificates,
} from '../../constructs/kubernetes/services/server-certificates';
import {
  CassandraPlatform,
  SiteCassandra,
  siteCassandraPlan,
} from '../../constructs/kubernetes/services/site-cassandra';
import { resolveAgent } from '../../model/resolve';
import { KubernetesSiteSpec } from '../../model/site';
import { WideColumnTable } from '../../model/state';
import { Cpu, Duration, Size } from '../../model/units';
import { crdErrors, STATE_ENGINE_CRDS, stateEngineCrdsAvailable } from '../support/crd-schemas';
import { agent, SITE } from '../support/fixtures';
import {
  Block,
  helmValues,
  manifestOf,
  parseSynthesized,
  resourcesOf,
  synthesizedScope,
} from '../support/synthesized';

const NAMES = cassandraNames('cassandra', 'dc1', 'cassandra');
const READINGS: WideColumnTable = {
  name: 'readings',
  columns: [
    { name: 'sensor_id', type: 'text' },
    { name: 'day', type: 'date' },
    { name: 'at', type: 'timestamp' },
    { name: 'value', type: 'double' },
  ],
  partitionKey: ['sensor_id', 'day'],
  clusteringKey: [{ column: 'at', order: 'desc' }],
  defaultTtl: Duration.days(30),
};
const DEVICES: WideColumnTable = {
  name: 'Devices',
  columns: [
    { name: 'id', type: 'uuid' },
    { name: 'name', type: 'text' },
  ],
  partitionKey: ['id'],
};
const PROPS: CassandraDatacenterProps = {
  names: NAMES,
  storageClass: 'encrypted-ssd',
  storage: Size.gibibytes(200),
  pools: ['general'],
  tolerations: [{ key: 'dedicated', value: 'state', effect: 'NoSchedule' }],
  operatorPodLabels: cassOperatorPodLabels('cassandra'),
  monitoringNamespace: 'monitoring',
  keyspaces: [
    { agent: 'sensor-history', namespace: 'sensors', tables: [READINGS, DEVICES] },
    { agent: 'audit', namespace: 'finance', tables: [DEVICES], replicationFactor: 5 },
  ],
};

function datacenter(overrides: Partial<CassandraDatacenterProps> = {}) {
  return synthesizedScope((scope) => {
    new CassandraDatacenter(scope, 'Cassandra', { ...PROPS, ...overrides });
  });
}

/** Runs shellcheck on a script, when it is installed; returns its findings. */
function shellcheck(script: string, shell = 'bash'): string {
  if (spawnSync('shellcheck', ['--version']).status !== 0) return '';
  return spawnSync('shellcheck', ['-s', shell, '-'], { input: script, encoding: 'utf8' }).stdout;
}

describe('CassandraDatacenter', () => {
  const json = datacenter();
  const manifest = manifestOf(json, 'CassandraDatacenter');

  test('is a CassandraDatacenter of 3 nodes of a pinned 5.0 server, kept from destroy with its volumes', () => {
    expect(manifest.metadata).toMatchObject({
      name: 'dc1',
      namespace: 'cassandra',
      annotations: { 'cassandra.datastax.com/delete-pvc': 'false' },
    });
    expect(manifest.spec).toMatchObject({
      clusterName: 'cassandra',
      serverType: 'cassandra',
      serverVersion: '5.0.6',
      serverImage: 'docker.io/k8ssandra/cass-management-api:5.0.6-ubi-v0.1.125',
      readOnlyRootFilesystem: true,
      size: 3,
      managementApiAuth: { insecure: {} },
    });
    expect(CASSANDRA_VERSION).toMatch(/^5\.0\.\d+$/);
    const [resource] = resourcesOf(json, 'kubernetes_manifest');
    expect(resource.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('validates against the vendored CRD of cass-operator v1.30.0; a wrong serverType is reported', () => {
    if (!stateEngineCrdsAvailable('cass-operator')) return;
    expect(crdErrors('cass-operator', manifest, STATE_ENGINE_CRDS)).toEqual([]);
    const broken = { ...manifest, spec: { ...manifest.spec, serverType: 'scylla' } };
    expect(crdErrors('cass-operator', broken, STATE_ENGINE_CRDS)).toEqual([
      '/spec/serverType must be equal to one of the allowed values',
    ]);
  });

  test('spreads the nodes over zones on the pools, tolerating their taints, with volumes of the class', () => {
    expect(manifest.spec.racks).toEqual([{ name: 'r1' }]);
    const pod = manifest.spec.podTemplateSpec.spec;
    expect(pod.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: {
          matchLabels: {
            'cassandra.datastax.com/cluster': 'cassandra',
            'cassandra.datastax.com/datacenter': 'dc1',
          },
        },
      },
    ]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [
        {
          matchExpressions: [{ key: 'agent-fleet.dev/pool', operator: 'In', values: ['general'] }],
        },
      ],
    });
    // One node per Kubernetes node is the operator's default anti-affinity.
    expect(manifest.spec.allowMultipleNodesPerWorker).toBeUndefined();
    expect(manifest.spec.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'state', effect: 'NoSchedule' },
    ]);
    expect(manifest.spec.storageConfig.cassandraDataVolumeClaimSpec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'encrypted-ssd',
      resources: { requests: { storage: '200Gi' } },
    });
    expect(manifest.spec.resources).toEqual({
      requests: { cpu: '2', memory: '8Gi' },
      limits: { cpu: '2', memory: '8Gi' },
    });
    expect(manifest.spec.systemLoggerResources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '200m', memory: '128Mi' },
    });
    expect(manifest.spec.configBuilderResources.limits).toEqual({ cpu: '1', memory: '384Mi' });
    expect(manifest.spec.config['jvm-server-options']).toMatchObject({
      initial_heap_size: '4096M',
      max_heap_size: '4096M',
    });
  });

  test('renders no PodDisruptionBudget: the operator makes one of size - 1', () => {
    expect(resourcesOf(json, 'kubernetes_pod_disruption_budget_v1')).toEqual([]);
    expect(manifest.metadata.annotations).not.toHaveProperty(
      'cassandra.datastax.com/disable-pdb-creation',
    );
  });

  test('encrypts internode and client traffic with the PEM certificates, mounted from the Secrets', () => {
    const yaml = manifest.spec.config['cassandra-yaml'];
    const pem = {
      ssl_context_factory: {
        class_name: 'org.apache.cassandra.security.PEMBasedSslContextFactory',
      },
      keystore: '/etc/cassandra-tls/keystore.pem',
      truststore: '/etc/cassandra-tls/ca.crt',
      accepted_protocols: ['TLSv1.3', 'TLSv1.2'],
    };
    expect(yaml.server_encryption_options).toEqual({
      ...pem,
      internode_encryption: 'all',
      legacy_ssl_storage_port_enabled: false,
      require_client_auth: true,
      require_endpoint_verification: false,
    });
    expect(yaml.client_encryption_options).toEqual({
      ...pem,
      enabled: true,
      optional: false,
      require_client_auth: false,
    });
    expect(manifest.spec.storageConfig.additionalVolumes).toEqual([
      {
        name: 'server-tls',
        mountPath: '/etc/cassandra-tls',
        volumeSource: {
          projected: {
            defaultMode: 0o440,
            sources: [
              {
                secret: {
                  name: 'cassandra-server-tls',
                  items: [{ key: 'keystore.pem', path: 'keystore.pem' }],
                },
              },
              { secret: { name: 'cassandra-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            ],
          },
        },
      },
    ]);
  });

  test('requires passwords, authorizes by role, and gives each agent a non-superuser role', () => {
    const yaml = manifest.spec.config['cassandra-yaml'];
    expect(yaml.authenticator).toEqual({
      class_name: 'org.apache.cassandra.auth.PasswordAuthenticator',
    });
    expect(yaml.authorizer).toBe('org.apache.cassandra.auth.CassandraAuthorizer');
    expect(yaml.role_manager).toBe('org.apache.cassandra.auth.CassandraRoleManager');
    expect(manifest.spec.users).toEqual([
      { secretName: 'cassandra-user-sensor-history', superuser: false },
      { secretName: 'cassandra-user-audit', superuser: false },
    ]);
    expect(manifest.spec.superuserSecretName).toBeUndefined();
    expect(manifest.spec.config['jvm-server-options']['additional-jvm-opts']).toEqual([
      '-Dcassandra.system_distributed_replication=dc1:3',
    ]);
    const single = manifestOf(datacenter({ nodes: 1, reason: 'a laptop' }), 'CassandraDatacenter');
    expect(single.spec.config['jvm-server-options']['additional-jvm-opts']).toEqual([
      '-Dcassandra.system_distributed_replication=dc1:1',
    ]);
  });

  test("admits the agents' namespaces and Jobs to CQL, nodes to each other, the operator and Prometheus", () => {
    const policy = resourcesOf(json, 'kubernetes_network_policy_v1').find(
      (candidate) => candidate.metadata.name === 'cassandra-dc1-nodes',
    )!;
    const pods = {
      'cassandra.datastax.com/cluster': 'cassandra',
      'cassandra.datastax.com/datacenter': 'dc1',
    };
    expect(policy.spec.policy_types).toEqual(['Ingress']);
    expect(policy.spec.pod_selector).toEqual({ match_labels: pods });
    const namespace = (name: string) => ({
      namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': name } },
    });
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          {
            pod_selector: {
              match_labels: {
                'app.kubernetes.io/name': 'cassandra-provisioning',
                'app.kubernetes.io/instance': 'dc1',
                'app.kubernetes.io/part-of': 'agent-fleet',
              },
            },
          },
          namespace('sensors'),
          namespace('finance'),
        ],
        ports: [{ port: '9042', protocol: 'TCP' }],
      },
      {
        from: [{ pod_selector: { match_labels: pods } }],
        ports: [{ port: '7000', protocol: 'TCP' }],
      },
      {
        from: [
          {
            pod_selector: {
              match_labels: {
                'app.kubernetes.io/name': 'cass-operator',
                'app.kubernetes.io/instance': 'cass-operator',
                'app.kubernetes.io/part-of': 'k8ssandra-cass-operator-cassandra',
              },
            },
          },
        ],
        ports: [{ port: '8080', protocol: 'TCP' }],
      },
      { from: [namespace('monitoring')], ports: [{ port: '9000', protocol: 'TCP' }] },
    ]);
  });

  test('is scraped by a ServiceMonitor of the all-pods Service, valid for Prometheus Operator', () => {
    const monitor = manifestOf(json, 'ServiceMonitor');
    expect(monitor.spec).toEqual({
      selector: {
        matchLabels: {
          'cassandra.datastax.com/cluster': 'cassandra',
          'cassandra.datastax.com/datacenter': 'dc1',
          'cassandra.datastax.com/prom-metrics': 'true',
        },
      },
      namespaceSelector: { matchNames: ['cassandra'] },
      endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http' }],
    });
    if (stateEngineCrdsAvailable('prometheus-operator')) {
      expect(crdErrors('prometheus-operator', monitor, STATE_ENGINE_CRDS)).toEqual([]);
    }
    const without = datacenter({ monitoringNamespace: undefined });
    expect(() => manifestOf(without, 'ServiceMonitor')).toThrow(/found 0/);
  });

  test('refuses fewer than 3 nodes without a reason, another line, no pools and duplicates', () => {
    expect(() => datacenter({ nodes: 2 })).toThrow(
      "'reason': (2 nodes) keeps fewer than 3 copies: give 'reason' to run fewer",
    );
    expect(() => datacenter({ nodes: 1, reason: 'a laptop' })).not.toThrow();
    expect(() => datacenter({ nodes: 0 })).toThrow(
      "'nodes': (0) must be a whole number of at least 1",
    );
    expect(() => datacenter({ version: '4.1.8' })).toThrow(
      "'version': '4.1.8' must be a 5.0 release, the line cass-operator v1.30 is tested with",
    );
    expect(() => datacenter({ pools: [] })).toThrow(
      "'pools': must list at least one pool, or be left out",
    );
    expect(() =>
      datacenter({
        keyspaces: [
          { agent: 'audit', namespace: 'finance', tables: [DEVICES] },
          { agent: 'audit', namespace: 'finance', tables: [] },
        ],
      }),
    ).toThrow(
      /'keyspaces\[1\]\.agent': 'audit' is listed twice\n.*'keyspaces\[1\]\.tables': needs at least one table/,
    );
    const long = 'a'.repeat(44);
    expect(() =>
      datacenter({ keyspaces: [{ agent: long, namespace: 'x', tables: [DEVICES] }] }),
    ).toThrow(
      `'keyspaces[0].agent': '${long}' makes the keyspace Job's name 64 characters long: at most 63, so at most 43 for the agent's name`,
    );
  });
});

describe('the keyspace Job', () => {
  const json = datacenter();
  const jobs = resourcesOf(json, 'kubernetes_job_v1');
  const job = jobs.find((candidate) =>
    candidate.metadata.name.startsWith('keyspace-sensor-history-'),
  )!;
  const cql = keyspaceCql('dc1', 'sensor-history', [READINGS, DEVICES], 3);
  const script = provisioningScript(NAMES, 'sensor-history');

  test('runs cqlsh from the server image as the superuser, after the datacenter', () => {
    expect(jobs).toHaveLength(2);
    expect(job.metadata.name).toMatch(/^keyspace-sensor-history-[0-9a-f]{10}$/);
    expect(job.metadata.namespace).toBe('cassandra');
    expect(job.wait_for_completion).toBe(true);
    const pod = job.spec.template.spec;
    const [container] = pod.container;
    expect(container.image).toBe(cassandraServerImage(CASSANDRA_VERSION));
    expect(container.command).toEqual(['/bin/bash', '/scripts/provision.sh']);
    expect(container.security_context).toMatchObject({
      run_as_non_root: true,
      read_only_root_filesystem: true,
      allow_privilege_escalation: false,
    });
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.volume).toEqual(
      expect.arrayContaining([
        { name: 'superuser', secret: { secret_name: 'cassandra-superuser', default_mode: '0440' } },
        { name: 'ca', secret: { secret_name: 'cassandra-ca', default_mode: '0440' } },
      ]),
    );
    expect(job.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^kubernetes_manifest\./)]),
    );
    const map = resourcesOf(json, 'kubernetes_config_map_v1').find(
      (candidate) => candidate.metadata.name === 'cassandra-keyspace-sensor-history',
    )!;
    expect(map.data).toEqual({ 'keyspace.cql': cql, 'provision.sh': script });
  });

  test('may reach only DNS and the nodes on 9042', () => {
    const policy = resourcesOf(json, 'kubernetes_network_policy_v1').find(
      (candidate) => candidate.metadata.name === 'cassandra-keyspace-sensor-history',
    )!;
    expect(policy.spec.policy_types).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.egress[1]).toEqual({
      to: [
        {
          pod_selector: {
            match_labels: {
              'cassandra.datastax.com/cluster': 'cassandra',
              'cassandra.datastax.com/datacenter': 'dc1',
            },
          },
        },
      ],
      ports: [{ port: '9042', protocol: 'TCP' }],
    });
  });

  test('creates the keyspace, the tables with their keys, order and TTL, and grants the role that keyspace only', () => {
    expect(cql).toBe(`-- Keyspace, tables and grants of agent 'sensor-history'; safe to run again.
CREATE KEYSPACE IF NOT EXISTS "sensor_history" WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3} AND durable_writes = true;
CREATE TABLE IF NOT EXISTS "sensor_history"."readings" (
  "sensor_id" text,
  "day" date,
  "at" timestamp,
  "value" double,
  PRIMARY KEY (("sensor_id", "day"), "at")
) WITH CLUSTERING ORDER BY ("at" DESC) AND default_time_to_live = 2592000;
ALTER TABLE "sensor_history"."readings" WITH default_time_to_live = 2592000;
CREATE TABLE IF NOT EXISTS "sensor_history"."Devices" (
  "id" uuid,
  "name" text,
  PRIMARY KEY (("id"))
) WITH default_time_to_live = 0;
ALTER TABLE "sensor_history"."Devices" WITH default_time_to_live = 0;
GRANT ALL PERMISSIONS ON KEYSPACE "sensor_history" TO "sensor-history";
`);
  });

  test('caps the replication at the node count', () => {
    const maps = resourcesOf(json, 'kubernetes_config_map_v1');
    const audit = maps.find((candidate) => candidate.metadata.name === 'cassandra-keyspace-audit')!;
    expect(audit.data['keyspace.cql']).toContain(
      `WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3}`,
    );
    const five = resourcesOf(datacenter({ nodes: 5 }), 'kubernetes_config_map_v1').find(
      (candidate) => candidate.metadata.name === 'cassandra-keyspace-audit',
    )!;
    expect(five.data['keyspace.cql']).toContain(`'dc1': 5}`);
    const laptop = resourcesOf(
      datacenter({ nodes: 1, reason: 'a laptop' }),
      'kubernetes_config_map_v1',
    ).find((candidate) => candidate.metadata.name === 'cassandra-keyspace-sensor-history')!;
    expect(laptop.data['keyspace.cql']).toContain(`'dc1': 1}`);
  });

  test('quotes identifiers and literals so no name can end a statement', () => {
    const odd = keyspaceCql("d'c", 'x', [{ ...DEVICES, name: 'a"b' }], 1);
    expect(odd).toContain(`{'class': 'NetworkTopologyStrategy', 'd''c': 1}`);
    expect(odd).toContain(`CREATE TABLE IF NOT EXISTS "x"."a""b" (`);
  });

  test('gives the Job a new name when what it does changes', () => {
    const other = resourcesOf(
      datacenter({
        keyspaces: [{ agent: 'sensor-history', namespace: 'sensors', tables: [READINGS] }],
      }),
      'kubernetes_job_v1',
    )[0];
    expect(other.metadata.name).not.toBe(job.metadata.name);
  });

  test('signs in from a credentials file only its user reads, with TLS checked against the CA', () => {
    expect(script).toContain('password=$(cat /superuser/password)');
    expect(script).toContain('for section in PlainTextAuthProvider plain_text_auth; do');
    expect(script).toContain('umask 077');
    expect(script).toContain('certfile = /ca/ca.crt\nvalidate = true');
    expect(script).toContain(
      `--file=/scripts/keyspace.cql 'cassandra-dc1-service.cassandra.svc.cluster.local' 9042`,
    );
    expect(script).not.toMatch(/cqlsh [^\n]*(\s-p\s|--password)/);
  });

  test('the script parses (bash -n) and passes shellcheck', () => {
    const check = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(shellcheck(script)).toBe('');
  });
});

describe('ServerCertificates for Cassandra', () => {
  const certificateNames = cassandraCertificateNames(NAMES);
  const json = synthesizedScope((scope) => {
    new ServerCertificates(scope, 'Certificates', {
      names: certificateNames,
      clientNamespaces: ['sensors', 'finance'],
      pkcs8KeystoreKey: 'keystore.pem',
    });
  });
  const job = resourcesOf(json, 'kubernetes_job_v1').find((candidate) =>
    candidate.metadata.name.startsWith('cassandra-certificates-'),
  )!;
  const generate = certificatesScript(certificateNames, { pkcs8KeystoreKey: 'keystore.pem' });

  test('signs the Services and every node under the headless Service', () => {
    expect(certificateNames.dnsNames).toEqual([
      'cassandra-dc1-service.cassandra.svc.cluster.local',
      'cassandra-dc1-all-pods-service.cassandra.svc.cluster.local',
      '*.cassandra-dc1-all-pods-service.cassandra.svc.cluster.local',
      'cassandra-seed-service.cassandra.svc.cluster.local',
    ]);
    expect(job.spec.template.spec.init_container[0].command).toEqual(['/bin/bash', '-c', generate]);
  });

  test('adds the PKCS#8 keystore to the server Secret, and leaves the script as it was without it', () => {
    expect(generate).toContain('"keystore.pem":"%s"');
    expect(generate).toContain('"$(b64 "$work/keystore.pem")"');
    const plain = certificatesScript(certificateNames);
    expect(plain).not.toContain('keystore');
    expect(plain).not.toContain('der_length');
  });

  test('the generate script parses and passes shellcheck', () => {
    const check = spawnSync('bash', ['-n'], { input: generate, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(shellcheck(generate)).toBe('');
  });

  test('turns a PKCS#1 RSA key into the PKCS#8 key Java reads, followed by the certificate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pkcs8-'));
    try {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
      expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
      fs.writeFileSync(path.join(dir, 'node.key'), pkcs1);
      const certificate = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
      fs.writeFileSync(path.join(dir, 'node.crt'), certificate);
      const commands = pkcs8KeystoreCommands(
        '"$work/node.key"',
        '"$work/node.crt"',
        '"$work/keystore.pem"',
      );
      const run = spawnSync(
        'bash',
        ['--norc', '-euo', 'pipefail', '-c', `work='${dir}'\n${commands}`],
        {
          encoding: 'utf8',
        },
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const keystore = fs.readFileSync(path.join(dir, 'keystore.pem'), 'utf8');
      const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      expect(keystore).toBe(pkcs8 + certificate);
      expect(createPrivateKey(keystore).asymmetricKeyType).toBe('rsa');
      expect(fs.readdirSync(dir).sort()).toEqual(['keystore.pem', 'node.crt', 'node.key']);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  test('copies the CA into each agent namespace', () => {
    const roles = resourcesOf(json, 'kubernetes_role_v1').filter(
      (role) => role.metadata.name === 'cassandra-ca-copies',
    );
    expect(roles.map((role) => role.metadata.namespace).sort()).toEqual([
      'cassandra',
      'finance',
      'sensors',
    ]);
  });
});

describe('CassandraOperatorRelease', () => {
  const json = synthesizedScope((scope) => {
    new CassandraOperatorRelease(scope, 'Operator', {
      namespace: 'cassandra',
      pool: 'general',
      tolerations: [{ key: 'dedicated', effect: 'NoSchedule' }],
    });
  });
  const [release] = resourcesOf(json, 'helm_release');
  const values: Block = helmValues(json, 'cass-operator');
  const chartValues = parse(
    fs.readFileSync(path.join(STATE_ENGINE_CRDS, 'cass-operator/values.yaml'), 'utf8'),
  ) as Block;

  test("installs K8ssandra's chart, pinned, with the operator image of its appVersion", () => {
    expect(release).toMatchObject({
      name: 'cass-operator',
      namespace: 'cassandra',
      repository: CHARTS.cassOperator.repository,
      chart: 'cass-operator',
      version: '0.64.1',
      atomic: true,
      skip_crds: false,
    });
    expect(values.image).toEqual({
      registry: 'docker.io',
      repository: 'k8ssandra/cass-operator',
      tag: chartValues.image.tag,
    });
  });

  test('watches its own namespace only, without the webhook that needs cert-manager', () => {
    expect(values.global).toEqual({ clusterScoped: false });
    expect(values.admissionWebhooks).toEqual({ enabled: false });
  });

  test('runs on the pool, tolerating its taints, with resources and a restricted container', () => {
    expect(values.nodeSelector).toEqual({ 'agent-fleet.dev/pool': 'general' });
    expect(values.tolerations).toEqual([
      { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(values.resources).toEqual({
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { cpu: '1', memory: '256Mi' },
    });
    expect(values.securityContext).toMatchObject({
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test("sets only keys of the chart's values.yaml (0.64.1)", () => {
    // Kubernetes objects the chart renders as they are (toYaml) may hold any field.
    const freeForm = new Set(['securityContext', 'resources', 'nodeSelector', 'tolerations']);
    const unknown: string[] = [];
    const walk = (ours: Block, theirs: Block, at: string[]) => {
      for (const [key, value] of Object.entries(ours)) {
        const where = [...at, key];
        if (!(key in theirs)) unknown.push(where.join('.'));
        else if (
          !freeForm.has(where.join('.')) &&
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          theirs[key] !== null &&
          typeof theirs[key] === 'object'
        ) {
          walk(value as Block, theirs[key] as Block, where);
        }
      }
    };
    walk(values, chartValues, []);
    expect(unknown).toEqual([]);
  });

  test('refuses an empty pool name', () => {
    expect(() =>
      synthesizedScope((scope) => {
        new CassandraOperatorRelease(scope, 'Operator', { namespace: 'cassandra', pool: ' ' });
      }),
    ).toThrow("'pool': must name a pool, or be left out");
  });
});

describe('a site with Cassandra', () => {
  const site: KubernetesSiteSpec = {
    ...SITE,
    stateEngines: { wideColumn: { kind: 'cassandra', storageClass: 'encrypted-ssd' } },
  };
  const agents = [
    resolveAgent(
      agent({ name: 'sensor-history', state: { model: 'wide-column', tables: [READINGS] } }),
    ),
    resolveAgent(
      agent({
        name: 'audit',
        state: {
          model: 'wide-column',
          tables: [DEVICES],
          replication: { factor: 2, reason: 'rebuilt from the ledger' },
        },
      }),
    ),
    resolveAgent(
      agent({
        name: 'counter',
        state: { model: 'key-value', partitionKey: { name: 'id', type: 'string' } },
      }),
    ),
    resolveAgent(agent({ name: 'stateless' })),
  ];

  test('serves the wide-column agents only, when the site declares Cassandra', () => {
    const plan = siteCassandraPlan(site, agents)!;
    expect(plan.agents.map((a) => a.spec.name)).toEqual(['sensor-history', 'audit']);
    expect(plan.names).toMatchObject({
      cluster: 'cassandra',
      datacenter: 'dc1',
      namespace: 'cassandra',
    });
    expect(siteCassandraPlan(SITE, agents)).toBeUndefined();
    expect(siteCassandraPlan(site, agents.slice(2))).toBeUndefined();
  });

  function platform(agentSecrets = true) {
    let built: CassandraPlatform | undefined;
    const text = Testing.synthScope((scope) => {
      built = new CassandraPlatform(scope, 'Cassandra', {
        site,
        agents,
        namespace: 'cassandra',
        agentNamespaces: new Map([
          ['sensor-history', 'sensor-history'],
          ['audit', 'audit'],
        ]),
        agentSecrets,
      });
    });
    return { text, json: parseSynthesized(text), built: built! };
  }
  const { text, json, built } = platform();

  test('installs the operator on the first platform pool, and writes the roles write-only', () => {
    expect(helmValues(json, 'cass-operator').nodeSelector).toEqual({
      'agent-fleet.dev/pool': 'general',
    });
    const secrets = resourcesOf(json, 'kubernetes_secret_v1');
    expect(secrets.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort()).toEqual([
      'audit/audit-cassandra',
      'cassandra/cassandra-user-audit',
      'cassandra/cassandra-user-sensor-history',
      'sensor-history/sensor-history-cassandra',
    ]);
    for (const secret of secrets) {
      expect(secret.data).toBeUndefined();
      expect(secret.data_wo.password).toMatch(/^\$\{ephemeral\.random_password\..*\.result\}$/);
    }
  });

  test('puts no password and no private key anywhere in the output', () => {
    expect(text).not.toMatch(/"password"\s*:\s*"(?!\$\{ephemeral\.)/);
    expect(text).not.toMatch(/PRIVATE KEY-----\\n[A-Za-z0-9+/]/);
    const agentsStack = Testing.synthScope((scope) => {
      new SiteCassandra(scope, 'Cassandra', { site, agents });
    });
    expect(agentsStack).not.toMatch(/"password"\s*:\s*"(?!\$\{ephemeral\.)/);
  });

  test("makes the certificates with the PKCS#8 keystore and hands the CA to the agents' namespaces", () => {
    const jobs = resourcesOf(json, 'kubernetes_job_v1');
    const job = jobs.find((candidate) =>
      candidate.metadata.name.startsWith('cassandra-certificates-'),
    )!;
    const generate = job.spec.template.spec.init_container[0].command[2] as string;
    expect(generate).toContain('"keystore.pem":"%s"');
    const copies = jobs.find((candidate) =>
      candidate.metadata.name.startsWith('cassandra-ca-copies-'),
    )!;
    expect(copies.spec.template.spec.container[0].command[2]).toContain('copy audit');
  });

  test('binds each agent to its keyspace, over TLS, with its own credentials', () => {
    expect(built.bindings.get('sensor-history')).toEqual({
      kind: 'in-cluster-cassandra',
      host: 'cassandra-dc1-service.cassandra.svc.cluster.local',
      port: 9042,
      datacenter: 'dc1',
      keyspace: 'sensor_history',
      credentialsSecret: 'sensor-history-cassandra',
      caSecret: 'cassandra-ca',
      namespace: 'cassandra',
      podLabels: {
        'cassandra.datastax.com/cluster': 'cassandra',
        'cassandra.datastax.com/datacenter': 'dc1',
      },
    });
    expect([...built.bindings.keys()]).toEqual(['sensor-history', 'audit']);
    expect(built.credentialsOf('audit').username).toBe('audit');
  });

  test('keeps agent Secrets out where Vault holds the credentials', () => {
    const vault = platform(false);
    expect(
      resourcesOf(vault.json, 'kubernetes_secret_v1').map((s) => s.metadata.namespace),
    ).toEqual(['cassandra', 'cassandra']);
    expect(vault.built.credentialsOf('sensor-history').password).toMatch(/ephemeral/);
  });

  test('runs the datacenter on the platform pools with a keyspace Job per agent, replication as declared', () => {
    let built: SiteCassandra | undefined;
    const agentsJson = synthesizedScope((scope) => {
      built = new SiteCassandra(scope, 'Cassandra', { site, agents });
    });
    const manifest = manifestOf(agentsJson, 'CassandraDatacenter');
    expect(manifest.spec.podTemplateSpec.spec.affinity.nodeAffinity).toBeDefined();
    expect(manifest.spec.storageConfig.cassandraDataVolumeClaimSpec.storageClassName).toBe(
      'encrypted-ssd',
    );
    expect([...built!.provisioning.keys()]).toEqual(['sensor-history', 'audit']);
    const audit = resourcesOf(agentsJson, 'kubernetes_config_map_v1').find(
      (candidate) => candidate.metadata.name === 'cassandra-keyspace-audit',
    )!;
    expect(audit.data['keyspace.cql']).toContain(`'dc1': 2}`);
    let none: SiteCassandra | undefined;
    synthesizedScope((scope) => {
      none = new SiteCassandra(scope, 'None', { site: SITE, agents });
    });
    expect(none!.datacenter).toBeUndefined();
    expect(none!.provisioning.size).toBe(0);
  });
});

describe('the platform footprint of a site with Cassandra', () => {
  test('counts each node (Cassandra and its log sidecar), one per node, and the operator', () => {
    const site = {
      name: 'dc1',
      nodePools: [{ name: 'general' }],
      stateEngines: {
        wideColumn: { kind: 'cassandra' as const, replicas: 4, resources: { cpu: Cpu.cores(4) } },
      },
    };
    const workloads = platformWorkloads(site, []);
    expect(workloads.find((w) => w.name === 'Cassandra')).toMatchObject({
      replicas: 4,
      requests: { cpuMillis: 4000 + 100, memoryMiB: 8192 + 128 },
      onePerNode: true,
    });
    expect(workloads.find((w) => w.name === 'Cassandra operator')).toMatchObject({
      replicas: 1,
      requests: { cpuMillis: 100, memoryMiB: 256 },
      onePerNode: false,
    });
  });
});
