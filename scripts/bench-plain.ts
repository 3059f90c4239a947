import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

/**
 * The floor of the framework for `npm run bench`: a plain cdktf program that
 * declares `<resources>` Kubernetes resources directly with the provider
 * classes, per agent a Deployment, ServiceAccount, NetworkPolicy,
 * PodDisruptionBudget and KEDA ScaledObject, and synthesizes them into
 * `<outdir>`. No config files, no guardrails, no validation.
 *
 *   tsx scripts/bench-plain.ts <resources> <outdir>
 */
const KINDS = ['deployment', 'service-account', 'network-policy', 'pdb', 'scaled-object'] as const;

function addResource(scope: Construct, agent: number, kind: (typeof KINDS)[number]): void {
  const name = `plain-${String(agent).padStart(4, '0')}`;
  const metadata = { name, namespace: name, labels: { 'app.kubernetes.io/name': name } };
  const selector = { matchLabels: { 'app.kubernetes.io/name': name } };
  switch (kind) {
    case 'deployment':
      new DeploymentV1(scope, `${name}-deployment`, {
        metadata,
        spec: {
          selector,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '0' } },
          template: {
            metadata: { labels: metadata.labels },
            spec: {
              serviceAccountName: name,
              automountServiceAccountToken: false,
              terminationGracePeriodSeconds: 45,
              securityContext: { runAsNonRoot: true, runAsUser: '10001' },
              container: [
                {
                  name: 'agent',
                  image: `registry.example.com/agent-fleet/${name}:1.0.0`,
                  port: [
                    { name: 'http', containerPort: 8080 },
                    { name: 'metrics', containerPort: 9102 },
                  ],
                  env: [{ name: 'FLEET_QUEUE', value: `${name}_tasks` }],
                  resources: {
                    requests: { cpu: '250m', memory: '256Mi' },
                    limits: { cpu: '500m', memory: '256Mi' },
                  },
                  readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
                  livenessProbe: {
                    httpGet: { path: '/healthz', port: 'http' },
                    periodSeconds: 20,
                  },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ['ALL'] },
                  },
                },
              ],
            },
          },
        },
      });
      return;
    case 'service-account':
      new ServiceAccountV1(scope, `${name}-service-account`, {
        metadata,
        automountServiceAccountToken: false,
      });
      return;
    case 'network-policy':
      new NetworkPolicyV1(scope, `${name}-network-policy`, {
        metadata,
        spec: {
          podSelector: selector,
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            {
              from: [
                {
                  namespaceSelector: {
                    matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
                  },
                },
              ],
              ports: [{ port: '9102', protocol: 'TCP' }],
            },
          ],
          egress: [
            {
              to: [
                {
                  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'rabbitmq' } },
                },
              ],
              ports: [{ port: '5672', protocol: 'TCP' }],
            },
          ],
        },
      });
      return;
    case 'pdb':
      new PodDisruptionBudgetV1(scope, `${name}-pdb`, {
        metadata,
        spec: { maxUnavailable: '1', selector },
      });
      return;
    case 'scaled-object':
      new Manifest(scope, `${name}-scaled-object`, {
        manifest: {
          apiVersion: 'keda.sh/v1alpha1',
          kind: 'ScaledObject',
          metadata,
          spec: {
            scaleTargetRef: { name },
            minReplicaCount: 2,
            maxReplicaCount: 6,
            triggers: [
              {
                type: 'rabbitmq',
                metadata: { protocol: 'http', mode: 'QueueLength', value: '20' },
                authenticationRef: { name: 'keda-rabbitmq', kind: 'ClusterTriggerAuthentication' },
              },
            ],
          },
        },
      });
      return;
  }
}

function main(argv: readonly string[]): number {
  const resources = Number(argv[0]);
  const outdir = argv[1];
  if (!Number.isInteger(resources) || resources < 1 || !outdir) {
    console.error('usage: tsx scripts/bench-plain.ts <resources> <outdir>');
    return 2;
  }
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'plain-agents');
  new KubernetesProvider(stack, 'kubernetes', {
    configPath: '~/.kube/config',
    configContext: 'bench',
  });
  for (let i = 0; i < resources; i++) {
    addResource(stack, Math.floor(i / KINDS.length), KINDS[i % KINDS.length]);
  }
  app.synth();
  return 0;
}

process.exitCode = main(process.argv.slice(2));
