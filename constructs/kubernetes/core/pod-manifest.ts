import {
  CONTAINER_SECURITY,
  POD_SECURITY,
  PodPlan,
  poolNodeAffinity,
  ProbePlan,
  tolerationsOf,
} from './pod-plan';

/** A Kubernetes API object as plain JSON, for `kubernetes_manifest`. */
export type Manifest = { [key: string]: unknown };

/**
 * Renders a pod plan as Kubernetes API JSON (`PodTemplateSpec.spec`), for
 * custom resources that embed a pod template such as KEDA's ScaledJob.
 */
export function manifestPodSpec(plan: PodPlan): Manifest {
  const { container } = plan;
  return {
    ...plan.settings,
    securityContext: POD_SECURITY,
    affinity: { nodeAffinity: poolNodeAffinity(plan.pools) },
    tolerations: tolerationsOf(plan.tolerations),
    topologySpreadConstraints: plan.spreadKeys.map((topologyKey) => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { ...plan.labels } },
    })),
    containers: [
      {
        name: container.name,
        image: container.image,
        ...(container.command ? { command: [...container.command] } : {}),
        ...(container.args ? { args: [...container.args] } : {}),
        env: container.env.map((entry) => ({ ...entry })),
        ports: container.ports.map((port) => ({ ...port, protocol: 'TCP' })),
        resources: { requests: { ...container.requests }, limits: { ...container.limits } },
        ...(container.readiness ? { readinessProbe: manifestProbe(container.readiness) } : {}),
        ...(container.liveness ? { livenessProbe: manifestProbe(container.liveness) } : {}),
        ...(container.preStop
          ? { lifecycle: { preStop: { exec: { command: [...container.preStop] } } } }
          : {}),
        securityContext: CONTAINER_SECURITY,
        volumeMounts: plan.mounts.map((mount) => ({ ...mount })),
      },
    ],
    volumes: [
      { name: 'scratch', emptyDir: { sizeLimit: plan.scratchSizeLimit } },
      ...plan.credentials.map(({ volume, secret }) => ({
        name: volume,
        secret: { secretName: secret, defaultMode: 0o440 },
      })),
    ],
  };
}

function manifestProbe(probe: ProbePlan): Manifest {
  const { handler } = probe;
  const port = (value: string) => (/^\d+$/.test(value) ? Number(value) : value);
  return {
    ...probe.timings,
    ...('httpGet' in handler
      ? { httpGet: { path: handler.httpGet.path, port: port(handler.httpGet.port) } }
      : {}),
    ...('tcpSocket' in handler ? { tcpSocket: { port: port(handler.tcpSocket.port) } } : {}),
    ...('exec' in handler ? { exec: { command: [...handler.exec] } } : {}),
  };
}
