import { AgentSpec } from './agent-spec';
import { Path } from './checks';
import { MachineCloud, machineType, MachineType, unknownMachineMessage } from './machines';
import { NodeAllocatable, VM_MEMORY_OVERHEAD } from './node-allocatable';
import { Arch, NodePoolSpec, PoolAllocatable, ReplicaRequests } from './placement';
import { Problem } from './problems';
import { Cpu, Size } from './units';

/** A machine type a pool or scaling group names, with the path of the field that names it. */
export interface NamedMachine {
  /** The machine type as the cloud names it, e.g. `m7i.xlarge` or `Standard_D4s_v5`. */
  readonly name: string;
  /** Path of the field that names it, relative to the pool, e.g. `['instanceTypes', 0]`. */
  readonly path: Path;
}

/**
 * Problems of the machine types of a cloud node pool: each must be in the
 * machine catalogue, built for the pool's architecture, and carry exactly the
 * GPUs the pool declares (count and model), so that what the pool promises
 * agents is what its nodes have.
 */
export function machinePoolProblems(
  pool: NodePoolSpec,
  machines: readonly NamedMachine[],
  cloud: MachineCloud,
): Problem[] {
  const problems: Problem[] = [];
  for (const { name, path } of machines) {
    const machine = machineType(name, cloud);
    if (!machine) {
      problems.push({ path, message: unknownMachineMessage(name, cloud) as string });
      continue;
    }
    const arch = pool.arch ?? 'amd64';
    if (machine.arch !== arch) {
      problems.push({
        path,
        message: `'${name}' is an ${machine.arch} machine, the pool is ${arch}: set the pool's 'arch' to ${machine.arch} or use an ${arch} type`,
      });
    }
    const gpus = machine.gpus;
    if (gpus && !pool.gpu) {
      problems.push({
        path,
        message: `'${name}' has ${gpus.count} ${gpus.model} GPU(s): declare them on the pool (gpu: { count: ${gpus.count}, model: ${gpus.model} }) or use a type without GPUs`,
      });
    } else if (pool.gpu && (gpus?.count !== pool.gpu.count || gpus.model !== pool.gpu.model)) {
      const has = gpus ? `${gpus.count} ${gpus.model} GPU(s)` : 'no GPUs';
      problems.push({
        path,
        message: `'${name}' has ${has}, the pool declares ${pool.gpu.count} ${pool.gpu.model}`,
      });
    }
  }
  return problems;
}

/**
 * What one node of a cloud pool offers: the smallest figure of each kind over
 * its machine types, since a node may be any of them.
 * @default - undefined when a type is not catalogued
 */
export function cloudPoolAllocatable(
  types: readonly string[],
  cloud: MachineCloud,
  allocatableOf: (type: string, machine: MachineType) => NodeAllocatable,
): PoolAllocatable | undefined {
  const nodes: NodeAllocatable[] = [];
  for (const type of types) {
    const machine = machineType(type, cloud);
    if (!machine) return undefined;
    nodes.push(allocatableOf(type, machine));
  }
  if (nodes.length === 0) return undefined;
  const smallest = nodes.reduce((least, node) => ({
    cpu: node.cpu.isAtMost(least.cpu) ? node.cpu : least.cpu,
    memory: node.memory.isAtMost(least.memory) ? node.memory : least.memory,
    pods: Math.min(node.pods, least.pods),
    basis: least.basis,
  }));
  return {
    cpu: smallest.cpu,
    memory: smallest.memory,
    pods: smallest.pods,
    basis: nodes.length === 1 ? nodes[0].basis : `the smallest of ${types.join(', ')}`,
  };
}

/** What a scaling-group agent needs from its machine. */
export interface MachineNeeds {
  /** The agent's name, for messages. */
  readonly name: string;
  /** CPU and memory one replica requests. */
  readonly requests: ReplicaRequests;
  /** Whole GPUs one replica needs. @default 0 */
  readonly gpu?: number;
  /** Architectures the agent's image is built for. @default ['amd64'] */
  readonly arch?: readonly Arch[];
}

/**
 * Problems of an agent on a scaling group of its own machines, one container
 * per machine: the type must be in the machine catalogue of the site's cloud,
 * built for an architecture the image has, with the GPUs the agent asks for,
 * and with room for one replica's requests (the vCPUs, and the memory the
 * kernel leaves, {@link VM_MEMORY_OVERHEAD}).
 */
export function scalingGroupMachineProblems(
  instanceType: string,
  cloud: MachineCloud,
  needs: MachineNeeds,
): Problem[] {
  const path: Path = ['placement', 'scalingGroup', 'instanceType'];
  const machine = machineType(instanceType, cloud);
  if (!machine) return [{ path, message: unknownMachineMessage(instanceType, cloud) as string }];
  const reasons: string[] = [];
  const arches = needs.arch ?? ['amd64'];
  if (!arches.includes(machine.arch)) {
    reasons.push(`it is ${machine.arch}, the image is built for ${arches.join(' or ')}`);
  }
  const gpus = machine.gpus?.count ?? 0;
  if ((needs.gpu ?? 0) > gpus)
    reasons.push(`it has ${gpus} GPU(s), one replica needs ${needs.gpu}`);
  const cpu = Cpu.cores(machine.vcpu);
  if (!needs.requests.cpu.isAtMost(cpu)) {
    reasons.push(
      `it has ${cpu.toKubernetes()} CPU, one replica requests ${needs.requests.cpu.toKubernetes()}`,
    );
  }
  const memory = Size.mebibytes(Math.floor(machine.memoryMiB * (1 - VM_MEMORY_OVERHEAD)));
  if (!needs.requests.memory.isAtMost(memory)) {
    reasons.push(
      `it leaves ${memory.toKubernetes()} memory to the container, one replica requests ${needs.requests.memory.toKubernetes()}`,
    );
  }
  return reasons.length === 0
    ? []
    : [
        {
          path,
          message: `'${instanceType}' cannot run agent '${needs.name}': ${reasons.join('; ')}`,
        },
      ];
}

/** {@link scalingGroupMachineProblems} of an agent spec on a machine type. */
export function agentMachineProblems(
  agent: AgentSpec,
  instanceType: string,
  cloud: MachineCloud,
): Problem[] {
  return scalingGroupMachineProblems(instanceType, cloud, {
    name: agent.name,
    requests: agent.resources.requests,
    gpu: agent.resources.gpu,
    arch: agent.placement?.arch,
  });
}
