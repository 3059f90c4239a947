import { eksMaxPods, MachineType } from './machines';
import { Cpu, Size } from './units';

/** What one node offers to pods: the kubelet's allocatable, less the cloud's own DaemonSets. */
export interface NodeAllocatable {
  /** CPU left to pods after the kubelet's reservation and the cloud's DaemonSets. */
  readonly cpu: Cpu;
  /** Memory left to pods after the kernel's share, the kubelet's reservation, eviction and the cloud's DaemonSets. */
  readonly memory: Size;
  /** Pods a node takes, DaemonSets included. */
  readonly pods: number;
  /** Where the figures come from, e.g. `m7i.large on EKS AL2023`. */
  readonly basis: string;
}

/** A DaemonSet a cloud runs on every node of its clusters, with what its pod requests. */
export interface NodeDaemonSet {
  /** The DaemonSet's name, e.g. `kube-proxy`. */
  readonly name: string;
  /** CPU its pod requests, in millicores (all containers together). */
  readonly cpuMillis: number;
  /** Memory its pod requests, in MiB (all containers together). */
  readonly memoryMiB: number;
}

/**
 * Share of a machine's memory the kernel and firmware keep before the kubelet
 * sees any: Karpenter's `VM_MEMORY_OVERHEAD_PERCENT` default, which it uses for
 * the same estimate on both clouds.
 * @see https://github.com/aws/karpenter-provider-aws/blob/main/pkg/operator/options/options.go
 * @see https://github.com/Azure/karpenter-provider-azure/blob/main/pkg/operator/options/options.go
 */
export const VM_MEMORY_OVERHEAD = 0.075;

/** Hard eviction threshold on available memory, on both clouds' node images. */
const EVICTION_HARD_MEMORY_MIB = 100;

/**
 * DaemonSets every EKS node runs from the cluster's default add-ons (vpc-cni,
 * kube-proxy; CoreDNS is a Deployment):
 * - `aws-node`: 25m CPU for each of its containers `aws-node` and
 *   `aws-eks-nodeagent` (the init container's 25m runs before them), no memory
 *   (aws/amazon-vpc-cni-k8s v1.23.1, config/master/aws-k8s-cni.yaml);
 * - `kube-proxy`: 100m CPU, no memory (the EKS add-on's DaemonSet as eksctl
 *   records it, pkg/addons/default/testdata).
 */
export const EKS_NODE_DAEMONSETS: readonly NodeDaemonSet[] = [
  { name: 'aws-node', cpuMillis: 50, memoryMiB: 0 },
  { name: 'kube-proxy', cpuMillis: 100, memoryMiB: 0 },
];

/**
 * DaemonSets every AKS user node runs, with the requests of their upstream
 * charts (AKS does not publish those of its managed builds): the cloud node
 * manager (kubernetes-sigs/cloud-provider-azure, helm values `requestsCPU:
 * 50m`, `requestsMem: 50Mi`) and the Azure Disk and Azure Files CSI node
 * plugins (three containers of 10m and 20Mi each in their charts). With the
 * Cilium dataplane AKS runs no kube-proxy; Cilium's agent and azure-cns have
 * no published requests and are not counted.
 */
export const AKS_NODE_DAEMONSETS: readonly NodeDaemonSet[] = [
  { name: 'cloud-node-manager', cpuMillis: 50, memoryMiB: 50 },
  { name: 'csi-azuredisk-node', cpuMillis: 30, memoryMiB: 60 },
  { name: 'csi-azurefile-node', cpuMillis: 30, memoryMiB: 60 },
];

/**
 * Pods per node on AKS with Azure CNI Overlay when the pool does not set
 * `max_pods`.
 * @see https://learn.microsoft.com/azure/aks/azure-cni-overlay#pods-per-node
 */
export const AKS_DEFAULT_MAX_PODS = 250;

/**
 * What a node of an EKS managed node group on the AL2023 AMI offers, by the
 * AMI's own `nodeadm` rules:
 * - kube-reserved CPU: 6 % of the first core, 1 % of the second, 0.5 % of the
 *   third and fourth, 0.25 % of every further core;
 * - kube-reserved memory: `11 × maxPods + 255` MiB, with max pods from
 *   the network interfaces ({@link eksMaxPods});
 * - hard eviction at 100Mi of available memory;
 * less the memory the kernel keeps ({@link VM_MEMORY_OVERHEAD}) and the
 * requests of {@link EKS_NODE_DAEMONSETS}.
 * @see https://github.com/awslabs/amazon-eks-ami/blob/main/nodeadm/internal/kubelet/config.go
 */
export function eksNodeAllocatable(type: string, machine: MachineType): NodeAllocatable {
  const maxPods = eksMaxPods(machine);
  const reservedCpu = eksReservedCpuMillis(machine.vcpu);
  const reservedMemory = 11 * maxPods + 255;
  return nodeAllocatable(type, machine, {
    platform: 'EKS AL2023',
    maxPods,
    reservedCpu,
    reservedMemory,
    daemonSets: EKS_NODE_DAEMONSETS,
  });
}

function eksReservedCpuMillis(vcpu: number): number {
  // [cores from, cores to, share in hundredths of a percent]
  const tiers: [number, number, number][] = [
    [0, 1, 600],
    [1, 2, 100],
    [2, 4, 50],
    [4, Infinity, 25],
  ];
  let reserved = 0;
  for (const [from, to, share] of tiers) {
    const cores = Math.max(0, Math.min(vcpu, to) - from);
    reserved += (cores * 1000 * share) / 10000;
  }
  return Math.ceil(reserved);
}

/**
 * What a node of an AKS pool offers, by AKS's published reservations for the
 * cluster's Kubernetes version:
 * - CPU, by cores: 1 → 60m, 2 → 100m, 4 → 140m, 8 → 180m, 16 → 260m,
 *   32 → 420m, 64 → 740m;
 * - memory from 1.29 on: the smaller of `20 MB × maxPods + 50 MB` and 25 % of
 *   the memory, and hard eviction at 100Mi; before 1.29: 25 % of the first
 *   4 GB, 20 % of the next 4, 10 % of the next 8, 6 % of the next 112 and 2 %
 *   above, and eviction at 750Mi;
 * less the memory the kernel keeps ({@link VM_MEMORY_OVERHEAD}) and the
 * requests of {@link AKS_NODE_DAEMONSETS}.
 * @see https://learn.microsoft.com/azure/aks/node-resource-reservations
 */
export function aksNodeAllocatable(
  type: string,
  machine: MachineType,
  kubernetesVersion: string,
  maxPods = AKS_DEFAULT_MAX_PODS,
): NodeAllocatable {
  const [major, minor] = kubernetesVersion.split('.').map(Number);
  const modern = major > 1 || (major === 1 && minor >= 29);
  const reservedMemory = modern
    ? Math.min(20 * maxPods + 50, 0.25 * machine.memoryMiB)
    : regressiveMemoryReservation(machine.memoryMiB);
  return nodeAllocatable(type, machine, {
    platform: `AKS ${kubernetesVersion}`,
    maxPods,
    reservedCpu: aksReservedCpuMillis(machine.vcpu),
    reservedMemory,
    evictionMemory: modern ? EVICTION_HARD_MEMORY_MIB : 750,
    daemonSets: AKS_NODE_DAEMONSETS,
  });
}

const AKS_CPU_RESERVATION: readonly [number, number][] = [
  [1, 60],
  [2, 100],
  [4, 140],
  [8, 180],
  [16, 260],
  [32, 420],
  [64, 740],
];

function aksReservedCpuMillis(vcpu: number): number {
  const row =
    AKS_CPU_RESERVATION.find(([cores]) => vcpu <= cores) ??
    AKS_CPU_RESERVATION[AKS_CPU_RESERVATION.length - 1];
  return row[1];
}

function regressiveMemoryReservation(memoryMiB: number): number {
  const tiers: [number, number][] = [
    [4 * 1024, 0.25],
    [4 * 1024, 0.2],
    [8 * 1024, 0.1],
    [112 * 1024, 0.06],
    [Infinity, 0.02],
  ];
  let left = memoryMiB;
  let reserved = 0;
  for (const [size, share] of tiers) {
    const part = Math.min(left, size);
    reserved += part * share;
    left -= part;
  }
  return reserved;
}

function nodeAllocatable(
  type: string,
  machine: MachineType,
  rules: {
    platform: string;
    maxPods: number;
    reservedCpu: number;
    reservedMemory: number;
    evictionMemory?: number;
    daemonSets: readonly NodeDaemonSet[];
  },
): NodeAllocatable {
  const capacityMemory = Math.floor(machine.memoryMiB * (1 - VM_MEMORY_OVERHEAD));
  const eviction = rules.evictionMemory ?? EVICTION_HARD_MEMORY_MIB;
  const kubeletCpu = machine.vcpu * 1000 - rules.reservedCpu;
  const kubeletMemory = Math.floor(capacityMemory - rules.reservedMemory - eviction);
  const daemonCpu = sum(rules.daemonSets.map((daemon) => daemon.cpuMillis));
  const daemonMemory = sum(rules.daemonSets.map((daemon) => daemon.memoryMiB));
  return {
    cpu: Cpu.millis(kubeletCpu - daemonCpu),
    memory: Size.mebibytes(kubeletMemory - daemonMemory),
    pods: rules.maxPods - rules.daemonSets.length,
    basis: `${type} on ${rules.platform}`,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
