import { Release } from '@cdktf/provider-helm/lib/release';
import { CronJobV1 } from '@cdktf/provider-kubernetes/lib/cron-job-v1';
import {
  DeploymentV1,
  DeploymentV1SpecTemplateSpec,
  DeploymentV1SpecTemplateSpecContainer,
} from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import {
  NetworkPolicyV1,
  NetworkPolicyV1SpecEgress,
  NetworkPolicyV1SpecIngress,
} from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { StatefulSetV1 } from '@cdktf/provider-kubernetes/lib/stateful-set-v1';
import { TerraformStack } from 'cdktf';
import { GuardrailRule } from '../../guardrails';
import { noReplicasWhenAutoscaled } from '../../guardrails/rules/kubernetes/gr-as-01-no-replicas-when-autoscaled';
import { replicaRange } from '../../guardrails/rules/kubernetes/gr-as-03-replica-range';
import { scaleDownBehavior } from '../../guardrails/rules/kubernetes/gr-as-04-scale-down-behavior';
import { kedaTiming } from '../../guardrails/rules/kubernetes/gr-as-05-keda-timing';
import { kedaFallback } from '../../guardrails/rules/kubernetes/gr-as-06-keda-fallback';
import { kafkaReplication } from '../../guardrails/rules/kubernetes/gr-dur-04-kafka-replication';
import { cockroachdbAvailability } from '../../guardrails/rules/kubernetes/gr-dur-08-cockroachdb-availability';
import { inClusterBrokerTls } from '../../guardrails/rules/kubernetes/gr-enc-12-in-cluster-broker-tls';
import { serviceAccountToken } from '../../guardrails/rules/kubernetes/gr-iam-08-service-account-token';
import { podNetworkPolicy } from '../../guardrails/rules/kubernetes/gr-net-10-pod-network-policy';
import { noHostExposure } from '../../guardrails/rules/kubernetes/gr-net-11-no-host-exposure';
import { networkPolicyPeers } from '../../guardrails/rules/kubernetes/gr-net-12-network-policy-peers';
import {
  looksSecret,
  noSecretEnv,
} from '../../guardrails/rules/kubernetes/gr-sec-04-no-secret-env';
import { containerResources } from '../../guardrails/rules/kubernetes/gr-wl-01-container-resources';
import { probes } from '../../guardrails/rules/kubernetes/gr-wl-02-probes';
import { nonRoot } from '../../guardrails/rules/kubernetes/gr-wl-03-non-root';
import { readOnlyRoot } from '../../guardrails/rules/kubernetes/gr-wl-04-read-only-root';
import { noPrivilege } from '../../guardrails/rules/kubernetes/gr-wl-05-no-privilege';
import { seccomp } from '../../guardrails/rules/kubernetes/gr-wl-06-seccomp';
import { pinnedImage, unpinned } from '../../guardrails/rules/kubernetes/gr-wl-07-pinned-image';
import { disruptionBudget } from '../../guardrails/rules/kubernetes/gr-wl-08-disruption-budget';
import { spread } from '../../guardrails/rules/kubernetes/gr-wl-09-spread';
import { noDefaultNamespace } from '../../guardrails/rules/kubernetes/gr-wl-10-no-default-namespace';
import { KUBERNETES_RULES } from '../../guardrails/rules/kubernetes/index';
import { findingsOf } from '../support/guardrail-findings';

const NAMESPACE = 'worker';
const LABELS = { 'app.kubernetes.io/name': 'worker' };
const DIGEST = `registry.example.com/agent-fleet/worker@sha256:${'a'.repeat(64)}`;

/** Rule id and the detail of each finding (the message without the rule's fix). */
function details(rule: GuardrailRule, build: (stack: TerraformStack) => void): string[][] {
  return findingsOf(rule, build).map((finding) => {
    expect(finding.message.startsWith(`${rule.fix} (`)).toBe(true);
    return [finding.rule, finding.message.slice(rule.fix.length + 2, -1)];
  });
}

/** A container that passes every workload rule. */
function container(
  overrides: Partial<DeploymentV1SpecTemplateSpecContainer> = {},
): DeploymentV1SpecTemplateSpecContainer {
  return {
    name: 'agent',
    image: DIGEST,
    resources: {
      requests: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
      limits: { cpu: '1', memory: '256Mi', 'ephemeral-storage': '256Mi' },
    },
    readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: '10001',
      runAsGroup: '10001',
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    ...overrides,
  };
}

/** A pod spec that passes every workload rule. */
function podSpec(
  overrides: Partial<DeploymentV1SpecTemplateSpec> = {},
): DeploymentV1SpecTemplateSpec {
  return {
    serviceAccountName: NAMESPACE,
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: '10001',
      runAsGroup: '10001',
      seccompProfile: { type: 'RuntimeDefault' },
    },
    container: [container()],
    topologySpreadConstraint: [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: [{ matchLabels: LABELS }],
      },
    ],
    ...overrides,
  };
}

interface DeploymentOptions {
  readonly pod?: Partial<DeploymentV1SpecTemplateSpec>;
  readonly replicas?: string;
  readonly namespace?: string;
  readonly annotations?: Record<string, string>;
}

function deployment(stack: TerraformStack, options: DeploymentOptions = {}): DeploymentV1 {
  return new DeploymentV1(stack, 'Workload', {
    metadata: { name: 'worker', namespace: options.namespace ?? NAMESPACE, labels: LABELS },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS, annotations: options.annotations },
        spec: podSpec(options.pod),
      },
    },
  });
}

function networkPolicy(stack: TerraformStack, policyTypes = ['Ingress', 'Egress']): void {
  new NetworkPolicyV1(stack, 'NetworkPolicy', {
    metadata: { name: 'worker', namespace: NAMESPACE },
    spec: { podSelector: { matchLabels: LABELS }, policyTypes, ingress: [], egress: [] },
  });
}

function budget(
  stack: TerraformStack,
  spec: { maxUnavailable?: string; minAvailable?: string },
): void {
  new PodDisruptionBudgetV1(stack, 'DisruptionBudget', {
    metadata: { name: 'worker', namespace: NAMESPACE },
    spec: { selector: { matchLabels: LABELS }, ...spec },
  });
}

function hpa(
  stack: TerraformStack,
  spec: {
    min?: number;
    max: number;
    window?: number;
    policies?: { type: string; value: number }[];
  },
): void {
  new HorizontalPodAutoscalerV2(stack, 'Hpa', {
    metadata: { name: 'worker', namespace: NAMESPACE },
    spec: {
      minReplicas: spec.min,
      maxReplicas: spec.max,
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
      metric: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
      behavior: {
        scaleDown: [
          {
            stabilizationWindowSeconds: spec.window ?? 300,
            selectPolicy: 'Max',
            policy: (spec.policies ?? [{ type: 'Pods', value: 1 }]).map((policy) => ({
              ...policy,
              periodSeconds: 60,
            })),
          },
        ],
      },
    },
  });
}

/** A KEDA ScaledObject on a RabbitMQ queue that passes every autoscaling rule, with overrides of its spec. */
function scaledObject(stack: TerraformStack, overrides: Record<string, unknown> = {}): void {
  new Manifest(stack, 'ScaledObject', {
    manifest: {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'worker', namespace: NAMESPACE },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
        minReplicaCount: 2,
        maxReplicaCount: 6,
        pollingInterval: 15,
        cooldownPeriod: 300,
        fallback: { failureThreshold: 3, replicas: 2, behavior: 'currentReplicasIfHigher' },
        advanced: {
          horizontalPodAutoscalerConfig: {
            behavior: {
              scaleDown: {
                stabilizationWindowSeconds: 300,
                selectPolicy: 'Max',
                policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
              },
            },
          },
        },
        triggers: [
          {
            type: 'rabbitmq',
            name: 'queue-depth',
            metricType: 'AverageValue',
            metadata: { queueName: 'tasks', mode: 'QueueLength', value: '20' },
          },
        ],
        ...overrides,
      },
    },
  });
}

describe('GR-NET-10 pod network policy', () => {
  it('passes pods selected by a policy isolating ingress and egress', () => {
    expect(
      details(podNetworkPolicy, (stack) => {
        deployment(stack);
        networkPolicy(stack);
      }),
    ).toEqual([]);
  });

  it('refuses pods no policy selects, and policies that leave egress open', () => {
    expect(details(podNetworkPolicy, (stack) => deployment(stack))).toEqual([
      ['GR-NET-10', 'no NetworkPolicy selects the pods of Deployment worker'],
    ]);
    expect(
      details(podNetworkPolicy, (stack) => {
        deployment(stack);
        networkPolicy(stack, ['Ingress']);
      }),
    ).toEqual([['GR-NET-10', 'the policies selecting Deployment worker do not isolate Egress']]);
  });
});

describe('GR-NET-11 no host exposure', () => {
  it('passes a pod without host namespaces and a ClusterIP Service', () => {
    expect(
      details(noHostExposure, (stack) => {
        deployment(stack);
        new ServiceV1(stack, 'Service', {
          metadata: { name: 'worker', namespace: NAMESPACE },
          spec: { selector: LABELS, port: [{ port: 8080 }] },
        });
      }),
    ).toEqual([]);
  });

  it('refuses host networking, host ports and a NodePort Service', () => {
    expect(
      details(noHostExposure, (stack) => {
        deployment(stack, {
          pod: {
            hostNetwork: true,
            container: [container({ port: [{ containerPort: 8080, hostPort: 8080 }] })],
          },
        });
        new ServiceV1(stack, 'Service', {
          metadata: { name: 'worker', namespace: NAMESPACE },
          spec: { type: 'NodePort', selector: LABELS, port: [{ port: 8080 }] },
        });
      }),
    ).toEqual([
      ['GR-NET-11', 'Deployment worker uses hostNetwork, hostPort 8080 on agent'],
      ['GR-NET-11', 'Service type NodePort'],
    ]);
  });
});

describe('GR-NET-12 network policy peers', () => {
  function policy(
    stack: TerraformStack,
    spec: { ingress?: NetworkPolicyV1SpecIngress[]; egress?: NetworkPolicyV1SpecEgress[] },
  ): void {
    new NetworkPolicyV1(stack, 'NetworkPolicy', {
      metadata: { name: 'worker', namespace: NAMESPACE },
      spec: { podSelector: { matchLabels: LABELS }, policyTypes: ['Ingress', 'Egress'], ...spec },
    });
  }

  it('passes rules that name their peers, with or without ports, and a policy without rules', () => {
    expect(
      details(networkPolicyPeers, (stack) =>
        policy(stack, {
          ingress: [
            {
              from: [
                {
                  namespaceSelector: {
                    matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
                  },
                },
              ],
              ports: [{ port: 'metrics', protocol: 'TCP' }],
            },
            { from: [{ podSelector: { matchLabels: LABELS } }] },
          ],
          egress: [
            {
              to: [{ ipBlock: { cidr: '10.20.0.0/16' } }],
              ports: [{ port: '5672', protocol: 'TCP' }],
            },
          ],
        }),
      ),
    ).toEqual([]);
    expect(details(networkPolicyPeers, (stack) => networkPolicy(stack))).toEqual([]);
  });

  it('refuses ports without peers (an empty or absent to or from) and a rule allowing everything', () => {
    expect(
      details(networkPolicyPeers, (stack) =>
        policy(stack, {
          ingress: [{ ports: [{ port: '8080' }] }],
          egress: [
            {
              to: [{ ipBlock: { cidr: '10.20.0.0/16' } }],
              ports: [{ port: '443', protocol: 'TCP' }],
            },
            { to: [], ports: [{ port: '5672', protocol: 'TCP' }] },
            {},
          ],
        }),
      ),
    ).toEqual([
      [
        'GR-NET-12',
        'NetworkPolicy worker: egress rule 2 opens 5672/TCP to any destination; ' +
          'egress rule 3 names neither ports nor peers: it allows all egress; ' +
          'ingress rule 1 opens 8080/TCP from any source',
      ],
    ]);
  });

  it('reads a NetworkPolicy manifest (camelCase) and leaves other manifests alone', () => {
    expect(
      details(networkPolicyPeers, (stack) => {
        new Manifest(stack, 'Policy', {
          manifest: {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            metadata: { name: 'broker', namespace: NAMESPACE },
            spec: {
              podSelector: {},
              policyTypes: ['Egress'],
              egress: [
                { to: [{ podSelector: { matchLabels: LABELS } }] },
                { ports: [{ port: 6000, endPort: 6010, protocol: 'UDP' }] },
              ],
            },
          },
        });
        scaledObject(stack);
      }),
    ).toEqual([
      ['GR-NET-12', 'NetworkPolicy broker: egress rule 2 opens 6000-6010/UDP to any destination'],
    ]);
  });
});

describe('GR-IAM-08 service account token', () => {
  function account(stack: TerraformStack, automount: boolean): void {
    new ServiceAccountV1(stack, 'ServiceAccount', {
      metadata: { name: NAMESPACE, namespace: NAMESPACE },
      automountServiceAccountToken: automount,
    });
  }

  it('passes pods without a token, and Vault-injected pods that mount one', () => {
    expect(
      details(serviceAccountToken, (stack) => {
        account(stack, false);
        deployment(stack);
      }),
    ).toEqual([]);
    expect(
      details(serviceAccountToken, (stack) => {
        account(stack, true);
        deployment(stack, {
          pod: { automountServiceAccountToken: true },
          annotations: { 'vault.hashicorp.com/agent-inject': 'true' },
        });
      }),
    ).toEqual([]);
  });

  it('refuses a token nobody needs, on the account and on the pod (the provider mounts by default)', () => {
    expect(
      details(serviceAccountToken, (stack) => {
        account(stack, true);
        deployment(stack, { pod: { automountServiceAccountToken: undefined } });
      }),
    ).toEqual([
      ['GR-IAM-08', 'service account worker mounts its token for pods that do not need it'],
      ['GR-IAM-08', 'Deployment worker mounts a service account token it does not need'],
    ]);
  });

  it("refuses a mounted token of the namespace's default account, even for Vault", () => {
    expect(
      details(serviceAccountToken, (stack) =>
        deployment(stack, {
          pod: { serviceAccountName: undefined, automountServiceAccountToken: true },
          annotations: { 'vault.hashicorp.com/agent-inject': 'true' },
        }),
      ),
    ).toEqual([['GR-IAM-08', 'Deployment worker mounts the default service account token']]);
  });
});

describe('GR-SEC-04 no secret env', () => {
  it('tells secret names from names pointing at secrets', () => {
    expect(['DB_PASSWORD', 'API_KEY', 'github-token', 'CLIENT_SECRET'].map(looksSecret)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      ['FLEET_BROKER_CREDENTIALS_DIR', 'TOKEN_FILE', 'SECRET_NAME', 'MONKEY', 'KEYCLOAK_URL'].map(
        looksSecret,
      ),
    ).toEqual([false, false, false, false, false]);
  });

  it('passes secrets given as file paths or Secret references', () => {
    expect(
      details(noSecretEnv, (stack) =>
        deployment(stack, {
          pod: {
            container: [
              container({
                env: [
                  { name: 'DB_PASSWORD_FILE', value: '/var/run/secrets/db/password' },
                  {
                    name: 'API_TOKEN',
                    valueFrom: { secretKeyRef: { name: 'worker', key: 'token' } },
                  },
                ],
              }),
            ],
          },
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a literal secret in env', () => {
    expect(
      details(noSecretEnv, (stack) =>
        deployment(stack, {
          pod: { container: [container({ env: [{ name: 'DB_PASSWORD', value: 'hunter2' }] })] },
        }),
      ),
    ).toEqual([['GR-SEC-04', 'Deployment worker has literal secrets in env (agent: DB_PASSWORD)']]);
  });
});

describe('GR-WL-01 container resources', () => {
  it('passes containers with requests and limits of cpu, memory and ephemeral storage', () => {
    expect(details(containerResources, (stack) => deployment(stack))).toEqual([]);
  });

  it('refuses a container without ephemeral storage or limits', () => {
    expect(
      details(containerResources, (stack) =>
        deployment(stack, {
          pod: {
            container: [container({ resources: { requests: { cpu: '1', memory: '1Gi' } } })],
          },
        }),
      ),
    ).toEqual([
      [
        'GR-WL-01',
        'Deployment worker misses agent: requests.ephemeral-storage, limits.cpu, limits.memory, limits.ephemeral-storage',
      ],
    ]);
  });
});

describe('GR-WL-02 probes', () => {
  it('passes distinct probes, and does not apply to a CronJob', () => {
    expect(details(probes, (stack) => deployment(stack))).toEqual([]);
    expect(
      details(probes, (stack) => {
        new CronJobV1(stack, 'Job', {
          metadata: { name: 'report', namespace: NAMESPACE },
          spec: {
            schedule: '0 2 * * *',
            jobTemplate: {
              metadata: {},
              spec: {
                template: {
                  metadata: {},
                  spec: { container: [{ name: 'report', image: DIGEST }] },
                },
              },
            },
          },
        });
      }),
    ).toEqual([]);
  });

  it('refuses a missing liveness probe and identical probes', () => {
    const probe = { httpGet: { path: '/healthz', port: 'http' } };
    expect(
      details(probes, (stack) =>
        deployment(stack, {
          pod: {
            container: [
              container({ livenessProbe: undefined }),
              container({ name: 'sidecar', readinessProbe: probe, livenessProbe: probe }),
            ],
          },
        }),
      ),
    ).toEqual([
      [
        'GR-WL-02',
        'Deployment worker: agent has no liveness probe; sidecar has identical readiness and liveness probes',
      ],
    ]);
  });
});

describe('GR-WL-03 non-root', () => {
  it("passes non-root containers with high ids, inheriting the pod's", () => {
    expect(
      details(nonRoot, (stack) =>
        deployment(stack, {
          pod: { container: [container({ securityContext: { readOnlyRootFilesystem: true } })] },
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a low uid and a missing runAsNonRoot', () => {
    expect(
      details(nonRoot, (stack) =>
        deployment(stack, {
          pod: {
            securityContext: { runAsUser: '999', runAsGroup: '999' },
            container: [container({ securityContext: { readOnlyRootFilesystem: true } })],
          },
        }),
      ),
    ).toEqual([
      [
        'GR-WL-03',
        'Deployment worker: agent: runAsNonRoot not true, runAsUser 999, runAsGroup 999',
      ],
    ]);
  });
});

describe('GR-WL-04 read-only root filesystem', () => {
  it('passes read-only root filesystems', () => {
    expect(details(readOnlyRoot, (stack) => deployment(stack))).toEqual([]);
  });

  it('refuses a writable root filesystem', () => {
    expect(
      details(readOnlyRoot, (stack) =>
        deployment(stack, {
          pod: { container: [container({ securityContext: { runAsNonRoot: true } })] },
        }),
      ),
    ).toEqual([['GR-WL-04', 'Deployment worker: writable root filesystem in agent']]);
  });
});

describe('GR-WL-05 no privilege', () => {
  it('passes unprivileged containers dropping ALL', () => {
    expect(details(noPrivilege, (stack) => deployment(stack))).toEqual([]);
  });

  it('refuses a privileged container that adds SYS_ADMIN', () => {
    expect(
      details(noPrivilege, (stack) =>
        deployment(stack, {
          pod: {
            container: [
              container({
                securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } },
              }),
            ],
          },
        }),
      ),
    ).toEqual([
      [
        'GR-WL-05',
        'Deployment worker: agent: privileged, privilege escalation allowed, does not drop ALL capabilities, adds SYS_ADMIN',
      ],
    ]);
  });
});

describe('GR-WL-06 seccomp', () => {
  it("passes a container under the pod's RuntimeDefault profile", () => {
    expect(
      details(seccomp, (stack) =>
        deployment(stack, { pod: { container: [container({ securityContext: {} })] } }),
      ),
    ).toEqual([]);
  });

  it('refuses an Unconfined container', () => {
    expect(
      details(seccomp, (stack) =>
        deployment(stack, {
          pod: {
            container: [container({ securityContext: { seccompProfile: { type: 'Unconfined' } } })],
          },
        }),
      ),
    ).toEqual([['GR-WL-06', 'Deployment worker: no seccomp profile on agent']]);
  });
});

describe('GR-WL-07 pinned image', () => {
  it('tells pinned references from floating ones', () => {
    expect(unpinned(DIGEST)).toBeUndefined();
    expect(unpinned('rabbitmq:4.1.4-management')).toBeUndefined();
    expect(unpinned('registry:5000/team/app:v1.2')).toBeUndefined();
    expect(unpinned('registry:5000/team/app')).toBe('untagged');
    expect(unpinned('app:latest')).toBe('tagged latest');
    expect(unpinned('app:stable')).toBe('floating tag stable');
  });

  it('passes a digest', () => {
    expect(details(pinnedImage, (stack) => deployment(stack))).toEqual([]);
  });

  it('refuses latest', () => {
    expect(
      details(pinnedImage, (stack) =>
        deployment(stack, { pod: { container: [container({ image: 'worker:latest' })] } }),
      ),
    ).toEqual([['GR-WL-07', 'Deployment worker: agent: worker:latest tagged latest']]);
  });
});

describe('GR-WL-08 disruption budget', () => {
  it('passes a budget of maxUnavailable 1, and minAvailable below the autoscaler floor', () => {
    expect(
      details(disruptionBudget, (stack) => {
        deployment(stack);
        budget(stack, { maxUnavailable: '1' });
      }),
    ).toEqual([]);
    expect(
      details(disruptionBudget, (stack) => {
        deployment(stack);
        scaledObject(stack, { minReplicaCount: 3 });
        budget(stack, { minAvailable: '2' });
      }),
    ).toEqual([]);
  });

  it('refuses a missing budget, and one that blocks drains at the replicas', () => {
    expect(details(disruptionBudget, (stack) => deployment(stack))).toEqual([
      ['GR-WL-08', 'no PodDisruptionBudget selects the pods of Deployment worker'],
    ]);
    expect(
      details(disruptionBudget, (stack) => {
        deployment(stack, { replicas: '2' });
        budget(stack, { minAvailable: '2' });
      }),
    ).toEqual([
      [
        'GR-WL-08',
        'the PodDisruptionBudget of Deployment worker allows no disruption (minAvailable 2 with at least 2 replica(s))',
      ],
    ]);
  });

  it("leaves an autoscaled workload's minAvailable to GR-FLEET-07", () => {
    expect(
      details(disruptionBudget, (stack) => {
        deployment(stack);
        scaledObject(stack);
        budget(stack, { minAvailable: '2' });
      }),
    ).toEqual([]);
  });
});

describe('GR-WL-09 spread', () => {
  it('passes a spread autoscaled workload, and does not apply to one replica', () => {
    expect(
      details(spread, (stack) => {
        deployment(stack);
        scaledObject(stack);
      }),
    ).toEqual([]);
    expect(
      details(spread, (stack) =>
        deployment(stack, { replicas: '1', pod: { topologySpreadConstraint: [] } }),
      ),
    ).toEqual([]);
  });

  it('warns about replicas without spreading', () => {
    expect(
      details(spread, (stack) =>
        deployment(stack, { replicas: '3', pod: { topologySpreadConstraint: [] } }),
      ),
    ).toEqual([['GR-WL-09', 'Deployment worker runs up to 3 replicas without spreading them']]);
    expect(spread.level).toBe('warning');
  });
});

describe('GR-WL-10 no default namespace', () => {
  it('passes a workload in a namespace resource of its own', () => {
    expect(
      details(noDefaultNamespace, (stack) => {
        const namespace = new NamespaceV1(stack, 'Namespace', { metadata: { name: 'worker' } });
        deployment(stack, { namespace: namespace.metadata.name });
      }),
    ).toEqual([]);
  });

  it('refuses the default namespace, named or by reference', () => {
    expect(
      details(noDefaultNamespace, (stack) => deployment(stack, { namespace: 'default' })),
    ).toEqual([['GR-WL-10', 'Deployment worker is in the default namespace']]);
    expect(
      details(noDefaultNamespace, (stack) => {
        const namespace = new NamespaceV1(stack, 'Namespace', { metadata: { name: 'default' } });
        deployment(stack, { namespace: namespace.metadata.name });
      }),
    ).toEqual([['GR-WL-10', 'Deployment worker is in the default namespace']]);
  });
});

describe('GR-AS-01 no replicas when autoscaled', () => {
  it('passes an autoscaled Deployment without replicas, and a fixed one with them', () => {
    expect(
      details(noReplicasWhenAutoscaled, (stack) => {
        deployment(stack);
        scaledObject(stack);
      }),
    ).toEqual([]);
    expect(
      details(noReplicasWhenAutoscaled, (stack) => deployment(stack, { replicas: '2' })),
    ).toEqual([]);
  });

  it('refuses replicas on a Deployment an HPA scales', () => {
    expect(
      details(noReplicasWhenAutoscaled, (stack) => {
        deployment(stack, { replicas: '2' });
        hpa(stack, { min: 2, max: 4 });
      }),
    ).toEqual([['GR-AS-01', 'Deployment worker sets replicas 2 and is scaled by test/Hpa']]);
  });
});

describe('GR-AS-03 replica range', () => {
  it('passes room to scale above a floor of 2, and scale-to-zero', () => {
    expect(details(replicaRange, (stack) => hpa(stack, { min: 2, max: 4 }))).toEqual([]);
    expect(details(replicaRange, (stack) => scaledObject(stack, { minReplicaCount: 0 }))).toEqual(
      [],
    );
  });

  it('warns about max = min and a single always-on replica', () => {
    expect(details(replicaRange, (stack) => hpa(stack, { max: 1 }))).toEqual([
      [
        'GR-AS-03',
        'HorizontalPodAutoscaler worker/worker: max 1 is not above min 1, a single always-on replica',
      ],
    ]);
    expect(replicaRange.level).toBe('warning');
  });
});

describe('GR-AS-04 scale-down behavior', () => {
  it('passes a 300 s window with a Pods policy, on an HPA and a ScaledObject', () => {
    expect(
      details(scaleDownBehavior, (stack) => {
        hpa(stack, { min: 2, max: 4 });
        scaledObject(stack);
      }),
    ).toEqual([]);
  });

  it('refuses a short window, a 100% policy and a ScaledObject without behavior', () => {
    expect(
      details(scaleDownBehavior, (stack) => {
        hpa(stack, { min: 2, max: 4, window: 60, policies: [{ type: 'Percent', value: 100 }] });
        scaledObject(stack, { advanced: undefined });
      }),
    ).toEqual([
      ['GR-AS-04', 'scale-down stabilization window 60s, no rate-limiting scale-down policy'],
      ['GR-AS-04', 'no scaleDown behavior'],
    ]);
  });
});

describe('GR-AS-05 KEDA timing', () => {
  it('passes explicit pollingInterval and cooldownPeriod', () => {
    expect(details(kedaTiming, (stack) => scaledObject(stack))).toEqual([]);
  });

  it('warns about KEDA defaults', () => {
    expect(
      details(kedaTiming, (stack) => scaledObject(stack, { pollingInterval: undefined })),
    ).toEqual([['GR-AS-05', 'ScaledObject worker leaves pollingInterval to defaults']]);
  });
});

describe('GR-AS-06 KEDA fallback', () => {
  it('passes a fallback on a queue trigger, and skips a ScaledObject with a cpu trigger', () => {
    expect(details(kedaFallback, (stack) => scaledObject(stack))).toEqual([]);
    expect(
      details(kedaFallback, (stack) =>
        scaledObject(stack, {
          fallback: undefined,
          triggers: [
            {
              type: 'cron',
              metadata: {
                timezone: 'Etc/UTC',
                start: '0 8 * * *',
                end: '0 18 * * *',
                desiredReplicas: '3',
              },
            },
            { type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a queue trigger without fallback', () => {
    expect(details(kedaFallback, (stack) => scaledObject(stack, { fallback: undefined }))).toEqual([
      ['GR-AS-06', 'ScaledObject worker: no fallback'],
    ]);
  });
});

function cockroach(stack: TerraformStack, values: object): void {
  new Release(stack, 'Database', {
    name: 'cockroachdb',
    chart: 'cockroachdb',
    repository: 'https://charts.cockroachdb.com/',
    version: '18.0.0',
    values: [JSON.stringify(values)],
  });
}

function kafka(stack: TerraformStack, tls: boolean, brokers = 3, config: object = {}): void {
  new Manifest(stack, 'Kafka', {
    manifest: {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'Kafka',
      metadata: { name: 'events', namespace: 'kafka' },
      spec: {
        kafka: {
          listeners: [
            { name: tls ? 'tls' : 'plain', port: tls ? 9093 : 9092, type: 'internal', tls },
          ],
          config: {
            'default.replication.factor': 3,
            'min.insync.replicas': 2,
            'unclean.leader.election.enable': false,
            ...config,
          },
        },
      },
    },
  });
  new Manifest(stack, 'Pool', {
    manifest: {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaNodePool',
      metadata: {
        name: 'dual-role',
        namespace: 'kafka',
        labels: { 'strimzi.io/cluster': 'events' },
      },
      spec: { replicas: brokers, roles: ['controller', 'broker'] },
    },
  });
}

describe('GR-ENC-12 in-cluster broker TLS', () => {
  it('passes chart-default TLS and TLS listeners', () => {
    expect(
      details(inClusterBrokerTls, (stack) => {
        cockroach(stack, { statefulset: { replicas: 3 } });
        kafka(stack, true);
      }),
    ).toEqual([]);
  });

  it('warns about TLS turned off and a plain listener', () => {
    expect(
      details(inClusterBrokerTls, (stack) => {
        cockroach(stack, { tls: { enabled: false } });
        kafka(stack, false);
      }),
    ).toEqual([
      ['GR-ENC-12', 'CockroachDB release cockroachdb sets tls.enabled false'],
      ['GR-ENC-12', 'Kafka events has plain listeners: plain (port 9092)'],
    ]);
    expect(inClusterBrokerTls.level).toBe('warning');
  });
});

describe('GR-DUR-04 Kafka replication', () => {
  function topic(stack: TerraformStack, replicas: number, minInsync: string): void {
    new Manifest(stack, 'Topic', {
      manifest: {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'KafkaTopic',
        metadata: {
          name: 'readings',
          namespace: 'kafka',
          labels: { 'strimzi.io/cluster': 'events' },
        },
        spec: { partitions: 6, replicas, config: { 'min.insync.replicas': minInsync } },
      },
    });
  }

  it('passes RF 3 / min ISR 2 on three brokers, and RF 1 on one', () => {
    expect(
      details(kafkaReplication, (stack) => {
        kafka(stack, true);
        topic(stack, 3, '2');
      }),
    ).toEqual([]);
    expect(
      details(kafkaReplication, (stack) => {
        kafka(stack, true, 1, { 'default.replication.factor': 1, 'min.insync.replicas': 1 });
        topic(stack, 1, '1');
      }),
    ).toEqual([]);
  });

  it('refuses RF 1 on three brokers, and a topic whose min ISR equals its replicas', () => {
    expect(
      details(kafkaReplication, (stack) => {
        kafka(stack, true, 3, {
          'default.replication.factor': 1,
          'min.insync.replicas': 1,
          'unclean.leader.election.enable': true,
        });
        topic(stack, 3, '3');
      }),
    ).toEqual([
      [
        'GR-DUR-04',
        'Kafka events: default.replication.factor 1 with 3 brokers, unclean.leader.election.enable true',
      ],
      ['GR-DUR-04', 'KafkaTopic readings: topic min.insync.replicas 3 with 3 replica(s)'],
    ]);
  });
});

describe('GR-DUR-08 CockroachDB availability', () => {
  it("passes the project's production values and chart defaults", () => {
    expect(
      details(cockroachdbAvailability, (stack) =>
        cockroach(stack, {
          statefulset: {
            replicas: 3,
            budget: { maxUnavailable: 1 },
            terminationGracePeriodSeconds: 300,
            topologySpreadConstraints: { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone' },
          },
        }),
      ),
    ).toEqual([]);
  });

  it('warns about one replica and a wider budget', () => {
    expect(
      details(cockroachdbAvailability, (stack) =>
        cockroach(stack, { statefulset: { replicas: 1, budget: { maxUnavailable: 2 } } }),
      ),
    ).toEqual([
      ['GR-DUR-08', 'CockroachDB release cockroachdb: 1 replica(s), budget maxUnavailable 2'],
    ]);
    expect(cockroachdbAvailability.level).toBe('warning');
  });
});

describe('reading the other workload kinds', () => {
  it('reads a StatefulSet and a ScaledJob manifest (camelCase) like a Deployment', () => {
    const found = findingsOf([pinnedImage, nonRoot], (stack) => {
      new StatefulSetV1(stack, 'Broker', {
        metadata: { name: 'broker', namespace: NAMESPACE },
        spec: {
          serviceName: 'broker',
          selector: { matchLabels: LABELS },
          template: { metadata: { labels: LABELS }, spec: podSpec() },
        },
      });
      new Manifest(stack, 'ScaledJob', {
        manifest: {
          apiVersion: 'keda.sh/v1alpha1',
          kind: 'ScaledJob',
          metadata: { name: 'batch', namespace: NAMESPACE },
          spec: {
            jobTargetRef: {
              template: {
                spec: {
                  securityContext: { runAsNonRoot: true, runAsUser: 10001 },
                  containers: [{ name: 'batch', image: 'batch' }],
                },
              },
            },
          },
        },
      });
    });
    expect(found.map((finding) => `${finding.rule} ${finding.path}`)).toEqual([
      'GR-WL-07 test/ScaledJob',
    ]);
  });
});

describe('the Kubernetes rule set', () => {
  it('lists each rule once, with catalogue ids', () => {
    expect(KUBERNETES_RULES.map((rule) => rule.id).sort()).toEqual([
      'GR-AS-01',
      'GR-AS-03',
      'GR-AS-04',
      'GR-AS-05',
      'GR-AS-06',
      'GR-DUR-04',
      'GR-DUR-08',
      'GR-DUR-12',
      'GR-DUR-13',
      'GR-ENC-12',
      'GR-IAM-08',
      'GR-NET-10',
      'GR-NET-11',
      'GR-NET-12',
      'GR-SEC-04',
      'GR-WL-01',
      'GR-WL-02',
      'GR-WL-03',
      'GR-WL-04',
      'GR-WL-05',
      'GR-WL-06',
      'GR-WL-07',
      'GR-WL-08',
      'GR-WL-09',
      'GR-WL-10',
    ]);
  });
});
