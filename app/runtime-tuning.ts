// A namespace import would be a read-only copy under some loaders (tsx).
// eslint-disable-next-line @typescript-eslint/no-require-imports
import stackTraces = require('cdktf/lib/tokens/private/stack-trace');

/**
 * Set to `1` to keep what synth skips for speed: cdktf's creation stacks and
 * source-mapped stack traces, for debugging a token that fails to resolve or
 * a crash.
 */
export const DEBUG_ENV = 'FLEET_DEBUG';

const debugging = (env: NodeJS.ProcessEnv) => env[DEBUG_ENV] === '1';

/**
 * cdktf records a full, formatted stack trace for every token, lazy value and
 * complex attribute it creates, only to print it if that token later fails
 * to resolve ("Object creation stack"). At fleet scale that is about half of
 * synth time and a third of its memory. Unless `FLEET_DEBUG=1`, this replaces
 * the capture with an empty trace; resolution errors still name the token and
 * the construct, without the JavaScript frames that created it. Call it
 * before building any construct.
 */
export function skipCreationStacks(env: NodeJS.ProcessEnv = process.env): void {
  if (debugging(env)) return;
  // cdktf's modules call it through the module's exports object on every use.
  (stackTraces as { captureStackTrace: (below?: unknown) => string[] }).captureStackTrace =
    () => [];
}

/**
 * tsx turns source maps on, and Node then reads the inline source map of
 * every module it loads, cdktf's and the providers' included: a fifth of the
 * example environments' synth. Unless `FLEET_DEBUG=1`, this turns them off
 * for the modules loaded after it; a crash then names positions in the
 * transpiled JavaScript.
 */
export function skipSourceMaps(env: NodeJS.ProcessEnv = process.env): void {
  if (!debugging(env)) process.setSourceMapsEnabled(false);
}
