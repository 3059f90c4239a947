import { Manifest as ManifestResource } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { RabbitMqBrokerSpec } from '../../../model';
import {
  awsClusterTriggerAuthentication,
  azureClusterTriggerAuthentication,
  clusterTriggerAuthentication,
} from './keda';

/** Props of {@link BrokerTriggerAuthentication}. */
export interface BrokerTriggerAuthenticationProps {
  /** The RabbitMQ broker whose management API KEDA reads. */
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

/**
 * ClusterTriggerAuthentication `keda-aws`, through which KEDA reads SQS queue
 * depth and MSK consumer lag as its own operator's IAM role (IRSA): the KEDA
 * release must be given that role (`KedaReleaseProps.awsRoleArn`).
 * @see https://keda.sh/docs/2.20/authentication-providers/aws/
 */
export class AwsTriggerAuthentication extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new ManifestResource(this, 'Resource', { manifest: awsClusterTriggerAuthentication() });
  }
}

/**
 * ClusterTriggerAuthentication `keda-azure`, through which KEDA reads Service
 * Bus queue depth as its own operator's workload identity: the KEDA release
 * must be given that identity (`KedaReleaseProps.azureIdentity`).
 * @see https://keda.sh/docs/2.20/authentication-providers/azure-ad-workload-identity/
 */
export class AzureTriggerAuthentication extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new ManifestResource(this, 'Resource', { manifest: azureClusterTriggerAuthentication() });
  }
}
