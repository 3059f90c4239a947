import * as fs from 'fs';
import * as path from 'path';
import { FleetDocument } from '../../app/fleet-report';
import { fleetCost, loadPrices } from '../../review/cost';
import { diffCost } from '../../review/cost-diff';
import { runReview } from '../../review/review';
import { tempDir } from '../support/temp-dir';
import { projectCopy, REPO, replaceOnce, synthesize } from './support';

// The base is prod without `reporting`. The branch raises dispatcher's maximum
// from 4 to 8 on us-east's priced pools, drops metadata-extraction, adds
// reporting on the Nebraska datacenter's on-prem pool only, and raises
// gpu-inference's maximum on us-east to 10, more than its 4 GPU nodes hold.
const withoutReporting = (text: string) =>
  replaceOnce(text, '  reporting:\n    sites:\n      us-east: {}\n', '');
const base = synthesize(
  projectCopy((file, text) => (file === 'prod.yaml' ? withoutReporting(text) : text)),
  ['prod'],
);
const branch = synthesize(
  projectCopy((file, text) => {
    if (file !== 'prod.yaml') return text;
    let edited = replaceOnce(
      text,
      '  reporting:\n    sites:\n      us-east: {}\n',
      '  reporting:\n    sites:\n      nebraska: {}\n',
    );
    edited = replaceOnce(edited, '  metadata-extraction:\n    sites:\n      us-east: {}\n', '');
    edited = replaceOnce(
      edited,
      '  dispatcher:\n    sites:\n      us-east: {}\n',
      '  dispatcher:\n    sites:\n      us-east:\n        scaling: { maxReplicas: 8 }\n',
    );
    return replaceOnce(
      edited,
      '  gpu-inference:\n    sites:\n      us-east:\n        placement: { gpuModel: nvidia-a10g }\n',
      '  gpu-inference:\n    sites:\n      us-east:\n        placement: { gpuModel: nvidia-a10g }\n        scaling: { maxReplicas: 10 }\n',
    );
  }),
  ['prod'],
);

const prices = loadPrices();
const costOf = (dir: string) => {
  const document = JSON.parse(
    fs.readFileSync(path.join(dir, 'fleet.json'), 'utf8'),
  ) as FleetDocument;
  return fleetCost(document.environments.prod, prices);
};
const baseCost = costOf(base);
const headCost = costOf(branch);

function review(synth: string, baseDir?: string): string {
  const out = tempDir('fleet-review-cost-diff');
  runReview({ synth, ...(baseDir ? { base: baseDir } : {}), out });
  return fs.readFileSync(path.join(out, 'prod.md'), 'utf8');
}

const markdown = review(branch, base);
const costTable = markdown.slice(
  markdown.indexOf('### Monthly cost: base → head'),
  markdown.indexOf('### Resources per stack'),
);

/** The table's row of an agent type, or the total row. */
const row = (name: string) =>
  costTable.split('\n').find((line) => line.startsWith(`| ${name} |`)) ?? `no row ${name}`;

describe('the monthly cost of base and head', () => {
  it('comes in the change section, before the resources and the detailed cost section', () => {
    const at = markdown.indexOf('### Monthly cost: base → head');
    expect(at).toBeGreaterThan(markdown.indexOf('## What changes'));
    expect(at).toBeLessThan(markdown.indexOf('### Resources per stack'));
    expect(at).toBeLessThan(markdown.indexOf('## Monthly cost of the agents'));
    expect(costTable).toContain(
      '| agent type | change | base | head | min difference | max difference |',
    );
  });

  it('shows a raised maximum on a priced pool as a higher maximum, the minimum unchanged', () => {
    // 2 to 4, then 8, replicas of 1/8 of an r7i.xlarge ($0.2646/h) at the most.
    expect(row('`dispatcher`')).toBe(
      '| `dispatcher` | changed | $36.79 – $96.58 · us-east 2–4 | $36.79 – $193.16 · us-east 2–8 | $0.00 | +$96.58 |',
    );
  });

  it('shows an agent type removed as a saving', () => {
    expect(row('`metadata-extraction`')).toBe(
      '| `metadata-extraction` | removed | $9.20 – $24.14 · us-east 1–2 | — | −$9.20 | −$24.14 |',
    );
  });

  it('shows an agent type added on an unpriced pool as no price, never $0.00', () => {
    const added = row('`reporting`');
    expect(added).toBe(
      '| `reporting` | added | — | no price (on-prem/edge pool) · nebraska 1–6 | no price | no price |',
    );
    expect(added).not.toContain('$0.00');
  });

  it('prices a maximum the pools cannot reach at what they hold, and says so', () => {
    // us-east's gpu pool holds 4 g5.2xlarge nodes of 1 GPU: a maximum of 10 costs what 4 do.
    expect(row('`gpu-inference`')).toBe(
      '| `gpu-inference` | changed | $1,315.46 – $5,261.84 · us-east 1–4; eu-west 1–4 | $1,315.46 – $5,261.84 · us-east min 1, max 10 (4 reachable); eu-west 1–4 | $0.00 | $0.00 |',
    );
    const gpu = headCost.agents.find((agent) => agent.agent === 'gpu-inference');
    expect(gpu?.sites[0]).toMatchObject({
      site: 'us-east',
      maxReplicas: 4,
      declaredMaxReplicas: 10,
      maxMonthly: 4 * 1.212 * 730,
    });
  });

  it('totals base and head, counts the agent types without a price, and signs the difference', () => {
    expect(row('**total**')).toBe(
      '| **total** |  | **$2,045.97 – $11,934.33** | **$2,036.77 – $12,006.77** (no price for 1 agent type(s)) | **−$9.20** | **+$72.43** |',
    );
    const diff = diffCost(baseCost, headCost);
    // −$9.20 metadata-extraction; +$96.58 dispatcher − $24.14 metadata-extraction.
    expect(diff.minDifference).toBeCloseTo(headCost.minMonthly - baseCost.minMonthly, 6);
    expect(diff.maxDifference).toBeCloseTo(96.579 - 24.1447, 2);
    expect(diff.agents.map((c) => `${c.agent} ${c.change}`)).toEqual([
      'dispatcher changed',
      'reporting added',
      'gpu-inference changed',
      'metadata-extraction removed',
    ]);
  });

  it('leaves agent types whose cost does not change out', () => {
    expect(costTable).not.toContain('`image-processing`');
    expect(diffCost(baseCost, baseCost)).toMatchObject({
      agents: [],
      minDifference: 0,
      maxDifference: 0,
    });
    const same = review(base, base);
    expect(same).toContain('No agent type costs more or less.');
  });

  it('prices an environment the base does not have, or the head removes, against nothing', () => {
    const added = diffCost(undefined, headCost);
    expect(added.agents.every((c) => c.change === 'added')).toBe(true);
    expect(added.maxDifference).toBeCloseTo(headCost.maxMonthly, 6);
    const removed = diffCost(baseCost, undefined);
    expect(removed.minDifference).toBeCloseTo(-baseCost.minMonthly, 6);
  });

  it('is not compared when the base records nothing to price', () => {
    const older = tempDir('fleet-review-cost-older');
    fs.cpSync(base, older, { recursive: true });
    const fleetFile = path.join(older, 'fleet.json');
    const fleet = JSON.parse(fs.readFileSync(fleetFile, 'utf8'));
    for (const report of Object.values<any>(fleet.environments)) delete report.sites;
    fs.writeFileSync(fleetFile, JSON.stringify(fleet));
    expect(review(branch, older)).toContain(
      "Not compared: the base's fleet.json does not record what pricing reads (must have required property 'sites').",
    );
  });

  it('is not there without a base', () => {
    expect(review(branch)).not.toContain('### Monthly cost: base → head');
  });
});

describe('the detailed cost section', () => {
  const head = markdown.slice(markdown.indexOf('## Monthly cost of the agents'));
  const line = (text: string, name: string) =>
    text.split('\n').find((l) => l.startsWith(`| ${name} |`)) ?? `no row ${name}`;

  it('says no price for an agent type on unpriced pools only, with the reason', () => {
    expect(line(head, '`reporting`')).toBe(
      '| `reporting` | no price | no price | nebraska: on-prem/edge pool, no price |',
    );
  });

  it('adds the sites without a price to a partly priced agent type', () => {
    expect(line(head, '`ledger`')).toMatch(
      /^\| `ledger` \| \$18\.40 \+ no price for nebraska \| \$48\.29 \+ no price for nebraska \| /,
    );
  });

  it('counts the agent types without a price in the total', () => {
    expect(line(head, '**total**')).toMatch(
      /^\| \*\*total\*\* \| \*\*\$2,036\.77\*\* \| \*\*\$12,006\.77\*\* \| no price for 1 of 11 agent type\(s\): `reporting`; partly priced: /,
    );
  });

  it('says no price, not $0.00, for an environment without prices', () => {
    const out = tempDir('fleet-review-cost-local');
    runReview({ synth: synthesize(REPO, ['local']), out });
    const local = fs.readFileSync(path.join(out, 'local.md'), 'utf8');
    const section = local.slice(local.indexOf('## Monthly cost of the agents'));
    expect(line(section, '**total**')).toMatch(
      /^\| \*\*total\*\* \| \*\*no price\*\* \| \*\*no price\*\* \| no price for 9 of 9 agent type\(s\): /,
    );
    expect(section.slice(0, section.indexOf('## Topology'))).not.toContain('$0.00');
  });
});
