import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { loadFleet } from '../../config';
import { EstateSize, writeBenchEstate } from '../../scripts/bench/generate-estate';
import { tempDir } from '../support/temp-dir';

interface EstateFiles {
  readonly catalogue: { agentTypes: Record<string, { stack?: { group: string } }> };
  readonly environment: {
    agentStacks?: { maxResources: number };
    sites: Record<string, { kind: string }>;
    brokers: Record<string, { inCluster: { site: string } }>;
    agents: Record<string, { sites: Record<string, { queue?: { broker: string } }> }>;
  };
}

function generate(size: EstateSize): EstateFiles & { rootDir: string } {
  const rootDir = tempDir('bench-estate');
  writeBenchEstate(rootDir, size);
  const read = (file: string) => parse(fs.readFileSync(path.join(rootDir, file), 'utf8'));
  return {
    rootDir,
    catalogue: read('fleet/agent-types.yaml'),
    environment: read('environments/estate.yaml'),
  };
}

/** Agent types placed on each site. */
function agentsPerSite(files: EstateFiles): Map<string, string[]> {
  const placed = new Map<string, string[]>();
  for (const [agent, entry] of Object.entries(files.environment.agents)) {
    for (const site of Object.keys(entry.sites)) {
      placed.set(site, [...(placed.get(site) ?? []), agent]);
    }
  }
  return placed;
}

describe('the bench estate', () => {
  const estate = generate({});

  it('has 50 sites, every 10th on AWS, each with its in-cluster broker', () => {
    const sites = Object.entries(estate.environment.sites);
    expect(sites).toHaveLength(50);
    expect(sites.filter(([, site]) => site.kind === 'aws').map(([name]) => name)).toEqual([
      'site-00',
      'site-10',
      'site-20',
      'site-30',
      'site-40',
    ]);
    expect(sites.filter(([, site]) => site.kind === 'kubernetes')).toHaveLength(45);
    expect(
      Object.values(estate.environment.brokers)
        .map((broker) => broker.inCluster.site)
        .sort(),
    ).toEqual(sites.map(([name]) => name).sort());
  });

  it('places all 200 agent types on every site, queue consumers on their site’s broker', () => {
    expect(Object.keys(estate.catalogue.agentTypes)).toHaveLength(200);
    const placed = agentsPerSite(estate);
    expect(placed.size).toBe(50);
    for (const agents of placed.values()) expect(agents).toHaveLength(200);
    for (const entry of Object.values(estate.environment.agents)) {
      for (const [site, placement] of Object.entries(entry.sites)) {
        if (placement.queue) expect(placement.queue.broker).toBe(`mq-${site}`);
      }
    }
  });

  it('groups the agent types by index, at most 25 a group, under a bound of 500 resources', () => {
    expect(estate.environment.agentStacks).toEqual({ maxResources: 500 });
    const groups = new Map<string, number>();
    for (const type of Object.values(estate.catalogue.agentTypes)) {
      const group = type.stack!.group;
      groups.set(group, (groups.get(group) ?? 0) + 1);
    }
    expect([...groups.keys()]).toEqual(Array.from({ length: 8 }, (_, i) => `team-0${i}`));
    for (const count of groups.values()) expect(count).toBeLessThanOrEqual(25);
  });

  it('adds one agent type to one site, in the last existing group', () => {
    const added = generate({ addedOnSite: 7 });
    const placed = agentsPerSite(added);
    expect(placed.get('site-07')).toHaveLength(201);
    expect(placed.get('site-06')).toHaveLength(200);
    const extra = Object.keys(added.catalogue.agentTypes).find(
      (name) => !(name in estate.catalogue.agentTypes),
    )!;
    expect(Object.keys(added.environment.agents[extra].sites)).toEqual(['site-07']);
    expect(added.catalogue.agentTypes[extra].stack).toEqual({ group: 'team-07' });
    // Everything else is as it was.
    expect({ ...added.catalogue.agentTypes, [extra]: undefined }).toEqual({
      ...estate.catalogue.agentTypes,
      [extra]: undefined,
    });
  });

  it('leaves out the groups and the bound when asked', () => {
    const plain = generate({ sites: 3, agentTypes: 20, groups: false });
    expect(plain.environment.agentStacks).toBeUndefined();
    expect(Object.values(plain.catalogue.agentTypes).some((type) => 'stack' in type)).toBe(false);
  });

  it('loads without a problem, AWS and Kubernetes sites alike', () => {
    const small = generate({ sites: 3, agentTypes: 20, awsEvery: 2, groupSize: 5 });
    const loaded = loadFleet({ rootDir: small.rootDir });
    expect(loaded.ok ? [] : loaded.problems.map((problem) => problem.message)).toEqual([]);
  });
});
