/**
 * `npm run simulate`: replays load through an environment's scaling as
 * synthesized (see README, "Scaling simulation"). Every failure is one line
 * on stderr and a non-zero exit: 1 for a problem with the input or output, 2
 * for a fault of the simulator itself (its stack only with FLEET_DEBUG=1).
 */
import { ReviewError } from '../review/files';
import { runSimulation, SimulateOptions } from '../simulate/run';

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

function main(argv: readonly string[]): number {
  try {
    for (const file of runSimulation(parseArgs(argv))) console.log(`wrote ${file}`);
    return 0;
  } catch (error) {
    if (error instanceof ReviewError) {
      console.error(`simulate: ${error.message}`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`simulate: internal error: ${message.split('\n')[0]}`);
    if (process.env.FLEET_DEBUG === '1' && error instanceof Error) console.error(error.stack);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
