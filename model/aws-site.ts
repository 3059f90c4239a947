import { dns1123LabelProblems } from './kubernetes-rules';
import { ExtendedSupport } from './kubernetes-versions';
import { cloudPoolAllocatable, machinePoolProblems } from './machine-pools';
import { eksNodeAllocatable } from './node-allocatable';
import { nodePoolProblems, NodePoolSpec, PoolAllocatable, Taint } from './placement';
import { Problem } from './problems';
import { KubernetesSiteSpec } from './site';
import { SiteStateEngines, stateIdentifier } from './state-engines';
import { Size } from './units';

/** A node pool on EKS: what its nodes offer plus the instances and bounds that make it. */
export interface AwsNodePoolSpec extends NodePoolSpec {
  /** EC2 instance types, e.g. `['m7i.xlarge']`; several spread spot pools. */
  readonly instanceTypes: readonly string[];
  /** Fewest nodes; 0 lets the cluster autoscaler empty the pool. */
  readonly minSize: number;
  /** Most nodes, at least 1. */
  readonly maxSize: number;
  /**
   * Nodes at creation. Afterwards the cluster autoscaler owns the count, and
   * Terraform ignores changes to it.
   * @default - minSize
   */
  readonly desiredSize?: number;
  /** Root volume, a whole number of GiB, at least 20 GiB. @default 50 GiB */
  readonly diskSize?: Size;
}

/**
 * An AWS region of the estate: a private network, an EKS cluster and managed
 * node groups, built by the site's `<env>-<site>-infra` stack.
 */
export interface AwsSiteSpec {
  /** DNS-1123 label; names the site's stacks. */
  readonly name: string;
  /** Marks the site as an AWS region. */
  readonly kind: 'aws';
  /** The 12-digit account the site lives in. */
  readonly accountId: string;
  /** AWS region, e.g. `eu-west-1`. */
  readonly region: string;
  /** The site's VPC: its CIDR and the zones its subnets span. */
  readonly network: {
    /** VPC CIDR, /16 to /20. */
    readonly cidr: string;
    /** Two or three zones of the region, e.g. `eu-west-1a`. */
    readonly availabilityZones: readonly string[];
  };
  /** The EKS cluster: its Kubernetes version, support, API access and admins. */
  readonly cluster: {
    /**
     * Kubernetes version of EKS, e.g. `1.35`: one in standard support on the
     * date of `KUBERNETES_SUPPORT`.
     */
    readonly version: string;
    /**
     * A written opt-in to EKS extended support, which keeps a version past its
     * standard support at a higher price.
     * @default - standard support only: EKS upgrades the cluster when it ends
     */
    readonly extendedSupport?: ExtendedSupport;
    /** CIDRs allowed to reach the API publicly. @default - private endpoint only */
    readonly publicAccessCidrs?: readonly string[];
    /** IAM roles with cluster-admin access, by entry name. @default - none */
    readonly admins?: Readonly<Record<string, string>>;
  };
  /** The cluster's EKS managed node groups, at least one. */
  readonly nodePools: readonly AwsNodePoolSpec[];
  /**
   * Which engine serves each shape of state, where a shape's engine has
   * settings. Wide-column state runs on Amazon Keyspaces, which has none.
   * @default - each shape's default on AWS (see `stateEngineFor`)
   */
  readonly stateEngines?: SiteStateEngines;
}

/** The taint every GPU node group of an AWS site carries. */
export const GPU_TAINT: Taint = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' };

/** A pool's taints with {@link GPU_TAINT} added to a GPU pool that does not declare it. */
export function awsPoolTaints(pool: AwsNodePoolSpec): Taint[] {
  const taints = [...(pool.taints ?? [])];
  if (pool.gpu && !taints.some((taint) => taint.key === GPU_TAINT.key)) taints.push(GPU_TAINT);
  return taints;
}

/**
 * The cluster of an AWS site, as the platform and agents stacks see it: the
 * node groups with the taints EKS gives their nodes, so agents tolerate them,
 * and what one node offers ({@link awsPoolAllocatable}) unless declared.
 */
export function clusterSiteOf(site: AwsSiteSpec): KubernetesSiteSpec {
  return {
    name: site.name,
    cloud: 'aws',
    ...(site.stateEngines ? { stateEngines: site.stateEngines } : {}),
    nodePools: site.nodePools.map((pool) => {
      const allocatable = pool.allocatable ?? awsPoolAllocatable(pool);
      const maxNodes = pool.maxSize;
      return {
        ...pool,
        maxNodes,
        taints: awsPoolTaints(pool),
        ...(allocatable ? { allocatable } : {}),
      };
    }),
  };
}

/**
 * What one node of an EKS pool offers, by the AL2023 AMI's rules for the
 * smallest of its instance types.
 * @default - undefined when a type is not in the machine catalogue
 */
export function awsPoolAllocatable(pool: AwsNodePoolSpec): PoolAllocatable | undefined {
  return cloudPoolAllocatable(pool.instanceTypes, 'aws', eksNodeAllocatable);
}

/** Problems of an EKS pool's instance types against the machine catalogue. */
export function awsPoolMachineProblems(pool: AwsNodePoolSpec): Problem[] {
  return machinePoolProblems(
    pool,
    pool.instanceTypes.map((name, i) => ({ name, path: ['instanceTypes', i] })),
    'aws',
  );
}

/** Name of an AWS site's EKS cluster. */
export function eksClusterName(environment: string, site: AwsSiteSpec): string {
  return `${environment}-${site.name}`;
}

/**
 * Name of an agent's keyspace of Amazon Keyspaces: `<env>_<site>_<agent>`,
 * with `-` as `_` (keyspace names take letters, digits and `_`, at most 48).
 */
export function keyspaceName(environment: string, site: string, agent: string): string {
  return `${environment}_${site}_${agent}`.replace(/-/g, '_');
}

/**
 * Identifier of an AWS site's Amazon DocumentDB cluster, `<env>-<site>`; its
 * instances add `-<n>` and its final snapshot `-final`.
 */
export function documentDbClusterName(environment: string, site: string): string {
  return `${environment}-${site}`;
}

/**
 * Where AWS publishes the certificate bundle that verifies the DocumentDB
 * (and RDS) servers of a region; clients download it.
 * @see https://docs.aws.amazon.com/documentdb/latest/developerguide/ca_cert_rotation.html
 */
export function documentDbCaBundleUrl(region: string): string {
  return `https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem`;
}

/** Namespace and service account of the Job that creates the agents' users in a site's DocumentDB cluster. */
export const DOCUMENTDB_USERS_ACCOUNT = {
  namespace: 'documentdb-users',
  name: 'documentdb-users',
} as const;

/** Namespace and service account of the Job that creates the agents' roles in a site's Aurora DSQL cluster. */
export const DSQL_ROLES_ACCOUNT = { namespace: 'dsql-roles', name: 'dsql-roles' } as const;

/**
 * The database role of an agent in its site's Aurora DSQL cluster: its name
 * with `-` as `_`, a lower-case SQL identifier. An agent's SQL state there
 * lives in the schema it names, or by default in a schema of this name (not
 * `public`, which every role of the shared cluster could use).
 */
export function dsqlRoleName(agent: string): string {
  return stateIdentifier(agent);
}

/** Root volume of an EKS node when a pool does not set one. */
export const DEFAULT_EKS_DISK_SIZE = Size.gibibytes(50);

/** Smallest root volume of an EKS node: the EKS AL2023 AMIs' snapshot size, in GiB. */
const MIN_EKS_DISK_GIB = 20;

/**
 * Every problem of an EKS managed node group's declaration, with paths relative
 * to the pool: its name, instance types against the machine catalogue, bounds,
 * disk, and labels and taints as Kubernetes and the kubelet accept them. The
 * environment loader runs it on each pool of an AWS site.
 */
export function awsNodePoolProblems(pool: AwsNodePoolSpec): Problem[] {
  const problems: Problem[] = [];
  const bounds = (field: string, value: number | undefined, min: number) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min)) {
      problems.push({ path: [field], message: `${value} must be a whole number >= ${min}` });
      return false;
    }
    return true;
  };
  for (const message of dns1123LabelProblems(pool.name, 'node group name')) {
    problems.push({ path: ['name'], message });
  }
  if (pool.instanceTypes.length === 0) {
    problems.push({
      path: ['instanceTypes'],
      message: "no instance type: list at least one, e.g. ['m7i.xlarge']",
    });
  }
  const minOk = bounds('minSize', pool.minSize, 0);
  const maxOk = bounds('maxSize', pool.maxSize, 1);
  const desiredOk = bounds('desiredSize', pool.desiredSize, 0);
  if (minOk && maxOk && pool.minSize > pool.maxSize) {
    problems.push({
      path: ['minSize'],
      message: `'minSize' (${pool.minSize}) must be <= 'maxSize' (${pool.maxSize})`,
    });
  }
  if (minOk && maxOk && desiredOk && pool.desiredSize !== undefined) {
    if (pool.desiredSize < pool.minSize || pool.desiredSize > pool.maxSize) {
      problems.push({
        path: ['desiredSize'],
        message: `'desiredSize' (${pool.desiredSize}) must be between 'minSize' (${pool.minSize}) and 'maxSize' (${pool.maxSize})`,
      });
    }
  }
  const disk = pool.diskSize ?? DEFAULT_EKS_DISK_SIZE;
  if (
    disk.bytes % Size.gibibytes(1).bytes !== 0 ||
    disk.bytes < Size.gibibytes(MIN_EKS_DISK_GIB).bytes
  ) {
    problems.push({
      path: ['diskSize'],
      message: `${disk.toKubernetes()} is not allowed: use a whole number of GiB, at least ${MIN_EKS_DISK_GIB}Gi`,
    });
  }
  problems.push(...nodePoolProblems(pool, true));
  problems.push(...awsPoolMachineProblems(pool));
  return problems;
}
