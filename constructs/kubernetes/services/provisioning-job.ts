import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DNS_EGRESS } from '../core/network-policy';
import { PROVIDER_CONTAINER_SECURITY, PROVIDER_POD_SECURITY } from '../core/pod-spec';

/** A read-only file set of a provisioning Job: a ConfigMap or a Secret, mounted at a path. */
export interface ProvisioningMount {
  /** Name of the volume. */
  readonly name: string;
  /** Where the container sees it. */
  readonly mountPath: string;
  /** The ConfigMap of the scripts. @default - a Secret */
  readonly configMap?: string;
  /** The Secret, and the keys to take from it (all by default). @default - a ConfigMap */
  readonly secret?: { readonly name: string; readonly keys?: readonly string[] };
}

/** Props of {@link provisioningJob}. */
export interface ProvisioningJobProps {
  /** Construct ids of the Job and its NetworkPolicy, under the scope. */
  readonly ids: { readonly job: string; readonly policy: string };
  /** Name of the Job, ending in a hash of what it does. */
  readonly name: string;
  /** Name of the NetworkPolicy, which stays while the Job is replaced. */
  readonly policyName: string;
  /** Namespace of the engine, where the Job runs. */
  readonly namespace: string;
  /** Labels of the Job, its pod and its NetworkPolicy. */
  readonly labels: Readonly<Record<string, string>>;
  /** The engine's image, whose client the Job runs. */
  readonly image: string;
  /** The container's command. */
  readonly command: readonly string[];
  /** The scripts and credentials it reads. */
  readonly mounts: readonly ProvisioningMount[];
  /** The engine's pods it may reach, and on which ports. */
  readonly egress: readonly {
    readonly podLabels: Readonly<Record<string, string>>;
    readonly ports: readonly number[];
  }[];
  /** How long Terraform waits for it, in minutes. */
  readonly timeoutMinutes: number;
  /** How long the Job may run before Kubernetes stops it, in seconds. */
  readonly activeDeadlineSeconds: number;
  /** Retries after a failed run. */
  readonly backoffLimit: number;
  /** What must exist first (the engine, the scripts). @default - the NetworkPolicy only */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The Job that provisions an agent's database, keyspace or collections in an
 * in-cluster engine with the engine's own client, and its NetworkPolicy: no
 * ingress, egress to DNS and the engine's pods on the given ports only. The
 * pod mounts no API token, runs as the fleet's non-root user with a read-only
 * root and a memory-backed `/tmp`, and Terraform waits for it to finish, so
 * the agent that depends on it starts once its store exists.
 */
export function provisioningJob(scope: Construct, props: ProvisioningJobProps): JobV1 {
  const { labels, namespace } = props;
  const policy = new NetworkPolicyV1(scope, props.ids.policy, {
    metadata: { name: props.policyName, namespace, labels: { ...labels } },
    spec: {
      podSelector: { matchLabels: { ...labels } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [
        DNS_EGRESS,
        ...props.egress.map((peer) => ({
          to: [{ podSelector: { matchLabels: { ...peer.podLabels } } }],
          ports: peer.ports.map((port) => ({ port: String(port), protocol: 'TCP' })),
        })),
      ],
    },
  });
  const timeout = `${props.timeoutMinutes}m`;
  return new JobV1(scope, props.ids.job, {
    metadata: { name: props.name, namespace, labels: { ...labels } },
    waitForCompletion: true,
    timeouts: { create: timeout, update: timeout },
    spec: {
      activeDeadlineSeconds: props.activeDeadlineSeconds,
      backoffLimit: props.backoffLimit,
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          restartPolicy: 'Never',
          securityContext: { ...PROVIDER_POD_SECURITY },
          container: [
            {
              name: 'provision',
              image: props.image,
              command: [...props.command],
              env: [{ name: 'HOME', value: '/tmp' }],
              securityContext: { ...PROVIDER_CONTAINER_SECURITY },
              resources: {
                requests: { cpu: '100m', memory: '256Mi', 'ephemeral-storage': '64Mi' },
                limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '64Mi' },
              },
              volumeMount: [
                ...props.mounts.map((mount) => ({
                  name: mount.name,
                  mountPath: mount.mountPath,
                  readOnly: true,
                })),
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volume: [
            ...props.mounts.map((mount) =>
              mount.configMap !== undefined
                ? { name: mount.name, configMap: { name: mount.configMap, defaultMode: '0440' } }
                : {
                    name: mount.name,
                    secret: {
                      secretName: mount.secret?.name,
                      defaultMode: '0440',
                      ...(mount.secret?.keys
                        ? { items: mount.secret.keys.map((key) => ({ key, path: key })) }
                        : {}),
                    },
                  },
            ),
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
          ],
        },
      },
    },
    dependsOn: [...(props.dependsOn ?? []), policy],
  });
}
