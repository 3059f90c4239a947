import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { ENVIRONMENTS_DIR, environmentFile } from '../config/files';
import type { SourceMap } from '../config/yaml-source';

/** What the worker thread parses. */
export interface ReadAheadRequest {
  readonly rootDir: string;
  /** Paths relative to `rootDir`. */
  readonly files: readonly string[];
}

/** One file parsed: its tree, none when it has a problem. */
export interface ReadAheadReply {
  readonly file: string;
  readonly tree: SourceMap | undefined;
}

/** The environment files being parsed ahead. */
export interface ReadAhead {
  /** The trees of the files parsed without a problem, by path, once the worker is done. */
  readonly trees: Promise<ReadonlyMap<string, SourceMap>>;
}

/**
 * Starts parsing the environment files a synth of `names` (`<env>` or
 * `<env>/<site>`, none for every environment) will load, in a worker thread,
 * so that the YAML is parsed while cdktf, the providers and the constructs
 * load: main.ts calls it before it loads them, and before this thread loads
 * the YAML parser. Parsing an estate's 800 KB environment file takes about
 * 0.6 s, as long as that loading.
 *
 * The read-ahead only saves time: the loader takes a tree only for a file
 * parsed without a problem and reads every other file itself, so what a synth
 * reports is the same with it or without it; a worker that fails gives no
 * trees.
 */
export function startReadAhead(rootDir: string, names: readonly string[]): ReadAhead {
  const files = environmentFiles(rootDir, names);
  if (files.length === 0) return { trees: Promise.resolve(new Map()) };
  const request: ReadAheadRequest = { rootDir, files };
  const worker = workerModule();
  const thread = new Worker(worker.code, { eval: worker.eval, workerData: request });
  const trees = new Map<string, SourceMap>();
  return {
    trees: new Promise((resolve) => {
      thread.on('message', (reply: ReadAheadReply) => {
        if (reply.tree) trees.set(reply.file, reply.tree);
      });
      thread.on('error', () => trees.clear());
      thread.on('exit', () => resolve(trees));
    }),
  };
}

/** The environment files of the names, or every one of the folder. */
function environmentFiles(rootDir: string, names: readonly string[]): string[] {
  if (names.length > 0) {
    return [...new Set(names.map((name) => name.split('/')[0]))].map(environmentFile);
  }
  try {
    return fs
      .readdirSync(path.join(rootDir, ENVIRONMENTS_DIR))
      .filter((file) => file.endsWith('.yaml'))
      .sort()
      .map((file) => `${ENVIRONMENTS_DIR}/${file}`);
  } catch {
    return [];
  }
}

/**
 * The worker's module beside this one, or beside main's bundle
 * (scripts/launch.cjs). A worker thread does not get tsx's loader, so a
 * `.ts` module is loaded through tsx's require hook.
 */
function workerModule(): { code: string; eval: boolean } {
  const file = path.join(__dirname, `read-ahead-worker${path.extname(__filename)}`);
  if (path.extname(file) !== '.ts') return { code: file, eval: false };
  const hook = require.resolve('tsx/cjs');
  return {
    code: `require(${JSON.stringify(hook)}); require(${JSON.stringify(file)});`,
    eval: true,
  };
}
