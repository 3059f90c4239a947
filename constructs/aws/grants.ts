import { IamPolicyStatement } from './iam-statement';

/**
 * A principal that AWS permissions are granted to: the resources' `grant*`
 * methods add the exact statements a use needs (aws-cdk's `IGrantable`).
 */
export interface AwsGrantee {
  /** Adds statements to the principal's policy, in the order given. */
  addToPrincipalPolicy(...statements: IamPolicyStatement[]): void;
}

/**
 * The grants of a principal that is created once they are known: an agent's
 * role, which is created with exactly these statements, or not at all when
 * nothing was granted.
 */
export class PendingGrants implements AwsGrantee {
  private readonly granted: IamPolicyStatement[] = [];

  /** Records statements for the principal's policy, after those granted before. */
  addToPrincipalPolicy(...statements: IamPolicyStatement[]): void {
    this.granted.push(...statements);
  }

  /** The statements granted so far, in the order of the grants. */
  get statements(): readonly IamPolicyStatement[] {
    return [...this.granted];
  }

  /** Whether nothing was granted. */
  get isEmpty(): boolean {
    return this.granted.length === 0;
  }
}
