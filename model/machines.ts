import { Arch } from './placement';

/** A cloud that builds node pools and scaling groups from machine types. */
export type MachineCloud = 'aws' | 'azure';

/** GPUs of one machine. */
export interface MachineGpus {
  /** GPUs the machine has. */
  readonly count: number;
  /** The model as pools name it, e.g. `nvidia-a10g`. */
  readonly model: string;
  /** Memory of one GPU, in MiB. */
  readonly memoryMiB: number;
}

/** List prices of one machine type, per hour. */
export interface MachinePrice {
  /** Region the prices were recorded in. */
  readonly region: string;
  /** The on-demand (pay-as-you-go) list price of one hour, in the catalogue's currency. */
  readonly onDemandHourly: number;
  /** A typical recent spot price; it moves hourly. */
  readonly spotHourly: number;
}

/** One EC2 instance type or Azure VM size, as its cloud publishes it. */
export interface MachineType {
  /** The cloud that offers the type. */
  readonly cloud: MachineCloud;
  /** Virtual CPUs, as the cloud counts them; Kubernetes counts each as one CPU (1000m). */
  readonly vcpu: number;
  /** Memory as the cloud sells it, in MiB (the kernel sees somewhat less). */
  readonly memoryMiB: number;
  /** CPU architecture of the machine. */
  readonly arch: Arch;
  /** GPUs of the machine: their count, model and memory. @default - none */
  readonly gpus?: MachineGpus;
  /**
   * For EKS: elastic network interfaces and IPv4 addresses per interface,
   * which give the pod limit ({@link eksMaxPods}).
   * @default - none (AKS: the node pool's max pods)
   */
  readonly enis?: {
    /** Most network interfaces an instance takes. */
    readonly count: number;
    /** Most IPv4 addresses per interface. */
    readonly ipv4PerEni: number;
  };
  /** List prices of the type in one region. */
  readonly price: MachinePrice;
}

/** The machine catalogue: every type the fleet may use, dated, with its sources. */
export interface MachineCatalogue {
  /** When the figures were recorded. */
  readonly date: string;
  /** Where each kind of figure comes from. */
  readonly sources: readonly string[];
  /** ISO 4217 code of the prices' currency, e.g. `USD`. */
  readonly currency: string;
  /** The machine types, by the name their cloud gives them, e.g. `m7i.large` or `Standard_D4s_v5`. */
  readonly machines: Readonly<Record<string, MachineType>>;
}

const A10G = { count: 1, model: 'nvidia-a10g', memoryMiB: 24 * 1024 } as const;
const T4 = { count: 1, model: 'nvidia-tesla-t4', memoryMiB: 16 * 1024 } as const;
const GIB = 1024;

/**
 * Every EC2 instance type and Azure VM size the fleet's pools and scaling
 * groups may use: one source for capacity (what a node offers, through the
 * allocatable formulas of `node-allocatable.ts`) and for cost (the review's
 * prices). A type not listed here is refused where it is used; to add one,
 * add an entry with the figures from the sources below and the date.
 */
export const MACHINE_CATALOGUE: MachineCatalogue = {
  date: '2026-12-07',
  sources: [
    'EC2 vCPUs, memory, GPUs, network interfaces and IPv4 addresses per interface: Amazon EC2 instance type specifications (docs.aws.amazon.com/ec2/latest/instancetypes: general purpose, compute optimized, accelerated computing), the figures `aws ec2 describe-instance-types` returns; each AWS infra stack checks them against that API at plan time.',
    'EKS pod limits: awslabs/amazon-eks-ami, templates/shared/runtime/eni-max-pods.txt (ENIs × (IPv4 per ENI − 1) + 2).',
    'Azure vCPUs, memory and GPUs: Microsoft Learn, virtual machine sizes (Dv5 and Dsv5 series, Fsv2 series, NCasT4_v3 series).',
    'Prices: AWS EC2 and Azure Virtual Machines public Linux list prices, recorded by hand on 2026-11-25 from aws.amazon.com/ec2/pricing/on-demand and azure.microsoft.com/pricing/details/virtual-machines/linux: on-demand / pay-as-you-go in the region noted on each entry; spot figures are typical recent spot prices there and move hourly. No discounts (Savings Plans, reservations), disks, traffic or managed-service fees.',
  ],
  currency: 'USD',
  machines: {
    'm7i.large': {
      cloud: 'aws',
      vcpu: 2,
      memoryMiB: 8 * GIB,
      arch: 'amd64',
      enis: { count: 3, ipv4PerEni: 10 },
      price: { region: 'eu-west-1', onDemandHourly: 0.1124, spotHourly: 0.0421 },
    },
    'm7i.xlarge': {
      cloud: 'aws',
      vcpu: 4,
      memoryMiB: 16 * GIB,
      arch: 'amd64',
      enis: { count: 4, ipv4PerEni: 15 },
      price: { region: 'us-east-1', onDemandHourly: 0.2016, spotHourly: 0.0806 },
    },
    'r7i.xlarge': {
      cloud: 'aws',
      vcpu: 4,
      memoryMiB: 32 * GIB,
      arch: 'amd64',
      enis: { count: 4, ipv4PerEni: 15 },
      price: { region: 'us-east-1', onDemandHourly: 0.2646, spotHourly: 0.0992 },
    },
    'm7g.xlarge': {
      cloud: 'aws',
      vcpu: 4,
      memoryMiB: 16 * GIB,
      arch: 'arm64',
      enis: { count: 4, ipv4PerEni: 15 },
      price: { region: 'us-east-1', onDemandHourly: 0.1632, spotHourly: 0.0653 },
    },
    'g5g.xlarge': {
      cloud: 'aws',
      vcpu: 4,
      memoryMiB: 8 * GIB,
      arch: 'arm64',
      gpus: { count: 1, model: 'nvidia-t4g', memoryMiB: 16 * 1024 },
      enis: { count: 4, ipv4PerEni: 15 },
      price: { region: 'us-east-1', onDemandHourly: 0.42, spotHourly: 0.1642 },
    },
    'c7i.large': {
      cloud: 'aws',
      vcpu: 2,
      memoryMiB: 4 * GIB,
      arch: 'amd64',
      enis: { count: 3, ipv4PerEni: 10 },
      price: { region: 'us-east-1', onDemandHourly: 0.08925, spotHourly: 0.0357 },
    },
    'c7i.2xlarge': {
      cloud: 'aws',
      vcpu: 8,
      memoryMiB: 16 * GIB,
      arch: 'amd64',
      enis: { count: 4, ipv4PerEni: 15 },
      price: { region: 'us-east-1', onDemandHourly: 0.357, spotHourly: 0.1428 },
    },
    'c6i.2xlarge': {
      cloud: 'aws',
      vcpu: 8,
      memoryMiB: 16 * GIB,
      arch: 'amd64',
      enis: { count: 4, ipv4PerEni: 15 },
      price: { region: 'us-east-1', onDemandHourly: 0.34, spotHourly: 0.1326 },
    },
    'c5.2xlarge': {
      cloud: 'aws',
      vcpu: 8,
      memoryMiB: 16 * GIB,
      arch: 'amd64',
      enis: { count: 4, ipv4PerEni: 15 },
      price: { region: 'us-east-1', onDemandHourly: 0.34, spotHourly: 0.17 },
    },
    'g5.xlarge': {
      cloud: 'aws',
      vcpu: 4,
      memoryMiB: 16 * GIB,
      arch: 'amd64',
      gpus: A10G,
      enis: { count: 4, ipv4PerEni: 15 },
      price: { region: 'eu-west-1', onDemandHourly: 1.123, spotHourly: 0.4492 },
    },
    'g5.2xlarge': {
      cloud: 'aws',
      vcpu: 8,
      memoryMiB: 32 * GIB,
      arch: 'amd64',
      gpus: A10G,
      enis: { count: 4, ipv4PerEni: 15 },
      price: { region: 'us-east-1', onDemandHourly: 1.212, spotHourly: 0.4848 },
    },
    Standard_D2s_v5: {
      cloud: 'azure',
      vcpu: 2,
      memoryMiB: 8 * GIB,
      arch: 'amd64',
      price: { region: 'westeurope', onDemandHourly: 0.115, spotHourly: 0.023 },
    },
    Standard_D4s_v5: {
      cloud: 'azure',
      vcpu: 4,
      memoryMiB: 16 * GIB,
      arch: 'amd64',
      price: { region: 'westeurope', onDemandHourly: 0.23, spotHourly: 0.046 },
    },
    Standard_F8s_v2: {
      cloud: 'azure',
      vcpu: 8,
      memoryMiB: 16 * GIB,
      arch: 'amd64',
      price: { region: 'westeurope', onDemandHourly: 0.384, spotHourly: 0.0768 },
    },
    Standard_NC4as_T4_v3: {
      cloud: 'azure',
      vcpu: 4,
      memoryMiB: 28 * GIB,
      arch: 'amd64',
      gpus: T4,
      price: { region: 'westeurope', onDemandHourly: 0.59, spotHourly: 0.118 },
    },
  },
};

/**
 * Pods a node takes on EKS with the VPC CNI (no prefix delegation):
 * `ENIs × (IPv4 addresses per ENI − 1) + 2`, the EKS AMI's own calculation
 * (nodeadm `calculateStandardMaxPods`), or its fallback of 110.
 */
export function eksMaxPods(machine: MachineType): number {
  return machine.enis ? machine.enis.count * (machine.enis.ipv4PerEni - 1) + 2 : 110;
}

const CLOUD_NAMES: Readonly<Record<MachineCloud, string>> = {
  aws: 'EC2 instance type',
  azure: 'Azure VM size',
};

/** A machine type of a cloud from the catalogue. @default - undefined when not catalogued */
export function machineType(
  name: string,
  cloud: MachineCloud,
  catalogue: MachineCatalogue = MACHINE_CATALOGUE,
): MachineType | undefined {
  const machine = Object.hasOwn(catalogue.machines, name) ? catalogue.machines[name] : undefined;
  return machine?.cloud === cloud ? machine : undefined;
}

/**
 * Why a machine type cannot be used on a cloud, and how to add it to the
 * catalogue. @default - undefined when it is catalogued for that cloud
 */
export function unknownMachineMessage(
  name: string,
  cloud: MachineCloud,
  catalogue: MachineCatalogue = MACHINE_CATALOGUE,
): string | undefined {
  if (machineType(name, cloud, catalogue)) return undefined;
  const known = Object.entries(catalogue.machines)
    .filter(([, machine]) => machine.cloud === cloud)
    .map(([type]) => type);
  return `${CLOUD_NAMES[cloud]} '${name}' is not in the machine catalogue (model/machines.ts; known: ${known.join(', ')}): add it there with its vCPUs, memory, GPUs, architecture${cloud === 'aws' ? ', network interfaces, pod limit' : ''} and prices, from its cloud's published figures`;
}
