/** Terraform-level pieces every construct library and stack uses: the state backend, ephemeral passwords. */
export { applyBackend, OFFLINE_STATE_DIR } from './backend';
export type { BackendOptions } from './backend';
export { EphemeralPassword, RANDOM_PROVIDER } from './ephemeral-password';
export type { EphemeralPasswordProps } from './ephemeral-password';
