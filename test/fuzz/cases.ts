/**
 * What a fuzz case is and the project files cases start from, shared by the
 * generators (generators.ts) and the cases beyond the input limits
 * (over-limit.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

/** Path of the catalogue, relative to the project root. */
export const CATALOGUE_FILE = 'fleet/agent-types.yaml';

/** The project's own files that cases start from. */
export interface BaseFiles {
  /** Relative path (`environments/local.yaml`, `fleet/agent-types.yaml`) → text. */
  readonly texts: ReadonlyMap<string, string>;
  /** Environment names, in name order. */
  readonly environments: readonly string[];
  /** Agent types each environment places. */
  readonly placements: ReadonlyMap<string, readonly string[]>;
}

/** Reads the catalogue and every environment file of a project. */
export function readBaseFiles(rootDir: string): BaseFiles {
  const texts = new Map<string, string>();
  texts.set(CATALOGUE_FILE, fs.readFileSync(path.join(rootDir, CATALOGUE_FILE), 'utf8'));
  const environments = fs
    .readdirSync(path.join(rootDir, 'environments'))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort();
  const placements = new Map<string, string[]>();
  for (const name of environments) {
    const file = environmentFile(name);
    const text = fs.readFileSync(path.join(rootDir, file), 'utf8');
    texts.set(file, text);
    placements.set(name, Object.keys((parse(text) as { agents?: object }).agents ?? {}));
  }
  return { texts, environments, placements };
}

export function environmentFile(name: string): string {
  return `environments/${name}.yaml`;
}

/** One broken project: a file replaced by `text`, and the environment to load. */
export interface FuzzCase {
  readonly category: Category;
  /** Environment loaded (with the catalogue). */
  readonly environment: string;
  /** The file replaced, relative to the project root. */
  readonly file: string;
  readonly text: string;
  /** What was done to the file, for the report of a counterexample. */
  readonly steps: readonly string[];
  /** A problem the loader must report among the others, when the case is made to cause it. */
  readonly expected?: RegExp;
}

export type Category =
  | 'unknownKey'
  | 'wrongType'
  | 'missingRequired'
  | 'outOfRange'
  | 'badUnit'
  | 'badFormat'
  | 'badReference'
  | 'duplicateKey'
  | 'syntaxError'
  | 'empty'
  | 'huge'
  | 'overLimit'
  | 'junk';

/** A readable summary of a case, with the text cut at 1,500 characters. */
export function describeCase(fuzzCase: FuzzCase): string {
  const text =
    fuzzCase.text.length > 1500
      ? `${fuzzCase.text.slice(0, 1500)}\n… (${fuzzCase.text.length} characters in all)`
      : fuzzCase.text;
  return [
    `${fuzzCase.category}: ${fuzzCase.file} (loading environment ${fuzzCase.environment})`,
    ...fuzzCase.steps.map((step) => `  - ${step}`),
    '--- text ---',
    text,
    '--- end ---',
  ].join('\n');
}
