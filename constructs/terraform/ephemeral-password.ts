import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

/** hashicorp/random provider: ephemeral `random_password` needs 3.7 or later. */
export const RANDOM_PROVIDER = { source: 'hashicorp/random', version: '3.7.2' };

/** Props of {@link EphemeralPassword}. */
export interface EphemeralPasswordProps {
  /** Characters in the password. @default 32 */
  readonly length?: number;
}

/**
 * A random password generated anew by Terraform on every run and never stored
 * in the plan or state (an `ephemeral "random_password"`, Terraform 1.10+).
 * It may only flow into write-only arguments, which apply it once per
 * revision: every secret written from it in one apply agrees, and a later
 * apply leaves them alone until their revision is raised.
 * @see https://developer.hashicorp.com/terraform/language/resources/ephemeral
 * @see https://registry.terraform.io/providers/hashicorp/random/latest/docs/ephemeral-resources/password
 */
export class EphemeralPassword extends Construct {
  /** Reference to the password, for write-only arguments only. */
  readonly value: string;

  constructor(scope: Construct, id: string, props: EphemeralPasswordProps = {}) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    // Unique in the stack: the construct path below it.
    const name = this.node.path.slice(stack.node.path.length + 1).replace(/[^A-Za-z0-9_-]/g, '_');
    // cdktf 0.21 has no ephemeral blocks: write them into the stack's JSON.
    stack.addOverride(`ephemeral.random_password.${name}`, {
      length: props.length ?? 32,
      special: false,
    });
    stack.addOverride('terraform.required_providers.random', RANDOM_PROVIDER);
    this.value = `\${ephemeral.random_password.${name}.result}`;
  }
}
