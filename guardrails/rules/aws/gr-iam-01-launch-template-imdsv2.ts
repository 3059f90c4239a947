import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block } from '../support/terraform';

/**
 * GR-IAM-01: launch templates require IMDSv2 session tokens and keep the
 * response hop limit at 1, so containers on the instance (behind one more
 * network hop) cannot reach the instance role's credentials; pods use IRSA.
 * A template with the metadata endpoint disabled passes.
 * @see Checkov CKV_AWS_79, CKV_AWS_341, Trivy AWS-0130
 */
export const launchTemplateImdsV2: GuardrailRule = {
  id: 'GR-IAM-01',
  level: 'error',
  summary: 'Launch templates require IMDSv2 with a response hop limit of 1',
  fix: 'no environment-file field: the fleet\'s launch templates require IMDSv2 with a hop limit of 1; set metadata_options { http_tokens = "required", http_put_response_hop_limit = 1 } on a template of your own',
  appliesTo: ['aws_launch_template'],
  evaluate(template) {
    const options = block(template.attributes.metadata_options);
    if (options?.http_endpoint === 'disabled') return COMPLIANT;
    const problems: string[] = [];
    if (options?.http_tokens !== 'required')
      problems.push(
        `http_tokens is ${JSON.stringify(options?.http_tokens ?? null)}, not "required" (IMDSv1 allowed)`,
      );
    const hops = options?.http_put_response_hop_limit;
    if (hops === undefined || hops === null || Number(hops) !== 1)
      problems.push(`http_put_response_hop_limit is ${JSON.stringify(hops ?? null)}, not 1`);
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};
