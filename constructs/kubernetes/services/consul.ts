import { Release } from '@cdktf/provider-helm/lib/release';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { Cpu, NodePoolSpec, Problem, Size, ValidationError } from '../../../model';
import { CHARTS } from '../platform/charts';
import { CONSUL_SERVER_SIZE } from '../platform/footprint';

/** Node-pool labels that become Consul tags, in tag order. */
export const CONSUL_TAG_LABELS = ['datacenter', 'hardware-type', 'location'] as const;

/** Annotation prefix that catalog sync reads on a Kubernetes Service. */
const SYNC = 'consul.hashicorp.com';

/** Namespaces catalog sync never reads, as in the chart's defaults. */
const SYNC_DENIED_NAMESPACES = ['kube-system', 'kube-public'];

/** Props of {@link ConsulRelease}. */
export interface ConsulReleaseProps {
  /** Namespace Consul's servers and catalog sync run in. */
  readonly namespace: string;
  /**
   * Consul datacenter of this cluster's servers (`global.datacenter`). It
   * cannot change once the servers are up.
   */
  readonly datacenter: string;
  /**
   * Consul servers (Raft voters): odd, so that a majority survives the loss
   * of `(n - 1) / 2` of them.
   * @default 3
   */
  readonly replicas?: number;
  /**
   * CPU and memory of each server, requested and limited alike.
   * @default - 500m CPU and 1 GiB memory
   */
  readonly serverResources?: { readonly cpu: Cpu; readonly memory: Size };
  /** Raft data volume of each server. @default 10 GiB */
  readonly storage?: Size;
  /** StorageClass of the server volumes. @default - the cluster's default StorageClass */
  readonly storageClass?: string;
  /**
   * Kubernetes namespaces whose Services catalog sync may register; within
   * them only Services annotated `consul.hashicorp.com/service-sync: "true"`
   * are registered (see {@link ConsulRegistration}). `kube-system` and
   * `kube-public` are always excluded.
   * @default ['*']
   */
  readonly syncNamespaces?: readonly string[];
  /** What must be installed first. @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A Consul datacenter in the cluster, for discovery only: servers with TLS,
 * ACLs bootstrapped and managed by the chart (`manageSystemACLs`), gossip
 * encryption with a key the chart generates into a Secret (never in the
 * output), and one-way catalog sync from Kubernetes to Consul for Services
 * annotated for it (`syncCatalog.default: false`). The service mesh
 * (`connectInject`) is off: agents are found through the catalog, not proxied.
 *
 * Servers repel each other per node (required) and spread over zones
 * (preferred, as edge sites often have one zone or unlabelled nodes).
 * @see https://developer.hashicorp.com/consul/docs/reference/k8s/helm
 * @see https://developer.hashicorp.com/consul/docs/register/service/k8s/service-sync
 */
export class ConsulRelease extends Construct {
  /** The `helm_release` of HashiCorp's Consul chart. */
  readonly release: Release;

  constructor(scope: Construct, id: string, props: ConsulReleaseProps) {
    super(scope, id);
    const replicas = props.replicas ?? 3;
    const syncNamespaces = props.syncNamespaces ?? ['*'];
    const problems: Problem[] = [];
    if (!Number.isInteger(replicas) || replicas < 1 || replicas % 2 === 0) {
      problems.push({
        path: ['replicas'],
        message: `(${replicas}) must be an odd whole number >= 1, so that a Raft majority exists`,
      });
    }
    if (syncNamespaces.length === 0) {
      problems.push({
        path: ['syncNamespaces'],
        message: "must name at least one namespace, or '*'",
      });
    }
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const cpu = (props.serverResources?.cpu ?? CONSUL_SERVER_SIZE.cpu).toKubernetes();
    const memory = (props.serverResources?.memory ?? CONSUL_SERVER_SIZE.memory).toKubernetes();
    const serverLabels = {
      app: '{{ template "consul.name" . }}',
      release: '{{ .Release.Name }}',
      component: 'server',
    };
    this.release = new Release(this, 'Resource', {
      name: 'consul',
      namespace: props.namespace,
      ...CHARTS.consul,
      atomic: true,
      cleanupOnFail: true,
      dependsOn: props.dependsOn,
      values: [
        JSON.stringify({
          global: {
            name: 'consul',
            datacenter: props.datacenter,
            tls: { enabled: true, enableAutoEncrypt: true, verify: true, httpsOnly: true },
            acls: { manageSystemACLs: true },
            gossipEncryption: { autoGenerate: true },
          },
          server: {
            replicas,
            bootstrapExpect: replicas,
            storage: (props.storage ?? Size.gibibytes(10)).toKubernetes(),
            ...(props.storageClass ? { storageClass: props.storageClass } : {}),
            resources: { requests: { cpu, memory }, limits: { cpu, memory } },
            disruptionBudget: { enabled: true },
            // The chart passes these two through `tpl`: they must be YAML text.
            affinity: stringify({
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  {
                    labelSelector: { matchLabels: serverLabels },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                ],
              },
            }),
            topologySpreadConstraints: stringify([
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: serverLabels },
              },
            ]),
          },
          connectInject: { enabled: false },
          ui: { enabled: true, service: { type: 'ClusterIP' } },
          syncCatalog: {
            enabled: true,
            default: false,
            toConsul: true,
            toK8S: false,
            k8sAllowNamespaces: [...syncNamespaces],
            k8sDenyNamespaces: SYNC_DENIED_NAMESPACES,
            addK8SNamespaceSuffix: false,
            syncClusterIPServices: true,
            resources: {
              requests: { cpu: '50m', memory: '64Mi' },
              limits: { cpu: '250m', memory: '128Mi' },
            },
          },
        }),
      ],
    });
  }
}

/** A port of an agent's pods that Consul registers. */
export interface ConsulServicePort {
  /** Port name on the pods (the container port's `name`), e.g. `metrics`. */
  readonly name: string;
  /** Port number the Service exposes. */
  readonly port: number;
}

/** Inputs of {@link consulSyncAnnotations}. */
export interface ConsulSyncOptions {
  /** Name the service gets in Consul. */
  readonly service: string;
  /** Port name (or number) whose endpoints are registered. */
  readonly port: string;
  /** Consul tags, e.g. from {@link consulTags}. @default - none */
  readonly tags?: readonly string[];
  /** Consul service meta; keys of letters, digits, `-` and `_`. @default - none */
  readonly meta?: Readonly<Record<string, string>>;
}

// Annotation names are at most 63 characters after the prefix.
const META_KEY = /^[A-Za-z0-9]([A-Za-z0-9_-]{0,48}[A-Za-z0-9])?$/;

/**
 * Annotations that make catalog sync register a Kubernetes Service in Consul
 * under a given name, port, tags and meta. Throws on tags that hold a comma
 * (the annotation is comma-separated) or on meta keys that cannot form an
 * annotation name.
 * @see https://developer.hashicorp.com/consul/docs/register/service/k8s/service-sync
 */
export function consulSyncAnnotations(options: ConsulSyncOptions): Record<string, string> {
  const tags = options.tags ?? [];
  const meta = options.meta ?? {};
  const problems: Problem[] = [];
  tags.forEach((tag, index) => {
    if (tag === '' || tag.includes(',')) {
      problems.push({ path: ['tags', index], message: `'${tag}' must be non-empty, without ','` });
    }
  });
  for (const key of Object.keys(meta)) {
    if (!META_KEY.test(key)) {
      problems.push({
        path: ['meta', key],
        message: 'must be 1-50 letters, digits, - or _, starting and ending alphanumeric',
      });
    }
  }
  if (problems.length > 0)
    throw new ValidationError(`consul service '${options.service}'`, problems);
  return {
    [`${SYNC}/service-sync`]: 'true',
    [`${SYNC}/service-name`]: options.service,
    [`${SYNC}/service-port`]: options.port,
    ...(tags.length > 0 ? { [`${SYNC}/service-tags`]: tags.join(',') } : {}),
    ...Object.fromEntries(
      Object.keys(meta)
        .sort()
        .map((key) => [`${SYNC}/service-meta-${key}`, meta[key]]),
    ),
  };
}

/** Props of {@link ConsulRegistration}. */
export interface ConsulRegistrationProps {
  /** The agent type: its name in Consul. */
  readonly agent: string;
  /** Namespace the agent's pods run in. */
  readonly namespace: string;
  /** Labels that select exactly the agent's pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** The port Consul registers: the agent's metrics or HTTP port. */
  readonly port: ConsulServicePort;
  /**
   * Consul tags, usually `consulTags(pools)` of the pools the agent matched.
   * @default - none
   */
  readonly tags?: readonly string[];
  /** Consul service meta, e.g. `{ 'agent-type': 'image-processing' }`. @default - none */
  readonly meta?: Readonly<Record<string, string>>;
}

/**
 * Registers one agent type in Consul through catalog sync: a ClusterIP
 * Service `<agent>-consul` selecting the agent's pods on one port, annotated
 * so that the sync registers it as `<agent>` with the given tags and meta.
 * Catalog sync registers each ready pod address of a ClusterIP Service, so
 * Consul lists one instance per ready pod and drops pods that stop being
 * ready. The Consul release must allow the agent's namespace
 * (`ConsulReleaseProps.syncNamespaces`).
 * @see https://developer.hashicorp.com/consul/docs/register/service/k8s/service-sync
 */
export class ConsulRegistration extends Construct {
  /** Name of the Kubernetes Service. */
  readonly serviceName: string;
  /** The `kubernetes_service_v1` that catalog sync registers. */
  readonly resource: ServiceV1;

  constructor(scope: Construct, id: string, props: ConsulRegistrationProps) {
    super(scope, id);
    this.serviceName = `${props.agent}-consul`;
    const problems: Problem[] = [];
    if (this.serviceName.length > 63) {
      problems.push({
        path: ['agent'],
        message: `'${props.agent}' is too long: '${this.serviceName}' must be at most 63 characters`,
      });
    }
    if (Object.keys(props.selector).length === 0) {
      problems.push({
        path: ['selector'],
        message: 'must select the agent pods by at least one label',
      });
    }
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    this.resource = new ServiceV1(this, 'Resource', {
      metadata: {
        name: this.serviceName,
        namespace: props.namespace,
        labels: {
          'app.kubernetes.io/part-of': 'agent-fleet',
          'app.kubernetes.io/name': props.agent,
        },
        annotations: consulSyncAnnotations({
          service: props.agent,
          port: props.port.name,
          tags: props.tags,
          meta: props.meta,
        }),
      },
      spec: {
        type: 'ClusterIP',
        selector: { ...props.selector },
        port: [
          {
            name: props.port.name,
            port: props.port.port,
            targetPort: props.port.name,
            protocol: 'TCP',
          },
        ],
      },
    });
  }
}

/**
 * Consul tags of an agent, `<label>=<value>` for `datacenter`,
 * `hardware-type` and `location` (or the given keys), from the labels of the
 * node pools the agent may land on: a label is kept only when every pool
 * carries it with the same value, since a pod may run on any of them. Sorted;
 * no pools give no tags.
 */
export function consulTags(
  pools: readonly NodePoolSpec[],
  keys: readonly string[] = CONSUL_TAG_LABELS,
): string[] {
  if (pools.length === 0) return [];
  const tags: string[] = [];
  for (const key of new Set(keys)) {
    const values = new Set(pools.map((pool) => pool.labels?.[key]));
    const [value] = values;
    if (values.size === 1 && value !== undefined && value !== '') tags.push(`${key}=${value}`);
  }
  return tags.sort();
}
