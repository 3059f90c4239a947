import { Construct } from 'constructs';
import { HostsDeployment } from '../constructs/hosts';
import { applyBackend } from '../constructs/terraform';
import { CheckedStack } from '../guardrails/engine/rendering';
import { BackendSpec, HostsPlan } from '../model';

/** Props of {@link HostsStack}. */
export interface HostsStackProps {
  /** The hosts site with its agents placed on its servers. */
  readonly plan: HostsPlan;
  /** Where the stack's state is kept. @default - local state files */
  readonly backend?: BackendSpec;
  /** Synthesize for the offline plan: local state whatever the backend. @default false */
  readonly offline?: boolean;
}

/**
 * `<env>-<site>-hosts`: the agents of a site of warm servers, deployed by
 * Ansible from the files synth writes beside the stack (see
 * {@link HostsDeployment}). It needs no provider.
 */
export class HostsStack extends CheckedStack {
  /** The site with its agents placed on its servers. */
  readonly plan: HostsPlan;
  /** The site's Ansible deployment. */
  readonly deployment: HostsDeployment;

  constructor(scope: Construct, id: string, props: HostsStackProps) {
    super(scope, id);
    const { plan } = props;
    this.plan = plan;
    applyBackend(this, id, props.backend, {
      offline: props.offline,
      environment: plan.environment,
    });
    this.deployment = new HostsDeployment(this, 'Ansible', { plan });
  }
}
