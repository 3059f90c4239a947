// First, so that it takes effect before cdktf and the providers load.
import './app/tune-for-synth';
import { startReadAhead } from './app/read-ahead';

/**
 * The synth app: synthesizes the environments named on the command line (or
 * in `FLEET_ENVIRONMENTS`, comma-separated), all of them by default, or some
 * sites of one (`<env>/<site>`), from the project at `FLEET_ROOT` (default:
 * this directory); app/synth-command.ts says how. The environment files start
 * being parsed in a worker thread before the rest of the app loads.
 */
const started = performance.now();
const rootDir = process.env.FLEET_ROOT ?? __dirname;
const argv = process.argv.slice(2);
const named =
  argv.length > 0 ? argv : (process.env.FLEET_ENVIRONMENTS?.split(',').filter(Boolean) ?? []);
const readAhead = startReadAhead(rootDir, named);

// Loaded only now, so that the worker thread parses while cdktf and the constructs load.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { synthesize } = require('./app/synth-command') as typeof import('./app/synth-command');
void synthesize({ started, rootDir, named, readAhead }).then((code) => {
  process.exitCode = code;
});
