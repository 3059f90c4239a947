import * as fs from 'fs';
import * as path from 'path';
import { consequences } from '../../review/consequences';
import { diffStacks, StackDiff } from '../../review/diff';
import { MOVES_EXPLAINED } from '../../review/markdown';
import { runReview } from '../../review/review';
import { grouped } from '../support/edited-examples';
import { tempDir } from '../support/temp-dir';
import { loadEnvironments, REPO, section, synthesizeEnvironments } from './support';

// `reporting` on the example `local` environment leaves the default agents
// stack for the group `batch`: with `movedFrom`, and without it.

const [local] = loadEnvironments(REPO, ['local']);

const base = synthesizeEnvironments([local]);
const moved = synthesizeEnvironments([
  grouped(local, { reporting: { group: 'batch', movedFrom: 'default' } }),
]);

/** The review of `local` between two outputs. */
function review(synth: string, baseDir: string): string {
  const out = tempDir('fleet-review-moves');
  runReview({ synth, base: baseDir, out });
  return fs.readFileSync(path.join(out, 'local.md'), 'utf8');
}

/** A stack's `removed` and `import` blocks, as synth wrote them. */
function blocksOf(
  dir: string,
  stack: string,
): { removed?: { from: string }[]; import?: { to: string; id: string }[] } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
}

describe('an agent moved between agents stacks', () => {
  const markdown = review(moved, base);
  const imports = blocksOf(moved, 'local-dev-agents-batch').import ?? [];

  it('says the move, with the resources forgotten by one stack and imported by the other', () => {
    expect(imports.length).toBeGreaterThan(3);
    // Its dashboard leaves the platform stack, which holds the default group's.
    expect(blocksOf(moved, 'local-dev-agents').removed).toHaveLength(imports.length - 1);
    expect(blocksOf(moved, 'local-dev-platform').removed).toHaveLength(1);
    expect(section(markdown, '## What this change will do')).toBe(
      `\n- \`reporting\` on \`dev\` moves from stack \`local-dev-agents\` to \`local-dev-agents-batch\`: ${imports.length} resources forgotten by the one and imported by the other (its dashboard from \`local-dev-platform\` to \`local-dev-agents-batch\`), nothing destroyed.\n\n`,
    );
  });

  it('lists no resource of the agent as destroyed or created, and warns of nothing', () => {
    const resources = section(markdown, '### Resources per stack');
    expect(resources).not.toMatch(/^- (destroy|add|replace) `[a-z_0-9]+\.reporting_/m);
    expect(resources).toMatch(
      /^- forget `kubernetes_deployment_v1\.reporting_Workload_[0-9A-F]+`$/m,
    );
    expect(resources).toMatch(
      /^- import `kubernetes_deployment_v1\.reporting_Workload_[0-9A-F]+` by id `reporting\/reporting`$/m,
    );
    expect(resources).toContain(
      '| stack | added | changed | replaced | destroyed | imported | forgotten |',
    );
    expect(resources).toContain(
      `| \`local-dev-agents\` | 0 | 0 | 0 | 0 | 0 | ${imports.length - 1} |`,
    );
    expect(resources).toContain('| `local-dev-platform` | 0 | 0 | 0 | 0 | 0 | 1 |');
    // The new stack adds only its backend and provider.
    expect(resources).toContain(
      `| \`local-dev-agents-batch\` (stack added) | 2 | 0 | 0 | 0 | ${imports.length} | 0 |`,
    );
    expect(resources).toContain(MOVES_EXPLAINED);
    expect(markdown).not.toContain('[!WARNING]');
  });

  it('classifies every forgotten and imported resource in the stack diff', () => {
    const [main, batch] = diffStacks(stacksOf(base), stacksOf(moved), [
      'local-dev-agents',
      'local-dev-agents-batch',
    ]);
    expect(main.changes.map((c) => c.action)).toEqual(imports.slice(1).map(() => 'forget'));
    const imported = batch.changes.filter((c) => c.action === 'import');
    expect(imported.map((c) => [c.address, c.importId]).sort()).toEqual(
      imports.map((block) => [block.to, block.id]).sort(),
    );
    expect(
      batch.changes
        .filter((c) => c.action === 'add')
        .map((c) => c.address)
        .sort(),
    ).toEqual(['provider.kubernetes', 'terraform.backend.local']);
  });

  it('counts each agent of several moved between the same two stacks on its own', () => {
    const both = synthesizeEnvironments([
      grouped(local, {
        reporting: { group: 'batch', movedFrom: 'default' },
        forecasting: { group: 'batch', movedFrom: 'default' },
      }),
    ]);
    const lines = section(review(both, base), '## What this change will do').trim().split('\n');
    const counts = lines.map((line) => {
      const match =
        /^- `(\w+)` on `dev` moves from stack `local-dev-agents` to `local-dev-agents-batch`: (\d+) resources forgotten by the one and imported by the other \(its dashboard from `local-dev-platform` to `local-dev-agents-batch`\), nothing destroyed\.$/.exec(
          line,
        );
      if (!match) throw new Error(`not a move: ${line}`);
      return [match[1], Number(match[2])] as const;
    });
    expect(counts.map(([agent]) => agent)).toEqual(['reporting', 'forecasting']);
    expect(counts[0][1]).toBe(imports.length);
    const all = blocksOf(both, 'local-dev-agents-batch').import ?? [];
    expect(counts[0][1] + counts[1][1]).toBe(all.length);
    expect(
      all.filter((block) => /\.(forecasting_|Dashboard-forecasting$)/.test(block.to)),
    ).toHaveLength(counts[1][1]);
  });
});

describe('an agent given another group without movedFrom', () => {
  const inBatch = synthesizeEnvironments([grouped(local, { reporting: { group: 'batch' } })]);

  it('is destroyed in the old stack and created in the new one, with how to make it a move', () => {
    const markdown = review(inBatch, base);
    const [line, ...others] = section(markdown, '## What this change will do').trim().split('\n');
    expect(others).toEqual([]);
    expect(line).toMatch(
      /^- `reporting` on `dev` moves from stack `local-dev-agents` to `local-dev-agents-batch` without `stack\.movedFrom`: its (\d+) resources are destroyed in `local-dev-agents` and created anew in `local-dev-agents-batch`, so the agent stops in between, and `local-dev-agents-batch` cannot create what `local-dev-agents` has not destroyed yet\. To move them instead, set `stack\.movedFrom: default` on it for one deployment: `local-dev-agents` then forgets them and `local-dev-agents-batch` imports them\.$/,
    );
    const resources = section(markdown, '### Resources per stack');
    expect(resources).toMatch(/^- destroy `kubernetes_deployment_v1\.reporting_Workload_/m);
    expect(resources).toMatch(/^- add `kubernetes_deployment_v1\.reporting_Workload_/m);
    expect(resources).not.toMatch(/^- (forget|import) /m);
    expect(resources).toContain('| stack | added | changed | replaced | destroyed |\n');
    expect(resources).not.toContain(MOVES_EXPLAINED);
  });

  it('names the group it leaves when that is not the default one', () => {
    const markdown = review(base, inBatch);
    expect(section(markdown, '## What this change will do')).toMatch(
      /^- `reporting` on `dev` moves from stack `local-dev-agents-batch` to `local-dev-agents` without `stack\.movedFrom`: .* set `stack\.movedFrom: batch` on it for one deployment: /m,
    );
  });

  it('is said before other consequences, and a move that destroys nothing after them', () => {
    const stacks: StackDiff[] = [
      {
        stack: 'e-s-agents',
        changes: [resource('e-s-agents', 'destroy'), resource('e-s-agents', 'forget', 'b')],
      },
      {
        stack: 'e-s-agents-g',
        status: 'added',
        changes: [resource('e-s-agents-g', 'add'), resource('e-s-agents-g', 'import', 'b')],
      },
    ];
    const agent = (name: string, stack: string, signals: string[]) => ({
      agent: name,
      site: 's',
      stack,
      minReplicas: 1,
      maxReplicas: 2,
      autoscaler: 'hpa',
      signals,
      placement: { kind: 'pools' as const, pools: ['general'], gpu: 0, spot: 'never' as const },
      requests: { cpuMillis: 100, memoryMiB: 128, gpu: 0 },
    });
    const list = consequences(
      {
        environment: 'e',
        agents: [agent('a', 'e-s-agents', ['cpu 60%']), agent('b', 'e-s-agents', ['cpu 60%'])],
      },
      {
        environment: 'e',
        agents: [agent('a', 'e-s-agents-g', ['cpu 70%']), agent('b', 'e-s-agents-g', ['memory'])],
      },
      stacks,
    );
    expect(list.map((c) => c.kind)).toEqual(['agent-recreated', 'scaling-meaning', 'agent-moved']);
    expect(list[0].sentence).toContain('its 1 resource is destroyed');
    expect(list[2].sentence).toBe(
      '`b` on `s` moves from stack `e-s-agents` to `e-s-agents-g`: 1 resource forgotten by the one and imported by the other, nothing destroyed.',
    );
  });
});

describe('removed and import blocks in the stack diff', () => {
  const deployment = { kubernetes_deployment_v1: { d: { metadata: { name: 'x' } } } };

  it('destroys what a removed block drops unless it says destroy = false', () => {
    const before = new Map([['s', { resource: deployment }]]);
    const actions = (removed: unknown[]) =>
      diffStacks(before, new Map([['s', { removed }]]), ['s'])[0].changes.map((c) => c.action);
    expect(
      actions([{ from: 'kubernetes_deployment_v1.d', lifecycle: { destroy: false } }]),
    ).toEqual(['forget']);
    expect(actions([{ from: 'kubernetes_deployment_v1.d', lifecycle: { destroy: true } }])).toEqual(
      ['destroy'],
    );
    expect(actions([{ from: 'kubernetes_deployment_v1.d' }])).toEqual(['destroy']);
    expect(
      actions([{ from: 'kubernetes_deployment_v1.other', lifecycle: { destroy: false } }]),
    ).toEqual(['destroy']);
  });

  it('imports only what is new in the stack', () => {
    const imports = [{ to: 'kubernetes_deployment_v1.d', id: 'ns/x' }];
    expect(
      diffStacks(
        new Map([['s', {}]]),
        new Map([['s', { resource: deployment, import: imports }]]),
        ['s'],
      )[0].changes,
    ).toEqual([expect.objectContaining({ action: 'import', importId: 'ns/x' })]);
    // Already in the stack: the block does nothing.
    const same = new Map([['s', { resource: deployment }]]);
    expect(
      diffStacks(same, new Map([['s', { resource: deployment, import: imports }]]), ['s']),
    ).toEqual([]);
  });
});

describe('reading removed and import blocks', () => {
  it('refuses a stack whose removed block is not what synth writes', () => {
    const dir = path.join(tempDir('fleet-review-moves-input'), 'cdktf.out');
    fs.cpSync(moved, dir, { recursive: true });
    const file = path.join(dir, 'stacks/local-dev-agents/cdk.tf.json');
    const stack = JSON.parse(fs.readFileSync(file, 'utf8'));
    stack.removed[0].from = 5;
    fs.writeFileSync(file, JSON.stringify(stack));
    expect(() => runReview({ synth: dir, base, out: tempDir('fleet-review-out') })).toThrow(
      `--synth '${dir}': stacks/local-dev-agents/cdk.tf.json is not what synth writes: /removed/0/from must be string`,
    );
  });
});

/** Every stack's Terraform JSON of an output, by id. */
function stacksOf(dir: string): Map<string, Record<string, unknown>> {
  const stacks = new Map<string, Record<string, unknown>>();
  for (const id of fs.readdirSync(path.join(dir, 'stacks'))) {
    stacks.set(
      id,
      JSON.parse(fs.readFileSync(path.join(dir, 'stacks', id, 'cdk.tf.json'), 'utf8')),
    );
  }
  return stacks;
}

/** A change of one Kubernetes deployment, `<agent>_Workload`, of agent `a` unless named. */
function resource(stack: string, action: StackDiff['changes'][number]['action'], agent = 'a') {
  return {
    stack,
    address: `kubernetes_deployment_v1.${agent}_Workload`,
    type: 'kubernetes_deployment_v1',
    path: `${stack}/${agent}/Workload`,
    action,
    attributes: [],
    stateful: false,
  };
}
