import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { CHARTS, IMAGES } from '../../constructs/kubernetes/platform/charts';
import { platformWorkloads } from '../../constructs/kubernetes/platform/footprint';
import { caCopiesScript } from '../../constructs/kubernetes/services/ca-copies';
import { COCKROACHDB_IMAGE } from '../../constructs/kubernetes/services/cockroachdb';
import { DatabaseUsers } from '../../constructs/kubernetes/services/database-users';
import {
  MONGODB_METRICS_USER,
  mongoDbCertificateNames,
  mongoDbNames,
} from '../../constructs/kubernetes/services/mongodb-access';
import { MongoDbOperatorRelease } from '../../constructs/kubernetes/services/mongodb-operator';
import {
  collectionsScript,
  MONGODB_VERSION,
  MongoDbReplicaSet,
  MongoDbReplicaSetProps,
} from '../../constructs/kubernetes/services/mongodb-replica-set';
import {
  certificatesScript,
  publishScript,
  ServerCertificates,
} from '../../constructs/kubernetes/services/server-certificates';
import { Duration, Size } from '../../model/units';
import { crdErrors, STATE_ENGINE_CRDS, stateEngineCrdsAvailable } from '../support/crd-schemas';
import {
  Block,
  helmValues,
  manifestOf,
  parseSynthesized,
  resourcesById,
  resourcesOf,
  synthesizedScope,
} from '../support/synthesized';

const NAMES = mongoDbNames('mongodb', 'mongodb', 3);
const COLLECTIONS = [
  {
    name: 'orders',
    indexes: [
      {
        keys: [
          { field: 'customer.id', order: 'asc' as const },
          { field: 'createdAt', order: 'desc' as const },
        ],
      },
      { keys: [{ field: 'number', order: 'asc' as const }], unique: true },
      { keys: [{ field: 'expiresAt', order: 'asc' as const }], expireAfter: Duration.days(1) },
    ],
  },
  { name: 'order-events' },
];
const PROPS: MongoDbReplicaSetProps = {
  names: NAMES,
  storageClass: 'encrypted-ssd',
  storage: Size.gibibytes(20),
  pools: ['general'],
  monitoringNamespace: 'monitoring',
  databases: [
    { agent: 'orders', namespace: 'orders', collections: COLLECTIONS },
    { agent: 'ledger', namespace: 'finance', collections: [{ name: 'entries' }] },
  ],
};

function replicaSet(overrides: Partial<MongoDbReplicaSetProps> = {}) {
  return synthesizedScope((scope) => {
    new MongoDbReplicaSet(scope, 'MongoDb', { ...PROPS, ...overrides });
  });
}

describe('MongoDbReplicaSet', () => {
  const json = replicaSet();
  const manifest = manifestOf(json, 'MongoDBCommunity');

  test('is a MongoDBCommunity replica set of 3 members on a pinned 8.0 server, kept from destroy', () => {
    expect(manifest.spec).toMatchObject({
      type: 'ReplicaSet',
      members: 3,
      version: MONGODB_VERSION,
      featureCompatibilityVersion: '8.0',
    });
    expect(MONGODB_VERSION).toMatch(/^8\.0\.\d+$/);
    const [resource] = resourcesOf(json, 'kubernetes_manifest');
    expect(resource.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('validates against the vendored CRD of MCK 1.10.0; a wrong type is reported', () => {
    if (!stateEngineCrdsAvailable('mongodb')) return;
    expect(crdErrors('mongodb', manifest, STATE_ENGINE_CRDS)).toEqual([]);
    const broken = { ...manifest, spec: { ...manifest.spec, type: 'Sharded' } };
    expect(crdErrors('mongodb', broken, STATE_ENGINE_CRDS)).toEqual([
      '/spec/type must be equal to one of the allowed values',
    ]);
  });

  test('requires TLS with the in-cluster certificates and SCRAM-SHA-256 only', () => {
    expect(manifest.spec.security).toEqual({
      authentication: { modes: ['SCRAM-SHA-256'], ignoreUnknownUsers: true },
      tls: {
        enabled: true,
        optional: false,
        certificateKeySecretRef: { name: 'mongodb-server-tls' },
        caCertificateSecretRef: { name: 'mongodb-ca' },
      },
    });
  });

  test('gives each agent a user with readWrite on its own database only', () => {
    expect(manifest.spec.users).toEqual(
      ['orders', 'ledger'].map((agent) => ({
        name: agent,
        db: agent,
        passwordSecretRef: { name: `mongodb-user-${agent}`, key: 'password' },
        roles: [{ name: 'readWrite', db: agent }],
        scramCredentialsSecretName: `mongodb-scram-${agent}`,
      })),
    );
  });

  test('spreads members over zones, one per node, on the pools, with volumes of the class', () => {
    const sts = manifest.spec.statefulSet.spec;
    const pod = sts.template.spec;
    expect(pod.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { app: 'mongodb-svc' } },
      },
    ]);
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        topologyKey: 'kubernetes.io/hostname',
        labelSelector: { matchLabels: { app: 'mongodb-svc' } },
      },
    ]);
    expect(
      pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
    ).toEqual([
      { matchExpressions: [{ key: 'agent-fleet.dev/pool', operator: 'In', values: ['general'] }] },
    ]);
    expect(pod.containers).toEqual([
      {
        name: 'mongod',
        resources: {
          requests: { cpu: '1', memory: '4Gi' },
          limits: { cpu: '1', memory: '4Gi' },
        },
      },
      {
        name: 'mongodb-agent',
        resources: {
          requests: { cpu: '500m', memory: '384Mi' },
          limits: { cpu: '1', memory: '512Mi' },
        },
      },
    ]);
    expect(sts.volumeClaimTemplates).toEqual([
      {
        metadata: { name: 'data-volume' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'encrypted-ssd',
          resources: { requests: { storage: '20Gi' } },
        },
      },
    ]);
  });

  test('has a PodDisruptionBudget of one member, which the operator does not make', () => {
    const [budget] = resourcesOf(json, 'kubernetes_pod_disruption_budget_v1');
    expect(budget.spec).toEqual({
      max_unavailable: '1',
      selector: { match_labels: { app: 'mongodb-svc' } },
    });
  });

  test("admits only members, its Jobs and the agents' namespaces to 27017", () => {
    const policy = resourcesOf(json, 'kubernetes_network_policy_v1').find(
      (candidate) => candidate.metadata.name === 'mongodb-members',
    )!;
    expect(policy.spec.policy_types).toEqual(['Ingress']);
    const [rule] = policy.spec.ingress;
    expect(rule.ports).toEqual([{ port: '27017', protocol: 'TCP' }]);
    expect(rule.from.slice(2)).toEqual([
      { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'orders' } } },
      { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'finance' } } },
    ]);
  });

  test('serves metrics with basic auth to Prometheus only, scraped by a ServiceMonitor', () => {
    expect(manifest.spec.prometheus).toEqual({
      username: 'prometheus',
      passwordSecretRef: { name: 'mongodb-metrics', key: 'password' },
      port: 9216,
    });
    const monitor = manifestOf(json, 'ServiceMonitor');
    expect(monitor.spec).toEqual({
      selector: { matchLabels: { app: 'mongodb-svc' } },
      namespaceSelector: { matchNames: ['mongodb'] },
      endpoints: [
        {
          port: 'prometheus',
          scheme: 'http',
          basicAuth: {
            username: { name: 'mongodb-metrics', key: 'username' },
            password: { name: 'mongodb-metrics', key: 'password' },
          },
        },
      ],
    });
    const policy = resourcesOf(json, 'kubernetes_network_policy_v1').find(
      (candidate) => candidate.metadata.name === 'mongodb-members',
    )!;
    expect(policy.spec.ingress[1]).toEqual({
      from: [
        { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
      ],
      ports: [{ port: '9216', protocol: 'TCP' }],
    });
    const without = replicaSet({ monitoringNamespace: undefined });
    expect(manifestOf(without, 'MongoDBCommunity').spec.prometheus).toBeUndefined();
    expect(() => manifestOf(without, 'ServiceMonitor')).toThrow(/found 0/);
  });

  test('refuses an even member count, and fewer than 3 without a reason', () => {
    expect(() => replicaSet({ names: mongoDbNames('mongodb', 'mongodb', 4) })).toThrow(
      /'names\.hosts': \(4 members\) must be odd, from 1 to 7/,
    );
    expect(() => replicaSet({ names: mongoDbNames('mongodb', 'mongodb', 1) })).toThrow(
      /'reason': \(1 members\) keeps fewer than 3 copies/,
    );
    expect(() =>
      replicaSet({ names: mongoDbNames('mongodb', 'mongodb', 1), reason: 'a laptop' }),
    ).not.toThrow();
    expect(() => replicaSet({ version: '7.0.12' })).toThrow(
      /'version': '7\.0\.12' must be an 8\.0/,
    );
  });
});

describe('the collections Job', () => {
  const json = replicaSet();
  const jobs = resourcesOf(json, 'kubernetes_job_v1');
  const job = jobs.find((candidate) =>
    candidate.metadata.name.startsWith('mongodb-provision-orders-'),
  )!;
  const script = collectionsScript(NAMES, 'orders', COLLECTIONS);

  test('runs mongosh from the server image as the fleet user, after the replica set', () => {
    expect(jobs).toHaveLength(2);
    expect(job.metadata.name).toMatch(/^mongodb-provision-orders-[0-9a-f]{10}$/);
    expect(job.wait_for_completion).toBe(true);
    const container = job.spec.template.spec.container[0];
    expect(container.image).toBe(
      `${CHARTS.mongodbKubernetes.images.server}:${MONGODB_VERSION}-ubi8`,
    );
    expect(container.command).toEqual([
      'mongosh',
      '--nodb',
      '--quiet',
      '--file',
      '/scripts/collections.js',
    ]);
    expect(container.security_context).toMatchObject({
      run_as_non_root: true,
      read_only_root_filesystem: true,
      allow_privilege_escalation: false,
    });
    expect(job.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^kubernetes_manifest\./)]),
    );
    expect(job.spec.template.spec.volume).toEqual(
      expect.arrayContaining([
        {
          name: 'credentials',
          secret: { secret_name: 'mongodb-user-orders', default_mode: '0440' },
        },
        { name: 'ca', secret: { secret_name: 'mongodb-ca', default_mode: '0440' } },
      ]),
    );
  });

  test('mounts the script the ConfigMap holds, as rendered', () => {
    const maps = resourcesOf(json, 'kubernetes_config_map_v1');
    const map = maps.find((candidate) => candidate.metadata.name === 'mongodb-collections-orders')!;
    expect(map.data['collections.js']).toBe(script);
  });

  test('creates the collections and their indexes, unique and TTL, idempotently', () => {
    expect(script).toContain(
      'if (!existing.includes(collection.name)) database.createCollection(collection.name);',
    );
    expect(script).toContain('"name": "customer.id_1_createdAt_-1"');
    expect(script).toContain('"unique": true');
    expect(script).toContain('"expireAfterSeconds": 86400');
    expect(script).toContain('"name": "order-events"');
    expect(script).toContain(
      'replicaSet=mongodb&tls=true&tlsCAFile=/ca/ca.crt&authSource=orders&authMechanism=SCRAM-SHA-256',
    );
    expect(script).toContain(
      'mongodb-0.mongodb-svc.mongodb.svc.cluster.local:27017,mongodb-1.mongodb-svc.mongodb.svc.cluster.local:27017',
    );
    // The password is read from the mounted Secret, never put in an argument.
    expect(script).toContain("fs.readFileSync('/credentials/' + key, 'utf8')");
    expect(script).toContain("const secret = read('password');");
  });

  test('is valid JavaScript (node --check)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongosh-'));
    const file = path.join(dir, 'collections.js');
    fs.writeFileSync(file, script);
    const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('DatabaseUsers for MongoDB', () => {
  const text = Testing.synthScope((scope) => {
    new DatabaseUsers(scope, 'Users', {
      names: NAMES,
      metrics: { user: MONGODB_METRICS_USER, secret: NAMES.metricsSecret },
      users: [
        { agent: 'orders', namespace: 'orders' },
        { agent: 'ledger', namespace: 'finance', passwordRevision: 2 },
      ],
    });
  });
  const json = parseSynthesized(text);
  const secrets = resourcesOf(json, 'kubernetes_secret_v1');

  test("writes each password, write-only, into MongoDB's namespace and the agent's", () => {
    expect(secrets.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort()).toEqual([
      'finance/ledger-mongodb',
      'mongodb/mongodb-metrics',
      'mongodb/mongodb-user-ledger',
      'mongodb/mongodb-user-orders',
      'orders/orders-mongodb',
    ]);
    for (const secret of secrets) {
      expect(secret.data).toBeUndefined();
      expect(secret.data_wo.password).toMatch(/^\$\{ephemeral\.random_password\..*\.result\}$/);
    }
    const byName = (name: string) => secrets.find((s) => s.metadata.name === name)!;
    expect(byName('orders-mongodb').data_wo.password).toBe(
      byName('mongodb-user-orders').data_wo.password,
    );
    expect(byName('ledger-mongodb').data_wo_revision).toBe(2);
  });

  test('never puts a password in the synthesized output', () => {
    expect(text).not.toMatch(/"password"\s*:\s*"(?!\$\{ephemeral\.)/);
  });

  test('keeps agent Secrets out where Vault holds the credentials', () => {
    const vaultSite = synthesizedScope((scope) => {
      new DatabaseUsers(scope, 'Users', {
        names: NAMES,
        metrics: { user: MONGODB_METRICS_USER, secret: NAMES.metricsSecret },
        agentSecrets: false,
        users: [{ agent: 'orders', namespace: 'orders' }],
      });
    });
    expect(resourcesOf(vaultSite, 'kubernetes_secret_v1').map((s) => s.metadata.name)).toEqual([
      'mongodb-metrics',
      'mongodb-user-orders',
    ]);
  });
});

describe('ServerCertificates for MongoDB', () => {
  const json = synthesizedScope((scope) => {
    new ServerCertificates(scope, 'Certificates', {
      names: mongoDbCertificateNames(NAMES),
      clientNamespaces: ['orders', 'finance', 'orders'],
    });
  });
  const job = resourcesOf(json, 'kubernetes_job_v1').find((candidate) =>
    candidate.metadata.name.startsWith('mongodb-certificates-'),
  )!;
  const generate = certificatesScript(mongoDbCertificateNames(NAMES));
  const publish = publishScript(mongoDbCertificateNames(NAMES));

  test('generates with the pinned CockroachDB image and publishes with curl', () => {
    const pod = job.spec.template.spec;
    expect(pod.init_container[0].image).toBe(
      `${COCKROACHDB_IMAGE.repository}:${COCKROACHDB_IMAGE.tag}`,
    );
    expect(pod.init_container[0].command).toEqual(['/bin/bash', '-c', generate]);
    expect(pod.container[0].image).toBe(IMAGES.curl);
    expect(pod.container[0].command).toEqual(['/bin/sh', '-c', publish]);
    expect(pod.service_account_name).toBe('mongodb-certificates');
    expect(pod.volume).toContainEqual({
      name: 'certs',
      empty_dir: { medium: 'Memory', size_limit: '4Mi' },
    });
  });

  test('only the publishing container gets an API token, and the Job reaches only DNS and the API server', () => {
    const pod = job.spec.template.spec;
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.init_container[0].volume_mount.map((m: Block) => m.name)).not.toContain('api-token');
    expect(pod.container[0].volume_mount).toContainEqual({
      name: 'api-token',
      mount_path: '/var/run/secrets/agent-fleet/api',
      read_only: true,
    });
    expect(publish).toContain('sa=/var/run/secrets/agent-fleet/api');
    const policy = resourcesOf(json, 'kubernetes_network_policy_v1').find(
      (candidate) => candidate.metadata.name === 'mongodb-certificates',
    )!;
    expect(policy.spec.policy_types).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.egress[1].ports).toEqual([
      { port: '443', protocol: 'TCP' },
      { port: '6443', protocol: 'TCP' },
    ]);
  });

  test('signs every member, the Service and later members, and keeps no CA key', () => {
    for (const host of NAMES.hosts) expect(generate).toContain(host);
    expect(generate).toContain('*.mongodb-svc.mongodb.svc.cluster.local');
    expect(generate).toContain('rm -rf "$work"');
    expect(generate).not.toMatch(/"ca\.key"/);
  });

  test("writes the server Secret and the CA in MongoDB's namespace, and a second Job copies the CA into each agent's", () => {
    expect(publish).toContain('write mongodb mongodb-server-tls server');
    expect(publish).toContain('write mongodb mongodb-ca ca');
    expect(publish).not.toContain('finance');
    const copies = resourcesOf(json, 'kubernetes_job_v1').find((candidate) =>
      candidate.metadata.name.startsWith('mongodb-ca-copies-'),
    )!;
    expect(copies.spec.template.spec.container[0].command[2]).toBe(
      caCopiesScript(mongoDbCertificateNames(NAMES), ['finance', 'orders']),
    );
    const [certificatesId] = Object.entries(resourcesById(json, 'kubernetes_job_v1')).find(
      ([, candidate]) => candidate === job,
    )!;
    expect(copies.depends_on).toContain(`kubernetes_job_v1.${certificatesId}`);
  });

  test('keeps its CA when an agent is added: only the copies Job changes', () => {
    const more = synthesizedScope((scope) => {
      new ServerCertificates(scope, 'Certificates', {
        names: mongoDbCertificateNames(NAMES),
        clientNamespaces: ['orders', 'finance', 'billing'],
      });
    });
    const names = (synth: typeof json) =>
      resourcesOf(synth, 'kubernetes_job_v1').map((candidate) => candidate.metadata.name);
    expect(names(more)).toContain(job.metadata.name);
    expect(names(more).filter((name) => !names(json).includes(name))).toEqual([
      expect.stringMatching(/^mongodb-ca-copies-/),
    ]);
  });

  test('may create Secrets and update only its own, in its namespace', () => {
    const roles = resourcesOf(json, 'kubernetes_role_v1').filter(
      (role) => role.metadata.name === 'mongodb-certificates',
    );
    expect(roles.map((role) => role.metadata.namespace)).toEqual(['mongodb']);
    const own = roles[0];
    expect(own.rule).toEqual([
      { api_groups: [''], resources: ['secrets'], verbs: ['create'] },
      {
        api_groups: [''],
        resources: ['secrets'],
        resource_names: ['mongodb-ca', 'mongodb-server-tls'],
        verbs: ['get', 'update'],
      },
    ]);
  });

  test.each([
    ['generate', 'bash', () => generate],
    ['publish', 'sh', () => publish],
  ])('the %s script parses (%s -n) and passes shellcheck where installed', (_, shell, script) => {
    const check = spawnSync(shell, ['-n'], { input: script(), encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    if (spawnSync('shellcheck', ['--version']).status !== 0) return;
    const lint = spawnSync('shellcheck', ['-s', shell, '-'], { input: script(), encoding: 'utf8' });
    expect(lint.stdout).toBe('');
  });
});

describe('MongoDbOperatorRelease', () => {
  const json = synthesizedScope((scope) => {
    new MongoDbOperatorRelease(scope, 'Operator', { namespace: 'mongodb', pools: ['general'] });
  });
  const [release] = resourcesOf(json, 'helm_release');
  const values: Block = helmValues(json, 'mongodb-kubernetes');

  test("installs MongoDB's own chart, pinned, with its images pinned", () => {
    expect(release).toMatchObject({
      name: 'mongodb-kubernetes',
      namespace: 'mongodb',
      repository: 'https://mongodb.github.io/helm-charts',
      chart: 'mongodb-kubernetes',
      version: '1.10.0',
      atomic: true,
    });
    expect(values.operator.version).toBe('1.10.0');
    expect(values.community.agent.version).toBe('108.0.25.9029-1');
    expect(values.readinessProbe.version).toBe('1.0.24');
    expect(values.versionUpgradeHook.version).toBe('1.0.10');
  });

  test('watches MongoDBCommunity only, and sends no telemetry', () => {
    expect(values.operator.watchedResources).toEqual(['mongodbcommunity']);
    expect(values.operator.enableClusterMongoDBRoles).toBe(false);
    expect(values.operator.telemetry).toEqual({ enabled: false, send: { enabled: false } });
  });
});

describe('the platform footprint of a site with MongoDB', () => {
  test('counts each member (mongod and its agent), one per node, and the operator', () => {
    const site = {
      name: 'dc1',
      nodePools: [{ name: 'general' }],
      stateEngines: { document: { kind: 'mongodb' as const, replicas: 5 } },
    };
    const workloads = platformWorkloads(site, []);
    expect(workloads.find((w) => w.name === 'MongoDB')).toMatchObject({
      replicas: 5,
      requests: { cpuMillis: 1500, memoryMiB: 4096 + 384 },
      onePerNode: true,
    });
    expect(workloads.find((w) => w.name === 'MongoDB operator')).toMatchObject({
      replicas: 1,
      requests: { cpuMillis: 200, memoryMiB: 512 },
      onePerNode: false,
    });
  });
});

describe('the name of the certificates Job', () => {
  const jobNames = (): string[] => {
    let names: string[] = [];
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports -- a fresh registry needs require */
      const {
        ServerCertificates: Certificates,
      } = require('../../constructs/kubernetes/services/server-certificates');
      /* eslint-enable @typescript-eslint/no-require-imports */
      const json = synthesizedScope((scope) => {
        new Certificates(scope, 'Certificates', {
          names: mongoDbCertificateNames(NAMES),
          clientNamespaces: ['orders'],
        });
      });
      names = resourcesOf(json, 'kubernetes_job_v1').map((job) => job.metadata.name);
    });
    return names;
  };

  test('does not follow the pinned images: a newer image issues no new CA', () => {
    const pinned = jobNames();
    jest.doMock('../../constructs/kubernetes/platform/charts', () => {
      const actual = jest.requireActual('../../constructs/kubernetes/platform/charts');
      return { ...actual, IMAGES: { ...actual.IMAGES, curl: 'curlimages/curl:9.0.0' } };
    });
    const bumped = jobNames();
    jest.dontMock('../../constructs/kubernetes/platform/charts');
    const certificates = (names: string[]) =>
      names.find((name) => name.startsWith('mongodb-certificates-'));
    expect(certificates(bumped)).toBe(certificates(pinned));
    // The CA copies Job, which restarts nothing, follows its image.
    const copies = (names: string[]) => names.find((name) => name.startsWith('mongodb-ca-copies-'));
    expect(copies(bumped)).not.toBe(copies(pinned));
  });
});
