import { Testing, TerraformStack } from 'cdktf';
import {
  vaultClusterTriggerAuthentication,
  VaultTriggerAuthentication,
} from '../../constructs/kubernetes/agent/vault-trigger-authentication';
import {
  agentSecretName,
  kedaBrokerSecretName,
  kvDataPath,
  vaultAgentAnnotations,
  vaultKeyTemplate,
} from '../../constructs/kubernetes/core/vault-annotations';
import { CHARTS } from '../../constructs/kubernetes/platform/charts';
import {
  fleetVaultProvider,
  KEDA_VAULT_ROLE,
  VaultAuthDelegation,
  VaultFleetAccess,
  VaultFleetAccessProps,
  VaultInjectorRelease,
  VaultSecret,
} from '../../constructs/kubernetes/vault/vault';
import { EphemeralPassword } from '../../constructs/terraform/ephemeral-password';
import { crdErrors, crdSchemasAvailable } from '../support/crd-schemas';
import {
  Synthesized,
  parseSynthesized,
  resourcesOf,
  resourceOf,
  helmValues,
} from '../support/synthesized';

function synth(build: (stack: TerraformStack) => void): Synthesized {
  const stack = new TerraformStack(Testing.app(), 'test');
  build(stack);
  return parseSynthesized(Testing.synth(stack));
}

const VAULT_ADDR = 'https://vault.nebraska.example:8200';
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHB\n-----END CERTIFICATE-----\n';

describe('VaultInjectorRelease', () => {
  const json = synth((stack) => {
    new VaultInjectorRelease(stack, 'Vault', {
      namespace: 'vault',
      externalVaultAddr: VAULT_ADDR,
      clusterId: 'nebraska-1',
      vaultCaConfigMap: 'vault-ca',
    });
  });
  const values = helmValues(json, 'vault');

  it('installs the pinned chart with the server off and the injector on', () => {
    expect(resourceOf(json, 'helm_release')).toEqual(
      expect.objectContaining({
        repository: 'https://helm.releases.hashicorp.com',
        chart: 'vault',
        version: CHARTS.vault.version,
      }),
    );
    expect(values.global.externalVaultAddr).toBe(VAULT_ADDR);
    expect(values.server).toEqual({ enabled: false });
    expect(values.injector).toEqual(
      expect.objectContaining({
        enabled: true,
        replicas: 2,
        authPath: 'auth/kubernetes/nebraska-1',
        resources: {
          requests: { cpu: '50m', memory: '64Mi' },
          limits: { cpu: '250m', memory: '128Mi' },
        },
        podDisruptionBudget: { maxUnavailable: 1 },
      }),
    );
  });

  it('fails closed, but only in the agent namespaces', () => {
    expect(values.injector.webhook).toEqual({
      failurePolicy: 'Fail',
      timeoutSeconds: 10,
      namespaceSelector: { matchLabels: { 'agent-fleet.dev/role': 'agents' } },
    });
  });

  it('gives injected agents the CA read from the named ConfigMap, never a literal', () => {
    const configMap = resourcesOf(json, 'kubernetes_config_map_v1');
    expect(configMap).toEqual([]);
    const data = json.data.kubernetes_config_map_v1;
    expect(Object.values(data)).toEqual([
      expect.objectContaining({ metadata: { name: 'vault-ca', namespace: 'vault' } }),
    ]);
    const [, caDocument] = (resourceOf(json, 'helm_release') as { values: string[] }).values;
    expect(caDocument).toMatch(
      /^\{"injector":\{"extraEnvironmentVars":\{"AGENT_INJECT_VAULT_CACERT_BYTES":"\$\{base64encode\(data\.kubernetes_config_map_v1\.\w+\.data\["ca\.crt"\]\)\}"\}\}\}$/,
    );
  });

  it('refuses a plain-http Vault and a bad cluster id', () => {
    expect(() =>
      synth((stack) => {
        new VaultInjectorRelease(stack, 'Vault', {
          namespace: 'vault',
          externalVaultAddr: 'http://vault:8200',
          clusterId: 'Nebraska_1',
          vaultCaConfigMap: 'vault-ca',
        });
      }),
    ).toThrow(/'externalVaultAddr': 'http:\/\/vault:8200' must be an https[\s\S]*'clusterId'/);
  });
});

describe('VaultFleetAccess', () => {
  const props: VaultFleetAccessProps = {
    clusterId: 'nebraska-1',
    kubernetesHost: 'https://10.0.0.1:6443',
    kubernetesCaCertificate: CA_PEM,
    environment: 'prod',
    site: 'nebraska',
    kvMount: 'fleet',
    agents: [
      { name: 'chimera-data-ingest', namespace: 'agents', serviceAccount: 'chimera-data-ingest' },
      { name: 'image-processing', namespace: 'imaging', serviceAccount: 'image-processing' },
    ],
    keda: { namespace: 'keda', brokers: ['rabbitmq'] },
  };
  const json = synth((stack) => {
    new VaultFleetAccess(stack, 'Access', props);
  });
  const policies = resourcesOf(json, 'vault_policy');
  const roles = resourcesOf(json, 'vault_kubernetes_auth_backend_role');
  const policyOf = (name: string) => policies.find((p) => p.name === name)?.policy;

  it('mounts Kubernetes auth per cluster, reviewing tokens with the client JWT', () => {
    expect(resourceOf(json, 'vault_auth_backend')).toEqual(
      expect.objectContaining({ type: 'kubernetes', path: 'kubernetes/nebraska-1' }),
    );
    const config = resourceOf(json, 'vault_kubernetes_auth_backend_config');
    expect(config).toEqual(
      expect.objectContaining({
        kubernetes_host: 'https://10.0.0.1:6443',
        kubernetes_ca_cert: CA_PEM,
        disable_local_ca_jwt: true,
      }),
    );
    expect(config).not.toHaveProperty('token_reviewer_jwt');
  });

  it("names exactly each agent's own path in its policy, read only", () => {
    expect(policyOf('agent-fleet-prod-nebraska-chimera-data-ingest')).toBe(
      'path "fleet/data/prod/nebraska/chimera-data-ingest/*" {\n  capabilities = ["read"]\n}\n',
    );
    expect(policyOf('agent-fleet-prod-nebraska-image-processing')).toBe(
      'path "fleet/data/prod/nebraska/image-processing/*" {\n  capabilities = ["read"]\n}\n',
    );
  });

  it("binds each agent's role to its service account and namespace only", () => {
    const role = roles.find((r) => r.role_name === 'image-processing');
    expect(role).toEqual(
      expect.objectContaining({
        bound_service_account_names: ['image-processing'],
        bound_service_account_namespaces: ['imaging'],
        token_ttl: 3600,
        token_max_ttl: 86400,
      }),
    );
    expect(role?.backend).toMatch(/vault_auth_backend\.[\w-]+\.path/);
    expect(role?.token_policies).toEqual([expect.stringMatching(/vault_policy\.[\w-]+\.name/)]);
  });

  it("lets KEDA's operator read only the listed brokers' credentials", () => {
    expect(policyOf('agent-fleet-prod-nebraska-keda')).toBe(
      'path "fleet/data/prod/nebraska/_keda/rabbitmq-rabbitmq" {\n  capabilities = ["read"]\n}\n',
    );
    expect(roles.find((r) => r.role_name === KEDA_VAULT_ROLE)).toEqual(
      expect.objectContaining({
        bound_service_account_names: ['keda-operator'],
        bound_service_account_namespaces: ['keda'],
      }),
    );
  });

  it('creates the KV v2 mount only when asked', () => {
    expect(resourcesOf(json, 'vault_mount')).toEqual([]);
    const owning = synth((stack) => {
      new VaultFleetAccess(stack, 'Access', { ...props, createKvMount: true });
    });
    expect(resourceOf(owning, 'vault_mount')).toEqual(
      expect.objectContaining({ path: 'fleet', type: 'kv', options: { version: '2' } }),
    );
  });

  it('refuses duplicate agents and an agent named like the KEDA role', () => {
    expect(() =>
      synth((stack) => {
        new VaultFleetAccess(stack, 'Access', {
          ...props,
          agents: [
            { name: 'a', namespace: 'n', serviceAccount: 'a' },
            { name: 'a', namespace: 'n', serviceAccount: 'a' },
            { name: KEDA_VAULT_ROLE, namespace: 'n', serviceAccount: 'k' },
          ],
        });
      }),
    ).toThrow(
      /'agents\[1\]\.name': 'a' appears twice[\s\S]*'agents\[2\]\.name': 'keda-operator' is KEDA/,
    );
  });
});

describe('VaultAuthDelegation', () => {
  it('binds the logging-in service accounts to system:auth-delegator', () => {
    const json = synth((stack) => {
      new VaultAuthDelegation(stack, 'Delegation', {
        serviceAccounts: [
          { namespace: 'agents', name: 'chimera-data-ingest' },
          { namespace: 'keda', name: 'keda-operator' },
        ],
      });
    });
    const binding = resourceOf(json, 'kubernetes_cluster_role_binding_v1');
    expect(binding.role_ref).toEqual({
      api_group: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'system:auth-delegator',
    });
    expect(binding.subject).toEqual([
      { kind: 'ServiceAccount', name: 'chimera-data-ingest', namespace: 'agents' },
      { kind: 'ServiceAccount', name: 'keda-operator', namespace: 'keda' },
    ]);
  });
});

describe('VaultSecret', () => {
  const name = agentSecretName('prod', 'nebraska', 'chimera-data-ingest', 'rabbitmq');
  const json = synth((stack) => {
    const password = new EphemeralPassword(stack, 'Password');
    new VaultSecret(stack, 'Credentials', {
      kvMount: 'fleet',
      name,
      data: { username: 'chimera-data-ingest', password: password.value },
      revision: 3,
    });
  });
  const text = JSON.stringify(json);
  const secret = resourceOf(json, 'vault_kv_secret_v2');

  it('writes its data only through the write-only argument, never read back', () => {
    expect(secret).toEqual({
      mount: 'fleet',
      name: 'prod/nebraska/chimera-data-ingest/rabbitmq',
      data_json_wo: expect.stringContaining('ephemeral.random_password.Password.result'),
      data_json_wo_version: 3,
      disable_read: true,
    });
    // Live references, not the `$${` escapes that would store them as text.
    expect(secret.data_json_wo).toBe(
      '${jsonencode({"username" = "chimera-data-ingest", "password" = "${ephemeral.random_password.Password.result}"})}',
    );
    expect(text).not.toContain('"data_json"');
  });

  it('leaves no secret value anywhere in the synthesized JSON', () => {
    expect(json.output).toEqual({});
    expect(text).not.toMatch(/"random_password":\{"\w+":\{"result"/);
    expect(Object.keys(json.resource)).not.toContain('random_password');
    expect(json.ephemeral.random_password.Password).toEqual({
      length: 32,
      special: false,
    });
  });

  it('names its API path for templates and KEDA', () => {
    expect(kvDataPath('fleet', name)).toBe('fleet/data/prod/nebraska/chimera-data-ingest/rabbitmq');
  });
});

describe('vaultAgentAnnotations', () => {
  const path = kvDataPath(
    'fleet',
    agentSecretName('prod', 'nebraska', 'chimera-data-ingest', 'rabbitmq'),
  );

  it('asks the injector for one rendered file per secret, as the agent role', () => {
    expect(
      vaultAgentAnnotations({
        role: 'chimera-data-ingest',
        secrets: [
          { name: 'rabbitmq-username', path, template: vaultKeyTemplate(path, 'username') },
          { name: 'rabbitmq-password', path, template: vaultKeyTemplate(path, 'password') },
        ],
      }),
    ).toEqual({
      'vault.hashicorp.com/agent-inject': 'true',
      'vault.hashicorp.com/role': 'chimera-data-ingest',
      'vault.hashicorp.com/agent-init-first': 'true',
      'vault.hashicorp.com/agent-run-as-same-user': 'true',
      'vault.hashicorp.com/tls-skip-verify': 'false',
      'vault.hashicorp.com/agent-inject-secret-rabbitmq-username': path,
      'vault.hashicorp.com/agent-inject-template-rabbitmq-username':
        '{{- with secret "fleet/data/prod/nebraska/chimera-data-ingest/rabbitmq" -}}{{ index .Data.data "username" }}{{- end -}}',
      'vault.hashicorp.com/agent-inject-secret-rabbitmq-password': path,
      'vault.hashicorp.com/agent-inject-template-rabbitmq-password':
        '{{- with secret "fleet/data/prod/nebraska/chimera-data-ingest/rabbitmq" -}}{{ index .Data.data "password" }}{{- end -}}',
    });
  });

  it('injects only the init container for run-to-completion pods, and takes TLS and auth path', () => {
    const annotations = vaultAgentAnnotations({
      role: 'forecasting',
      secrets: [{ name: 'db', path }],
      runToCompletion: true,
      authPath: 'auth/kubernetes/other',
      tls: { secretName: 'vault-ca', serverName: 'vault.nebraska.example' },
    });
    expect(annotations).toEqual(
      expect.objectContaining({
        'vault.hashicorp.com/agent-pre-populate-only': 'true',
        'vault.hashicorp.com/auth-path': 'auth/kubernetes/other',
        'vault.hashicorp.com/tls-secret': 'vault-ca',
        'vault.hashicorp.com/ca-cert': '/vault/tls/ca.crt',
        'vault.hashicorp.com/tls-server-name': 'vault.nebraska.example',
        'vault.hashicorp.com/agent-inject-secret-db': path,
      }),
    );
    expect(annotations).not.toHaveProperty('vault.hashicorp.com/agent-inject-template-db');
  });

  it('refuses no secrets, bad file names and duplicates, naming each', () => {
    expect(() => vaultAgentAnnotations({ role: 'a', secrets: [] })).toThrow(
      /'secrets': must list at least one secret/,
    );
    expect(() =>
      vaultAgentAnnotations({
        role: 'a',
        secrets: [
          { name: 'ok', path },
          { name: 'ok', path },
          { name: 'no/slash', path },
        ],
      }),
    ).toThrow(/'secrets\[1\]\.name': 'ok' appears twice[\s\S]*'secrets\[2\]\.name': 'no\/slash'/);
  });
});

describe('fleetVaultProvider', () => {
  it('holds no credential: a token from the environment or a CI JWT login', () => {
    const json = synth((stack) => {
      fleetVaultProvider(stack, {
        address: VAULT_ADDR,
        jwtLogin: { mount: 'jwt-ci', role: 'agent-fleet-deploy' },
      });
    });
    const [provider] = json.provider.vault;
    expect(provider).toEqual({
      address: VAULT_ADDR,
      skip_child_token: true,
      auth_login_jwt: [{ mount: 'jwt-ci', role: 'agent-fleet-deploy' }],
    });
    expect(JSON.stringify(provider)).not.toMatch(/"token"|"jwt"/);
  });
});

describe('KEDA through Vault', () => {
  const manifest = vaultClusterTriggerAuthentication({
    broker: 'rabbitmq',
    address: VAULT_ADDR,
    mount: 'kubernetes/nebraska-1',
    role: KEDA_VAULT_ROLE,
    path: kvDataPath('fleet', kedaBrokerSecretName('prod', 'nebraska', 'rabbitmq')),
  });

  it('reads the scaler host from Vault as KEDA operator', () => {
    expect(manifest).toEqual({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ClusterTriggerAuthentication',
      metadata: {
        name: 'rabbitmq-rabbitmq',
        labels: { 'app.kubernetes.io/part-of': 'agent-fleet' },
      },
      spec: {
        hashiCorpVault: {
          address: VAULT_ADDR,
          authentication: 'kubernetes',
          role: 'keda-operator',
          mount: 'kubernetes/nebraska-1',
          credential: { serviceAccount: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
          secrets: [
            {
              parameter: 'host',
              key: 'host',
              path: 'fleet/data/prod/nebraska/_keda/rabbitmq-rabbitmq',
              type: 'secretV2',
            },
          ],
        },
      },
    });
  });

  it('is a kubernetes_manifest when built as a construct', () => {
    const json = synth((stack) => {
      new VaultTriggerAuthentication(stack, 'Auth', {
        broker: 'rabbitmq',
        address: VAULT_ADDR,
        mount: 'kubernetes/nebraska-1',
        role: KEDA_VAULT_ROLE,
        path: 'fleet/data/x',
      });
    });
    expect(resourceOf(json, 'kubernetes_manifest').manifest.metadata.name).toBe(
      'rabbitmq-rabbitmq',
    );
  });

  const describeWithCrds = crdSchemasAvailable() ? describe : describe.skip;
  describeWithCrds('against the KEDA v2.20.2 CRD', () => {
    it('is a valid ClusterTriggerAuthentication', () => {
      expect(crdErrors('keda', manifest)).toEqual([]);
    });

    it('catches an invalid one, so the check can fail', () => {
      const spec = manifest.spec as { hashiCorpVault: Record<string, unknown> };
      const broken = {
        ...manifest,
        spec: {
          hashiCorpVault: { ...spec.hashiCorpVault, authentication: 'approle', secrets: [] },
        },
      };
      expect(crdErrors('keda', broken)).toEqual(
        expect.arrayContaining([
          '/spec/hashiCorpVault/authentication must be equal to one of the allowed values',
          '/spec/hashiCorpVault/secrets must NOT have fewer than 1 items',
        ]),
      );
    });
  });
});
