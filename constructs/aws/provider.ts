import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';

/** Tag every AWS resource of the fleet carries, through the provider's `default_tags`. */
export const MANAGED_BY_TAG = { 'managed-by': 'agent-fleet' } as const;

/** Props of {@link awsProvider}. */
export interface AwsProviderProps {
  /** Region of every resource the provider manages, e.g. `eu-west-1`. */
  readonly region: string;
  /**
   * The only account the provider may act in (`allowed_account_ids`): a plan or
   * apply with credentials of another account fails before touching anything.
   * @default - any account the credentials belong to
   */
  readonly accountId?: string;
  /**
   * Configure the provider for the offline `terraform plan` (`npm run plan:offline`)
   * and nothing else: no STS call to validate credentials or read the account id,
   * no instance metadata lookup, one attempt per AWS call so that anything that
   * still needs the network fails at once instead of retrying. A stack synthesized
   * this way cannot be applied meaningfully; deployments synthesize with `false`.
   * @default false
   */
  readonly offline?: boolean;
  /** Tags added to {@link MANAGED_BY_TAG} on every resource. @default - none */
  readonly defaultTags?: Readonly<Record<string, string>>;
  /** Provider alias, for a second region or account in one stack. @default - the default provider */
  readonly alias?: string;
}

/**
 * The `aws` provider of a stack. It never carries credentials: they come from the
 * environment of the process that runs Terraform (workload identity in CI, a
 * profile on a workstation).
 *
 * In offline mode the account check (`allowed_account_ids`) is left out: the
 * provider then does not learn the account id, and the check would reject the
 * empty id it has. Account ids written into resources (policies, ARNs) come from
 * {@link AwsProviderProps.accountId} in both modes.
 */
export function awsProvider(scope: Construct, props: AwsProviderProps, id = 'aws'): AwsProvider {
  const offline = props.offline ?? false;
  return new AwsProvider(scope, id, {
    region: props.region,
    alias: props.alias,
    allowedAccountIds: props.accountId && !offline ? [props.accountId] : undefined,
    defaultTags: [{ tags: { ...MANAGED_BY_TAG, ...props.defaultTags } }],
    ...(offline
      ? {
          // Offline plan only: see AwsProviderProps.offline.
          skipCredentialsValidation: true,
          skipRequestingAccountId: true,
          skipMetadataApiCheck: 'true',
          maxRetries: 1,
        }
      : {}),
  });
}
