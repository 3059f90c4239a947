import { Release } from '@cdktf/provider-helm/lib/release';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { CHARTS } from './charts';
import { KEDA_REQUESTS } from './footprint';

/** Where KEDA's operator finds the Vault CA. */
const VAULT_CA_MOUNT = '/etc/vault-ca';

/** Props of {@link KedaRelease}. */
export interface KedaReleaseProps {
  /** Namespace KEDA runs in; ClusterTriggerAuthentications read their Secrets here. */
  readonly namespace: string;
  /** Let the Prometheus operator scrape KEDA (its ServiceMonitor CRD must exist first). @default true */
  readonly serviceMonitors?: boolean;
  /** What must be installed first, e.g. the release that brings the ServiceMonitor CRD. @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * IAM role KEDA's operator runs as (IRSA), through which the `keda-aws`
   * ClusterTriggerAuthentication reads SQS and MSK: the chart annotates the
   * operator's service account with it and with regional STS endpoints. May be
   * a Terraform token.
   * @default - no cloud identity
   * @see https://keda.sh/docs/2.20/authentication-providers/aws/
   */
  readonly awsRoleArn?: string;
  /**
   * The workload identity KEDA's operator runs as on Azure, through which the
   * `keda-azure` ClusterTriggerAuthentication reads Service Bus.
   * @default - none
   * @see https://keda.sh/docs/2.20/authentication-providers/azure-ad-workload-identity/
   */
  readonly azureIdentity?: { readonly clientId: string; readonly tenantId: string };
  /**
   * ConfigMap in KEDA's namespace with the CA of the site's Vault (key
   * `ca.crt`), so that KEDA reads broker credentials from Vault over verified
   * TLS (`VAULT_CACERT`).
   * @default - no Vault
   */
  readonly vaultCaConfigMap?: string;
}

/**
 * KEDA, the only external-metrics provider of the cluster: it serves every
 * event-driven signal and sets the HPA behaviour of the workloads it scales.
 * @see https://github.com/kedacore/charts/tree/main/keda
 */
export class KedaRelease extends Construct {
  /** The `helm_release` of KEDA's chart, for `dependsOn` of what needs its CRDs. */
  readonly release: Release;

  constructor(scope: Construct, id: string, props: KedaReleaseProps) {
    super(scope, id);
    const monitors = props.serviceMonitors ?? true;
    const resources = (requests: { cpu: string; memory: string }) => ({
      requests: { ...requests },
      limits: { cpu: '1', memory: requests.memory },
    });
    this.release = new Release(this, 'Resource', {
      name: 'keda',
      namespace: props.namespace,
      ...CHARTS.keda,
      atomic: true,
      cleanupOnFail: true,
      dependsOn: props.dependsOn,
      values: [
        JSON.stringify({
          crds: { install: true },
          resources: {
            operator: resources(KEDA_REQUESTS.operator),
            metricServer: resources(KEDA_REQUESTS.metricServer),
            webhooks: resources(KEDA_REQUESTS.webhooks),
          },
          prometheus: {
            operator: { enabled: true, serviceMonitor: { enabled: monitors } },
            metricServer: { enabled: true, serviceMonitor: { enabled: monitors } },
          },
          ...(props.awsRoleArn !== undefined
            ? {
                podIdentity: {
                  aws: {
                    irsa: {
                      enabled: true,
                      roleArn: props.awsRoleArn,
                      stsRegionalEndpoints: 'true',
                    },
                  },
                },
              }
            : {}),
          ...(props.azureIdentity
            ? {
                podIdentity: {
                  azureWorkload: {
                    enabled: true,
                    clientId: props.azureIdentity.clientId,
                    tenantId: props.azureIdentity.tenantId,
                  },
                },
              }
            : {}),
          ...(props.vaultCaConfigMap
            ? {
                env: [{ name: 'VAULT_CACERT', value: `${VAULT_CA_MOUNT}/ca.crt` }],
                // The chart sets `env` on every component: each gets the file it names.
                volumes: Object.fromEntries(
                  ['keda', 'metricsApiServer', 'webhooks'].map((component) => [
                    component,
                    {
                      extraVolumes: [
                        { name: 'vault-ca', configMap: { name: props.vaultCaConfigMap } },
                      ],
                      extraVolumeMounts: [
                        { name: 'vault-ca', mountPath: VAULT_CA_MOUNT, readOnly: true },
                      ],
                    },
                  ]),
                ),
              }
            : {}),
        }),
      ],
    });
  }
}
