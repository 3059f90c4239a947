import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { isToken, workloadLabel, workloadOf, WORKLOAD_TYPES } from '../support/kubernetes';

/**
 * Why an image reference is not pinned, or undefined when it is: pinned by
 * digest, or tagged with a version (a tag with a digit, not `latest`).
 */
export function unpinned(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  if (colon < 0) return 'untagged';
  const tag = lastPart.slice(colon + 1);
  if (tag === 'latest') return 'tagged latest';
  if (!/\d/.test(tag)) return `floating tag ${tag}`;
  return undefined;
}

/**
 * GR-WL-07: every container image is pinned, by digest (preferred) or a
 * version tag; never untagged, `latest` or a floating name like `stable`, so
 * a rollout and a rollback run the image that was reviewed. Images given as
 * Terraform references cannot be judged at synth and pass.
 * @see Checkov CKV_K8S_14/43, kube-score `container-image-tag`,
 *   Polaris tagNotSpecified, Trivy KSV-0013
 */
export const pinnedImage: GuardrailRule = {
  id: 'GR-WL-07',
  level: 'error',
  summary: 'Container images are pinned by digest or version tag',
  fix: 'pin `agents.<agent>.container.image` by digest (name@sha256:...) or at least a version tag; the same for an image of your own',
  appliesTo: WORKLOAD_TYPES,
  evaluate(resource) {
    const workload = workloadOf(resource);
    if (!workload) return 'not-applicable';
    const problems = workload.containers.flatMap((container) => {
      if (typeof container.image !== 'string' || container.image === '')
        return [`${container.name}: no image`];
      if (isToken(container.image)) return [];
      const reason = unpinned(container.image);
      return reason ? [`${container.name}: ${container.image} ${reason}`] : [];
    });
    if (problems.length === 0) return COMPLIANT;
    return violation(`${workloadLabel(workload)}: ${problems.join('; ')}`);
  },
};
