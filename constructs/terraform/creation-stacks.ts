// A namespace import would be a read-only copy under some loaders (tsx).
// eslint-disable-next-line @typescript-eslint/no-require-imports
import stackTraces = require('cdktf/lib/tokens/private/stack-trace');

/** Set to `1` to keep cdktf's creation stacks, for debugging a token that fails to resolve. */
export const CREATION_STACKS_ENV = 'FLEET_CREATION_STACKS';

/**
 * cdktf records a full, formatted stack trace for every token, lazy value and
 * complex attribute it creates, only to print it if that token later fails
 * to resolve ("Object creation stack"). At fleet scale that is about half of
 * synth time and a third of its memory (more under source maps, which every
 * stack frame is mapped through). Unless `FLEET_CREATION_STACKS=1`, this
 * replaces the capture with an empty trace; resolution errors still name the
 * token and the construct, without the JavaScript frames that created it.
 * Call it before building any construct.
 */
export function skipCreationStacks(env: NodeJS.ProcessEnv = process.env): void {
  if (env[CREATION_STACKS_ENV] === '1') return;
  // cdktf's modules call it through the module's exports object on every use.
  (stackTraces as { captureStackTrace: (below?: unknown) => string[] }).captureStackTrace =
    () => [];
}
