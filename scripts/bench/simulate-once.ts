/**
 * One timed simulation for `npm run bench`, in a process of its own: reads
 * the synthesized output named on the command line, then simulates its
 * `bench` environment for 24 hours of the daily shape and prints
 * `<seconds> <agents simulated>`, the reading of the output not counted.
 */
import { loadSynthOutput } from '../../output/load';
import { simulateEnvironment } from '../../simulate/run';

const output = loadSynthOutput(process.argv[2]);
const start = process.hrtime.bigint();
const result = simulateEnvironment(output.fleet.environments.bench, output.stacks, 'daily', {
  duration: '24h',
});
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(`${seconds} ${result.runs.length}\n`);
