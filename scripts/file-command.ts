import { ReviewError } from '../output/files';

/**
 * Runs a command that writes files (`npm run review`, `npm run simulate`):
 * prints `wrote <file>` for each, or one line on stderr for a failure. Exit
 * 1 for a problem with the input or output, 2 for a fault of the command
 * itself (its stack only with FLEET_DEBUG=1).
 * @returns the exit code
 */
export function runFileCommand(name: string, write: () => readonly string[]): number {
  try {
    for (const file of write()) console.log(`wrote ${file}`);
    return 0;
  } catch (error) {
    if (error instanceof ReviewError) {
      console.error(`${name}: ${error.message}`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`${name}: internal error: ${message.split('\n')[0]}`);
    if (process.env.FLEET_DEBUG === '1' && error instanceof Error) console.error(error.stack);
    return 2;
  }
}
