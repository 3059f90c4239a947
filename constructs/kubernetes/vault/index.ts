/** Vault on a site: its provider, the injector, the fleet's access (policies, roles), auth delegation and secrets. */
export {
  fleetVaultProvider,
  KEDA_VAULT_ROLE,
  VaultAuthDelegation,
  VaultFleetAccess,
  VaultInjectorRelease,
  VaultSecret,
} from './vault';
export type {
  FleetVaultProviderProps,
  VaultAuthDelegationProps,
  VaultFleetAccessProps,
  VaultInjectorReleaseProps,
  VaultKedaAccess,
  VaultSecretProps,
  VaultWorkloadIdentity,
} from './vault';
