import * as fs from 'fs';
import { ProcessFigures } from './site-runner';

/** A synth's figures, as `FLEET_SYNTH_STATS` names the file they go to. */
export interface SynthStats {
  /** Wall time of the whole synth, from start to the output published. */
  readonly seconds: number;
  /** Sites synthesized. */
  readonly sites: number;
  /** Stacks synthesized (kept ones not counted). */
  readonly stacks: number;
  /** The synth's own process, then each worker. */
  readonly processes: readonly ProcessFigures[];
}

/** Writes a synth's figures to a file, as JSON. */
export function writeSynthStats(file: string, stats: SynthStats): void {
  fs.writeFileSync(file, `${JSON.stringify(stats, null, 2)}\n`);
}
