import * as fs from 'fs';
import * as path from 'path';
import { runReview } from '../../review/review';
import { parseMermaid } from '../support/mermaid';
import { tempDir } from '../support/temp-dir';
import { projectCopy, replaceOnce, REPO, synthesize } from './support';

// Staging as it is, and a branch that lowers image-processing's queue depth per replica from 20 to 5
// and declares a burst of 4 times what one replica handles, which both sides replay.
const baseDir = synthesize(REPO, ['staging']);
const branchDir = synthesize(
  projectCopy((file, text) =>
    file === 'staging.yaml'
      ? replaceOnce(
          text,
          '  image-processing:\n    sites:\n      eu: {}\n',
          '  image-processing:\n    sites:\n      eu:\n        scaling: { queueDepth: { perReplica: 5, activation: 1 } }\n',
        ).replace(
          '\nsites:\n',
          '\nloadProfile: { shape: burst, factor: 4, duration: 30m }\n\nsites:\n',
        )
      : text,
  ),
  ['staging'],
);
const out = tempDir('fleet-review-simulation');
runReview({ synth: branchDir, base: baseDir, out });
const review = fs.readFileSync(path.join(out, 'staging.md'), 'utf8');
const section = review.slice(
  review.indexOf('### Simulated scaling: base → head'),
  review.indexOf('### Resources per stack'),
);

describe('the review of a branch that lowers the queue depth one replica handles', () => {
  it('simulates base and head under the same burst and shows the difference for that agent only', () => {
    expect(section).toContain(
      'Both sides replay loadProfile (burst) over 6h 00m through the scaling their stacks deploy (`npm run simulate`).',
    );
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toEqual([
      '| `image-processing` | eu | 525 → 480 | 2m 30s → 2m 15s | 9 | 9 | $2.88 → $3.10 | $147.17 – $735.84 |',
    ]);
  });

  it('charts both sides of its backlog and replicas in xycharts Mermaid parses', () => {
    const charts = [...section.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]);
    expect(charts).toHaveLength(2);
    expect(charts[0]).toContain('line "backlog, base"');
    expect(charts[0]).toContain('line "backlog, head"');
    expect(charts[1]).toContain('line "replicas, head"');
    expect(parseMermaid(charts).verdicts).toEqual([
      { ok: true, type: 'xychart' },
      { ok: true, type: 'xychart' },
    ]);
  });

  it('says no agent scales differently when nothing that scales changes', () => {
    const same = tempDir('fleet-review-simulation-same');
    runReview({ synth: baseDir, base: baseDir, out: same });
    expect(fs.readFileSync(path.join(same, 'staging.md'), 'utf8')).toContain(
      '### Simulated scaling: base → head\n\nNo agent scales differently.',
    );
  });
});
