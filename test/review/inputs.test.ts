import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ReviewError } from '../../output/load';
import { ReviewOptions, runReview } from '../../review/review';
import { tempDir } from '../support/temp-dir';
import { runTypeScript } from '../support/typescript-process';
import { REPO, synthesize } from './support';

// The review reads what a pull request produces: every input is checked, with
// one line and exit 1, and it reads and writes only where it was told to.

const synthesized = synthesize(REPO, ['local']);

/** A copy of the synthesized output to break on purpose. */
function output(edit: (dir: string) => void = () => undefined): string {
  const dir = path.join(tempDir('fleet-review-input'), 'cdktf.out');
  fs.cpSync(synthesized, dir, { recursive: true });
  edit(dir);
  return dir;
}

function editJson(file: string, edit: (value: any) => unknown): void {
  const value = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, JSON.stringify(edit(value) ?? value));
}

/** `npm run review` with these arguments; a hang ends after 30 s as a failure. */
function review(...args: string[]) {
  const result = runTypeScript(path.join(REPO, 'scripts/review.ts'), args, {
    cwd: tempDir('fleet-review-cwd'),
    timeout: 30_000,
  });
  return { ...result, stderr: result.stderr.trim(), hung: result.signal === 'SIGTERM' };
}

/** The one line a refusal in process gives, prefixed as the command prints it. */
function refusal(options: ReviewOptions): string {
  try {
    runReview(options);
  } catch (error) {
    if (error instanceof ReviewError) return `review: ${error.message}`;
    throw error;
  }
  throw new Error('the review accepted it');
}

/** A refusal of the command: exit 1, one line on stderr, nothing on stdout, no stack trace. */
function expectRefused(result: ReturnType<typeof review>, line: string | RegExp): void {
  expect(result.hung).toBe(false);
  expect(result.stderr.split('\n')).toHaveLength(1);
  if (typeof line === 'string') expect(result.stderr).toBe(line);
  else expect(result.stderr).toMatch(line);
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
}

describe('the review refuses malformed reports with one line', () => {
  it('a fleet.json without environments', () => {
    const synth = output((dir) => fs.writeFileSync(path.join(dir, 'fleet.json'), '{}'));
    expectRefused(
      review('--synth', synth, '--out', tempDir('fleet-review-out')),
      `review: --synth '${synth}': fleet.json is not what synth writes: the document must have required property 'environments'`,
    );
  });

  it("an environment whose 'agents' is a string", () => {
    const synth = output((dir) =>
      editJson(path.join(dir, 'fleet.json'), (fleet) => {
        fleet.environments.local.agents = 'image-processing';
      }),
    );
    expectRefused(
      review('--synth', synth, '--out', tempDir('fleet-review-out')),
      `review: --synth '${synth}': fleet.json is not what synth writes: /environments/local/agents must be array`,
    );
  });

  it('an agent whose placement is of no known kind', () => {
    const synth = output((dir) =>
      editJson(path.join(dir, 'fleet.json'), (fleet) => {
        fleet.environments.local.agents[0].placement = { kind: 'anywhere' };
      }),
    );
    expect(refusal({ synth, out: tempDir('fleet-review-out') })).toMatch(
      /^review: --synth '.*': fleet\.json is not what synth writes: \/environments\/local\/agents\/0\/placement /,
    );
  });

  it('a broker whose users revision or nodes are not what synth writes', () => {
    const synth = output((dir) =>
      editJson(path.join(dir, 'fleet.json'), (fleet) => {
        const [broker] = fleet.environments.local.brokers;
        broker.credentials = { ...broker.credentials, revision: 'x' };
        broker.nodes = { ...broker.nodes, configRevision: null };
      }),
    );
    expect(refusal({ synth, out: tempDir('fleet-review-out') })).toBe(
      `review: --synth '${synth}': fleet.json is not what synth writes: /environments/local/brokers/0/credentials/revision must be number`,
    );
  });

  it('a guardrails.json that is a list', () => {
    const synth = output((dir) => fs.writeFileSync(path.join(dir, 'guardrails.json'), '[]'));
    expectRefused(
      review('--synth', synth, '--out', tempDir('fleet-review-out')),
      `review: --synth '${synth}': guardrails.json is not what synth writes: the document must be object`,
    );
  });

  it('a manifest.json whose stacks are not objects', () => {
    const synth = output((dir) =>
      editJson(path.join(dir, 'manifest.json'), (manifest) => {
        manifest.stacks['local-dev-agents'] = 'stacks/local-dev-agents/cdk.tf.json';
      }),
    );
    expect(refusal({ synth, out: tempDir('fleet-review-out') })).toBe(
      `review: --synth '${synth}': manifest.json is not what synth writes: /stacks/local-dev-agents must be object`,
    );
  });

  it('a stack whose resources are not objects', () => {
    const synth = output((dir) =>
      editJson(path.join(dir, 'stacks/local-dev-agents/cdk.tf.json'), (stack) => {
        stack.resource = { kubernetes_namespace_v1: { x: null } };
      }),
    );
    expect(refusal({ synth, base: synthesized, out: tempDir('fleet-review-out') })).toBe(
      `review: --synth '${synth}': stacks/local-dev-agents/cdk.tf.json is not what synth writes: /resource/kubernetes_namespace_v1/x must be object`,
    );
  });

  it('JSON nested deeper than the review walks', () => {
    const synth = output((dir) => {
      const file = path.join(dir, 'stacks/local-dev-agents/cdk.tf.json');
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      fs.writeFileSync(file, `{"locals": ${deep},${fs.readFileSync(file, 'utf8').slice(1)}`);
    });
    expect(refusal({ synth, base: synthesized, out: tempDir('fleet-review-out') })).toBe(
      `review: --synth '${synth}': stacks/local-dev-agents/cdk.tf.json nests deeper than 256 levels`,
    );
  });
});

describe('the review writes only inside --out', () => {
  it('refuses an --out that names an existing file', () => {
    const file = path.join(tempDir('fleet-review-out'), 'review.md');
    fs.writeFileSync(file, 'kept');
    expectRefused(
      review('--synth', synthesized, '--out', file),
      `review: --out '${file}' exists and is not a directory`,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('kept');
  });

  it('refuses an environment name that is not a safe file name, and writes nothing', () => {
    const synth = output((dir) =>
      editJson(path.join(dir, 'fleet.json'), (fleet) => {
        const report = fleet.environments.local;
        fleet.environments = { '../../escaped': { ...report, environment: '../../escaped' } };
      }),
    );
    const out = path.join(tempDir('fleet-review-out'), 'a', 'b');
    expect(refusal({ synth, out })).toBe(
      `review: --synth '${synth}': fleet.json is not what synth writes: the environment name '../../escaped' must be a DNS label of at most 30 characters: lowercase letters, digits and '-'`,
    );
    expect(fs.existsSync(path.join(out, '../../escaped.md'))).toBe(false);
  });

  it('replaces a link at a review file instead of writing through it', () => {
    const outside = path.join(tempDir('fleet-review-outside'), 'victim.txt');
    fs.writeFileSync(outside, 'kept');
    const out = tempDir('fleet-review-out');
    fs.symlinkSync(outside, path.join(out, 'local.md'));
    expect(runReview({ synth: synthesized, out })).toEqual([path.join(out, 'local.md')]);
    expect(fs.readFileSync(outside, 'utf8')).toBe('kept');
    expect(fs.lstatSync(path.join(out, 'local.md')).isFile()).toBe(true);
    expect(fs.readdirSync(out)).toEqual(['local.md']);
  });
});

describe('the review reads only regular files inside --synth and --base', () => {
  it('refuses a synthesizedStackPath that leads outside the output', () => {
    const synth = output((dir) => {
      fs.cpSync(
        path.join(dir, 'stacks/local-dev-agents/cdk.tf.json'),
        path.join(dir, '../outside.json'),
      );
      editJson(path.join(dir, 'manifest.json'), (manifest) => {
        manifest.stacks['local-dev-agents'].synthesizedStackPath = '../outside.json';
      });
    });
    expect(refusal({ synth, out: tempDir('fleet-review-out') })).toBe(
      `review: --synth '${synth}': ../outside.json leads outside the directory`,
    );
  });

  it('refuses a stack id that leads outside the output', () => {
    const base = output((dir) => {
      fs.mkdirSync(path.join(dir, '../x'));
      fs.cpSync(
        path.join(dir, 'stacks/local-dev-agents/cdk.tf.json'),
        path.join(dir, '../x/cdk.tf.json'),
      );
      editJson(path.join(dir, 'manifest.json'), (manifest) => {
        manifest.stacks['../../x'] = {};
      });
    });
    expect(refusal({ synth: synthesized, base, out: tempDir('fleet-review-out') })).toBe(
      `review: --base '${base}': ../x/cdk.tf.json leads outside the directory`,
    );
  });

  it('refuses a symbolic link that leads outside the output', () => {
    const synth = output((dir) => {
      const stack = path.join(dir, 'stacks/local-dev-agents/cdk.tf.json');
      fs.renameSync(stack, path.join(dir, '../elsewhere.json'));
      fs.symlinkSync(path.join(dir, '../elsewhere.json'), stack);
    });
    expect(refusal({ synth, out: tempDir('fleet-review-out') })).toBe(
      `review: --synth '${synth}': stacks/local-dev-agents/cdk.tf.json is a symbolic link leading outside the directory`,
    );
  });

  it('refuses /dev/zero behind a link, at once', () => {
    const synth = output((dir) => {
      fs.rmSync(path.join(dir, 'fleet.json'));
      fs.symlinkSync('/dev/zero', path.join(dir, 'fleet.json'));
    });
    expectRefused(
      review('--synth', synth, '--out', tempDir('fleet-review-out')),
      `review: --synth '${synth}': fleet.json is a symbolic link leading outside the directory`,
    );
  });

  it('refuses a FIFO, at once', () => {
    const base = output((dir) => {
      fs.rmSync(path.join(dir, 'manifest.json'));
      execFileSync('mkfifo', [path.join(dir, 'manifest.json')]);
    });
    expectRefused(
      review('--synth', synthesized, '--base', base, '--out', tempDir('fleet-review-out')),
      `review: --base '${base}': manifest.json is a FIFO, not a regular file`,
    );
  });

  it('refuses a directory where a file belongs', () => {
    const synth = output((dir) => {
      fs.rmSync(path.join(dir, 'guardrails.json'));
      fs.mkdirSync(path.join(dir, 'guardrails.json'));
    });
    expect(refusal({ synth, out: tempDir('fleet-review-out') })).toBe(
      `review: --synth '${synth}': guardrails.json is a directory, not a regular file`,
    );
  });

  it('refuses a file larger than 64 MiB without reading it', () => {
    const synth = output((dir) => fs.truncateSync(path.join(dir, 'fleet.json'), 65 * 2 ** 20));
    expect(refusal({ synth, out: tempDir('fleet-review-out') })).toBe(
      `review: --synth '${synth}': fleet.json is larger than 64 MiB`,
    );
  });
});

describe('the review compares outputs of one project only', () => {
  it("refuses as --base another project's cdktf output, which has no fleet.json", () => {
    const base = output((dir) => {
      fs.rmSync(path.join(dir, 'fleet.json'));
      fs.rmSync(path.join(dir, 'guardrails.json'));
    });
    expect(refusal({ synth: synthesized, base, out: tempDir('fleet-review-out') })).toBe(
      `review: --base '${base}' is not an output of this project: it has no fleet.json (synthesize the target branch with npm run synth)`,
    );
  });

  it('records the project of cdktf.json in fleet.json', () => {
    const cdktf = JSON.parse(fs.readFileSync(path.join(REPO, 'cdktf.json'), 'utf8'));
    const fleet = JSON.parse(fs.readFileSync(path.join(synthesized, 'fleet.json'), 'utf8'));
    expect(fleet.project).toBe(cdktf.projectId);
  });

  it('refuses as --base an output that names another project', () => {
    const synth = synthesized;
    const base = output((dir) =>
      editJson(path.join(dir, 'fleet.json'), (fleet) => ({ ...fleet, project: 'billing-infra' })),
    );
    expect(refusal({ synth, base, out: tempDir('fleet-review-out') })).toBe(
      `review: --base '${base}' is an output of project 'billing-infra', not of 'agent-fleet' as ${synth}: compare outputs of one project`,
    );
  });

  it('compares outputs that name the same project, or one that names none', () => {
    const synth = synthesized;
    const older = output((dir) =>
      editJson(path.join(dir, 'fleet.json'), (fleet) => {
        delete fleet.project;
      }),
    );
    const out = tempDir('fleet-review-out');
    for (const base of [synth, older]) {
      runReview({ synth, base, out });
      expect(fs.readFileSync(path.join(out, 'local.md'), 'utf8')).toContain('No resource changes.');
    }
  });
});

describe('the review refuses an output whose parts do not belong together', () => {
  it('a stack in manifest.json that no environment of fleet.json has', () => {
    const base = output((dir) =>
      editJson(path.join(dir, 'fleet.json'), (fleet) => {
        fleet.environments.local.stacks = ['local-dev-platform'];
      }),
    );
    expect(refusal({ synth: synthesized, base, out: tempDir('fleet-review-out') })).toBe(
      `review: --base '${base}' is not one whole output: manifest.json lists stack 'local-dev-agents', which no environment of fleet.json has`,
    );
  });
});
