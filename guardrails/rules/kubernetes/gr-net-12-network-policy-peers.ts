import { COMPLIANT, GuardrailRule, ResourceView, violation } from '../../engine/types';
import { isToken, many, one } from '../support/kubernetes';

type Json = any;

/** The directions of a NetworkPolicy, with the field naming their peers in either spelling. */
const DIRECTIONS = [
  { rules: 'egress', peers: 'to', toward: 'to any destination' },
  { rules: 'ingress', peers: 'from', toward: 'from any source' },
] as const;

/** The fields of a NetworkPolicyPeer, snake_case (provider) and camelCase (manifest). */
const PEER_FIELDS = [
  'ip_block',
  'ipBlock',
  'namespace_selector',
  'namespaceSelector',
  'pod_selector',
  'podSelector',
];

/** The policy a resource holds: a `kubernetes_network_policy_v1` or a NetworkPolicy manifest. */
function policyOf(resource: ResourceView): { name: string; spec: Json } | undefined {
  if (resource.type === 'kubernetes_network_policy_v1') {
    const metadata = one(resource.attributes.metadata) ?? {};
    return { name: String(metadata.name ?? '?'), spec: one(resource.attributes.spec) ?? {} };
  }
  const manifest = resource.attributes.manifest;
  if (manifest?.kind !== 'NetworkPolicy') return undefined;
  return { name: String(manifest.metadata?.name ?? '?'), spec: manifest.spec ?? {} };
}

/** `5672/TCP, metrics/TCP`: a rule's ports as written (the API defaults the protocol to TCP). */
function portList(ports: readonly Json[]): string {
  return ports
    .map((port) => {
      const range = port?.end_port ?? port?.endPort;
      const number = range === undefined ? port?.port : `${port?.port}-${range}`;
      return `${number ?? 'any'}/${port?.protocol ?? 'TCP'}`;
    })
    .join(', ');
}

/**
 * GR-NET-12: every rule of a NetworkPolicy names its peers. Kubernetes reads an
 * egress rule whose `to` is empty or absent as "to every destination", and an
 * ingress rule without `from` as "from every source": a rule that lists ports
 * but no peers opens those ports to and from anywhere (pods of every
 * namespace, nodes, the internet), and a rule with neither ports nor peers
 * (`{}`) opens everything. Rules that name peers but no ports (all ports of
 * those peers) comply; so does a policy with no rules at all (deny all).
 * Peers that are Terraform expressions are skipped: synth cannot see them.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
 *   (NetworkPolicyEgressRule `to`, NetworkPolicyIngressRule `from`); custom, no scanner rule
 */
export const networkPolicyPeers: GuardrailRule = {
  id: 'GR-NET-12',
  level: 'error',
  summary:
    'Every NetworkPolicy rule names its peers: no egress rule without to, no ingress rule without from',
  fix: "no environment-file field: every rule of the fleet's NetworkPolicies names its peers (`agents.<agent>.isolation.egress` lists CIDRs); name the peers of each rule of a policy of your own: a rule without to or from allows any destination or source",
  appliesTo: ['kubernetes_network_policy_v1', 'kubernetes_manifest'],
  evaluate(resource) {
    const policy = policyOf(resource);
    if (!policy) return 'not-applicable';
    const problems: string[] = [];
    for (const direction of DIRECTIONS) {
      const rules = policy.spec[direction.rules];
      if (isToken(rules)) continue;
      many(rules).forEach((rule: Json, index: number) => {
        const peers = rule?.[direction.peers];
        if (isToken(peers) || many(peers).some(named)) return;
        const ports = many(rule?.ports);
        const label = `${direction.rules} rule ${index + 1}`;
        problems.push(
          ports.length > 0
            ? `${label} opens ${portList(ports)} ${direction.toward}`
            : `${label} names neither ports nor peers: it allows all ${direction.rules}`,
        );
      });
    }
    if (problems.length === 0) return COMPLIANT;
    return violation(`NetworkPolicy ${policy.name}: ${problems.join('; ')}`);
  },
};

/** A peer that names something (the API refuses an empty one). */
function named(peer: Json): boolean {
  if (isToken(peer)) return true;
  const value = one(peer);
  return !!value && PEER_FIELDS.some((field) => value[field] !== undefined);
}
