/**
 * Kubernetes' own rules for names, namespaces, label keys and values and
 * taints, ported from the API server's validation so that a mistake is caught
 * at synth time, with the file and field, instead of by the cluster at apply
 * time. Each `...Problems` function returns the messages of what is wrong
 * (empty when the value is valid); each message quotes the value and says what
 * is allowed.
 *
 * Lengths are counted in UTF-16 code units where Kubernetes counts bytes; the
 * two agree on every value the patterns accept (ASCII only), and a non-ASCII
 * value fails the pattern either way.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */

const DNS1123_LABEL_MAX = 63;
const DNS1123_SUBDOMAIN_MAX = 253;
const LABEL_NAME_MAX = 63;
const LABEL_VALUE_MAX = 63;

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_PATTERN = new RegExp(`^${DNS1123_LABEL}$`);
const DNS1123_SUBDOMAIN_PATTERN = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const LABEL_NAME_PATTERN = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE_PATTERN = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const DNS1123_LABEL_RULE =
  "a DNS-1123 label of 1 to 63 characters of lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. 'my-name')";
const DNS1123_SUBDOMAIN_RULE =
  "a DNS-1123 subdomain of at most 253 characters of lowercase letters, digits, '-' or '.', each dot-separated part starting and ending with a letter or digit (e.g. 'example.com')";
const QUALIFIED_NAME_RULE =
  "a name of at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/my-key')";
const PREFIX_REQUIREMENT =
  "a DNS subdomain of at most 253 characters of lowercase letters, digits, '-' or '.', each dot-separated part starting and ending with a letter or digit (e.g. 'example.com')";
const NAME_AFTER_PREFIX_REQUIREMENT =
  "1 to 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. 'my-key')";
const LABEL_VALUE_RULE =
  "empty, or at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. 'my-value')";
const TAINT_EFFECTS_RULE = 'NoSchedule, PreferNoSchedule or NoExecute';

/**
 * Problems of a DNS-1123 label: 1 to 63 lowercase letters, digits or '-',
 * starting and ending with a letter or digit. The rule for namespaces, most
 * object names that appear in DNS, and container and port names.
 *
 * @param what the noun used in the message, e.g. 'namespace'
 * @see k8s.io/apimachinery pkg/api/validate/content/dns.go `IsDNS1123Label`
 *   (pkg/util/validation/validation.go re-exports it)
 */
export function dns1123LabelProblems(value: string, what = 'name'): string[] {
  if (value.length <= DNS1123_LABEL_MAX && DNS1123_LABEL_PATTERN.test(value)) return [];
  return [`${quoted(value, DNS1123_LABEL_MAX)} is not a valid ${what}: ${DNS1123_LABEL_RULE}`];
}

/**
 * Problems of a DNS-1123 subdomain: at most 253 characters of dot-separated
 * DNS-1123 labels. The rule for most object names (ConfigMaps, Secrets,
 * Deployments, Nodes) and for the prefix of a qualified name.
 *
 * @param what the noun used in the message, e.g. 'ConfigMap name'
 * @see k8s.io/apimachinery pkg/api/validate/content/dns.go `IsDNS1123Subdomain`
 *   (pkg/util/validation/validation.go re-exports it)
 */
export function dns1123SubdomainProblems(value: string, what = 'name'): string[] {
  if (value.length <= DNS1123_SUBDOMAIN_MAX && DNS1123_SUBDOMAIN_PATTERN.test(value)) return [];
  return [
    `${quoted(value, DNS1123_SUBDOMAIN_MAX)} is not a valid ${what}: ${DNS1123_SUBDOMAIN_RULE}`,
  ];
}

/**
 * Problems of what Kubernetes calls a qualified name: an optional DNS
 * subdomain prefix and '/', then a name of 1 to 63 letters, digits, '-', '_'
 * or '.', starting and ending with a letter or digit. The rule for label keys,
 * taint and toleration keys, topology keys and finalizers.
 *
 * @param what the noun used in the message, e.g. 'label key'
 * @see k8s.io/apimachinery pkg/api/validate/content/kube.go `IsLabelKey`
 *   (pkg/util/validation/validation.go `IsQualifiedName` is an alias of it)
 */
export function qualifiedNameProblems(value: string, what: string): string[] {
  return qualifiedName(value, what);
}

/**
 * Problems of a label value: empty, or at most 63 letters, digits, '-', '_'
 * or '.', starting and ending with a letter or digit. Also the rule for taint
 * values and for the values of node selector requirements.
 *
 * @param what the noun used in the message, e.g. 'taint value'
 * @see k8s.io/apimachinery pkg/api/validate/content/kube.go `IsLabelValue`
 *   (pkg/util/validation/validation.go `IsValidLabelValue` is an alias of it)
 */
export function labelValueProblems(value: string, what = 'label value'): string[] {
  if (value.length <= LABEL_VALUE_MAX && LABEL_VALUE_PATTERN.test(value)) return [];
  return [`${quoted(value, LABEL_VALUE_MAX)} is not a valid ${what}: ${LABEL_VALUE_RULE}`];
}

/**
 * The effects a taint may have: `NoSchedule` (no new pods without a matching
 * toleration), `PreferNoSchedule` (the scheduler avoids the node) and
 * `NoExecute` (also evicts running pods without a matching toleration).
 *
 * @see k8s.io/kubernetes pkg/apis/core/validation/validation.go `validateTaintEffect`
 */
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** One of {@link TAINT_EFFECTS}. */
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

/** A node taint as Kubernetes' `Taint`, before its effect is known to be valid. */
export interface TaintLike {
  /** Taint key, a qualified name, e.g. 'nvidia.com/gpu'. */
  readonly key: string;
  /**
   * Taint value, with the syntax of a label value.
   * @default ''
   */
  readonly value?: string;
  /** What the taint does to pods that do not tolerate it: one of {@link TAINT_EFFECTS}. */
  readonly effect: string;
}

/**
 * Problems of one node taint: its key is a qualified name, its value a label
 * value (empty allowed) and its effect one of {@link TAINT_EFFECTS}.
 *
 * @see k8s.io/kubernetes pkg/apis/core/validation/validation.go `validateNodeTaints`
 *   and `validateTaintEffect` (with `allowEmpty` false: a taint needs an effect;
 *   only a toleration may leave it empty)
 */
export function taintProblems(taint: TaintLike): string[] {
  return [
    ...qualifiedNameProblems(taint.key, 'taint key'),
    ...labelValueProblems(taint.value ?? '', 'taint value'),
    ...taintEffectProblems(taint.effect),
  ];
}

/**
 * The label keys under `kubernetes.io` that a kubelet may set on its own Node,
 * as k8s.io/kubelet pkg/apis/well_known_labels.go `kubeletLabels` lists them
 * (the constants are k8s.io/api core/v1/well_known_labels.go's).
 */
export const KUBELET_LABELS: readonly string[] = [
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
];

/**
 * The label key prefixes (and their subdomains, e.g. 'foo.node.kubernetes.io')
 * under which a kubelet may set any label on its own Node, as k8s.io/kubelet
 * pkg/apis/well_known_labels.go `kubeletLabelNamespaces` lists them.
 */
export const KUBELET_LABEL_NAMESPACES: readonly string[] = [
  'kubelet.kubernetes.io',
  'node.kubernetes.io',
];

/**
 * Whether a label key is reserved to Kubernetes so that a kubelet may not set
 * it on its own Node: a key whose prefix is `kubernetes.io` or `k8s.io` or a
 * subdomain of either, unless it is one of {@link KUBELET_LABELS} or under one
 * of {@link KUBELET_LABEL_NAMESPACES}. The kubelet refuses to start with such a
 * key in `--node-labels` (the usual way a node pool passes its labels), and the
 * NodeRestriction admission plugin refuses a Node that sets one;
 * `node-restriction.kubernetes.io/` is reserved exactly so that only
 * an administrator can set it. Such labels must be set on the Node by someone
 * else, after it has joined.
 *
 * @see k8s.io/kubernetes cmd/kubelet/app/options/options.go `ValidateKubeletFlags`
 *   and plugin/pkg/admission/noderestriction/admission.go `getForbiddenLabels`
 * @see k8s.io/kubelet pkg/apis/well_known_labels.go `IsKubeletLabel`
 */
export function isReservedLabelKey(key: string): boolean {
  const prefix = labelPrefix(key);
  const isKubernetes = ['kubernetes.io', 'k8s.io'].some((domain) => isUnder(prefix, domain));
  if (!isKubernetes) return false;
  if (KUBELET_LABELS.includes(key)) return false;
  return !KUBELET_LABEL_NAMESPACES.some((namespace) => isUnder(prefix, namespace));
}

function taintEffectProblems(effect: string): string[] {
  if ((TAINT_EFFECTS as readonly string[]).includes(effect)) return [];
  if (effect === '') return [`a taint effect is required: ${TAINT_EFFECTS_RULE}`];
  return [`'${effect}' is not a valid taint effect: ${TAINT_EFFECTS_RULE}`];
}

/** A qualified name's problems. */
function qualifiedName(value: string, what: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) return [`${quoted(value)} is not a valid ${what}: ${QUALIFIED_NAME_RULE}`];
  const [prefix, name] = parts.length === 2 ? [parts[0], parts[1]] : [undefined, parts[0]];
  const nameValid = name.length <= LABEL_NAME_MAX && LABEL_NAME_PATTERN.test(name);
  if (prefix === undefined) {
    return nameValid
      ? []
      : [`${quoted(value, LABEL_NAME_MAX)} is not a valid ${what}: ${QUALIFIED_NAME_RULE}`];
  }
  const problems: string[] = [];
  if (prefix.length > DNS1123_SUBDOMAIN_MAX || !DNS1123_SUBDOMAIN_PATTERN.test(prefix)) {
    const part = `the prefix before '/'${lengthNote(prefix, DNS1123_SUBDOMAIN_MAX)}`;
    problems.push(`${quoted(value)} is not a valid ${what}: ${part} must be ${PREFIX_REQUIREMENT}`);
  }
  if (!nameValid) {
    const part = `the name after '/'${lengthNote(name, LABEL_NAME_MAX)}`;
    problems.push(
      `${quoted(value)} is not a valid ${what}: ${part} must be ${NAME_AFTER_PREFIX_REQUIREMENT}`,
    );
  }
  return problems;
}

/** A value in quotes, cut short when very long, with its length when over `max`. */
function quoted(value: string, max = Infinity): string {
  const shown = value.length > 80 ? `${value.slice(0, 40)}…` : value;
  return `'${shown}'${lengthNote(value, max)}`;
}

/** " (N characters)" when a value is longer than `max`, else nothing. */
function lengthNote(value: string, max: number): string {
  return value.length > max ? ` (${value.length} characters)` : '';
}

/** The prefix of a label key, before its first '/', or '' when it has none. */
function labelPrefix(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

/** Whether a DNS name is `domain` itself or a subdomain of it. */
function isUnder(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/**
 * Whether Kubernetes or its distributions own a namespace: `default` and every
 * `kube-` name (`kube-system`, `kube-public`, `kube-node-lease` and those to come).
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces
 */
export function isReservedNamespace(name: string): boolean {
  return name === 'default' || name.startsWith('kube-');
}

/**
 * Problems of a namespace the fleet creates: a DNS-1123 label, and not one
 * Kubernetes owns (the fleet would declare it, fail to create it, and a destroy
 * would delete it).
 * @param why what the fleet does instead, for the message
 */
export function namespaceProblems(name: string, why: string): string[] {
  const problems = dns1123LabelProblems(name, 'namespace');
  if (problems.length === 0 && isReservedNamespace(name)) {
    problems.push(`'${name}' is reserved: Kubernetes owns 'default' and 'kube-*'; ${why}`);
  }
  return problems;
}
