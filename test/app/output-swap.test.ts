import * as fs from 'fs';
import * as path from 'path';
import { OUTPUT_STAMP, SWAP_HOOK_ENV, SwapPoint } from '../../app/output-dir';
import { eventually } from '../support/poll';
import { spawnMain } from '../support/project';
import {
  cloneProject,
  Config,
  leftovers,
  Outputs,
  setConfig,
  synthesizeOutputs,
  wholeOutput,
} from './output-fixture';

let outputs: Outputs;
beforeAll(async () => {
  outputs = await synthesizeOutputs();
}, 300_000);

/** A project holding output A (a link to a directory), configured for B. */
function projectOnA(): string {
  const root = cloneProject(outputs.template);
  setConfig(root, 'B');
  return root;
}

/** {@link projectOnA} as a checkout from before the link: `cdktf.out` a directory, without stamp. */
function projectOnLegacyA(): string {
  const root = projectOnA();
  const outdir = path.join(root, 'cdktf.out');
  const target = fs.readlinkSync(outdir);
  fs.rmSync(outdir);
  fs.renameSync(path.join(root, target), outdir);
  fs.rmSync(path.join(outdir, OUTPUT_STAMP));
  return root;
}

/** What a leftover beside `cdktf.out` is, by name: the previous output, a staging directory, a link. */
function kinds(root: string, previous: string): string[] {
  return leftovers(root).map((name) =>
    name === previous
      ? 'previous output'
      : name.endsWith('.link')
        ? 'link'
        : name.endsWith('.adopted')
          ? 'moved-aside output'
          : 'staging',
  );
}

describe('a synth killed inside the swap (SIGKILL at each point)', () => {
  it('leaves the old output or the new one, whole, and the next synth sweeps what is left', async () => {
    const expected: Record<string, { state: Config; left: string[] }> = {
      begun: { state: 'A', left: ['staging'] },
      staged: { state: 'A', left: ['staging'] },
      linked: { state: 'A', left: ['link', 'staging'] },
      flipped: { state: 'B', left: ['previous output'] },
      swept: { state: 'B', left: [] },
    };
    const previous = fs.readlinkSync(path.join(outputs.template, 'cdktf.out'));
    const found = Object.fromEntries(
      await Promise.all(
        Object.keys(expected).map(async (point) => {
          const root = projectOnA();
          const killed = await spawnMain(root, ['local'], {
            [SWAP_HOOK_ENV]: `${point}:kill`,
          }).done;
          expect({ point, signal: killed.signal }).toEqual({ point, signal: 'SIGKILL' });
          const after = {
            state: wholeOutput(outputs, root, `killed at ${point}`),
            left: kinds(root, previous).sort(),
          };
          const next = await spawnMain(root, ['local']).done;
          expect({ point, status: next.status, stderr: next.stderr }).toEqual({
            point,
            status: 0,
            stderr: '',
          });
          expect(wholeOutput(outputs, root, `the synth after a kill at ${point}`)).toBe('B');
          expect({ point, left: leftovers(root) }).toEqual({ point, left: [] });
          return [point, after] as const;
        }),
      ),
    );
    expect(found).toEqual(expected);
  }, 300_000);

  it('on a directory cdktf.out, killed between moving it aside and linking it, the next synth links it back first', async () => {
    const root = projectOnLegacyA();
    const killed = await spawnMain(root, ['local'], {
      [SWAP_HOOK_ENV]: 'moved-aside:kill',
    }).done;
    expect(killed.signal).toBe('SIGKILL');
    // The one moment without cdktf.out: the old output waits under another name.
    expect(fs.existsSync(path.join(root, 'cdktf.out'))).toBe(false);
    expect(kinds(root, '').sort()).toEqual(['moved-aside output', 'staging']);

    // The next synth's first step restores it, even when killed right after.
    const next = await spawnMain(root, ['local'], { [SWAP_HOOK_ENV]: 'begun:kill' }).done;
    expect(next.signal).toBe('SIGKILL');
    expect(fs.lstatSync(path.join(root, 'cdktf.out')).isSymbolicLink()).toBe(true);
    expect(wholeOutput(outputs, root, 'after the restore', { allowUnstamped: true })).toBe('A');

    const last = await spawnMain(root, ['local']).done;
    expect(last.status).toBe(0);
    expect(wholeOutput(outputs, root, 'the synth after')).toBe('B');
    expect(leftovers(root)).toEqual([]);
  }, 300_000);
});

describe('a synth interrupted by SIGINT or SIGTERM', () => {
  const cases: {
    point: SwapPoint;
    signal: NodeJS.Signals;
    legacy?: boolean;
    status: number;
    state: Config;
  }[] = [
    { point: 'begun', signal: 'SIGTERM', status: 143, state: 'A' },
    { point: 'staged', signal: 'SIGINT', status: 130, state: 'A' },
    { point: 'linked', signal: 'SIGTERM', status: 143, state: 'A' },
    { point: 'flipped', signal: 'SIGINT', status: 130, state: 'B' },
    { point: 'moved-aside', signal: 'SIGTERM', status: 143, state: 'A', legacy: true },
  ];

  it('removes its staging directory and leaves the old output or the new one, whole', async () => {
    await Promise.all(
      cases.map(async ({ point, signal, legacy, status, state }) => {
        const root = legacy ? projectOnLegacyA() : projectOnA();
        const run = spawnMain(root, ['local'], { [SWAP_HOOK_ENV]: `${point}:wait` });
        await eventually(
          async () => run.stderr(),
          (stderr) => stderr.includes(`waiting at ${point}`),
          {
            what: `stderr of a synth to stop at ${point}`,
            expected: 'the hook',
            timeoutMs: 180_000,
            intervalMs: 50,
          },
        );
        run.child.kill(signal);
        const result = await run.done;
        const verdict = state === 'A' ? 'is as it was' : "holds this synth's output";
        expect({
          point,
          status: result.status,
          stderr: result.stderr.trim().split('\n').pop(),
        }).toEqual({
          point,
          status,
          stderr: `synth interrupted by ${signal}: cdktf.out ${verdict}`,
        });
        expect(
          wholeOutput(outputs, root, `${signal} at ${point}`, { allowUnstamped: legacy }),
        ).toBe(state);
        expect({ point, left: leftovers(root) }).toEqual({ point, left: [] });
      }),
    );
  }, 300_000);

  it('while the app synthesizes, ends without a staging directory, before publishing as a rule', async () => {
    const root = projectOnA();
    const run = spawnMain(root, ['local']);
    // The staging directory appears when the synth begins, before the app runs.
    await eventually(
      async () => leftovers(root),
      (left) => left.length > 0,
      {
        what: 'a staging directory beside cdktf.out',
        expected: 'one',
        timeoutMs: 180_000,
        intervalMs: 5,
      },
    );
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.status).toBe(143);
    // The signal is handled before the swap; on a busy machine its event may
    // reach the event loop only after it, and the output is then the new one.
    const state = wholeOutput(outputs, root, 'SIGTERM while synthesizing');
    const verdict = state === 'A' ? 'is as it was' : "holds this synth's output";
    expect(result.stderr.trim()).toBe(`synth interrupted by SIGTERM: cdktf.out ${verdict}`);
    expect(leftovers(root)).toEqual([]);
  }, 300_000);
});

describe(SWAP_HOOK_ENV, () => {
  it('refuses an unknown point in one line', async () => {
    const root = projectOnA();
    const result = await spawnMain(root, ['local'], { [SWAP_HOOK_ENV]: 'halfway:kill' }).done;
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      `${SWAP_HOOK_ENV}='halfway:kill': use <point>:kill or <point>:wait, with a point among begun, staged, moved-aside, linked, flipped, swept`,
    );
    expect(leftovers(root)).toEqual([]);
  }, 60_000);
});
