import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { CHARTS, IMAGES } from '../../constructs/kubernetes/platform/charts';
import { platformWorkloads } from '../../constructs/kubernetes/platform/footprint';
import { caCopiesScript } from '../../constructs/kubernetes/services/ca-copies';
import { ServerCertificates } from '../../constructs/kubernetes/services/server-certificates';
import {
  siteYugabyteDbPlan,
  YugabyteDbPlatform,
} from '../../constructs/kubernetes/services/site-yugabytedb';
import {
  yugabyteDbCertificateNames,
  yugabyteDbNames,
} from '../../constructs/kubernetes/services/yugabytedb-access';
import {
  provisioningScript,
  YUGABYTEDB_SNAPSHOT_INTERVAL,
  YUGABYTEDB_SNAPSHOT_RETENTION,
  YugabyteDbDatabases,
  YugabyteDbDatabasesProps,
} from '../../constructs/kubernetes/services/yugabytedb-databases';
import {
  YUGABYTEDB_IMAGE,
  yugabyteDbMaxUnavailable,
  YugabyteDbRelease,
  YugabyteDbReleaseProps,
  yugabyteDbValues,
} from '../../constructs/kubernetes/services/yugabytedb-release';
import { resolveAgent } from '../../model/resolve';
import { KubernetesSiteSpec } from '../../model/site';
import { Cpu, Duration, Size } from '../../model/units';
import { agent, SITE } from '../support/fixtures';
import {
  Block,
  helmValues,
  parseSynthesized,
  resourcesOf,
  synthesizedScope,
} from '../support/synthesized';

const NAMES = yugabyteDbNames('yugabytedb', 'yugabytedb', 3);
const RELEASE_PROPS: YugabyteDbReleaseProps = {
  names: NAMES,
  storage: Size.gibibytes(20),
  storageClass: 'encrypted-ssd',
  pools: ['general'],
  tolerations: [{ key: 'dedicated', value: 'databases', effect: 'NoSchedule' }],
  clientNamespaces: ['ledger', 'billing', 'ledger'],
  provisioningPodLabels: { 'app.kubernetes.io/name': 'yugabytedb-provisioning' },
  monitoringNamespace: 'monitoring',
  certificatesRevision: 'yugabytedb-certificates-0123456789',
};
const VENDORED_VALUES = parse(
  fs.readFileSync(path.join(__dirname, '../fixtures/state-engines/yugabyte/values.yaml'), 'utf8'),
) as Block;
/**
 * Maps of `values.yaml` that take keys of the user's choosing: the servers'
 * flags (`--<key>=<value>`), documented as such and holding one example.
 */
const FREE_FORM = new Set(['gflags.master', 'gflags.tserver']);

function release(overrides: Partial<YugabyteDbReleaseProps> = {}) {
  return synthesizedScope((scope) => {
    new YugabyteDbRelease(scope, 'YugabyteDb', { ...RELEASE_PROPS, ...overrides });
  });
}

/** Paths of the values we set that `values.yaml` does not have. */
function unknownKeys(ours: unknown, theirs: unknown, at: string[] = []): string[] {
  if (typeof ours !== 'object' || ours === null || Array.isArray(ours)) return [];
  if (FREE_FORM.has(at.join('.'))) return [];
  // An empty map or a list upstream takes whatever is given (affinity, tolerations, ...).
  if (Array.isArray(theirs)) return [];
  if (typeof theirs === 'object' && theirs !== null && Object.keys(theirs).length === 0) return [];
  return Object.entries(ours).flatMap(([key, value]) => {
    const path = [...at, key];
    if (typeof theirs !== 'object' || theirs === null || !(key in theirs)) return [path.join('.')];
    return unknownKeys(value, (theirs as Block)[key], path);
  });
}

/** Every key, at any depth, of a JSON value. */
function keysOf(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
}

describe('YugabyteDbRelease', () => {
  const json = release();
  const [resource] = resourcesOf(json, 'helm_release');
  const values = helmValues(json, 'yugabytedb');

  test("installs YugabyteDB's own chart, pinned, with its server image, kept from destroy", () => {
    expect(resource).toMatchObject({
      name: 'yugabytedb',
      namespace: 'yugabytedb',
      repository: 'https://charts.yugabyte.com',
      chart: 'yugabyte',
      version: '2025.2.5',
      wait: true,
      lifecycle: { prevent_destroy: true },
    });
    expect(CHARTS.yugabyte.version).toBe('2025.2.5');
    expect(values.Image).toEqual({ repository: 'yugabytedb/yugabyte', tag: '2025.2.5.2-b5' });
    expect(VENDORED_VALUES.Image.tag).toBe(YUGABYTEDB_IMAGE.tag);
  });

  test("sets only keys the chart's values.yaml has (2025.2.5, vendored)", () => {
    expect(unknownKeys(values, VENDORED_VALUES)).toEqual([]);
    expect(unknownKeys({ tls: { rootCa: 'x' } }, VENDORED_VALUES)).toEqual(['tls.rootCa']);
  });

  test('runs 3 masters and 3 tablet servers, replication factor 3', () => {
    expect(values.replicas).toEqual({ master: 3, tserver: 3, totalMasters: 3 });
    const five = helmValues(
      release({ names: yugabyteDbNames('yugabytedb', 'yugabytedb', 5) }),
      'yugabytedb',
    );
    expect(five.replicas).toEqual({ master: 5, tserver: 5, totalMasters: 5 });
  });

  test('exposes no LoadBalancer or NodePort: no endpoints, no UI sidecar', () => {
    expect(VENDORED_VALUES.enableLoadBalancer).toBe(true);
    expect(VENDORED_VALUES.serviceEndpoints.map((e: Block) => e.type)).toContain('LoadBalancer');
    expect(values.enableLoadBalancer).toBe(false);
    expect(values.serviceEndpoints).toEqual([]);
    expect(values.yugabytedUi).toEqual({ enabled: false });
    const text = JSON.stringify(json).replace(/enableLoadBalancer/g, '');
    expect(text).not.toMatch(/LoadBalancer|NodePort/);
  });

  test('encrypts node-to-node and client-to-server, refusing insecure connections, and serves YSQL only', () => {
    const tls = {
      certs_dir: '/opt/certs/yugabyte',
      cert_node_filename: 'yugabytedb',
      use_node_to_node_encryption: true,
      allow_insecure_connections: false,
    };
    expect(values.gflags.master).toEqual(tls);
    expect(values.gflags.tserver).toEqual({
      ...tls,
      use_client_to_server_encryption: true,
      certs_for_client_dir: '/opt/certs/yugabyte',
      start_cql_proxy: false,
      start_redis_proxy: false,
    });
    // The chart's own TLS would render certificates from keys in the values.
    expect(values.tls).toEqual({ enabled: false, certManager: { enabled: false } });
  });

  test("loads the certificates from the cluster's Secrets, never a key or the chart's CA", () => {
    for (const role of ['master', 'tserver']) {
      expect(values[role].extraVolumes).toEqual([
        {
          name: 'agent-fleet-certs',
          projected: {
            defaultMode: 0o440,
            sources: [
              { secret: { name: 'yugabytedb-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                secret: {
                  name: 'yugabytedb-server-tls',
                  items: [
                    { key: 'tls.crt', path: 'node.yugabytedb.crt' },
                    { key: 'tls.key', path: 'node.yugabytedb.key' },
                  ],
                },
              },
            ],
          },
        },
      ]);
      expect(values[role].extraVolumeMounts).toEqual([
        { name: 'agent-fleet-certs', mountPath: '/opt/certs/yugabyte', readOnly: true },
      ]);
      expect(values[role].podAnnotations).toEqual({
        'agent-fleet.dev/certificates': 'yugabytedb-certificates-0123456789',
      });
    }
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/PRIVATE KEY|rootCA|nodeCert|clientCert/);
    expect(text).not.toContain(VENDORED_VALUES.tls.rootCA.key.slice(0, 40));
  });

  test('turns authentication on from a Secret, with no password in the values', () => {
    expect(values.authCredentials).toEqual({ ysql: { passwordSecretName: 'yugabytedb-admin' } });
    expect(keysOf(values).filter((key) => /password$/i.test(key))).toEqual([]);
  });

  test('sets requests equal to limits for masters, tablet servers and their log cleaners', () => {
    expect(values.resource).toEqual({
      master: { requests: { cpu: '2', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } },
      tserver: { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    });
    expect(values.ybCleanup.resources).toEqual({
      requests: { cpu: '250m', memory: '250Mi' },
      limits: { cpu: '250m', memory: '250Mi' },
    });
    const sized = helmValues(
      release({ cpu: Cpu.cores(4), memory: Size.gibibytes(16) }),
      'yugabytedb',
    );
    expect(sized.resource.tserver.limits).toEqual({ cpu: '4', memory: '16Gi' });
  });

  test('keeps one volume per server of the StorageClass, the tablet servers of the size given', () => {
    expect(values.storage).toEqual({
      ephemeral: false,
      master: { count: 1, size: '10Gi', storageClass: 'encrypted-ssd' },
      tserver: { count: 1, size: '20Gi', storageClass: 'encrypted-ssd' },
    });
    const defaults = helmValues(
      release({ storage: undefined, storageClass: undefined }),
      'yugabytedb',
    );
    expect(defaults.storage.tserver).toEqual({ count: 1, size: '50Gi', storageClass: '' });
  });

  test('places one server of a kind per node, spread over zones, on the pools, tolerating their taints', () => {
    for (const [role, app] of [
      ['master', 'yb-master'],
      ['tserver', 'yb-tserver'],
    ]) {
      const { affinity, tolerations } = values[role];
      const selector = { matchLabels: { app, release: 'yugabytedb' } };
      expect(affinity.podAntiAffinity).toEqual({
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: 'kubernetes.io/hostname', labelSelector: selector },
        ],
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: 'topology.kubernetes.io/zone',
              labelSelector: selector,
            },
          },
        ],
      });
      expect(affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: 'agent-fleet.dev/pool', operator: 'In', values: ['general'] },
            ],
          },
        ],
      });
      expect(tolerations).toEqual([
        { key: 'dedicated', operator: 'Equal', value: 'databases', effect: 'NoSchedule' },
      ]);
    }
    expect(values.podSecurityContext).toMatchObject({ enabled: true, runAsUser: 10001 });
    // The chart's credentials hook takes only the global nodeSelector.
    expect(values.nodeSelector).toEqual({ 'agent-fleet.dev/pool': 'general' });
    const twoPools = helmValues(release({ pools: ['general', 'db'] }), 'yugabytedb');
    expect(twoPools.nodeSelector).toEqual({});
  });

  test('has PodDisruptionBudgets that keep a majority of masters and of tablet copies', () => {
    expect(values.useOldPodDisruptionBudget).toBe(false);
    const budgets = resourcesOf(json, 'kubernetes_pod_disruption_budget_v1');
    expect(budgets.map((budget) => [budget.metadata.name, budget.spec])).toEqual([
      [
        'yugabytedb-yb-master',
        {
          max_unavailable: '1',
          selector: { match_labels: { app: 'yb-master', release: 'yugabytedb' } },
        },
      ],
      [
        'yugabytedb-yb-tserver',
        {
          max_unavailable: '1',
          selector: { match_labels: { app: 'yb-tserver', release: 'yugabytedb' } },
        },
      ],
    ]);
    expect([1, 3, 5, 7].map(yugabyteDbMaxUnavailable)).toEqual([1, 1, 2, 3]);
  });

  test("admits agents' namespaces to YSQL only, Prometheus to metrics, the universe to itself", () => {
    const [policy] = resourcesOf(json, 'kubernetes_network_policy_v1');
    expect(policy.metadata.name).toBe('yugabytedb-servers');
    expect(policy.spec.policy_types).toEqual(['Ingress']);
    const servers = {
      pod_selector: {
        match_expressions: [
          { key: 'app', operator: 'In', values: ['yb-master', 'yb-tserver'] },
          { key: 'release', operator: 'In', values: ['yugabytedb'] },
        ],
      },
    };
    expect(policy.spec.pod_selector).toEqual(servers.pod_selector);
    const byNamespace = (name: string) => ({
      namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': name } },
    });
    const provisioning = {
      pod_selector: { match_labels: { 'app.kubernetes.io/name': 'yugabytedb-provisioning' } },
    };
    expect(policy.spec.ingress).toEqual([
      { from: [servers] },
      {
        from: [
          { pod_selector: { match_labels: { app: 'yugabyte', release: 'yugabytedb' } } },
          provisioning,
          byNamespace('billing'),
          byNamespace('ledger'),
        ],
        ports: [{ port: '5433', protocol: 'TCP' }],
      },
      { from: [provisioning], ports: [{ port: '7100', protocol: 'TCP' }] },
      {
        from: [byNamespace('monitoring')],
        ports: ['7000', '9000', '13000'].map((port) => ({ port, protocol: 'TCP' })),
      },
    ]);
  });

  test("scrapes the servers with the chart's ServiceMonitors only where Prometheus is given", () => {
    expect(values.serviceMonitor).toEqual({
      enabled: true,
      ycql: { enabled: false },
      yedis: { enabled: false },
    });
    expect(VENDORED_VALUES.serviceMonitor.master.path).toBe('/prometheus-metrics');
    const without = helmValues(release({ monitoringNamespace: undefined }), 'yugabytedb');
    expect(without.serviceMonitor.enabled).toBe(false);
  });

  test('refuses an even server count, fewer than 3 without a reason, and sizes the chart misreads', () => {
    const names = (replicas: number) => yugabyteDbNames('yugabytedb', 'yugabytedb', replicas);
    expect(() => release({ names: names(4) })).toThrow(
      /'names\.replicas': \(4\) must be odd, from 1 to 7/,
    );
    expect(() => release({ names: names(1) })).toThrow(
      /'reason': \(1 servers\) keeps fewer than 3 copies/,
    );
    expect(() => release({ names: names(1), reason: 'a laptop' })).not.toThrow();
    expect(() => release({ cpu: Cpu.parse('1500m') })).toThrow(
      /'cpu': \(1500m\) must be whole cores/,
    );
    expect(() => release({ memory: Size.parse('1536Mi') })).toThrow(
      /'memory': \(1536Mi\) must be whole Gi/,
    );
    expect(() => release({ pools: [] })).toThrow(/'pools': must list at least one pool/);
  });

  test('the values function is what the release renders', () => {
    expect(values).toEqual(JSON.parse(JSON.stringify(yugabyteDbValues(RELEASE_PROPS))));
  });
});

const DATABASES: YugabyteDbDatabasesProps = {
  names: NAMES,
  databases: [
    { agent: 'ledger-writer', schema: 'ledger' },
    { agent: 'billing', passwordRevision: 2 },
  ],
};

function databases(overrides: Partial<YugabyteDbDatabasesProps> = {}) {
  return synthesizedScope((scope) => {
    new YugabyteDbDatabases(scope, 'Databases', { ...DATABASES, ...overrides });
  });
}

describe('the provisioning Jobs', () => {
  const json = databases();
  const jobs = resourcesOf(json, 'kubernetes_job_v1');
  const job = jobs.find((candidate) =>
    candidate.metadata.name.startsWith('yugabytedb-provision-ledger-writer-'),
  )!;
  const script = provisioningScript(NAMES, { agent: 'ledger-writer', schema: 'ledger' });

  test('run the pinned server image as the fleet user, named with a hash of what they do', () => {
    expect(jobs).toHaveLength(2);
    expect(job.metadata.name).toMatch(/^yugabytedb-provision-ledger-writer-[0-9a-f]{10}$/);
    expect(job.wait_for_completion).toBe(true);
    const pod = job.spec.template.spec;
    expect(pod.container[0].image).toBe('yugabytedb/yugabyte:2025.2.5.2-b5');
    expect(pod.container[0].command).toEqual(['/bin/bash', '-c', script]);
    expect(pod.container[0].security_context).toMatchObject({
      run_as_non_root: true,
      read_only_root_filesystem: true,
      allow_privilege_escalation: false,
    });
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.volume).toEqual(
      expect.arrayContaining([
        { name: 'admin', secret: { secret_name: 'yugabytedb-admin', default_mode: '0440' } },
        {
          name: 'credentials',
          secret: { secret_name: 'yugabytedb-user-ledger-writer', default_mode: '0440' },
        },
        {
          name: 'ca',
          secret: {
            secret_name: 'yugabytedb-ca',
            default_mode: '0440',
            items: [{ key: 'ca.crt', path: 'ca.crt' }],
          },
        },
      ]),
    );
  });

  test('get a new name when the password revision changes, and only then', () => {
    const name = (revision: number) =>
      resourcesOf(
        databases({ databases: [{ agent: 'billing', passwordRevision: revision }] }),
        'kubernetes_job_v1',
      )[0].metadata.name;
    expect(name(2)).toBe(name(2));
    expect(name(3)).not.toBe(name(2));
  });

  test('may reach only DNS, YSQL on the tablet servers and the masters’ RPC', () => {
    const policy = resourcesOf(json, 'kubernetes_network_policy_v1').find(
      (candidate) => candidate.metadata.name === 'yugabytedb-provision-ledger-writer',
    )!;
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.egress.slice(1)).toEqual([
      {
        to: [{ pod_selector: { match_labels: { app: 'yb-tserver', release: 'yugabytedb' } } }],
        ports: [{ port: '5433', protocol: 'TCP' }],
      },
      {
        to: [{ pod_selector: { match_labels: { app: 'yb-master', release: 'yugabytedb' } } }],
        ports: [{ port: '7100', protocol: 'TCP' }],
      },
    ]);
  });

  test('sign in over verified TLS and create the role, its database and schema, quoted', () => {
    expect(script).toContain(
      'host=yb-tservers.yugabytedb.svc.cluster.local port=5433 user=yugabyte dbname=yugabyte sslmode=verify-full sslrootcert=/ca/ca.crt',
    );
    expect(script).toContain(
      `SELECT 'CREATE ROLE "ledger_writer"' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledger_writer')\\gexec`,
    );
    expect(script).toContain("<<'SQL'\n\\set password `cat /credentials/password`\n");
    expect(script).toContain(
      `ALTER ROLE "ledger_writer" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';`,
    );
    expect(script).toContain(`'CREATE DATABASE "ledger_writer" OWNER "ledger_writer"'`);
    expect(script).toContain('ALTER DATABASE "ledger_writer" OWNER TO "ledger_writer";');
    expect(script).toContain('REVOKE ALL ON DATABASE "ledger_writer" FROM PUBLIC;');
    expect(script).toContain('dbname=ledger_writer sslmode=verify-full');
    expect(script).toContain('CREATE SCHEMA IF NOT EXISTS "ledger" AUTHORIZATION "ledger_writer";');
    expect(script).toContain('ALTER SCHEMA "ledger" OWNER TO "ledger_writer";');
    expect(provisioningScript(NAMES, { agent: 'billing' })).toContain(
      'ALTER SCHEMA public OWNER TO "billing";',
    );
  });

  test('schedule daily snapshots of the database, kept 7 days, for point-in-time recovery', () => {
    expect(YUGABYTEDB_SNAPSHOT_INTERVAL.toSeconds()).toBe(86400);
    expect(YUGABYTEDB_SNAPSHOT_RETENTION.toSeconds()).toBe(7 * 86400);
    expect(script).toContain(
      "--master_addresses 'yb-master-0.yb-masters.yugabytedb.svc.cluster.local:7100,yb-master-1.yb-masters.yugabytedb.svc.cluster.local:7100,yb-master-2.yb-masters.yugabytedb.svc.cluster.local:7100' --certs_dir_name /ca",
    );
    expect(script).toContain("create_snapshot_schedule 1440 10080 'ysql.ledger_writer'");
    const hourly = provisioningScript(NAMES, {
      agent: 'billing',
      snapshotInterval: Duration.hours(1),
      snapshotRetention: Duration.days(2),
    });
    expect(hourly).toContain("create_snapshot_schedule 60 2880 'ysql.billing'");
  });

  test('the script parses (bash -n) and passes shellcheck where installed', () => {
    const check = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    if (spawnSync('shellcheck', ['--version']).status !== 0) return;
    const lint = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: script, encoding: 'utf8' });
    expect(lint.stdout).toBe('');
  });

  describe('run against stand-ins of ysqlsh and yb-admin', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yugabytedb-'));
      for (const sub of ['bin', 'admin', 'credentials', 'calls']) {
        fs.mkdirSync(path.join(dir, sub));
      }
      fs.writeFileSync(path.join(dir, 'admin/ysqlPassword'), 'ad:m\\in');
      fs.writeFileSync(path.join(dir, 'credentials/password'), "it's-S3cret");
      // ysqlsh records its arguments and standard input; yb-admin answers from a file.
      fs.writeFileSync(
        path.join(dir, 'bin/ysqlsh'),
        `#!/bin/bash\nn=$(find ${dir}/calls -name '*.args' | wc -l)\nprintf '%s\\n' "$@" > ${dir}/calls/$n.args\ncat > ${dir}/calls/$n.stdin\n`,
        { mode: 0o755 },
      );
      fs.writeFileSync(
        path.join(dir, 'bin/yb-admin'),
        `#!/bin/bash\necho "$*" >> ${dir}/yb-admin.log\nif [ "\${*: -1}" = list_snapshot_schedules ]; then cat ${dir}/schedules.json; fi\n`,
        { mode: 0o755 },
      );
    });
    afterEach(() => fs.rmSync(dir, { recursive: true }));

    const run = () =>
      spawnSync(
        'bash',
        [
          '-c',
          script
            .replace('bin=/home/yugabyte/bin', `bin=${dir}/bin`)
            .replace('/admin/ysqlPassword', `${dir}/admin/ysqlPassword`)
            .replace('/credentials/password', `${dir}/credentials/password`)
            .replace('PGPASSFILE=/tmp/pgpass', `PGPASSFILE=${dir}/pgpass`),
        ],
        { encoding: 'utf8' },
      );

    test('passes the admin password only through the password file, escaped, and no password in arguments or the script', () => {
      fs.writeFileSync(path.join(dir, 'schedules.json'), '{"schedules": []}');
      const result = run();
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'pgpass'), 'utf8')).toBe(
        'yb-tservers.yugabytedb.svc.cluster.local:5433:*:yugabyte:ad\\:m\\\\in\n',
      );
      const calls = fs.readdirSync(path.join(dir, 'calls'));
      const args = calls.filter((file) => file.endsWith('.args'));
      for (const file of args) {
        const text = fs.readFileSync(path.join(dir, 'calls', file), 'utf8');
        expect(text).not.toContain('S3cret');
        expect(text).not.toContain('m\\in');
      }
      // The agent's password stays in its file: ysqlsh reads it into a variable.
      const sql = fs.readFileSync(path.join(dir, 'calls/1.stdin'), 'utf8');
      expect(sql).not.toContain('S3cret');
      expect(sql).toContain(`\\set password \`cat ${dir}/credentials/password\``);
      expect(sql).toContain(`PASSWORD :'password';`);
      expect(sql).toContain(
        "\\connect 'host=yb-tservers.yugabytedb.svc.cluster.local port=5433 user=yugabyte dbname=ledger_writer",
      );
    });

    test('creates the snapshot schedule once: a second run finds it', () => {
      fs.writeFileSync(path.join(dir, 'schedules.json'), '{"schedules": []}');
      expect(run().status).toBe(0);
      fs.writeFileSync(
        path.join(dir, 'schedules.json'),
        JSON.stringify(
          {
            schedules: [
              { id: 'x', options: { filter: 'ysql.ledger_writer', interval: '1440 min' } },
            ],
          },
          null,
          4,
        ),
      );
      const again = run();
      expect(again.status).toBe(0);
      expect(again.stdout).toContain('snapshot schedule of ysql.ledger_writer exists');
      const log = fs.readFileSync(path.join(dir, 'yb-admin.log'), 'utf8').trim().split('\n');
      expect(log.filter((line) => line.includes('create_snapshot_schedule'))).toHaveLength(1);
    });
  });

  test('refuse names that would break the Job or YugabyteDB', () => {
    expect(() => databases({ databases: [{ agent: 'a'.repeat(31) }] })).toThrow(
      /must be a DNS label of at most 30 characters/,
    );
    expect(() => databases({ databases: [{ agent: 'billing', schema: 'Bad-Schema' }] })).toThrow(
      /'databases\[0\]\.schema': 'Bad-Schema' must be 1 to 63 lowercase/,
    );
    expect(() => databases({ databases: [{ agent: 'yugabyte' }] })).toThrow(
      /'yugabyte' must be a SQL name/,
    );
    expect(() => databases({ databases: [{ agent: 'a-b' }, { agent: 'a-b' }] })).toThrow(
      /has the role and database of databases\[0\]/,
    );
    expect(() => databases({ snapshotInterval: Duration.seconds(90) })).toThrow(
      /'snapshotInterval'.*must be whole minutes/,
    );
  });
});

describe("the copies of YugabyteDB's CA in the agents' namespaces", () => {
  const json = synthesizedScope((scope) => {
    new ServerCertificates(scope, 'Certificates', {
      names: yugabyteDbCertificateNames(NAMES),
      clientNamespaces: ['ledger', 'billing', 'ledger', 'yugabytedb'],
    });
  });
  const account = 'yugabytedb-ca-copies';
  const job = resourcesOf(json, 'kubernetes_job_v1').find((candidate) =>
    candidate.metadata.name.startsWith(account),
  )!;
  const script = caCopiesScript(NAMES, ['billing', 'ledger']);

  test("runs the pinned curl image with a projected token of its own account, as the fleet's user", () => {
    const pod = job.spec.template.spec;
    expect(job.metadata.name).toMatch(/^yugabytedb-ca-copies-[0-9a-f]{10}$/);
    expect(pod.container[0].image).toBe(IMAGES.curl);
    expect(pod.container[0].command).toEqual(['/bin/sh', '-c', script]);
    expect(pod.service_account_name).toBe('yugabytedb-ca-copies');
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.container[0].security_context).toMatchObject({ read_only_root_filesystem: true });
  });

  test("may read only the CA Secret, and write only it in the agents' namespaces", () => {
    const roles = resourcesOf(json, 'kubernetes_role_v1').filter(
      (role) => role.metadata.name === account,
    );
    const rules = Object.fromEntries(roles.map((role) => [role.metadata.namespace, role.rule]));
    const only = (verbs: string[]) => ({
      api_groups: [''],
      resources: ['secrets'],
      resource_names: ['yugabytedb-ca'],
      verbs,
    });
    expect(rules).toEqual({
      yugabytedb: [only(['get'])],
      billing: [
        { api_groups: [''], resources: ['secrets'], verbs: ['create'] },
        only(['get', 'update']),
      ],
      ledger: [
        { api_groups: [''], resources: ['secrets'], verbs: ['create'] },
        only(['get', 'update']),
      ],
    });
    const policy = resourcesOf(json, 'kubernetes_network_policy_v1').find(
      (candidate) => candidate.metadata.name === account,
    )!;
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.egress[1].ports).toEqual([
      { port: '443', protocol: 'TCP' },
      { port: '6443', protocol: 'TCP' },
    ]);
  });

  test('the script parses (sh -n) and passes shellcheck where installed', () => {
    const check = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    if (spawnSync('shellcheck', ['--version']).status !== 0) return;
    const lint = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: script, encoding: 'utf8' });
    expect(lint.stdout).toBe('');
  });

  test('copies the CA into each namespace, replacing a copy that exists (against a stand-in curl)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yugabytedb-ca-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.writeFileSync(path.join(dir, 'token'), 'a-token');
      // Answers like the API server: the CA Secret, 201 for billing, 409 then 200 for ledger.
      fs.writeFileSync(
        path.join(dir, 'bin/curl'),
        `#!/bin/sh
method=GET; out=; body=
while [ $# -gt 1 ]; do
  case "$1" in
    -o) out=$2; shift ;;
    -X) method=$2; shift ;;
    --data-binary) body=$2; shift ;;
  esac
  shift
done
echo "$method $1 $body" >> ${dir}/calls.log
case "$method $1" in
  GET*) printf '{"kind":"Secret","data":{"ca.crt":"Q0EgY2VydA=="},"type":"Opaque"}' > "$out"; printf 200 ;;
  "POST"*/ledger/*) printf '{}' > "$out"; printf 409 ;;
  *) printf '{}' > "$out"; printf 201 ;;
esac
`,
        { mode: 0o755 },
      );
      const result = spawnSync(
        'sh',
        [
          '-c',
          script
            .replace('sa=/var/run/secrets/agent-fleet/api', `sa=${dir}`)
            .replace(/\/tmp\/(response|ca\.json)/g, `${dir}/$1`),
        ],
        { encoding: 'utf8', env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}` } },
      );
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const calls = fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').trim().split('\n');
      const api = 'https://kubernetes.default.svc/api/v1/namespaces';
      expect(calls).toEqual([
        `GET ${api}/yugabytedb/secrets/yugabytedb-ca `,
        `POST ${api}/billing/secrets @${dir}/ca.json`,
        `POST ${api}/ledger/secrets @${dir}/ca.json`,
        `PUT ${api}/ledger/secrets/yugabytedb-ca @${dir}/ca.json`,
      ]);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'ca.json'), 'utf8'))).toEqual({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'yugabytedb-ca',
          labels: {
            'app.kubernetes.io/part-of': 'agent-fleet',
            'app.kubernetes.io/component': 'yugabytedb-tls',
          },
        },
        type: 'Opaque',
        data: { 'ca.crt': 'Q0EgY2VydA==' },
      });
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

describe('a site with YugabyteDB', () => {
  const site: KubernetesSiteSpec = {
    ...SITE,
    stateEngines: { sql: { kind: 'yugabytedb', storageClass: 'encrypted-ssd' } },
  };
  const agents = [
    resolveAgent(agent({ name: 'ledger-writer', state: { model: 'sql', schema: 'ledger' } })),
    resolveAgent(agent({ name: 'billing', state: { model: 'sql' } })),
    resolveAgent(
      agent({
        name: 'counter',
        state: { model: 'key-value', partitionKey: { name: 'id', type: 'string' } },
      }),
    ),
    resolveAgent(agent({ name: 'stateless' })),
  ];

  test('serves the SQL-state agents only, when the site declares it', () => {
    const plan = siteYugabyteDbPlan(site, agents)!;
    expect(plan.agents.map((a) => a.spec.name)).toEqual(['ledger-writer', 'billing']);
    expect(plan.names).toMatchObject({ name: 'yugabytedb', namespace: 'yugabytedb', replicas: 3 });
    expect(siteYugabyteDbPlan(SITE, agents)).toBeUndefined();
    expect(siteYugabyteDbPlan(site, agents.slice(2))).toBeUndefined();
  });

  function platform(agentSecrets = true) {
    let built: YugabyteDbPlatform | undefined;
    const text = Testing.synthScope((scope) => {
      built = new YugabyteDbPlatform(scope, 'YugabyteDb', {
        plan: siteYugabyteDbPlan(site, agents)!,
        namespace: 'yugabytedb',
        agentNamespaces: new Map([
          ['ledger-writer', 'ledger-writer'],
          ['billing', 'billing'],
        ]),
        pools: ['general'],
        monitoringNamespace: 'monitoring',
        agentSecrets,
      });
    });
    return { text, json: parseSynthesized(text), built: built! };
  }
  const { text, json, built } = platform();

  test('writes the admin and agent passwords write-only, and no password anywhere else', () => {
    const secrets = resourcesOf(json, 'kubernetes_secret_v1');
    expect(secrets.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort()).toEqual([
      'billing/billing-yugabytedb',
      'ledger-writer/ledger-writer-yugabytedb',
      'yugabytedb/yugabytedb-admin',
      'yugabytedb/yugabytedb-user-billing',
      'yugabytedb/yugabytedb-user-ledger-writer',
    ]);
    for (const secret of secrets) {
      expect(secret.data).toBeUndefined();
      for (const value of Object.values(secret.data_wo as Block)) {
        if (/ephemeral/.test(String(value))) {
          expect(value).toMatch(/^\$\{ephemeral\.random_password\..*\.result\}$/);
        }
      }
    }
    const admin = secrets.find((s) => s.metadata.name === 'yugabytedb-admin')!;
    expect(Object.keys(admin.data_wo)).toEqual(['ysqlPassword']);
    const agentSecret = secrets.find((s) => s.metadata.name === 'ledger-writer-yugabytedb')!;
    expect(agentSecret.data_wo.username).toBe('ledger_writer');
    expect(text).not.toMatch(/"(password|ysqlPassword)"\s*:\s*"(?!\$\{ephemeral\.)/);
    expect(text).not.toMatch(/PRIVATE KEY/);
  });

  test("makes the certificates in the cluster and hands the CA to the agents' namespaces", () => {
    const job = resourcesOf(json, 'kubernetes_job_v1').find((candidate) =>
      candidate.metadata.name.startsWith('yugabytedb-certificates-'),
    )!;
    const generate = job.spec.template.spec.init_container[0].command[2] as string;
    for (const name of yugabyteDbCertificateNames(NAMES).dnsNames) expect(generate).toContain(name);
    // Issued for the universe's namespace only: adding an agent keeps the CA.
    const publish = job.spec.template.spec.container[0].command[2] as string;
    expect(publish).toContain('write yugabytedb yugabytedb-server-tls server');
    expect(publish).toContain('write yugabytedb yugabytedb-ca ca');
    expect(publish).not.toContain('write billing');
    const copies = resourcesOf(json, 'kubernetes_job_v1').find((candidate) =>
      candidate.metadata.name.startsWith('yugabytedb-ca-copies-'),
    )!;
    const script = copies.spec.template.spec.container[0].command[2] as string;
    expect(script).toContain('copy billing\ncopy ledger-writer\n');
    expect(copies.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^kubernetes_job_v1\..*Certificates/)]),
    );
    // A bare address, the form Terraform takes there (not "${...}").
    expect(copies.lifecycle.replace_triggered_by).toEqual([
      expect.stringMatching(/^kubernetes_job_v1\.YugabyteDb_Certificates_Job_[0-9A-F]{8}$/),
    ]);
    expect(Object.keys(json.resource.kubernetes_job_v1)).toContain(
      copies.lifecycle.replace_triggered_by[0].split('.')[1],
    );
    expect(copies.spec.template.metadata.annotations['agent-fleet.dev/certificates']).toMatch(
      /^\$\{kubernetes_job_v1\..*Certificates.*\.metadata\[0\]\.name\}$/,
    );
    const [release] = resourcesOf(json, 'helm_release');
    expect(release.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^kubernetes_job_v1\..*Certificates/)]),
    );
    expect(release.values[0]).toMatch(/agent-fleet\.dev\/certificates.*kubernetes_job_v1\./);
  });

  test('binds each agent to its database, schema, Secrets and the tablet servers', () => {
    expect(built.bindings.get('ledger-writer')).toEqual({
      kind: 'in-cluster-yugabytedb',
      host: 'yb-tservers.yugabytedb.svc.cluster.local',
      port: 5433,
      database: 'ledger_writer',
      schema: 'ledger',
      credentialsSecret: 'ledger-writer-yugabytedb',
      caSecret: 'yugabytedb-ca',
      namespace: 'yugabytedb',
      podLabels: { app: 'yb-tserver', release: 'yugabytedb' },
    });
    expect(built.bindings.get('billing')?.schema).toBe('public');
    expect([...built.bindings.keys()]).toEqual(['ledger-writer', 'billing']);
    expect(built.credentialsOf('billing')).toMatchObject({ username: 'billing', revision: 1 });
    expect(() => built.credentialsOf('counter')).toThrow(/'counter' has no user here/);
  });

  test('runs a provisioning Job per agent after the release and the Secrets', () => {
    const jobs = resourcesOf(json, 'kubernetes_job_v1').filter((candidate) =>
      candidate.metadata.name.startsWith('yugabytedb-provision-'),
    );
    expect(jobs).toHaveLength(2);
    for (const job of jobs) {
      expect(job.depends_on).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^helm_release\./),
          expect.stringMatching(/^kubernetes_secret_v1\..*UserSecret/),
        ]),
      );
    }
  });

  test('keeps agent Secrets out where Vault holds the credentials', () => {
    const vault = platform(false).json;
    expect(
      resourcesOf(vault, 'kubernetes_secret_v1')
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(['yugabytedb-admin', 'yugabytedb-user-billing', 'yugabytedb-user-ledger-writer']);
  });
});

describe('the platform footprint of a site with YugabyteDB', () => {
  test('counts each master and tablet server with its log cleaner, one per node', () => {
    const site = {
      name: 'dc1',
      nodePools: [{ name: 'general' }],
      stateEngines: {
        sql: { kind: 'yugabytedb' as const, replicas: 5, resources: { memory: Size.gibibytes(8) } },
      },
    };
    const workloads = platformWorkloads(site, []);
    expect(workloads.find((w) => w.name === 'YugabyteDB master')).toMatchObject({
      replicas: 5,
      requests: { cpuMillis: 2000 + 250, memoryMiB: 2048 + 250 },
      onePerNode: true,
    });
    expect(workloads.find((w) => w.name === 'YugabyteDB tablet server')).toMatchObject({
      replicas: 5,
      requests: { cpuMillis: 2000 + 250, memoryMiB: 8192 + 250 },
      onePerNode: true,
    });
  });
});
