import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import {
  agentName,
  agentType,
  BENCH_BACKEND,
  groupOf,
  inClusterBroker,
  kindOf,
  kubernetesSite,
} from './generate';

/** Name of the estate's environment: `environments/estate.yaml`. */
export const ESTATE_ENVIRONMENT = 'estate';

/** The shape of a generated estate. */
export interface EstateSize {
  /** Sites of the environment. @default 50 */
  readonly sites?: number;
  /** Agent types in the catalogue, each placed on every site. @default 200 */
  readonly agentTypes?: number;
  /** Every this many sites, starting with the first, is an AWS site; the others are Kubernetes sites. @default 10 */
  readonly awsEvery?: number;
  /** Agent types per stack group, by index: `team-00` holds the first ones. @default 25 */
  readonly groupSize?: number;
  /**
   * Give each agent type its group (`stack.group`) and the environment its bound
   * (`agentStacks.maxResources`); off, every agent lands in its site's one agents stack.
   * @default true
   */
  readonly groups?: boolean;
  /** Resources one agents stack may hold (`agentStacks.maxResources`). @default 500 */
  readonly maxResources?: number;
  /**
   * One more agent type, placed on this site (by index) only, in the group of
   * the last agent type: what adding an agent type to a site looks like.
   * @default - none
   */
  readonly addedOnSite?: number;
}

/** What {@link writeBenchEstate} wrote. */
export interface BenchEstate {
  readonly environment: string;
  /** Site names, in order. */
  readonly sites: readonly string[];
  /** The AWS sites among them. */
  readonly awsSites: readonly string[];
  /** The agent type added by `addedOnSite`, if any. */
  readonly added?: { readonly agent: string; readonly site: string; readonly group: string };
}

/** Name of the `index`-th site, e.g. `site-07`. */
export const siteName = (index: number) => `site-${String(index).padStart(2, '0')}`;

/** Regions of the AWS sites, in turn, with three of their zones. */
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1'];

/** An AWS site as `environments/staging.yaml` and the prod file declare one, sized for its agents. */
function awsSite(awsIndex: number): Record<string, unknown> {
  const region = REGIONS[awsIndex % REGIONS.length];
  const labels = (hardware: string) => ({ location: region, 'hardware-type': hardware });
  return {
    kind: 'aws',
    accountId: '111122223333',
    region,
    network: {
      cidr: `10.${100 + (awsIndex % 150)}.0.0/16`,
      availabilityZones: ['a', 'b', 'c'].map((zone) => `${region}${zone}`),
    },
    cluster: {
      version: '1.35',
      admins: { platform: 'arn:aws:iam::111122223333:role/platform-admins' },
    },
    nodePools: {
      // The broker's three nodes need a host each; the agents' maxima need the rest.
      general: {
        instanceTypes: ['m7i.xlarge'],
        minSize: 3,
        maxSize: 120,
        labels: labels('cpu'),
      },
      gpu: {
        instanceTypes: ['g5.xlarge'],
        minSize: 0,
        maxSize: 80,
        gpu: { count: 1, model: 'nvidia-a10g' },
        labels: labels('gpu'),
      },
    },
  };
}

/** An agent type's entry on one site: its site's broker, the GPU that site has. */
function placement(index: number, site: string, aws: boolean): Record<string, unknown> {
  const kind = kindOf(index);
  if (kind !== 'queue' && kind !== 'gpu') return {};
  return {
    queue: { broker: `mq-${site}` },
    scaling: { maxReplicas: 3 },
    ...(kind === 'gpu' && aws ? { placement: { gpuModel: 'nvidia-a10g' } } : {}),
  };
}

/**
 * Writes `fleet/agent-types.yaml` and `environments/estate.yaml` under
 * `rootDir`: an estate of `sites` sites (every `awsEvery`-th an AWS site, the
 * others Kubernetes sites), each with its in-cluster RabbitMQ and every one of
 * the `agentTypes` agent types of the bench catalogue (scripts/bench/generate.ts),
 * grouped into agents stacks of `groupSize` agent types.
 */
export function writeBenchEstate(rootDir: string, size: EstateSize = {}): BenchEstate {
  const siteCount = size.sites ?? 50;
  const typeCount = size.agentTypes ?? 200;
  const awsEvery = size.awsEvery ?? 10;
  const groupSize = size.groupSize ?? 25;
  const groups = size.groups ?? true;
  const sites = Array.from({ length: siteCount }, (_, i) => siteName(i));
  const isAws = (i: number) => i % awsEvery === 0;
  const awsSites = sites.filter((_, i) => isAws(i));

  const types = Array.from({ length: typeCount }, (_, i) => ({
    index: i,
    group: groupOf(i, groupSize),
    sites: sites.map((_, s) => s),
  }));
  let added: BenchEstate['added'];
  if (size.addedOnSite !== undefined) {
    if (
      !Number.isInteger(size.addedOnSite) ||
      size.addedOnSite < 0 ||
      size.addedOnSite >= siteCount
    ) {
      throw new Error(`addedOnSite ${size.addedOnSite} is not a site of ${siteCount}`);
    }
    const group = groupOf(typeCount - 1, groupSize);
    types.push({ index: typeCount, group, sites: [size.addedOnSite] });
    added = { agent: agentName(typeCount), site: sites[size.addedOnSite], group };
  }

  const catalogue = {
    agentTypes: Object.fromEntries(
      types.map(({ index, group }) => [
        agentName(index),
        { ...agentType(index), ...(groups ? { stack: { group } } : {}) },
      ]),
    ),
  };
  let awsIndex = 0;
  const environment = {
    description: `Benchmark estate: ${siteCount} sites (${awsSites.length} on AWS) running ${typeCount} agent types each.`,
    backend: BENCH_BACKEND,
    ...(groups ? { agentStacks: { maxResources: size.maxResources ?? 500 } } : {}),
    sites: Object.fromEntries(
      sites.map((name, i) => [name, isAws(i) ? awsSite(awsIndex++) : kubernetesSite(name)]),
    ),
    brokers: Object.fromEntries(sites.map((name) => [`mq-${name}`, inClusterBroker(name)])),
    agents: Object.fromEntries(
      types.map(({ index, sites: placed }) => [
        agentName(index),
        {
          sites: Object.fromEntries(
            placed.map((s) => [sites[s], placement(index, sites[s], isAws(s))]),
          ),
        },
      ]),
    ),
  };
  for (const dir of ['fleet', 'environments']) {
    fs.mkdirSync(path.join(rootDir, dir), { recursive: true });
  }
  // Written out in full: shared objects would become YAML aliases, which the loader limits.
  const yaml = (value: unknown) => stringify(value, { aliasDuplicateObjects: false });
  fs.writeFileSync(path.join(rootDir, 'fleet', 'agent-types.yaml'), yaml(catalogue));
  fs.writeFileSync(
    path.join(rootDir, 'environments', `${ESTATE_ENVIRONMENT}.yaml`),
    yaml(environment),
  );
  return { environment: ESTATE_ENVIRONMENT, sites, awsSites, added };
}
