/**
 * Runs fuzz cases through the loader in a scratch copy of the project and says
 * what, if anything, is wrong with the answer. Shared by the property tests and
 * `npm run fuzz`; free of Jest globals.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatProblem, loadFleet, LoadResult } from '../../config';
import { copyProjectConfig } from '../support/project';
import { FuzzCase } from './generators';

/** What a formatted problem must look like: file, line, column, then a field or message. */
export const PROBLEM_LINE = /^(environments\/[^:/]+\.yaml|fleet\/agent-types\.yaml):(\d+):(\d+) \S/;

/** A stack trace in a message. */
export const STACK_TRACE = /\n\s+at /;

/**
 * CPU time one case may take to load. Loading is linear in the file and every
 * file is held to the input limits: the slowest cases (a million keys and
 * values, read up to the limit) take a few seconds.
 */
export const CASE_CPU_MS = 30_000;

/** What loading one case gave. */
export interface Outcome {
  readonly result?: LoadResult;
  readonly thrown?: unknown;
  /** CPU time the load took, in milliseconds. */
  readonly cpuMs?: number;
}

/** A copy of a project's `fleet/` and `environments/` in a temporary directory. */
export class Workspace {
  readonly root: string;
  private readonly originals = new Map<string, string>();

  constructor(projectRoot: string) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-fuzz-'));
    copyProjectConfig(this.root, projectRoot);
  }

  /** Loads the case's environment with the case's file in place, then puts the file back. */
  load(fuzzCase: FuzzCase): Outcome {
    const file = path.join(this.root, fuzzCase.file);
    if (!this.originals.has(file)) this.originals.set(file, fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, fuzzCase.text);
    const started = process.cpuUsage();
    const cpuMs = () => {
      const used = process.cpuUsage(started);
      return (used.user + used.system) / 1000;
    };
    try {
      const result = loadFleet({ rootDir: this.root, environments: [fuzzCase.environment] });
      return { result, cpuMs: cpuMs() };
    } catch (thrown) {
      return { thrown, cpuMs: cpuMs() };
    } finally {
      fs.writeFileSync(file, this.originals.get(file) as string);
    }
  }

  /** The text of a file of the copy as it stands (the original between cases). */
  text(file: string): string {
    return fs.readFileSync(path.join(this.root, file), 'utf8');
  }

  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * What is wrong with the loader's answer to a case: it threw, it took more
 * than {@link CASE_CPU_MS}, it loaded a file that must be refused (unless
 * `mayLoad`), it missed the problem the case was made to cause, or a problem
 * does not name the file, a line and column within it, and a field, or carries
 * a stack trace.
 */
export function violations(
  fuzzCase: FuzzCase,
  outcome: Outcome,
  textOf: (file: string) => string,
  mayLoad = false,
): string[] {
  if (outcome.thrown !== undefined || !outcome.result) {
    const error = outcome.thrown as Error | undefined;
    return [`loadFleet threw: ${error?.stack ?? String(outcome.thrown)}`];
  }
  const found: string[] = [];
  if (outcome.cpuMs !== undefined && outcome.cpuMs > CASE_CPU_MS) {
    found.push(`took ${Math.round(outcome.cpuMs)} ms of CPU (at most ${CASE_CPU_MS})`);
  }
  const result = outcome.result;
  if (result.ok) return mayLoad ? found : [...found, 'loaded without a problem'];
  if (result.problems.length === 0) found.push('failed with no problem');
  const expected = fuzzCase.expected;
  if (expected && !result.problems.some((problem) => expected.test(problem.message))) {
    found.push(`no problem matches ${expected}`);
  }
  for (const problem of result.problems) {
    const line = formatProblem(problem);
    const match = PROBLEM_LINE.exec(line);
    if (!match) {
      found.push(`does not name a file, line, column and field: ${JSON.stringify(line)}`);
      continue;
    }
    const text = match[1] === fuzzCase.file ? fuzzCase.text : textOf(match[1]);
    const lines = text.split(/\r\n|\r|\n/).length;
    if (problem.line < 1 || problem.line > lines + 1 || problem.column < 1) {
      found.push(`position outside the file (${lines} lines): ${JSON.stringify(line)}`);
    }
    if (STACK_TRACE.test(problem.message)) {
      found.push(`stack trace in a message: ${JSON.stringify(line)}`);
    }
  }
  return found;
}
