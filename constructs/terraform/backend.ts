import * as path from 'path';
import { AzurermBackend, LocalBackend, S3Backend, TerraformStack } from 'cdktf';
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
  /**
   * Name of the environment the stack belongs to: the folder of its state in a
   * shared backend (`<environment>/<stack>.tfstate`) unless the backend names a
   * `keyPrefix`.
   * @default - none: an S3 or azurerm backend then needs a `keyPrefix`
   */
  readonly environment?: string;
}

/**
 * Sets a stack's backend: one state per stack, keyed by the stack id, under
 * the backend's `keyPrefix` or else the environment's name.
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
      key: stateKey(stackId, keyPrefix, options.environment),
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
      key: stateKey(stackId, keyPrefix, options.environment),
      useAzureadAuth: true,
    });
    return;
  }
  const dir = spec?.local.dir ?? 'terraform-state';
  new LocalBackend(stack, {
    path: path.join(PROJECT_ROOT_FROM_STACK_DIR, dir, `${stackId}.tfstate`),
  });
}

function stateKey(stackId: string, keyPrefix?: string, environment?: string): string {
  const folder = keyPrefix ?? environment;
  if (folder === undefined) {
    throw new Error(
      `the state of stack '${stackId}' needs a folder in its backend: give the backend a keyPrefix or the stack its environment`,
    );
  }
  return `${folder}/${stackId}.tfstate`;
}
