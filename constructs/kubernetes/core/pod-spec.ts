import {
  DeploymentV1SpecTemplateSpec,
  DeploymentV1SpecTemplateSpecContainerReadinessProbe,
} from '@cdktf/provider-kubernetes/lib/deployment-v1';
import {
  AGENT_UID,
  CONTAINER_SECURITY,
  POD_SECURITY,
  PodPlan,
  POOL_LABEL,
  ProbePlan,
  tolerationsOf,
} from './pod-plan';

const UID = String(AGENT_UID);

/** {@link POD_SECURITY} as the provider's typed resources take it: ids as strings. */
export const PROVIDER_POD_SECURITY = {
  ...POD_SECURITY,
  runAsUser: UID,
  runAsGroup: UID,
  fsGroup: UID,
};

/** {@link CONTAINER_SECURITY} as the provider's typed resources take it: ids as strings. */
export const PROVIDER_CONTAINER_SECURITY = {
  ...CONTAINER_SECURITY,
  runAsUser: UID,
  runAsGroup: UID,
};

/**
 * Renders a pod plan in the shape of the typed `kubernetes_*_v1` resources
 * (Deployment and CronJob share it).
 */
export function providerPodSpec(plan: PodPlan): DeploymentV1SpecTemplateSpec {
  const { container } = plan;
  return {
    ...plan.settings,
    // The provider takes user and group ids as strings.
    securityContext: { ...PROVIDER_POD_SECURITY },
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerm: [
            { matchExpressions: [{ key: POOL_LABEL, operator: 'In', values: [...plan.pools] }] },
          ],
        },
      },
    },
    toleration: tolerationsOf(plan.tolerations),
    topologySpreadConstraint: plan.spreadKeys.map((topologyKey) => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: [{ matchLabels: { ...plan.labels } }],
    })),
    container: [
      {
        name: container.name,
        image: container.image,
        command: container.command ? [...container.command] : undefined,
        args: container.args ? [...container.args] : undefined,
        env: container.env.map((entry) => ({ ...entry })),
        port: container.ports.map((port) => ({ ...port, protocol: 'TCP' })),
        resources: { requests: { ...container.requests }, limits: { ...container.limits } },
        readinessProbe: container.readiness ? providerProbe(container.readiness) : undefined,
        livenessProbe: container.liveness ? providerProbe(container.liveness) : undefined,
        lifecycle: container.preStop
          ? { preStop: [{ exec: { command: [...container.preStop] } }] }
          : undefined,
        securityContext: { ...PROVIDER_CONTAINER_SECURITY },
        volumeMount: plan.mounts.map((mount) => ({ ...mount })),
      },
    ],
    volume: [
      { name: 'scratch', emptyDir: { sizeLimit: plan.scratchSizeLimit } },
      ...plan.credentials.map(({ volume, secret }) => ({
        name: volume,
        secret: { secretName: secret, defaultMode: '0440' },
      })),
    ],
  };
}

function providerProbe(probe: ProbePlan): DeploymentV1SpecTemplateSpecContainerReadinessProbe {
  const { handler } = probe;
  return {
    ...probe.timings,
    httpGet: 'httpGet' in handler ? { ...handler.httpGet } : undefined,
    tcpSocket: 'tcpSocket' in handler ? [{ ...handler.tcpSocket }] : undefined,
    exec: 'exec' in handler ? { command: [...handler.exec] } : undefined,
  };
}
