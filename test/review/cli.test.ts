import * as fs from 'fs';
import * as path from 'path';
import { runMain } from '../support/project';
import { tempDir } from '../support/temp-dir';
import { runTypeScript } from '../support/typescript-process';
import { projectCopy, REPO } from './support';

// `npm run synth` once, as CI runs it, into a project copy: main.ts writes fleet.json.
const root = projectCopy();
const synth = runMain(root, ['staging']);

function review(...args: string[]) {
  return runTypeScript(path.join(REPO, 'scripts/review.ts'), args, { cwd: root });
}

describe('npm run review', () => {
  it('reviews cdktf.out into review-out/ by default', () => {
    expect(synth.status).toBe(0);
    expect(fs.existsSync(path.join(root, 'cdktf.out/fleet.json'))).toBe(true);
    const result = review();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(`wrote ${path.join('review-out', 'staging.md')}`);
    expect(fs.readFileSync(path.join(root, 'review-out/staging.md'), 'utf8')).toContain(
      '| `gpu-inference` | eu | gpu (1 GPU) | 1–4 | keda: queue depth 10/replica |',
    );
  });

  it('takes --synth, --base and --out', () => {
    const out = tempDir('fleet-review-cli');
    const result = review('--synth', 'cdktf.out', '--base=cdktf.out', '--out', out);
    expect(result.status).toBe(0);
    expect(fs.readFileSync(path.join(out, 'staging.md'), 'utf8')).toContain('No resource changes.');
  });

  it('says clearly, without a stack trace, that --base points nowhere', () => {
    const result = review('--base', path.join(root, 'nowhere'));
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `review: --base '${path.join(root, 'nowhere')}': no such directory`,
    );
  });

  it('refuses a directory that is not a cdktf output', () => {
    const result = review('--synth', 'environments');
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      "review: --synth 'environments' is not a cdktf output: it has no manifest.json",
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses unknown options', () => {
    const result = review('--bsae', 'x');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("review: unknown argument '--bsae'");
    expect(result.stderr).toContain('usage: npm run review');
  });
});
