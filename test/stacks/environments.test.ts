import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { loadFleet } from '../../config';
import { FleetEnvironment } from '../../model';
import { AgentFleet } from '../../stacks/agent-fleet';
import { crdErrors, crdSchemasAvailable, STATE_ENGINE_CRDS } from '../support/crd-schemas';
import { tempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');
const ENVIRONMENT_FILES = fs
  .readdirSync(path.join(ROOT, 'environments'))
  .filter((file) => file.endsWith('.yaml'));

function loadAll(): FleetEnvironment[] {
  const result = loadFleet({ rootDir: ROOT });
  if (!result.ok)
    throw new Error(
      `environment files have problems:\n${JSON.stringify(result.problems, null, 2)}`,
    );
  return result.environments;
}

/** Synthesizes every stack of every environment: stack id → Terraform JSON. */
const fleets: AgentFleet[] = [];

function synthAll(): { app: App; stacks: Map<string, Record<string, any>> } {
  // A whole app, so cross-stack references resolve as in a real synth.
  const outdir = tempDir('fleet-environments');
  const app = new App({ outdir });
  for (const environment of loadAll()) {
    fleets.push(new AgentFleet(app, environment.name, { environment }));
  }
  app.synth();
  const stacks = new Map<string, Record<string, any>>();
  for (const stack of app.node.children.filter(TerraformStack.isStack)) {
    const file = path.join(outdir, 'stacks', stack.node.id, 'cdk.tf.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete json['//'];
    stacks.set(stack.node.id, json);
  }
  return { app, stacks };
}

const { app, stacks: synthesized } = synthAll();

describe('example environments', () => {
  it("writes for every stack exactly what cdktf's own rendering gives, metadata included", () => {
    // Checked stacks render from fragments resolved while preparing (guardrails/engine/rendering.ts).
    for (const stack of app.node.children.filter(TerraformStack.isStack)) {
      const file = path.join(app.outdir, 'stacks', stack.node.id, 'cdk.tf.json');
      const written = JSON.parse(fs.readFileSync(file, 'utf8'));
      const byCdktf = JSON.parse(JSON.stringify(TerraformStack.prototype.toTerraform.call(stack)));
      expect({ [stack.node.id]: written }).toEqual({ [stack.node.id]: byCdktf });
    }
  });

  it('loads every environment file', () => {
    expect(
      loadAll()
        .map((environment) => `${environment.name}.yaml`)
        .sort(),
    ).toEqual(ENVIRONMENT_FILES.sort());
  });

  it('gives every cluster site a platform and an agents stack, every cloud site an infra stack and every hosts site a hosts stack', () => {
    const expected = loadAll().flatMap((environment) => {
      const cloudSites = [...(environment.awsSites ?? []), ...(environment.azureSites ?? [])];
      return [
        ...[...environment.sites, ...cloudSites].flatMap((site) => [
          `${environment.name}-${site.name}-platform`,
          `${environment.name}-${site.name}-agents`,
        ]),
        ...cloudSites.map((site) => `${environment.name}-${site.name}-infra`),
        ...(environment.hostsSites ?? []).map((site) => `${environment.name}-${site.name}-hosts`),
      ];
    });
    expect([...synthesized.keys()].sort()).toEqual(expected.sort());
  });

  it('reaches an EKS cluster through its endpoint and a token command, never stored credentials', () => {
    const platform = synthesized.get('staging-eu-platform') as Record<string, any>;
    const [kubernetes] = platform.provider.kubernetes;
    expect(kubernetes.config_path).toBeUndefined();
    expect(kubernetes.host).toContain(
      'data.terraform_remote_state.cross-stack-reference-input-staging-eu-infra',
    );
    expect(kubernetes.exec).toEqual([
      {
        api_version: 'client.authentication.k8s.io/v1beta1',
        command: 'aws',
        args: ['eks', 'get-token', '--cluster-name', 'staging-eu', '--region', 'eu-west-1'],
      },
    ]);
    expect(platform.provider.helm[0].kubernetes.exec.command).toBe('aws');
  });

  it('installs the cluster autoscaler on EKS with its own role, which may scale only this cluster', () => {
    const platform = synthesized.get('staging-eu-platform') as Record<string, any>;
    const release = Object.values(platform.resource.helm_release as Record<string, any>).find(
      (candidate) => candidate.name === 'cluster-autoscaler',
    );
    const values = JSON.parse(release.values[0]);
    expect(values.autoDiscovery).toEqual({ clusterName: 'staging-eu' });
    expect(values.rbac.serviceAccount.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/staging-eu-cluster-autoscaler',
    });
    const infra = synthesized.get('staging-eu-infra') as Record<string, any>;
    const role = Object.values(infra.resource.aws_iam_role as Record<string, any>).find(
      (candidate) => candidate.name === 'staging-eu-cluster-autoscaler',
    );
    // The issuer host is filled in by Terraform, so the policy is a template here.
    expect(role.assume_role_policy).toContain('sts:AssumeRoleWithWebIdentity');
    expect(role.assume_role_policy).toContain(
      'system:serviceaccount:kube-system:cluster-autoscaler',
    );
    const policy = Object.values(infra.resource.aws_iam_role_policy as Record<string, any>).find(
      (candidate) => candidate.name === 'cluster-autoscaler',
    );
    const scale = JSON.parse(policy.policy).Statement.find(
      (statement: any) => statement.Sid === 'ScaleOwnGroups',
    );
    expect(scale.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/staging-eu': 'owned' },
    });
    expect(scale.Action).toEqual([
      'autoscaling:SetDesiredCapacity',
      'autoscaling:TerminateInstanceInAutoScalingGroup',
    ]);
  });

  it('leaves clusters the fleet does not build without a node autoscaler', () => {
    const platform = synthesized.get('local-dev-platform') as Record<string, any>;
    const names = Object.values(platform.resource.helm_release as Record<string, any>).map(
      (r) => r.name,
    );
    expect(names).not.toContain('cluster-autoscaler');
  });

  it('lets GPU agents on EKS tolerate the taint every GPU node group carries', () => {
    const agents = synthesized.get('staging-eu-agents') as Record<string, any>;
    const gpu = Object.values(agents.resource.kubernetes_deployment_v1 as Record<string, any>).find(
      (deployment) => deployment.metadata.name === 'gpu-inference',
    );
    expect(gpu.spec.template.spec.toleration).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
    ]);
  });

  it('places the reference fleet in local', () => {
    const local = loadAll().find((environment) => environment.name === 'local') as FleetEnvironment;
    expect(local.deployments.map((deployment) => deployment.agent.name).sort()).toEqual([
      'dispatcher',
      'forecasting',
      'gpu-inference',
      'image-processing',
      'inventory-update',
      'metadata-extraction',
      'order-tracking',
      'reporting',
      'sensor-ingest',
    ]);
  });

  it('contains nothing that looks like a credential', () => {
    for (const json of synthesized.values()) {
      const text = JSON.stringify(json);
      // A password in a URL or a JSON field is only ever a reference to an ephemeral value.
      expect(text).not.toMatch(/(amqps?|https?):\/\/[^/"\s]+:(?!\$\{ephemeral\.)[^@"\s]+@/);
      expect(text).not.toMatch(/\\?"password\\?"\s*:\s*\\?"(?!\$\{ephemeral\.)/i);
      expect(text).not.toMatch(/"(token|client_key|client_certificate|set_sensitive)"\s*:/i);
    }
  });

  it('writes every Secret through write-only data', () => {
    for (const json of synthesized.values()) {
      for (const secret of Object.values(
        (json.resource.kubernetes_secret_v1 ?? {}) as Record<string, any>,
      )) {
        expect(secret.data).toBeUndefined();
        expect(secret.binary_data).toBeUndefined();
        expect(Object.keys(secret.data_wo).length).toBeGreaterThan(0);
      }
    }
  });

  it('never puts two autoscalers on one workload', () => {
    for (const json of synthesized.values()) {
      const manifests = Object.values(
        (json.resource.kubernetes_manifest ?? {}) as Record<string, { manifest: any }>,
      ).map((resource) => resource.manifest);
      const targets = [
        ...manifests
          .filter((m) => m.kind === 'ScaledObject')
          .map((m) => m.spec.scaleTargetRef.name),
        ...Object.values(
          (json.resource.kubernetes_horizontal_pod_autoscaler_v2 ?? {}) as Record<string, any>,
        ).map((hpa) => hpa.spec.scale_target_ref.name),
      ];
      expect(new Set(targets).size).toBe(targets.length);
    }
  });

  it('holds every replica of every site at its maximum, within the pools', () => {
    const capacities = fleets.flatMap((fleet) => fleet.summary.capacity);
    // Sites whose nodes' size is known: the cloud pools, and those that declare it.
    expect(
      capacities
        .filter((capacity) => capacity.pools.length > 0)
        .map((capacity) => capacity.site)
        .sort(),
    ).toEqual(['denver-edge', 'eu', 'eu-west', 'nebraska-warm', 'us-east']);
    for (const capacity of capacities) {
      expect({ site: capacity.site, shortfalls: capacity.shortfalls }).toEqual({
        site: capacity.site,
        shortfalls: [],
      });
      expect({ site: capacity.site, warnings: capacity.warnings }).toEqual({
        site: capacity.site,
        warnings: [],
      });
    }
  });

  it.each([...synthesized.keys()])('%s matches its snapshot', (id) => {
    expect(synthesized.get(id)).toMatchSnapshot();
  });
});

(crdSchemasAvailable() ? describe : describe.skip)(
  'custom resources of the example environments',
  () => {
    const operators: Record<string, { folder: string; release: string; root?: string }> = {
      'keda.sh': { folder: 'keda', release: 'KEDA v2.20.2' },
      'kafka.strimzi.io': { folder: 'strimzi', release: 'Strimzi 1.2.0' },
      // Vendored in the repository (test/fixtures/state-engines/README.md).
      'mongodbcommunity.mongodb.com': {
        folder: 'mongodb',
        release: 'MongoDB Controllers for Kubernetes 1.10.0',
        root: STATE_ENGINE_CRDS,
      },
      'cassandra.datastax.com': {
        folder: 'cass-operator',
        release: 'cass-operator v1.30.0 (chart 0.64.1)',
        root: STATE_ENGINE_CRDS,
      },
      'monitoring.coreos.com': {
        folder: 'prometheus-operator',
        release: 'Prometheus Operator 0.79.2, as kube-prometheus-stack 67.8.0 ships it',
        root: STATE_ENGINE_CRDS,
      },
    };
    const manifests = [...synthesized.entries()].flatMap(([id, json]) =>
      Object.values(
        (json.resource.kubernetes_manifest ?? {}) as Record<
          string,
          { manifest: { apiVersion: string; kind: string; metadata: { name: string } } }
        >,
      )
        .map((resource) => resource.manifest)
        .map((manifest) => {
          const operator = operators[manifest.apiVersion.split('/')[0]];
          return [
            `${id}: ${manifest.kind} ${manifest.metadata.name} (${operator?.release ?? 'unknown operator'})`,
            operator,
            manifest,
          ] as const;
        }),
    );

    it('has objects of every operator to check', () => {
      const folders = new Set(manifests.map(([, operator]) => operator?.folder));
      expect([...folders].sort()).toEqual([
        'cass-operator',
        'keda',
        'mongodb',
        'prometheus-operator',
        'strimzi',
      ]);
    });

    it.each(manifests)('%s is valid for its operator', (_name, operator, manifest) => {
      expect(operator).toBeDefined();
      expect(crdErrors(operator!.folder, manifest, operator!.root)).toEqual([]);
    });
  },
);
