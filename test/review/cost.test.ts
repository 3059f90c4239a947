import type { AgentReport, FleetReport } from '../../app/fleet-report';
import { loadFleet } from '../../config';
import { MACHINE_CATALOGUE } from '../../model/machines';
import { fleetCost, HOURS_PER_MONTH, loadPrices } from '../../review/cost';
import { REPO } from './support';

const prices = loadPrices();

const agent = (overrides: Partial<AgentReport>): AgentReport => ({
  agent: 'a',
  site: 'aws',
  stack: 'test-aws-agents',
  workload: 'consumer',
  placement: { kind: 'pools', pools: ['general'], gpu: 0, spot: 'never' },
  minReplicas: 2,
  maxReplicas: 4,
  autoscaler: 'hpa',
  signals: ['cpu 70%'],
  publishes: [],
  requests: { cpuMillis: 500, memoryMiB: 256, gpu: 0 },
  ...overrides,
});

const report = (agents: AgentReport[]): FleetReport => ({
  environment: 'test',
  production: false,
  stacks: [],
  brokers: [],
  sites: [
    {
      name: 'aws',
      kind: 'aws',
      region: 'us-east-1',
      cluster: 'EKS 1.35',
      databases: [],
      addOns: [],
      stacks: [],
      nodePools: [
        {
          name: 'general',
          instanceTypes: ['m7i.xlarge'],
          minNodes: 3,
          maxNodes: 12,
          spot: false,
          arch: 'amd64',
          labels: {},
        },
        {
          name: 'spot',
          instanceTypes: ['c7i.2xlarge', 'c5.2xlarge'],
          minNodes: 0,
          maxNodes: 10,
          spot: true,
          arch: 'amd64',
          labels: {},
        },
        {
          name: 'gpu',
          instanceTypes: ['g5.2xlarge'],
          minNodes: 0,
          maxNodes: 4,
          spot: false,
          arch: 'amd64',
          gpu: { count: 1, model: 'nvidia-a10g' },
          labels: {},
        },
      ],
    },
    {
      name: 'dc',
      kind: 'kubernetes',
      cluster: 'kubeconfig context dc',
      databases: [],
      addOns: [],
      stacks: [],
      nodePools: [{ name: 'general', instanceTypes: [], spot: false, arch: 'amd64', labels: {} }],
    },
  ],
  agents,
});

describe('the price table', () => {
  it('is dated, names its source and prices every instance and VM type of the examples', () => {
    expect(prices.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(prices.source).toMatch(/list prices/);
    expect(prices.currency).toBe('USD');
    const loaded = loadFleet({ rootDir: REPO });
    if (!loaded.ok) throw new Error('environment files have problems');
    const types = loaded.environments.flatMap((environment) => [
      ...(environment.awsSites ?? []).flatMap((site) =>
        site.nodePools.flatMap((p) => p.instanceTypes),
      ),
      ...(environment.azureSites ?? []).flatMap((site) => site.nodePools.map((p) => p.vmSize)),
      ...environment.deployments.flatMap(
        (d) => d.agent.placement?.scalingGroup?.instanceType ?? [],
      ),
    ]);
    expect(types.filter((type) => !prices.instances[type])).toEqual([]);
  });

  it('is the machine catalogue: one figure per type, no second table', () => {
    const machine = MACHINE_CATALOGUE.machines['m7i.xlarge'];
    expect(prices.instances['m7i.xlarge']).toEqual({
      region: machine.price.region,
      vcpu: machine.vcpu,
      memoryGiB: machine.memoryMiB / 1024,
      onDemandHourly: machine.price.onDemandHourly,
      spotHourly: machine.price.spotHourly,
    });
    expect(prices.date).toBe(MACHINE_CATALOGUE.date);
  });
});

describe('monthly cost', () => {
  it('prices a replica as its share of an on-demand node, 730 hours a month', () => {
    // 500m of 4 vCPU = 1/8 of an m7i.xlarge at $0.2016/h (256Mi of 16Gi is less).
    const cost = fleetCost(report([agent({})]), prices);
    const perReplica = (0.2016 / 8) * HOURS_PER_MONTH; // $18.396
    expect(cost.agents[0].minMonthly).toBeCloseTo(2 * perReplica, 6);
    expect(cost.agents[0].maxMonthly).toBeCloseTo(4 * perReplica, 6);
    expect(cost.minMonthly).toBeCloseTo(36.792, 6);
    expect(cost.maxMonthly).toBeCloseTo(73.584, 6);
  });

  it('takes memory when it is the larger share, and a whole node per GPU', () => {
    const memory = fleetCost(
      report([agent({ requests: { cpuMillis: 500, memoryMiB: 8192, gpu: 0 } })]),
      prices,
    );
    expect(memory.agents[0].sites[0].cheapest?.share).toBe(0.5);
    const gpu = fleetCost(
      report([
        agent({
          placement: { kind: 'pools', pools: ['gpu'], gpu: 1, spot: 'never' },
          minReplicas: 1,
          requests: { cpuMillis: 2000, memoryMiB: 8192, gpu: 1 },
        }),
      ]),
      prices,
    );
    expect(gpu.minMonthly).toBeCloseTo(1.212 * 730, 6); // $884.76
    expect(gpu.maxMonthly).toBeCloseTo(4 * 1.212 * 730, 6);
  });

  it('spans the cheapest spot option to the dearest on-demand one', () => {
    const cost = fleetCost(
      report([
        agent({
          placement: { kind: 'pools', pools: ['general', 'spot'], gpu: 0, spot: 'allowed' },
          requests: { cpuMillis: 2000, memoryMiB: 2048, gpu: 0 },
        }),
      ]),
      prices,
    );
    const site = cost.agents[0].sites[0];
    // 2 of 8 vCPU on a spot c7i.2xlarge at $0.1428/h, up to 2 of 4 vCPU on an m7i.xlarge.
    expect(site.cheapest).toMatchObject({
      pool: 'spot',
      instanceType: 'c7i.2xlarge',
      capacity: 'spot',
      share: 0.25,
    });
    expect(site.dearest).toMatchObject({
      pool: 'general',
      instanceType: 'm7i.xlarge',
      capacity: 'on-demand',
      share: 0.5,
    });
    expect(site.minMonthly).toBeCloseTo(2 * 0.25 * 0.1428 * 730, 6);
    expect(site.maxMonthly).toBeCloseTo(4 * 0.5 * 0.2016 * 730, 6);
  });

  it('prices a scaling group at one on-demand machine per replica', () => {
    const cost = fleetCost(
      report([
        agent({
          placement: { kind: 'scaling-group', group: 'ec2', instanceType: 'c7i.large' },
          minReplicas: 2,
          maxReplicas: 20,
        }),
      ]),
      prices,
    );
    expect(cost.minMonthly).toBeCloseTo(2 * 0.08925 * 730, 6); // $130.305
    expect(cost.maxMonthly).toBeCloseTo(20 * 0.08925 * 730, 6); // $1,303.05
  });

  it('leaves on-prem pools unpriced and sums the priced sites per agent type', () => {
    const cost = fleetCost(report([agent({}), agent({ site: 'dc' })]), prices);
    expect(cost.agents).toHaveLength(1);
    expect(cost.agents[0].sites[1]).toMatchObject({
      site: 'dc',
      minMonthly: 0,
      unpriced: 'on-prem/edge pool, no price',
    });
    expect(cost.agents[0].minMonthly).toBeCloseTo(36.792, 6);
  });
});
