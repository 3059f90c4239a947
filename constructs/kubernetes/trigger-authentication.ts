import { Manifest as ManifestResource } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { RabbitMqBrokerSpec } from '../model';
import { clusterTriggerAuthentication } from './keda';

/** Props of {@link BrokerTriggerAuthentication}. */
export interface BrokerTriggerAuthenticationProps {
  readonly broker: RabbitMqBrokerSpec;
}

/** ClusterTriggerAuthentication through which KEDA reads one broker. */
export class BrokerTriggerAuthentication extends Construct {
  constructor(scope: Construct, id: string, props: BrokerTriggerAuthenticationProps) {
    super(scope, id);
    new ManifestResource(this, 'Resource', {
      manifest: clusterTriggerAuthentication(props.broker),
    });
  }
}
