import * as fs from 'fs';
import * as path from 'path';
import type { FleetFile, ReviewedAgent, ReviewedFleet } from '../../output/schema';
import {
  DiagramBase,
  diagramBase,
  MERMAID_MAX_EDGES,
  MERMAID_MAX_TEXT_SIZE,
  SiteDiagram,
  siteDiagrams,
  SUMMARY_COLUMNS,
  topologyDiagram,
} from '../../review/diagram';
import { parseMermaid } from '../support/mermaid';
import { REPO, synthesize } from './support';

// prod as the examples have it, synthesized once for the file.
const prod = (
  JSON.parse(
    fs.readFileSync(path.join(synthesize(REPO, ['prod']), 'fleet.json'), 'utf8'),
  ) as FleetFile
).environments.prod;

/** Every diagram emitted, for Mermaid to parse. */
const drawn = (diagrams: readonly SiteDiagram[]) =>
  diagrams.flatMap((d) => (d.mermaid === undefined ? [] : [d.mermaid]));

/** Asserts that Mermaid parses every diagram as a flowchart. */
function expectMermaidParses(diagrams: readonly string[]): void {
  const { verdicts } = parseMermaid(diagrams);
  expect(verdicts.map((v, i) => ({ diagram: i, ...v }))).toEqual(
    diagrams.map((_, i) => ({ diagram: i, ok: true, type: 'flowchart-v2' })),
  );
}

const classLines = (text: string | undefined) =>
  (text ?? '').split('\n').filter((line) => /^\s*class /.test(line));

/** An agent of a generated fleet, consuming a queue and publishing to the next one. */
function generatedAgent(i: number, site: string): ReviewedAgent {
  return {
    agent: `worker-${String(i).padStart(4, '0')}`,
    site,
    minReplicas: 1,
    maxReplicas: 10,
    autoscaler: 'keda',
    signals: ['queue depth 20/replica'],
    placement: {
      kind: 'pools',
      pools: [i % 2 === 0 ? 'general' : 'spot'],
      gpu: 0,
      spot: 'allowed',
    },
    source: {
      kind: 'queue',
      broker: 'rabbitmq',
      name: `tasks-${i}`,
      deadLetter: `tasks-${i}-dlq`,
    },
    publishes: [`rabbitmq/tasks-${i + 1}`],
    requests: { cpuMillis: 250, memoryMiB: 256, gpu: 0 },
  };
}

/** A fleet of `count` agent types on one site, `big`. */
function generatedFleet(count: number): ReviewedFleet {
  return {
    environment: 'load',
    production: false,
    stacks: ['load-big'],
    sites: [
      {
        name: 'big',
        kind: 'aws',
        region: 'us-east-1',
        cluster: 'EKS 1.35',
        databases: [],
        addOns: [],
        nodePools: [
          {
            name: 'general',
            instanceTypes: ['m7i.xlarge'],
            minNodes: 3,
            maxNodes: 100,
            spot: false,
            arch: 'amd64',
          },
          {
            name: 'spot',
            instanceTypes: ['c7i.2xlarge'],
            minNodes: 0,
            maxNodes: 100,
            spot: true,
            arch: 'amd64',
          },
        ],
      },
    ],
    brokers: [{ name: 'rabbitmq', kind: 'RabbitMQ', site: 'big', where: 'in-cluster on big' }],
    agents: Array.from({ length: count }, (_, i) => generatedAgent(i, 'big')),
  };
}

describe("Mermaid's own parser", () => {
  it('runs here, and its default limits are the ones the review keeps to', () => {
    const { verdicts, defaults } = parseMermaid([
      'flowchart LR\n  a --> b',
      'flowchart LR\n  a -- > [',
    ]);
    expect(verdicts[0]).toEqual({ ok: true, type: 'flowchart-v2' });
    expect(verdicts[1].ok).toBe(false);
    expect(defaults).toEqual({ maxTextSize: MERMAID_MAX_TEXT_SIZE, maxEdges: MERMAID_MAX_EDGES });
  });
});

describe('one diagram per site', () => {
  const diagrams = siteDiagrams(prod);

  it('draws every site of the example prod, and Mermaid parses each', () => {
    expect(diagrams.map((d) => d.site)).toEqual(prod.sites.map((s) => s.name));
    expect(diagrams.every((d) => d.mermaid !== undefined && d.summary === undefined)).toBe(true);
    expectMermaidParses(drawn(diagrams));
  });

  it("holds a site's pools, brokers and agents, and the brokers of other sites its agents use", () => {
    const usEast = diagrams.find((d) => d.site === 'us-east')?.mermaid ?? '';
    expect(usEast.split('\n')[0]).toBe('flowchart LR');
    expect(usEast).toContain('subgraph site__us_east["us-east (aws us-east-1)"]');
    expect(usEast).toContain(
      'pool__us_east__gpu[("pool gpu · g5.2xlarge · 0–4 nodes · 1× nvidia-a10g")]',
    );
    expect(usEast).toContain('agent__us_east__gpu_inference --> pool__us_east__gpu');
    expect(usEast).toContain('agent__us_east__dispatcher -. publishes .-> broker__rabbitmq');
    expect(usEast).not.toContain('nebraska');
    // Each edge's broker is a node of the diagram.
    for (const diagram of drawn(diagrams)) {
      for (const [, broker] of diagram.matchAll(/(?:-->|\.->) (broker__\w+)$/gm)) {
        expect(diagram).toMatch(new RegExp(`^\\s*${broker}\\{\\{`, 'm'));
      }
    }
  });

  it('marks nothing without a base', () => {
    expect(diagrams.flatMap((d) => classLines(d.mermaid))).toEqual([]);
    expect(diagrams.some((d) => d.mermaid?.includes('classDef'))).toBe(false);
  });

  it('keeps the single topology diagram as it was', () => {
    const topology = topologyDiagram(prod);
    expect(topology).toContain('subgraph site__us_east["us-east (aws us-east-1)"]');
    expect(topology).toContain('broker__dc_events{{"Kafka dc-events"}}');
    expectMermaidParses([topology]);
  });
});

describe('compared with a base', () => {
  // The branch adds `summariser` and a pool `arm` on us-east, takes `reporting` off it,
  // raises image-processing's maximum there, grows the general pool and adds a broker.
  const usEast = prod.sites.find((s) => s.name === 'us-east');
  if (!usEast) throw new Error('prod has no us-east');
  const dispatcher = prod.agents.find((a) => a.agent === 'dispatcher' && a.site === 'us-east');
  if (!dispatcher) throw new Error('prod has no dispatcher on us-east');
  const branch: ReviewedFleet = {
    ...prod,
    sites: prod.sites.map((site) =>
      site.name !== 'us-east'
        ? site
        : {
            ...site,
            nodePools: [
              ...site.nodePools.map((pool) =>
                pool.name === 'general' ? { ...pool, maxNodes: 20 } : pool,
              ),
              {
                name: 'arm',
                instanceTypes: ['m7g.xlarge'],
                minNodes: 0,
                maxNodes: 6,
                spot: false,
                arch: 'arm64' as const,
              },
            ],
          },
    ),
    brokers: [
      ...prod.brokers,
      { name: 'audit', kind: 'SQS', site: 'us-east', where: 'SQS on us-east' },
    ],
    agents: [
      ...prod.agents
        .filter((a) => !(a.agent === 'reporting' && a.site === 'us-east'))
        .map((a) =>
          a.agent === 'image-processing' && a.site === 'us-east' ? { ...a, maxReplicas: 8 } : a,
        ),
      {
        ...dispatcher,
        agent: 'summariser',
        placement: { kind: 'pools', pools: ['arm'], gpu: 0, spot: 'never' },
      },
    ],
  };
  const diagrams = siteDiagrams(branch, prod);
  const site = (name: string) => diagrams.find((d) => d.site === name)?.mermaid;

  it('marks the agents and pools added, removed and changed, and the broker added', () => {
    expect(classLines(site('us-east')).sort()).toEqual(
      [
        '  class agent__us_east__summariser added',
        '  class agent__us_east__reporting removed',
        '  class agent__us_east__image_processing changed',
        '  class pool__us_east__arm added',
        '  class pool__us_east__general changed',
        '  class broker__audit added',
      ].sort(),
    );
    expect(site('us-east')).toContain('  classDef added fill:#dafbe1');
    expect(site('us-east')).toMatch(/^ {2}classDef removed .*stroke-dasharray:5 5$/m);
    expect(site('us-east')).toContain('  classDef changed fill:#fff8c5');
  });

  it('draws the removed agent from the base, with its pools and queue', () => {
    expect(site('us-east')).toContain('agent__us_east__reporting["reporting 1–6"]');
    expect(site('us-east')).toMatch(/^ {2}agent__us_east__reporting --> pool__us_east__\w+$/m);
  });

  it('leaves the sites without changes unmarked, and Mermaid parses every diagram', () => {
    for (const name of ['nebraska', 'denver-edge', 'eu-west', 'nebraska-warm']) {
      expect(site(name)).toBeDefined();
      expect(site(name)).not.toContain('class');
    }
    expectMermaidParses(drawn(diagrams));
  });

  it('draws a site the branch removes from the base, all of it marked removed', () => {
    const withoutEdge: ReviewedFleet = {
      ...prod,
      sites: prod.sites.filter((s) => s.name !== 'denver-edge'),
      agents: prod.agents.filter((a) => a.site !== 'denver-edge'),
    };
    const removed = siteDiagrams(withoutEdge, prod).find((d) => d.site === 'denver-edge');
    expect(removed?.status).toBe('removed');
    expect(removed?.mermaid).toContain(
      'subgraph site__denver_edge["denver-edge (kubernetes), site removed"]',
    );
    expect(classLines(removed?.mermaid)).toEqual([
      '  class pool__denver_edge__edge removed',
      '  class agent__denver_edge__chimera_data_ingest removed',
    ]);
    // The reverse: the site is added.
    const added = siteDiagrams(prod, withoutEdge).find((d) => d.site === 'denver-edge');
    expect(added?.status).toBe('added');
    expect(classLines(added?.mermaid)).toEqual([
      '  class pool__denver_edge__edge added',
      '  class agent__denver_edge__chimera_data_ingest added',
    ]);
    expectMermaidParses([removed?.mermaid ?? '', added?.mermaid ?? '']);
  });

  it('marks only agents against a base whose report has no sites or brokers', () => {
    const older: DiagramBase = { agents: prod.agents };
    const lines = classLines(
      siteDiagrams(branch, older).find((d) => d.site === 'us-east')?.mermaid,
    );
    expect(lines.sort()).toEqual(
      [
        '  class agent__us_east__summariser added',
        '  class agent__us_east__reporting removed',
        '  class agent__us_east__image_processing changed',
      ].sort(),
    );
  });
});

describe("the base's report as the diagrams compare with it", () => {
  it('takes the sites and brokers of a base that records them as synth writes them', () => {
    expect(diagramBase(prod)).toEqual({
      agents: prod.agents,
      sites: prod.sites,
      brokers: prod.brokers,
    });
  });

  it('takes only the agents of a base whose sites are missing or not what synth writes', () => {
    const older = { environment: prod.environment, stacks: prod.stacks, agents: prod.agents };
    expect(diagramBase(older)).toEqual({ agents: prod.agents });
    const odd = { ...prod, sites: [{ name: 'us-east' }] } as unknown as ReviewedFleet;
    expect(diagramBase(odd)).toEqual({ agents: prod.agents });
  });

  it('marks all of an environment the base lacks as added', () => {
    const diagrams = siteDiagrams(prod, diagramBase(undefined));
    expect(diagrams.map((d) => d.status)).toEqual(prod.sites.map(() => 'added'));
    const lines = diagrams.flatMap((d) => classLines(d.mermaid));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.endsWith(' added'))).toBe(true);
    expect(lines).toContain('  class broker__dc_events added');
    expectMermaidParses(drawn(diagrams));
  });
});

describe("past Mermaid's limits", () => {
  it('gives a site of 1000 agent types a summary table instead of a diagram', () => {
    const fleet = generatedFleet(1000);
    const [big] = siteDiagrams(fleet);
    expect(big.mermaid).toBeUndefined();
    expect(SUMMARY_COLUMNS).toEqual(['pool', 'agents', 'added', 'removed', 'changed']);
    expect(big.summary).toEqual([
      ['pool general', '500', '—', '—', '—'],
      ['pool spot', '500', '—', '—', '—'],
      ['**total**', '1000', '—', '—', '—'],
    ]);
    // The single topology diagram says it is too large, in a diagram Mermaid parses.
    const topology = topologyDiagram(fleet);
    expect(topology).toContain('1000 agent(s) on 1 site(s): too large for one Mermaid diagram');
    expectMermaidParses([topology]);
  });

  it('counts what changed per pool in the table', () => {
    const base = generatedFleet(1000);
    const head: ReviewedFleet = {
      ...base,
      agents: [
        ...base.agents.slice(1, 999).map((a, i) => (i === 0 ? { ...a, maxReplicas: 20 } : a)),
        generatedAgent(1000, 'big'),
        generatedAgent(1001, 'big'),
      ],
    };
    // worker-0000 (general) and worker-0999 (spot) go, worker-0001 (spot) changes,
    // worker-1000 (general) and worker-1001 (spot) come.
    expect(siteDiagrams(head, base)[0].summary).toEqual([
      ['pool general', '500', '1', '1', '0'],
      ['pool spot', '500', '1', '1', '1'],
      ['**total**', '1000', '2', '2', '1'],
    ]);
  });

  it('draws a site just under the limits, and Mermaid parses it; one agent more is a table', () => {
    // The largest generated site that is still drawn.
    let low = 1;
    let high = 1000;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (siteDiagrams(generatedFleet(middle))[0].mermaid !== undefined) low = middle;
      else high = middle - 1;
    }
    const [largest] = siteDiagrams(generatedFleet(low));
    const text = largest.mermaid ?? '';
    const edges = text.split('\n').filter((line) => /-->|\.->/.test(line)).length;
    expect(text.length > MERMAID_MAX_TEXT_SIZE * 0.95 || edges > MERMAID_MAX_EDGES - 3).toBe(true);
    expect(siteDiagrams(generatedFleet(low + 1))[0].summary).toBeDefined();
    expectMermaidParses([text]);
  });
});
