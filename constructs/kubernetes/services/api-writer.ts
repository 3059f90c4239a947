import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1, RoleV1Rule } from '@cdktf/provider-kubernetes/lib/role-v1';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DNS_EGRESS } from '../core/network-policy';

/**
 * The pieces of a Job that writes Secrets through the Kubernetes API with a
 * service account of its own (the certificates Job, the CA copies Job): a
 * projected one-hour token mounted by the one container that calls the API,
 * Roles that name what it may touch, and egress to the API server only.
 */

/** Where a container that calls the API finds its token and the cluster's CA. */
export const API_TOKEN_DIR = '/var/run/secrets/agent-fleet/api';

/** Private ranges a cluster's API server usually answers on (RFC 1918, carrier NAT). */
const API_SERVER_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

/** The pod volume of the API token: the account's projected token and the cluster's CA. */
export const API_TOKEN_VOLUME = {
  name: 'api-token',
  projected: [
    {
      defaultMode: '0440',
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
        {
          configMap: [{ name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] }],
        },
      ],
    },
  ],
};

/** The mount of {@link API_TOKEN_VOLUME}, for the container that calls the API. */
export const API_TOKEN_MOUNT = { name: 'api-token', mountPath: API_TOKEN_DIR, readOnly: true };

/** Who the Roles and the NetworkPolicy are for. */
export interface ApiWriterAccount {
  /** Name of the service account, its Roles, bindings and NetworkPolicy. */
  readonly name: string;
  /** Namespace of the service account and the Job, a plain name. */
  readonly namespace: string;
  /** Labels of the objects and the Job's pods. */
  readonly labels: Readonly<Record<string, string>>;
  /** A namespace's reference (the namespace resource's name attribute), by plain name. */
  readonly ref: (namespace: string) => string;
  /** What must exist first. @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A Role in `namespace` with `rules`, bound to the account: returns both, for
 * the Job's `dependsOn`. `key` makes the construct ids unique.
 */
export function grantAccount(
  scope: Construct,
  account: ApiWriterAccount,
  key: string,
  namespace: string,
  rules: RoleV1Rule[],
): ITerraformDependable[] {
  const metadata = {
    name: account.name,
    namespace: account.ref(namespace),
    labels: account.labels,
  };
  const role = new RoleV1(scope, `Role-${key}`, {
    metadata,
    rule: rules,
    dependsOn: account.dependsOn,
  });
  const binding = new RoleBindingV1(scope, `RoleBinding-${key}`, {
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: account.name },
    subject: [{ kind: 'ServiceAccount', name: account.name, namespace: account.namespace }],
    dependsOn: [role],
  });
  return [role, binding];
}

/**
 * The Job's NetworkPolicy: DNS and the API server, whose address the fleet does
 * not know (its usual private ranges, on the ports API servers listen on).
 * Nothing may connect in.
 */
export function apiServerOnlyPolicy(scope: Construct, account: ApiWriterAccount): NetworkPolicyV1 {
  return new NetworkPolicyV1(scope, 'NetworkPolicy', {
    metadata: {
      name: account.name,
      namespace: account.ref(account.namespace),
      labels: account.labels,
    },
    spec: {
      podSelector: { matchLabels: account.labels },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [
        DNS_EGRESS,
        {
          to: API_SERVER_RANGES.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [443, 6443].map((port) => ({ port: String(port), protocol: 'TCP' })),
        },
      ],
    },
    dependsOn: account.dependsOn,
  });
}
