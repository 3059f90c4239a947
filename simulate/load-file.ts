import * as fs from 'fs';
import * as path from 'path';
import { ConfigProblem } from '../config/problems';
import { readOpenFile } from '../output/files';
import { LoadCsvOptions, MAX_BYTES, parseLoadCsv, Trace } from './load-trace';

/**
 * Reads a load trace named by `loadProfile.trace`, within the root directory:
 * a relative path that stays inside it (symbolic links resolved), a regular
 * file (not a FIFO or device, which could block or never end) of at most
 * `maxBytes`, in UTF-8. The size is checked before anything is read.
 *
 * @param rootDir the root directory, which holds `fleet/` and `environments/`
 * @param relative the path as the environment file gives it
 * @returns the trace, or the problems in the file (each at its line and column),
 *   or `refused`: why the path cannot be read, for the caller to report at the
 *   `loadProfile.trace` field that names it
 */
export function readLoadCsv(
  rootDir: string,
  relative: string,
  options: LoadCsvOptions = {},
): { trace: Trace } | { problems: ConfigProblem[] } | { refused: string } {
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  if (relative.includes('\0') || path.isAbsolute(relative)) {
    return { refused: `'${relative}' is not a path relative to the root directory` };
  }
  const root = fs.realpathSync(rootDir);
  const outside = `'${relative}' leads outside the root directory`;
  if (!inside(root, path.resolve(root, relative))) return { refused: outside };
  let real: string;
  try {
    real = fs.realpathSync(path.resolve(root, relative));
  } catch {
    return { refused: `'${relative}' does not exist` };
  }
  if (!inside(root, real)) return { refused: outside };
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO returns at once and is refused below.
    fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    return { refused: `'${relative}' cannot be opened (${(error as NodeJS.ErrnoException).code})` };
  }
  let text: string;
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { refused: `'${relative}' is not a regular file` };
    if (stat.size > maxBytes) {
      return {
        refused: `'${relative}' is ${stat.size.toLocaleString('en-US')} bytes: a load trace may be at most ${maxBytes.toLocaleString('en-US')}`,
      };
    }
    const content = readOpenFile(fd, stat.size);
    if (!content) return { refused: `'${relative}' changed while being read` };
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(content);
    } catch {
      return { refused: `'${relative}' is not UTF-8 text: a load trace is a CSV file in UTF-8` };
    }
  } finally {
    fs.closeSync(fd);
  }
  return parseLoadCsv(text, path.relative(root, real).split(path.sep).join('/'), options);
}

/** Whether `candidate` lies strictly inside `dir` (both absolute). */
function inside(dir: string, candidate: string): boolean {
  const rest = path.relative(dir, candidate);
  return (
    rest !== '' && rest !== '..' && !rest.startsWith(`..${path.sep}`) && !path.isAbsolute(rest)
  );
}
