import * as fs from 'fs';
import * as path from 'path';

/** A problem with the review's input or output, shown as one line without a stack trace. */
export class ReviewError extends Error {}

/**
 * Largest file the review reads. The example outputs' largest file is about
 * 150 kB; an estate of 50 sites with 200 agent types each makes an agents
 * stack of a few MB per site and a `fleet.json` of about 10 MB.
 */
export const MAX_FILE_BYTES = 64 * 2 ** 20;

/** Most bytes read from one output directory, all files together. */
export const MAX_OUTPUT_BYTES = 1024 * 2 ** 20;

/**
 * Deepest nesting of a JSON document the review reads: the example stacks
 * nest 17 levels, and the comparison walks documents recursively.
 */
export const MAX_JSON_DEPTH = 256;

/**
 * A synthesized output directory, read only within itself: every path is
 * resolved, symbolic links included, and must stay inside the directory;
 * only regular files are read, each at most {@link MAX_FILE_BYTES}.
 */
export class InputDir {
  /**
   * @param dir the directory as named on the command line
   * @param label the option that named it, e.g. `--base`, for messages
   * @throws ReviewError when it is missing or not a directory
   */
  static open(dir: string, label: string): InputDir {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      throw new ReviewError(`${label} '${dir}': no such directory`);
    }
    if (!fs.statSync(real).isDirectory()) {
      throw new ReviewError(`${label} '${dir}' is not a directory`);
    }
    return new InputDir(dir, label, real);
  }

  private bytesRead = 0;

  private constructor(
    /** The directory as named on the command line. */
    readonly dir: string,
    readonly label: string,
    /** Its real path, which every file read must lie under. */
    private readonly real: string,
  ) {}

  /** Whether a file or link of that name exists in the directory (whatever it points to). */
  has(relative: string): boolean {
    const candidate = this.confine(relative);
    try {
      fs.lstatSync(candidate);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Reads and parses a JSON file of the directory.
   * @param relative its path relative to the directory, as the output names it
   * @throws ReviewError when the path leads outside the directory, the file is
   *   missing, not a regular file, too large, too deeply nested or not JSON
   */
  readJson(relative: string): unknown {
    const text = this.readText(relative);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw this.problem(relative, `is not valid JSON (${(error as Error).message})`);
    }
    if (depthOf(value) > MAX_JSON_DEPTH) {
      throw this.problem(relative, `nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
    return value;
  }

  /**
   * Reads a file of the directory as it is on disk.
   * @param relative its path relative to the directory, as the output names it
   * @param within a folder of the directory the file must lie in, symbolic
   *   links resolved (`relative` must name it as its prefix)
   *   @default - anywhere in the directory
   * @throws ReviewError as {@link readJson} for a file that cannot be read,
   *   and when it lies outside `within`
   */
  readFile(relative: string, within?: string): Buffer {
    return this.readBytes(relative, within);
  }

  /**
   * The regular files and links under a folder of the directory, as paths
   * relative to the folder with `/`, sorted; links are listed, not followed.
   * @returns an empty list when the folder is missing
   * @throws ReviewError when it holds more than `limit` entries, or is not a folder
   */
  listFiles(relativeDir: string, limit: number): string[] {
    const root = this.confine(relativeDir);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(root);
    } catch {
      return [];
    }
    if (!stat.isDirectory()) throw this.problem(relativeDir, `is ${kindOf(stat)}, not a folder`);
    const found: string[] = [];
    const pending = [''];
    let entries = 0;
    while (pending.length > 0) {
      const folder = pending.pop() as string;
      for (const entry of fs.readdirSync(path.join(root, folder), { withFileTypes: true })) {
        if (++entries > limit) {
          throw this.problem(relativeDir, `holds more than ${limit} entries`);
        }
        const name = folder === '' ? entry.name : `${folder}/${entry.name}`;
        if (entry.isDirectory()) pending.push(name);
        else found.push(name);
      }
    }
    return found.sort();
  }

  /** A problem with one file of the directory, as one line. */
  problem(relative: string, what: string): ReviewError {
    return new ReviewError(`${this.label} '${this.dir}': ${relative} ${what}`);
  }

  private readText(relative: string): string {
    return this.readBytes(relative).toString('utf8');
  }

  private readBytes(relative: string, within?: string): Buffer {
    const candidate = this.confine(relative);
    let real: string;
    try {
      real = fs.realpathSync(candidate);
    } catch {
      throw this.problem(relative, 'is missing');
    }
    if (!isInside(this.real, real)) {
      throw this.problem(relative, 'is a symbolic link leading outside the directory');
    }
    if (within !== undefined) {
      let folder: string;
      try {
        folder = fs.realpathSync(this.confine(within));
      } catch {
        throw this.problem(within, 'is missing');
      }
      if (!isInside(folder, real) || folder === real) {
        throw this.problem(relative, `is a symbolic link leading outside ${within}`);
      }
    }
    let fd: number;
    try {
      // Non-blocking, so that opening a FIFO returns at once and is refused below.
      fd = fs.openSync(
        real,
        fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (fs.constants.O_NOFOLLOW ?? 0),
      );
    } catch (error) {
      throw this.problem(relative, `cannot be opened (${(error as NodeJS.ErrnoException).code})`);
    }
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) throw this.problem(relative, `is ${kindOf(stat)}, not a regular file`);
      const budget = Math.min(MAX_FILE_BYTES, MAX_OUTPUT_BYTES - this.bytesRead);
      if (stat.size > budget) throw this.tooLarge(relative, budget);
      const content = readOpenFile(fd, stat.size);
      if (!content) throw this.problem(relative, 'changed while being read');
      this.bytesRead += content.length;
      return content;
    } finally {
      fs.closeSync(fd);
    }
  }

  private tooLarge(relative: string, budget: number): ReviewError {
    return budget < MAX_FILE_BYTES
      ? this.problem(
          relative,
          `would take the files read past ${MAX_OUTPUT_BYTES / 2 ** 20} MiB for one output`,
        )
      : this.problem(relative, `is larger than ${MAX_FILE_BYTES / 2 ** 20} MiB`);
  }

  /** The path of a relative name, refused when it leads outside the directory. */
  private confine(relative: string): string {
    if (relative.includes('\0') || path.isAbsolute(relative)) {
      throw this.problem(relative, 'is not a path inside the directory');
    }
    const candidate = path.resolve(this.real, relative);
    if (!isInside(this.real, candidate) || candidate === this.real) {
      throw this.problem(relative, 'leads outside the directory');
    }
    return candidate;
  }
}

/**
 * The directory the review writes into: created when missing, refused when it
 * names something else. Files are written under safe names only, through a
 * new temporary file renamed into place, so a symbolic link or a FIFO already
 * at a file's name is replaced, never followed.
 */
export class OutputDir {
  /** @throws ReviewError when it exists and is not a directory, or cannot be created */
  static open(dir: string, label: string): OutputDir {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(dir);
    } catch {
      stat = undefined;
    }
    if (stat && !stat.isDirectory()) {
      throw new ReviewError(`${label} '${dir}' exists and is not a directory`);
    }
    if (!stat) {
      try {
        fs.mkdirSync(dir, { recursive: true });
      } catch (error) {
        throw new ReviewError(
          `${label} '${dir}' cannot be created (${(error as NodeJS.ErrnoException).code})`,
        );
      }
    }
    return new OutputDir(dir, label);
  }

  private constructor(
    readonly dir: string,
    readonly label: string,
  ) {}

  /**
   * Writes one file directly under the directory.
   * @param name a file name: letters, digits, `.`, `_` and `-`, not starting with `.`
   * @returns the path written
   */
  write(name: string, content: string): string {
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name) || name.length > 255) {
      throw new ReviewError(`${this.label} '${this.dir}': '${name}' is not a safe file name`);
    }
    const file = path.join(this.dir, name);
    const temporary = path.join(this.dir, `.${name}.${process.pid}.tmp`);
    try {
      fs.writeFileSync(temporary, content, { flag: 'wx' });
      fs.renameSync(temporary, file);
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      throw new ReviewError(
        `${this.label} '${this.dir}': ${name} cannot be written (${(error as NodeJS.ErrnoException).code})`,
      );
    }
    return file;
  }
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** Nesting depth of a parsed JSON value, without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (depth > MAX_JSON_DEPTH) return depth;
    for (const inner of Object.values(current)) pending.push([inner, depth + 1]);
  }
  return deepest;
}

/**
 * The whole of an open file whose size was `size` when checked, read to its
 * end; undefined when it grew past that while being read.
 */
export function readOpenFile(fd: number, size: number): Buffer | undefined {
  const buffer = Buffer.alloc(size + 1);
  let length = 0;
  for (;;) {
    const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) return buffer.subarray(0, length);
    length += read;
    if (length > size) return undefined;
  }
}
