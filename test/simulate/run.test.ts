import * as fs from 'fs';
import * as path from 'path';
import { ReviewError } from '../../output/files';
import { runSimulation } from '../../simulate/run';
import { REPO, synthesize } from '../review/support';
import { tempDir } from '../support/temp-dir';

const synth = synthesize(REPO, ['staging']);

describe('npm run simulate', () => {
  it('replays a recorded trace: the columns it names, nothing on the others', () => {
    const root = tempDir('fleet-simulate-root');
    fs.writeFileSync(
      path.join(root, 'monday.csv'),
      'time,image_processing_tasks\n0,1\n600,20\n1500,1\n',
    );
    const out = tempDir('fleet-simulate-out');
    const files = runSimulation({
      synth,
      env: 'staging',
      load: 'monday.csv',
      root,
      out,
      duration: '2h',
    });
    expect(files.map((file) => path.basename(file))).toEqual(
      expect.arrayContaining([
        'staging.md',
        'staging.json',
        'staging.image-processing.eu.svg',
        'staging.gpu-inference.eu.svg',
      ]),
    );
    const figures = JSON.parse(fs.readFileSync(path.join(out, 'staging.json'), 'utf8'));
    expect(figures).toMatchObject({
      environment: 'staging',
      load: 'monday.csv',
      durationSeconds: 7200,
    });
    const at = (agent: string) => figures.agents.find((a: { agent: string }) => a.agent === agent);
    expect(at('image-processing').peakBacklog).toBeGreaterThan(1000);
    expect(at('image-processing').peakReplicas).toBeGreaterThan(2);
    expect(at('gpu-inference').peakBacklog).toBe(0);
    const markdown = fs.readFileSync(path.join(out, 'staging.md'), 'utf8');
    expect(markdown).toContain('Load `monday.csv` over 2h 00m');
    expect(markdown).toMatch(/^\| `image-processing` \| eu \| /m);
    expect(fs.readFileSync(path.join(out, 'staging.image-processing.eu.svg'), 'utf8')).toMatch(
      /^<svg /,
    );
  });

  it('refuses what it cannot replay, one line each', () => {
    const out = tempDir('fleet-simulate-out');
    const root = tempDir('fleet-simulate-root');
    fs.writeFileSync(path.join(root, 'bad.csv'), 'time,image_processing_tasks\n0,-3\n');
    const refusal = (options: Partial<Parameters<typeof runSimulation>[0]>) => {
      try {
        runSimulation({ synth, env: 'staging', out, root, ...options });
      } catch (error) {
        if (error instanceof ReviewError) return error.message;
        throw error;
      }
      throw new Error('not refused');
    };
    expect(refusal({ env: 'qa' })).toBe(
      "--env 'qa' is not an environment of the output (has: staging)",
    );
    expect(refusal({ load: 'wave' })).toBe(
      "--load 'wave' is neither a shape (burst, ramp, daily, spike) nor a .csv trace",
    );
    expect(refusal({ duration: '9d' })).toBe(
      "--duration '9d' is not a duration from 1s to 168h, e.g. '6h', '90m' or '1h30m'",
    );
    expect(refusal({ load: '../outside.csv' })).toBe(
      "load trace: '../outside.csv' leads outside the root directory",
    );
    expect(refusal({ load: 'bad.csv' })).toBe(
      "bad.csv:2:3 image_processing_tasks: '-3' is negative: a value is a decimal number of 0 or more, e.g. 12.5",
    );
  });
});
