/**
 * `npm run simulate`: replays load through an environment's scaling as
 * synthesized (see README, "Scaling simulation"). Every failure is one line
 * on stderr and a non-zero exit: 1 for a problem with the input or output, 2
 * for a fault of the simulator itself (its stack only with FLEET_DEBUG=1).
 */
import { ReviewError } from '../output/files';
import { runSimulation, SimulateOptions } from '../simulate/run';
import { runFileCommand } from './file-command';

const USAGE =
  'usage: npm run simulate -- --env <environment> [--load <burst|ramp|daily|spike|file.csv>, default burst] [--duration <e.g. 6h>] [--synth <dir, default cdktf.out>] [--out <dir, default simulate-out>]';

const OPTIONS: Readonly<Record<string, keyof SimulateOptions>> = {
  env: 'env',
  load: 'load',
  duration: 'duration',
  synth: 'synth',
  out: 'out',
};

/** Parses `--name value` and `--name=value` pairs. */
function parseArgs(argv: readonly string[]): SimulateOptions {
  const options: { -readonly [K in keyof SimulateOptions]?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const name = flag.replace(/^--/, '');
    if (!flag.startsWith('--') || !Object.hasOwn(OPTIONS, name)) {
      throw new ReviewError(`unknown argument '${argv[i]}'\n${USAGE}`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '')
      throw new ReviewError(`${flag} needs a value\n${USAGE}`);
    options[OPTIONS[name]] = value;
  }
  if (options.env === undefined) throw new ReviewError(`--env is required\n${USAGE}`);
  return { ...options, env: options.env };
}

process.exitCode = runFileCommand('simulate', () =>
  runSimulation(parseArgs(process.argv.slice(2))),
);
