import { COMPLIANT, GuardrailRule, ResourceView, RuleScope, violation } from '../../engine/types';
import {
  booleanOf,
  namespaceName,
  one,
  WorkloadView,
  workloadLabel,
  workloadOf,
  WORKLOAD_TYPES,
} from '../support/kubernetes';

/**
 * The annotation of pods whose Vault Agent Injector logs in with the pod's
 * service account token; those pods need it mounted.
 */
const VAULT_INJECT = 'vault.hashicorp.com/agent-inject';

function needsToken(workload: WorkloadView): boolean {
  return workload.podAnnotations[VAULT_INJECT] === 'true';
}

/** The workloads of the scope that run as a service account. */
function workloadsUsing(account: ResourceView, scope: RuleScope): WorkloadView[] {
  const metadata = one(account.attributes.metadata) ?? {};
  const namespace = namespaceName(metadata.namespace, scope);
  return WORKLOAD_TYPES.flatMap((type) => scope.ofType(type))
    .map(workloadOf)
    .filter(
      (workload): workload is WorkloadView =>
        workload !== undefined &&
        namespaceName(workload.namespace, scope) === namespace &&
        (workload.serviceAccountName ?? 'default') === metadata.name,
    );
}

/** Whether the service account a pod runs as mounts its token (the Kubernetes default). */
function accountMounts(workload: WorkloadView, scope: RuleScope): boolean {
  const namespace = namespaceName(workload.namespace, scope);
  const account = scope.ofType('kubernetes_service_account_v1').find((candidate) => {
    const metadata = one(candidate.attributes.metadata) ?? {};
    return (
      metadata.name === workload.serviceAccountName &&
      namespaceName(metadata.namespace, scope) === namespace
    );
  });
  return booleanOf(account?.attributes.automount_service_account_token) !== false;
}

/**
 * GR-IAM-08: pods get no API token they do not use, and never the token of
 * their namespace's shared `default` service account. Service accounts turn
 * automounting off; a pod turns it on only when it needs the token (a pod
 * without a token may run as `default`: it holds none of its grants). The fleet's one such
 * need is the Vault Agent Injector, which logs in to Vault with the pod's
 * token: pods annotated `vault.hashicorp.com/agent-inject: "true"` (and their
 * service accounts) may mount it.
 * @see Checkov CKV_K8S_38, CKV_K8S_41/42, Polaris automountServiceAccountToken, Trivy KSV-0036
 */
export const serviceAccountToken: GuardrailRule = {
  id: 'GR-IAM-08',
  level: 'error',
  summary: "Pods mount a service account token only when they need it, never the default account's",
  fix: 'set `agents.<agent>.isolation.serviceAccountToken` to false (the default) unless the agent calls the Kubernetes API; a pod of your own sets automount_service_account_token false, or runs as its own service account when it needs the token (Vault injection)',
  appliesTo: ['kubernetes_service_account_v1', ...WORKLOAD_TYPES],
  evaluate(resource, scope) {
    if (resource.type === 'kubernetes_service_account_v1') {
      if (booleanOf(resource.attributes.automount_service_account_token) === false)
        return COMPLIANT;
      const users = workloadsUsing(resource, scope);
      if (users.length > 0 && users.every(needsToken)) return COMPLIANT;
      return violation(
        `service account ${one(resource.attributes.metadata)?.name} mounts its token for pods that do not need it`,
      );
    }
    const workload = workloadOf(resource);
    if (!workload) return 'not-applicable';
    // The provider sends its own default (true) when the pod leaves it unset;
    // a raw manifest inherits the service account's setting.
    const mounts =
      workload.automountServiceAccountToken ??
      (workload.manifest ? accountMounts(workload, scope) : true);
    if (!mounts) return COMPLIANT;
    const problems: string[] = [];
    if (!needsToken(workload)) problems.push('mounts a service account token it does not need');
    // A mounted token of the namespace's shared default account carries every
    // grant anyone gave that account.
    if (!workload.serviceAccountName || workload.serviceAccountName === 'default')
      problems.push('mounts the default service account token');
    if (problems.length === 0) return COMPLIANT;
    return violation(`${workloadLabel(workload)} ${problems.join(' and ')}`);
  },
};
