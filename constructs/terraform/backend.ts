import { AzurermBackend, LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import * as path from 'path';
import { BackendSpec } from '../../model';

/** Where `cdktf.out/stacks/<stack>` sits relative to the project root. */
const PROJECT_ROOT_FROM_STACK_DIR = path.join('..', '..', '..');

/** Directory of the state files of offline plans, under the project root. */
export const OFFLINE_STATE_DIR = path.join('terraform-state', 'offline');

/** Options of {@link applyBackend}. */
export interface BackendOptions {
  /**
   * Synthesize for the offline `terraform plan` only: every stack gets a local
   * backend under {@link OFFLINE_STATE_DIR}, whatever the spec says, so that
   * `terraform init` reaches no S3 bucket and a plan never reads real state.
   * @default false
   */
  readonly offline?: boolean;
}

/**
 * Sets a stack's backend: one state per stack, keyed by the stack id.
 * - `local`: `<dir>/<stack>.tfstate` under the project root (a relative path,
 *   so the output is the same on every machine);
 * - `s3`: encrypted with the given KMS key, S3-native locking (`use_lockfile`);
 * - `azurerm`: a blob per stack, Entra ID authentication (no storage key),
 *   locked with a blob lease.
 * @see https://developer.hashicorp.com/terraform/language/backend/s3
 * @see https://developer.hashicorp.com/terraform/language/backend/azurerm
 */
export function applyBackend(
  stack: TerraformStack,
  stackId: string,
  spec: BackendSpec | undefined,
  options: BackendOptions = {},
): void {
  if (options.offline) {
    new LocalBackend(stack, {
      path: path.join(PROJECT_ROOT_FROM_STACK_DIR, OFFLINE_STATE_DIR, `${stackId}.tfstate`),
    });
    return;
  }
  if (spec && 's3' in spec) {
    const { bucket, region, keyPrefix, kmsKeyId } = spec.s3;
    const backend = new S3Backend(stack, {
      bucket,
      region,
      key: `${keyPrefix ?? stackId.split('-')[0]}/${stackId}.tfstate`,
      encrypt: true,
      kmsKeyId,
    });
    backend.addOverride('use_lockfile', true);
    return;
  }
  if (spec && 'azurerm' in spec) {
    const { keyPrefix, ...account } = spec.azurerm;
    new AzurermBackend(stack, {
      ...account,
      key: `${keyPrefix ?? stackId.split('-')[0]}/${stackId}.tfstate`,
      useAzureadAuth: true,
    });
    return;
  }
  const dir = spec?.local.dir ?? 'terraform-state';
  new LocalBackend(stack, {
    path: path.join(PROJECT_ROOT_FROM_STACK_DIR, dir, `${stackId}.tfstate`),
  });
}
