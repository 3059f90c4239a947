import { spawnSync } from 'child_process';
import { Testing } from 'cdktf';
import { CHARTS } from '../../constructs/kubernetes/platform/charts';
import {
  COCKROACHDB_IMAGE,
  CockroachDbRelease,
  CockroachDbReleaseProps,
} from '../../constructs/kubernetes/services/cockroachdb';
import { Cpu, Size } from '../../model/units';
import {
  Block,
  Synthesized,
  parseSynthesized,
  resourcesOf,
  synthesizedScope,
} from '../support/synthesized';

const PROPS: CockroachDbReleaseProps = {
  namespace: 'databases',
  pools: ['general'],
  monitoringNamespace: 'monitoring',
  databases: [
    { agent: 'inventory-update', namespace: 'inventory' },
    { agent: 'reporting', namespace: 'reporting', database: 'inventory_read', user: 'reporter' },
  ],
};

function synthText(overrides: Partial<CockroachDbReleaseProps> = {}): string {
  return Testing.synthScope((scope) => {
    new CockroachDbRelease(scope, 'Database', { ...PROPS, ...overrides });
  });
}

function synth(overrides: Partial<CockroachDbReleaseProps> = {}): Synthesized {
  return parseSynthesized(synthText(overrides));
}

function valuesOf(json: Synthesized): Block {
  const [release] = resourcesOf(json, 'helm_release');
  return JSON.parse(release.values[0]);
}

describe('CockroachDbRelease defaults', () => {
  const json = synth();
  const [release] = resourcesOf(json, 'helm_release');
  const values = valuesOf(json);

  it("installs CockroachDB's own chart, pinned, with the official image pinned", () => {
    expect(release).toMatchObject({
      name: 'cockroachdb',
      namespace: 'databases',
      repository: 'https://charts.cockroachdb.com/',
      chart: 'cockroachdb',
      version: CHARTS.cockroachdb.version,
      wait: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(values.fullnameOverride).toBe('cockroachdb');
    expect(values.image).toEqual({
      repository: 'cockroachdb/cockroach',
      tag: COCKROACHDB_IMAGE.tag,
    });
    expect(COCKROACHDB_IMAGE.tag).toMatch(/^v25\.\d+\.\d+$/);
  });

  it('runs 3 nodes, one at a time disrupted, draining for 300 s', () => {
    expect(values.statefulset.replicas).toBe(3);
    expect(values.statefulset.budget).toEqual({ maxUnavailable: 1 });
    expect(values.statefulset.terminationGracePeriodSeconds).toBe(300);
  });

  it('spreads nodes over zones and requires one per host', () => {
    expect(values.statefulset.topologySpreadConstraints).toEqual({
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
    });
    expect(values.statefulset.podAntiAffinity).toEqual({
      type: 'hard',
      topologyKey: 'kubernetes.io/hostname',
    });
    expect(values.statefulset.nodeAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: 'agent-fleet.dev/pool', operator: 'In', values: ['general'] },
            ],
          },
        ],
      },
    });
  });

  it("turns TLS on with the chart's self-signer", () => {
    expect(values.tls).toEqual({
      enabled: true,
      certs: {
        provided: false,
        certManager: false,
        selfSigner: { enabled: true, rotateCerts: true },
      },
    });
  });

  it('keeps data on persistent volumes and sets resources', () => {
    expect(values.storage.persistentVolume).toMatchObject({ enabled: true, size: '100Gi' });
    expect(values.statefulset.resources).toEqual({
      requests: { cpu: '2', memory: '8Gi' },
      limits: { cpu: '2', memory: '8Gi' },
    });
  });

  it("admits SQL only from the agents' namespaces and HTTP only from monitoring", () => {
    const byName = (name: string) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } },
    });
    expect(values.networkPolicy).toEqual({
      enabled: true,
      ingress: { grpc: [byName('inventory'), byName('reporting')], http: [byName('monitoring')] },
    });
  });

  it('takes sizes and placement from the props', () => {
    const custom = valuesOf(
      synth({
        storage: Size.gibibytes(20),
        storageClass: 'local-ssd',
        cpu: Cpu.millis(500),
        memory: Size.gibibytes(2),
        tolerations: [{ key: 'edge', effect: 'NoSchedule' }],
      }),
    );
    expect(custom.storage.persistentVolume).toMatchObject({
      size: '20Gi',
      storageClass: 'local-ssd',
    });
    expect(custom.statefulset.resources.limits).toEqual({ cpu: '500m', memory: '2Gi' });
    expect(custom.statefulset.tolerations).toEqual([
      { key: 'edge', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });
});

describe('CockroachDbRelease replicas', () => {
  it('refuses fewer than 3 nodes without a reason', () => {
    expect(() => synth({ replicas: 1 })).toThrow(/'replicas': \(1\) must be at least 3.*'reason'/);
  });

  it('runs fewer with a written reason', () => {
    const values = valuesOf(synth({ replicas: 1, reason: 'single-node lab site' }));
    expect(values.statefulset.replicas).toBe(1);
  });
});

describe("credentials kept out of the agents' namespaces", () => {
  it('writes only the provisioning Secrets, and hands the credentials over for Vault', () => {
    let release!: CockroachDbRelease;
    const json = synthesizedScope((scope) => {
      release = new CockroachDbRelease(scope, 'Database', { ...PROPS, agentSecrets: false });
    });
    expect(
      resourcesOf(json, 'kubernetes_secret_v1').map((secret) => secret.metadata.namespace),
    ).toEqual(['databases', 'databases']);
    expect(release.credentialsOf('reporting')).toEqual({
      username: 'reporter',
      password: expect.stringMatching(/^\$\{ephemeral\.random_password\..*\.result\}$/),
      revision: 1,
    });
    expect(() => release.credentialsOf('billing')).toThrow("agent 'billing' has no database here");
  });
});

describe('per-agent provisioning', () => {
  const text = synthText();
  const json = parseSynthesized(text);
  const jobs = resourcesOf(json, 'kubernetes_job_v1');
  const secrets = resourcesOf(json, 'kubernetes_secret_v1');
  const jobOf = (all: Block[], agent: string) =>
    all.find((job) => job.metadata.name.startsWith(`cockroachdb-provision-${agent}-`)) as Block;

  it('writes each password, write-only, into the database and agent namespaces', () => {
    const placed = secrets.map((secret) => `${secret.metadata.namespace}/${secret.metadata.name}`);
    expect(placed.sort()).toEqual([
      'databases/cockroachdb-user-inventory-update',
      'databases/cockroachdb-user-reporting',
      'inventory/inventory-update-cockroachdb',
      'reporting/reporting-cockroachdb',
    ]);
    for (const secret of secrets) {
      expect(secret.data).toBeUndefined();
      expect(secret.data_wo.username).toMatch(/^(inventory_update|reporter)$/);
      expect(secret.data_wo.password).toMatch(/^\$\{ephemeral\.random_password\..*\.result\}$/);
    }
    // Both Secrets of an agent take the same ephemeral password, another agent another one.
    const passwordOf = (name: string) =>
      secrets.find((secret) => secret.metadata.name === name)?.data_wo.password;
    expect(passwordOf('cockroachdb-user-reporting')).toBe(passwordOf('reporting-cockroachdb'));
    expect(passwordOf('cockroachdb-user-reporting')).not.toBe(
      passwordOf('inventory-update-cockroachdb'),
    );
  });

  it('never puts a password in the synthesized output', () => {
    const passwords = Object.keys(json.ephemeral.random_password);
    expect(passwords).toHaveLength(2);
    expect(text).not.toMatch(/"password"\s*:\s*"(?!\$\{ephemeral\.)/);
    for (const job of jobs) {
      const container = job.spec.template.spec.container[0];
      expect(JSON.stringify(container.env ?? [])).not.toMatch(/password/i);
      expect(container.command.slice(0, 2)).toEqual(['/bin/bash', '-c']);
      expect(container.command[2]).toContain('password=$(cat /credentials/password)');
    }
  });

  it('runs one provisioning Job per agent with the root client certificate', () => {
    expect(jobs).toHaveLength(2);
    const job = jobOf(jobs, 'inventory-update');
    expect(job.metadata.namespace).toBe('databases');
    expect(job.metadata.name).toMatch(/^cockroachdb-provision-inventory-update-[0-9a-f]{10}$/);
    expect(job.metadata.labels['cockroachdb-client']).toBe('true');
    expect(job.wait_for_completion).toBe(true);
    const pod = job.spec.template.spec;
    expect(pod.volume).toEqual(
      expect.arrayContaining([
        {
          name: 'client-certs',
          secret: { secret_name: 'cockroachdb-client-secret', default_mode: '0440' },
        },
      ]),
    );
    expect(pod.container[0].image).toBe(`cockroachdb/cockroach:${COCKROACHDB_IMAGE.tag}`);
    expect(pod.container[0].security_context.run_as_non_root).toBe(true);
    expect(pod.container[0].security_context.read_only_root_filesystem).toBe(true);
  });

  it('creates the database and user idempotently and grants the database', () => {
    const script = jobOf(jobs, 'reporting').spec.template.spec.container[0].command[2];
    expect(script).toContain('CREATE DATABASE IF NOT EXISTS "inventory_read";');
    expect(script).toContain('CREATE USER IF NOT EXISTS "reporter";');
    expect(script).toContain(`ALTER USER "reporter" WITH LOGIN PASSWORD '$escaped';`);
    expect(script).toContain('GRANT ALL ON DATABASE "inventory_read" TO "reporter";');
    expect(script).toContain('--host=cockroachdb-public:26257');
    const check = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('gives an agent with SQL state its schema: a new one it is authorized for, or public', () => {
    const scriptOf = (ownedSchema: string | undefined) =>
      jobOf(
        resourcesOf(
          synth({ databases: [{ agent: 'ledger', namespace: 'ledger', ownedSchema }] }),
          'kubernetes_job_v1',
        ),
        'ledger',
      ).spec.template.spec.container[0].command[2] as string;
    expect(scriptOf('books')).toContain(
      'GRANT ALL ON DATABASE "ledger" TO "ledger";\nCREATE SCHEMA IF NOT EXISTS "ledger"."books" AUTHORIZATION "ledger";\nSQL',
    );
    expect(scriptOf('public')).toContain('ALTER SCHEMA "ledger".public OWNER TO "ledger";\nSQL');
    expect(scriptOf(undefined)).not.toMatch(/SCHEMA/);
    const check = spawnSync('bash', ['-n'], { input: scriptOf('books'), encoding: 'utf8' });
    expect(check.status).toBe(0);
  });

  it('names the Job after what it does, so a rotation replaces it', () => {
    const rotated = resourcesOf(
      synth({
        databases: [
          { agent: 'inventory-update', namespace: 'inventory', passwordRevision: 2 },
          PROPS.databases![1],
        ],
      }),
      'kubernetes_job_v1',
    );
    expect(jobOf(rotated, 'inventory-update').metadata.name).not.toBe(
      jobOf(jobs, 'inventory-update').metadata.name,
    );
    expect(jobOf(rotated, 'reporting').metadata.name).toBe(jobOf(jobs, 'reporting').metadata.name);
  });

  it('exposes how each agent connects', () => {
    Testing.synthScope((scope) => {
      const database = new CockroachDbRelease(scope, 'Database', PROPS);
      expect(database.connectionOf('reporting')).toEqual({
        host: 'cockroachdb-public.databases.svc.cluster.local',
        port: 26257,
        database: 'inventory_read',
        user: 'reporter',
        secretName: expect.any(String),
        usernameKey: 'username',
        passwordKey: 'password',
        sslMode: 'require',
      });
      expect(database.podLabels).toEqual({
        'app.kubernetes.io/name': 'cockroachdb',
        'app.kubernetes.io/instance': 'cockroachdb',
      });
      expect(() => database.connectionOf('forecasting')).toThrow(/'forecasting' has no database/);
    });
  });

  it('refuses SQL names it cannot quote safely and duplicate agents', () => {
    expect(() =>
      synth({
        databases: [
          { agent: 'a', namespace: 'x', user: 'root' },
          { agent: 'a', namespace: 'x', database: 'b"; DROP' },
        ],
      }),
    ).toThrow(/databases\[0\]\.user.*\n.*databases\[1\]\.agent.*\n.*databases\[1\]\.database/);
  });
});
