import * as path from 'path';
import { loadFleet } from '../../config';
import { siteCapacity } from '../../constructs/kubernetes/platform/site-capacity';
import {
  agentMachineProblems,
  aksNodeAllocatable,
  clusterSiteOf,
  eksNodeAllocatable,
  MACHINE_CATALOGUE,
  packReplicas,
  resolveAgent,
} from '../../model';
import { loadEdited, problemsOf } from '../support/edited-examples';

const REPO = path.resolve(__dirname, '../..');

/** Loads `staging` from a copy of the project with `edit` applied to its file. */
const loadStaging = (edit: (text: string) => string) =>
  loadEdited(['staging'], { 'environments/staging.yaml': edit });

describe('what a node offers, by each platform formula', () => {
  const machine = (type: string) => MACHINE_CATALOGUE.machines[type];

  it('EKS AL2023: kube-reserved CPU by tiers, 11 × maxPods + 255 MiB, eviction at 100Mi, less aws-node and kube-proxy', () => {
    const node = eksNodeAllocatable('m7i.large', machine('m7i.large'));
    // 2000m − (60 + 10) reserved − (50 + 100) DaemonSets
    expect(node.cpu.millicores).toBe(1780);
    // 8192 × 0.925 = 7577, − (11 × 29 + 255) − 100 = 6903
    expect(node.memory.toMebibytes()).toBe(6903);
    // 29 − aws-node and kube-proxy
    expect(node.pods).toBe(27);
    // 8 cores: 8000 − (60 + 10 + 2 × 5 + 4 × 2.5) − 150 = 7760m
    expect(eksNodeAllocatable('c7i.2xlarge', machine('c7i.2xlarge')).cpu.millicores).toBe(7760);
  });

  it('AKS from 1.29: the CPU table, the smaller of 20 MB × maxPods + 50 MB and 25 % of memory', () => {
    const node = aksNodeAllocatable('Standard_D4s_v5', machine('Standard_D4s_v5'), '1.33');
    // 4000 − 140 reserved − 110 DaemonSets
    expect(node.cpu.millicores).toBe(3750);
    // 16384 × 0.925 = 15155; min(20 × 250 + 50, 4096) = 4096; − 100 eviction − 170 DaemonSets = 10789
    expect(node.memory.toMebibytes()).toBe(10789);
    const older = aksNodeAllocatable('Standard_D4s_v5', machine('Standard_D4s_v5'), '1.28');
    // 15155 − (25 % of 4 GiB + 20 % of 4 GiB + 10 % of the next 8 GiB = 2662.4) − 750 eviction,
    // rounded down, − 170 DaemonSets = 11572
    expect(older.memory.toMebibytes()).toBe(11572);
  });
});

describe('capacity at synth: the cases found on main', () => {
  it("refuses staging's image-processing (2 CPUs) on an m7i.large general pool", () => {
    const loaded = loadStaging((text) => text.replace('[m7i.xlarge]', '[m7i.large]'));
    expect(problemsOf(loaded)).toEqual([
      expect.stringMatching(
        /^environments\/staging\.yaml:\d+:\d+ agents\.image-processing\.sites\.eu: agent 'image-processing' fits no node pool of site 'eu' \(general: a node offers 1780m CPU \(m7i\.large on EKS AL2023\), one replica requests 2 \|/,
      ),
    ]);
  });

  it("warns that staging's gpu-inference cannot reach 4 replicas on 2 single-GPU nodes", () => {
    const loaded = loadStaging((text) => text.replace('maxSize: 4', 'maxSize: 2'));
    if (!loaded.ok) throw new Error(problemsOf(loaded).join('\n'));
    const [staging] = loaded.environments;
    const site = clusterSiteOf(staging.awsSites?.[0] as NonNullable<typeof staging.awsSites>[0]);
    const capacity = siteCapacity(
      site,
      staging.deployments.map((d) => resolveAgent(d.agent)),
      staging.brokers,
    );
    expect(capacity.errors).toEqual([]);
    expect(capacity.warnings).toEqual([
      {
        pool: 'gpu',
        message: expect.stringContaining(
          'do not fit pool(s) gpu (nodes: gpu 4 needed, 2 allowed): gpu-inference 2 of 4 (1 GPU, 2 CPU, 8192Mi each) fit',
        ),
      },
    ]);
    expect(capacity.shortfalls).toEqual([
      { agent: 'gpu-inference', maxReplicas: 4, reachableReplicas: 2 },
    ]);
  });

  it('refuses a fleet whose minimum replicas do not fit, at the pool whose maximum is short', () => {
    const loaded = loadStaging((text) =>
      text.replace('minSize: 3', 'minSize: 2').replace('maxSize: 10', 'maxSize: 2'),
    );
    expect(problemsOf(loaded)).toEqual([
      expect.stringMatching(
        /^environments\/staging\.yaml:33:\d+ sites\.eu\.nodePools\.general\.maxSize: at their minimum replicas the workloads do not fit pool\(s\) general \(nodes: general \d+ needed, 2 allowed\): RabbitMQ rabbitmq 2 of 3 .*lower minReplicas$/,
      ),
    ]);
  });

  it('refuses a machine type the catalogue does not hold, saying how to add it', () => {
    const loaded = loadStaging((text) => text.replace('[m7i.xlarge]', '[m7i.4xlarge]'));
    expect(problemsOf(loaded)).toEqual([
      expect.stringMatching(
        /^environments\/staging\.yaml:29:25 sites\.eu\.nodePools\.general\.instanceTypes\[0\]: EC2 instance type 'm7i\.4xlarge' is not in the machine catalogue \(model\/machines\.ts; known: .*\): add it there with its vCPUs, memory/,
      ),
    ]);
  });

  it('refuses a pool whose machine has GPUs it does not declare, or another architecture', () => {
    const loaded = loadStaging((text) =>
      text.replace('[g5.xlarge]', '[m7g.xlarge]').replace('[m7i.xlarge]', '[g5.xlarge]'),
    );
    expect(problemsOf(loaded).join('\n')).toContain(
      "'g5.xlarge' has 1 nvidia-a10g GPU(s): declare them on the pool",
    );
  });
});

describe('packing replicas onto nodes', () => {
  const pool = (name: string, maxNodes?: number) => ({
    name,
    node: { cpuMillis: 3700, memoryMiB: 14000, pods: 50 },
    ...(maxNodes !== undefined ? { maxNodes } : {}),
  });

  it('counts the room requests leave unusable: two 2-CPU replicas need two 3.7-CPU nodes', () => {
    const packing = packReplicas(
      [pool('general')],
      [
        {
          name: 'a',
          replicas: 2,
          requests: { cpuMillis: 2000, memoryMiB: 100 },
          pools: ['general'],
        },
      ],
    );
    expect(packing.nodes.get('general')).toBe(2);
  });

  it('puts one replica per node where asked, and fills the pools in their order', () => {
    const packing = packReplicas(
      [pool('general', 2), pool('spot', 5)],
      [
        {
          name: 'broker',
          replicas: 3,
          requests: { cpuMillis: 100, memoryMiB: 100 },
          pools: ['general', 'spot'],
          onePerNode: true,
        },
        {
          name: 'gpu',
          replicas: 1,
          requests: { cpuMillis: 1, memoryMiB: 1, gpu: 1 },
          pools: ['general'],
        },
      ],
    );
    expect(packing.nodes).toEqual(
      new Map([
        ['general', 2],
        ['spot', 1],
      ]),
    );
    expect(packing.unplaced).toEqual(new Map([['gpu', 1]]));
  });
});

describe('agents on scaling groups', () => {
  it('checks the machine: catalogued, and room for one replica', () => {
    const loaded = loadFleet({ rootDir: REPO, environments: ['prod'] });
    if (!loaded.ok) throw new Error('prod has problems');
    const chimera = loaded.environments[0].deployments.find(
      (d) => d.agent.name === 'chimera-data-ingest' && d.site === 'us-east',
    )?.agent;
    expect(chimera).toBeDefined();
    if (!chimera) return;
    expect(agentMachineProblems(chimera, 'c7i.large', 'aws')).toEqual([]);
    expect(agentMachineProblems(chimera, 'c7i.nano', 'aws')[0].message).toContain(
      "EC2 instance type 'c7i.nano' is not in the machine catalogue",
    );
    const withGpu = { ...chimera, resources: { ...chimera.resources, gpu: 1 } };
    expect(agentMachineProblems(withGpu, 'c7i.large', 'aws')).toEqual([
      {
        path: ['placement', 'scalingGroup', 'instanceType'],
        message:
          "'c7i.large' cannot run agent 'chimera-data-ingest': it has 0 GPU(s), one replica needs 1",
      },
    ]);
  });
});
