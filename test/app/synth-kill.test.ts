import * as fs from 'fs';
import * as path from 'path';
import { OUTPUT_STAMP } from '../../app/output-dir';
import { spawnMain } from '../support/project';
import {
  begun,
  cloneProject,
  Config,
  leftovers,
  Outputs,
  setConfig,
  synthesizeOutputs,
  wholeOutput,
} from './output-fixture';

/** SIGKILLs to send in all, over {@link CHAINS} projects killed one synth after the other. */
const KILLS = 50;
const CHAINS = 2;

/** A small seeded generator (mulberry32), so that a failure can be replayed with KILL_SEED. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Where a killed synth was, judged from what it left beside cdktf.out. */
type Moment = 'before staging' | 'staging' | 'staged' | 'linked' | 'flipped' | 'after the swap';

function moment(root: string, pid: number, previous: string, moved: boolean): Moment {
  const own = leftovers(root).filter((name) => name.includes(`-${pid}-`));
  if (own.some((name) => name.endsWith('.link'))) return 'linked';
  if (moved) return leftovers(root).includes(previous) ? 'flipped' : 'after the swap';
  if (own.length === 0) return 'before staging';
  return own.some((name) => fs.existsSync(path.join(root, name, OUTPUT_STAMP)))
    ? 'staged'
    : 'staging';
}

let outputs: Outputs;
beforeAll(async () => {
  outputs = await synthesizeOutputs();
}, 300_000);

describe('npm run synth killed (SIGKILL) at random moments', () => {
  it('always leaves the old output or the new one, whole, and the next synth sweeps the rest', async () => {
    const seed = Number(process.env.KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const random = generator(seed);
    // A fifth of the kills at any moment from the start (mostly while
    // modules load); the others once the synth has begun, within the time a
    // synth takes from there to its end, when it writes. That time is the
    // median of the last runs left to complete for it, every tenth run of a
    // chain (the machine's load changes it).
    const timings = [outputs.stagedMs];
    const rest = () => {
      const last = timings.slice(-5).sort((a, b) => a - b);
      return last[Math.floor(last.length / 2)];
    };
    const moments: Record<Moment, number> = {
      'before staging': 0,
      staging: 0,
      staged: 0,
      linked: 0,
      flipped: 0,
      'after the swap': 0,
    };
    const outcome = { kills: 0, old: 0, new: 0, completed: 0 };

    await Promise.all(
      Array.from({ length: CHAINS }, async (_, chain) => {
        const root = cloneProject(outputs.template);
        let state: Config = 'A';
        for (let runs = 1; outcome.kills < KILLS; runs++) {
          const next: Config = state === 'A' ? 'B' : 'A';
          setConfig(root, next);
          const previous = fs.readlinkSync(path.join(root, 'cdktf.out'));
          const timing = runs % 10 === 0;
          const early = !timing && random() < 0.2;
          const run = spawnMain(root, ['local']);
          if (!early) await begun(root, run.done);
          const started = Date.now();
          const delay = Math.round(random() * (early ? outputs.durationMs : rest()));
          const timer = timing ? undefined : setTimeout(() => run.child.kill('SIGKILL'), delay);
          const result = await run.done;
          clearTimeout(timer);
          if (timing) timings.push(Date.now() - started);
          const context = `chain ${chain}, KILL_SEED=${seed}, ${timing ? 'no kill' : `kill ${delay} ms after ${early ? 'the start' : 'the staging directory appeared'}`}`;
          const found = wholeOutput(outputs, root, context);
          if (result.signal === 'SIGKILL') {
            outcome.kills++;
            outcome[found === state ? 'old' : 'new']++;
            moments[moment(root, run.child.pid!, previous, found !== state)]++;
          } else {
            expect({ context, status: result.status, stderr: result.stderr }).toEqual({
              context,
              status: 0,
              stderr: '',
            });
            expect({ context, found }).toEqual({ context, found: next });
            expect({ context, left: leftovers(root) }).toEqual({ context, left: [] });
            outcome.completed++;
          }
          state = found;
        }
        // One synth to completion: whatever the kills left is swept.
        setConfig(root, state === 'A' ? 'B' : 'A');
        const last = await spawnMain(root, ['local']).done;
        expect(last.status).toBe(0);
        expect(wholeOutput(outputs, root, `chain ${chain}, last synth`)).toBe(
          state === 'A' ? 'B' : 'A',
        );
        expect({ chain, left: leftovers(root) }).toEqual({ chain, left: [] });
      }),
    );

    console.log(
      `KILL_SEED=${seed}: ${outcome.kills} SIGKILLs (a synth took ${outputs.durationMs} ms, ${rest()} ms from its staging directory) ` +
        `(${outcome.old} left the old output, ${outcome.new} the new one; ${outcome.completed} synths completed, ${timings.length - 1} of them left to) ` +
        `killed ${Object.entries(moments)
          .map(([where, count]) => `${where}: ${count}`)
          .join(', ')}`,
    );
    expect(outcome.kills).toBeGreaterThanOrEqual(KILLS);
  }, 600_000);
});
