import { Arch, NodePoolSpec } from './placement';
import { Cpu, Duration, Size } from './units';

/** The container runtime that runs agents on machines of their own. */
export type ContainerRuntime = 'docker' | 'podman';

/**
 * A site of warm servers without Kubernetes (bare metal, hypervisor VMs) kept
 * with a container runtime and the agents' images. Ansible deploys the agents
 * there as systemd services, and a reconcile playbook scales each agent on
 * its own signal by starting and draining its instances on the servers.
 */
export interface HostsSiteSpec {
  /** The kind of site: warm servers. */
  readonly kind: 'hosts';
  /** DNS-1123 label; names the site's stack (`<env>-<site>-hosts`). */
  readonly name: string;
  /** The runtime installed on every server. @default 'podman' */
  readonly runtime?: ContainerRuntime;
  /** How Ansible reaches the servers: never a key or password, which the controller holds. */
  readonly ansible: HostsAnsibleAccess;
  /** Pools of servers, which agents are placed on as on node pools. */
  readonly pools: readonly HostPoolSpec[];
  /** Where the scaling decision reads its signals and runs. */
  readonly scaling: HostsScalingSpec;
  /**
   * Directory on every server holding each agent's credential files in a
   * folder of the agent's name (`<dir>/<agent>/`), put there by the
   * datacenter's own means (e.g. Vault Agent): mounted read-only where
   * Kubernetes agents find theirs. The fleet never writes into it.
   * @default '/etc/agent-fleet/credentials'
   */
  readonly credentialsDir?: string;
}

/** How Ansible reaches a site's servers. */
export interface HostsAnsibleAccess {
  /** The SSH user, e.g. `deploy`. */
  readonly user: string;
  /** SSH port. @default 22 */
  readonly port?: number;
  /**
   * Further arguments of every SSH connection, e.g.
   * `-o ProxyJump=bastion.example.com`; never a key or password.
   * @default - none
   */
  readonly sshArgs?: string;
  /** How tasks that change the system gain root. @default 'sudo' */
  readonly becomeMethod?: 'sudo' | 'su' | 'doas';
}

/** Where a hosts site's scaling decision runs and reads its signals. */
export interface HostsScalingSpec {
  /** Prometheus holding the agents' signals, as the controller reaches it (`http(s)://`). */
  readonly prometheusUrl: string;
  /**
   * The machine that runs `ansible-playbook` for the site (the reconcile
   * timer and the rulebook): Alertmanager posts to its webhook.
   */
  readonly controller: string;
  /** Port of the rulebook's Alertmanager webhook on the controller. @default 5000 */
  readonly webhookPort?: number;
  /** How often the controller runs the reconcile playbook. @default 1m */
  readonly interval?: Duration;
}

/** A pool of servers: what agents are placed on, like a node pool. */
export interface HostPoolSpec {
  /** Unique in the site; the Ansible group of its servers. */
  readonly name: string;
  /** Labels such as `location`, `datacenter`, `hardware-type`, which placement matches. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Most instances of one agent a server runs. An instance publishes each
   * container port at the port plus its instance number less one, so the
   * agents sharing a pool must keep those ranges apart.
   * @default 1
   */
  readonly instancesPerAgent?: number;
  /** The pool's servers, in the order instances are started on them. */
  readonly servers: readonly HostServerSpec[];
}

/** One server of a pool. */
export interface HostServerSpec {
  /** The inventory name, a DNS label. */
  readonly name: string;
  /** Address Ansible connects to (IP or DNS name). */
  readonly address: string;
  /** CPU architecture. @default 'amd64' */
  readonly arch?: Arch;
  /** CPU the server offers to agents (what is left beside its own services). */
  readonly cpu: Cpu;
  /** Memory the server offers to agents. */
  readonly memory: Size;
  /** GPUs and their model, reached through the runtime's CDI devices. @default - none */
  readonly gpu?: { readonly count: number; readonly model: string };
  /** Further labels of this server, e.g. its rack. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Default of {@link HostsSiteSpec.credentialsDir}. */
export const DEFAULT_HOSTS_CREDENTIALS_DIR = '/etc/agent-fleet/credentials';

/**
 * A pool as placement sees it: its labels, the architecture and GPUs its
 * servers share, what its smallest server offers, and its server count.
 */
export function hostPoolView(pool: HostPoolSpec): NodePoolSpec {
  const [first] = pool.servers;
  const smallest = <T extends { isAtMost(other: T): boolean }>(values: T[]): T | undefined =>
    values.reduce<T | undefined>(
      (min, v) => (min === undefined || v.isAtMost(min) ? v : min),
      undefined,
    );
  return {
    name: pool.name,
    arch: first?.arch ?? 'amd64',
    ...(first?.gpu ? { gpu: first.gpu } : {}),
    ...(pool.labels ? { labels: pool.labels } : {}),
    allocatable: {
      cpu: smallest(pool.servers.map((server) => server.cpu)),
      memory: smallest(pool.servers.map((server) => server.memory)),
      basis: 'the smallest server of the pool',
    },
    maxNodes: pool.servers.length,
  };
}
