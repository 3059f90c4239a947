/** The AWS account of the tests' AWS stacks. */
export const ACCOUNT_ID = '123456789012';
/** The AWS region of the tests' AWS stacks. */
export const REGION = 'eu-west-1';
/** The Azure subscription of the tests' Azure stacks. */
export const SUBSCRIPTION_ID = '00000000-0000-4000-8000-000000000001';
/** The Entra ID tenant of the tests' Azure stacks. */
export const TENANT_ID = '00000000-0000-4000-8000-0000000000aa';
