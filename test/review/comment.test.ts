import * as fs from 'fs';
import * as path from 'path';
import { FleetDocument } from '../../app/fleet-report';
import {
  COMMENT_LIMIT,
  GITHUB_COMMENT_LIMIT,
  omitted,
  renderComment,
  renderComments,
} from '../../review/comment';
import { fleetCost, loadPrices } from '../../review/cost';
import { diffCost } from '../../review/cost-diff';
import { EnvironmentReview, renderReview } from '../../review/markdown';
import { parseReviewArgs, runReview } from '../../review/review';
import { tempDir } from '../support/temp-dir';
import { projectCopy, REPO, replaceOnce, synthesize } from './support';

const ARTIFACT_URL = 'https://github.com/example/agent-fleet/actions/runs/123';

// The base is prod as it is; the branch drops metadata-extraction (nothing
// reads its queue any more), moves reporting to the on-prem datacenter and
// raises dispatcher's maximum.
const base = synthesize(REPO, ['prod']);
const branch = synthesize(
  projectCopy((file, text) => {
    if (file !== 'prod.yaml') return text;
    let edited = replaceOnce(
      text,
      '  reporting:\n    sites:\n      us-east: {}\n',
      '  reporting:\n    sites:\n      nebraska: {}\n',
    );
    edited = replaceOnce(edited, '  metadata-extraction:\n    sites:\n      us-east: {}\n', '');
    return replaceOnce(
      edited,
      '  dispatcher:\n    sites:\n      us-east: {}\n',
      '  dispatcher:\n    sites:\n      us-east:\n        scaling: { maxReplicas: 8 }\n',
    );
  }),
  ['prod'],
);
const out = tempDir('fleet-review-comment');
const files = runReview({ synth: branch, base, out, artifactUrl: ARTIFACT_URL });
const read = (file: string) => fs.readFileSync(path.join(out, file), 'utf8');
const comment = read('prod.comment.md');

/** Whether every ``` fence opened is closed: fence lines come in pairs. */
function fencesClosed(markdown: string): boolean {
  let open: string | undefined;
  for (const line of markdown.split('\n')) {
    const fence = /^\s*(`{3,})/.exec(line)?.[1];
    if (!fence) continue;
    if (open === undefined) open = fence;
    else if (fence.length >= open.length && line.trim() === fence) open = undefined;
  }
  return open === undefined;
}

describe('the pull-request comment of the example outputs', () => {
  it('is written beside each review, with one comment for all environments', () => {
    expect(files.map((file) => path.basename(file))).toEqual([
      'prod.md',
      'prod.comment.md',
      'comment.md',
    ]);
    expect(read('comment.md')).toBe(comment);
  });

  it('holds the consequences, the cost difference and the changed agents, then the link', () => {
    expect(comment).toMatch(/^# Fleet plan review: `prod`\n\nProduction\. /);
    const review = read('prod.md');
    const consequences = review.slice(
      review.indexOf('## What this change will do'),
      review.indexOf('## What changes'),
    );
    expect(consequences).toContain('nothing reads');
    expect(comment).toContain(consequences);
    const cost = review.slice(
      review.indexOf('### Monthly cost: base → head'),
      review.indexOf('### Simulated scaling: base → head'),
    );
    expect(cost).toContain('| `dispatcher` | changed |');
    expect(comment).toContain(cost.trimEnd());
    const agents = review.slice(review.indexOf('### Agents'), review.indexOf('### Monthly cost'));
    expect(agents).toContain('- agent type removed: `metadata-extraction`');
    expect(comment).toContain(agents.trimEnd());
    expect(comment.indexOf('## What this change will do')).toBeLessThan(
      comment.indexOf('### Monthly cost'),
    );
    expect(comment.indexOf('### Monthly cost')).toBeLessThan(comment.indexOf('### Agents'));
    expect(comment).not.toContain('### Resources per stack');
    expect(comment).not.toContain('## Topology');
    expect(comment.trimEnd().split('\n').pop()).toBe(
      `The full review: \`prod.md\` in the [\`plan-review\` artifact of this run](${ARTIFACT_URL}).`,
    );
    expect(comment).not.toContain('(see the full review)');
  });

  it('is the title, a summary and the link without a base', () => {
    const alone = synthesize(REPO, ['local']);
    const text = readComment(alone);
    expect(text.split('\n\n')).toEqual([
      '# Fleet plan review: `local`',
      expect.stringMatching(/^\d+ site\(s\), .* stack\(s\)\.$/),
      'The full review: `local.md` in the [`plan-review` artifact of this run](https://example.com/run).\n',
    ]);
  });

  it('names the artifact without a URL', () => {
    const review: EnvironmentReview = { environment: 'prod', prices: loadPrices() };
    expect(renderComment(review)).toBe(
      '# Fleet plan review: `prod`\n\nThis branch removes the environment: every one of its stacks is destroyed.\n\nThe full review: `prod.md` in the `plan-review` artifact of this run.\n',
    );
  });
});

function readComment(synth: string): string {
  const dir = tempDir('fleet-review-comment-alone');
  runReview({ synth, out: dir, artifactUrl: 'https://example.com/run' });
  return fs.readFileSync(path.join(dir, 'comment.md'), 'utf8');
}

describe('a comment for a large change', () => {
  const prices = loadPrices();
  const document = JSON.parse(
    fs.readFileSync(path.join(branch, 'fleet.json'), 'utf8'),
  ) as FleetDocument;
  const fleet = document.environments.prod;
  const cost = fleetCost(fleet, prices);
  // 1000 agent types added, each priced as one of prod's, and a consequence
  // and a change with a fenced block each.
  const names = Array.from({ length: 1000 }, (_, i) => `agent-type-${i}`);
  const many = {
    agents: names.map((agent, i) => ({ ...cost.agents[i % cost.agents.length], agent })),
    minMonthly: cost.minMonthly * 100,
    maxMonthly: cost.maxMonthly * 100,
  };
  const fenced = (i: number) =>
    `\`${names[i]}\` rolls its broker:\n\n  \`\`\`yaml\n  ${'users: [a, b, c]\n  '.repeat(5)}\`\`\``;
  const review: EnvironmentReview = {
    environment: 'prod',
    fleet,
    prices,
    changes: {
      fleet: {
        typesAdded: names,
        typesRemoved: [],
        placementsAdded: [],
        placementsRemoved: [],
        changed: names.map((agent, i) => ({
          agent,
          site: 'us-east',
          changes: [`bounds 1–4 → 1–8\n\n  \`\`\`text\n  ${fenced(i)}\n  \`\`\``],
        })),
      },
      stacks: [],
      consequences: names.map((_, i) => ({ kind: 'broker-roll' as const, sentence: fenced(i) })),
      cost: diffCost(undefined, many),
    },
  };
  const text = renderComment(review, { artifactUrl: ARTIFACT_URL });

  it('is far larger as a full review', () => {
    expect(renderReview(review).length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
  });

  it('stays under the limit and closes every fence it opens', () => {
    expect(text.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(text.length).toBeGreaterThan(COMMENT_LIMIT - 2000);
    expect(fencesClosed(text)).toBe(true);
    const small = renderComment(review, { limit: 5000 });
    expect(small.length).toBeLessThanOrEqual(5000);
    expect(fencesClosed(small)).toBe(true);
  });

  it('says how many rows of each section were left out', () => {
    const counts = [...text.matchAll(/^… and (\d+) more \(see the full review\)$/gm)].map((m) =>
      Number(m[1]),
    );
    expect(counts.length).toBe(3);
    const consequences = text.split('## What changes')[0];
    const kept = consequences.split('\n').filter((line) => line.startsWith('- `agent-type-'));
    expect(kept.length).toBeGreaterThan(0);
    expect(consequences).toContain(omitted(1000 - kept.length));
    const rows = text.split('\n').filter((line) => line.startsWith('| `agent-type-')).length;
    expect(counts[1]).toBe(1000 - rows);
    const agents = text.slice(text.indexOf('### Agents')).split('\n');
    expect(counts[2]).toBe(2000 - agents.filter((line) => line.startsWith('- ')).length);
    // The cost table keeps its total row, and the omission line is not one of its rows.
    expect(text).toMatch(/\| \*\*total\*\* \|[^\n]*\n\n… and \d+ more/);
  });

  it('keeps the title, the summary and the link', () => {
    expect(text).toMatch(/^# Fleet plan review: `prod`\n\nProduction\. /);
    expect(text).toContain(`](${ARTIFACT_URL}).\n`);
    expect(renderComment(review, { limit: 10 })).toContain('`plan-review` artifact');
  });

  it('shares the limit between environments in one comment', () => {
    const other = renderComment({ ...review, environment: 'staging' }, { limit: Infinity });
    const all = renderComments([
      review,
      { ...review, environment: 'staging' },
      { environment: 'gone', prices },
    ]);
    expect(other.length).toBeGreaterThan(COMMENT_LIMIT);
    expect(all.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(fencesClosed(all)).toBe(true);
    expect(all.match(/^# Fleet plan review: .*$/gm)).toEqual([
      '# Fleet plan review: `staging`',
      '# Fleet plan review: `prod`',
      '# Fleet plan review: `gone`',
    ]);
    expect(all).toContain('# Fleet plan review: `gone`\n\nThis branch removes the environment');
  });
});

describe('--artifact-url', () => {
  it('is an optional flag of npm run review, with the others kept', () => {
    expect(parseReviewArgs(['--base', 'b', `--artifact-url=${ARTIFACT_URL}`])).toEqual({
      base: 'b',
      artifactUrl: ARTIFACT_URL,
    });
    expect(parseReviewArgs(['--synth', 's', '--out', 'o'])).toEqual({ synth: 's', out: 'o' });
  });

  it('refuses what is not an http(s) URL a link can hold', () => {
    for (const url of ['javascript:alert(1)', 'https://x/a)b', 'https://x y']) {
      expect(() =>
        runReview({ synth: branch, out: tempDir('fleet-review-url'), artifactUrl: url }),
      ).toThrow(`--artifact-url '${url}' is not an http(s) URL\nusage: npm run review`);
    }
    expect(() => parseReviewArgs(['--artifact-url'])).toThrow('--artifact-url needs a URL');
  });
});
