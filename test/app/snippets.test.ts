import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { parseSynthesized } from '../support/synthesized';
import { tempDir } from '../support/temp-dir';
import { REPO, startTypeScript } from '../support/typescript-process';

/*
 * Every TypeScript block of README.md, CONTRIBUTING.md and docs/*.md, extracted as written:
 * all of them are type-checked together in one program, and each whole
 * program that calls `app.synth()` is run and must synthesize. A block whose
 * info string is `ts fragment` is part of a program: type-checked, never run.
 * Markdown renderers read only the info string's first word, so a reader sees
 * a plain TypeScript block.
 */

/** The documents whose snippets are checked, relative to the repository. */
const DOCUMENTS = [
  'README.md',
  'CONTRIBUTING.md',
  ...fs
    .readdirSync(path.join(REPO, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => `docs/${file}`),
];

/** Words an info string may carry after `ts`. */
const ATTRIBUTES = ['fragment'];

interface Snippet {
  /** `README.md:94`: the document and the line of its opening fence. */
  readonly label: string;
  readonly document: string;
  /** Line in the document of the snippet's first line of code (1-based). */
  readonly firstLine: number;
  readonly attributes: readonly string[];
  readonly code: string;
}

/** The fenced TypeScript blocks of a document, skipping the inside of other fences. */
function snippetsOf(document: string): Snippet[] {
  const lines = fs.readFileSync(path.join(REPO, document), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*(\S*)\s*(.*)$/.exec(lines[index]);
    if (!open) continue;
    const [, indent, fence, language, rest] = open;
    const close = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`);
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && !close.test(lines[index]); index++) {
      body.push(lines[index].startsWith(indent) ? lines[index].slice(indent.length) : lines[index]);
    }
    if (language !== 'ts' && language !== 'typescript') continue;
    snippets.push({
      label: `${document}:${start + 1}`,
      document,
      firstLine: start + 2,
      attributes: rest.split(/\s+/).filter(Boolean),
      code: body.join('\n'),
    });
  }
  return snippets;
}

/** Whether a snippet is a whole program that synthesizes an app. */
function synthesizes(snippet: Snippet): boolean {
  return !snippet.attributes.includes('fragment') && /\bapp\.synth\(\)/.test(snippet.code);
}

/**
 * The snippet as a module of its own directory. Snippets are written as a
 * reader's file at the repository root, beside `main.ts` (`./model`,
 * `loadFleet({ rootDir: __dirname })`), whichever page shows them: their
 * relative imports are resolved from there. `export {}` keeps a snippet's
 * top-level names out of the others' scope (appended, so lines keep their numbers).
 */
function moduleSource(snippet: Snippet): string {
  const code = packageImports(snippet.code).replace(
    /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"]*)\2/g,
    (_match, keyword: string, quote: string, target: string) =>
      `${keyword}${quote}${path.resolve(REPO, target)}${quote}`,
  );
  return `${code}\nexport {};\n`;
}

/**
 * The package's own name (`from 'agent-fleet'`), as a user imports it, resolved
 * to the repository's entry point: the snippet is checked against the source;
 * test/app/consumer.test.ts checks it against the packed package.
 */
function packageImports(code: string): string {
  return code.replace(
    /(\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)(['"])agent-fleet\2/g,
    (_match, keyword: string, quote: string) =>
      `${keyword}${quote}${path.join(REPO, 'index')}${quote}`,
  );
}

/**
 * Problems of one `tsc --noEmit` program over every snippet, with the repo's
 * compiler options except: no emit, no library checks, and unused names
 * allowed (a snippet may declare what its prose only points at). Each problem
 * names the document's line.
 */
function typeCheck(files: ReadonlyMap<string, Snippet>): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(REPO, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('tsconfig.json could not be read');
  const program = ts.createProgram([...files.keys()], {
    ...parsed.options,
    noEmit: true,
    skipLibCheck: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
  });
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...[...files.keys()].flatMap((file) => {
      const source = program.getSourceFile(file);
      if (!source) return [];
      return [
        ...program.getSyntacticDiagnostics(source),
        ...program.getSemanticDiagnostics(source),
      ];
    }),
  ];
  return diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const snippet = diagnostic.file && files.get(diagnostic.file.fileName);
    if (!diagnostic.file || diagnostic.start === undefined || !snippet) return message;
    const at = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${snippet.document}:${snippet.firstLine + at.line}:${at.character + 1} ${message}`;
  });
}

const SNIPPETS = DOCUMENTS.flatMap(snippetsOf);
const ROOT = tempDir('fleet-snippets');
// Bare imports (`cdktf`) resolve as from the repository, to the same files its modules use.
fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(ROOT, 'node_modules'), 'dir');
/** Each snippet's file, in a directory of its own (its `cdktf.out` goes there). */
const FILES = new Map<string, Snippet>(
  SNIPPETS.map((snippet) => {
    const dir = path.join(ROOT, snippet.label.replace(/[^A-Za-z0-9]+/g, '-'));
    fs.mkdirSync(dir);
    const file = path.join(dir, 'snippet.ts');
    fs.writeFileSync(file, moduleSource(snippet));
    return [file, snippet];
  }),
);
const RUNNABLE = [...FILES].filter(([, snippet]) => synthesizes(snippet));

/** A snippet's run, started before the type check so that the two overlap. */
function run(file: string) {
  const dir = path.dirname(file);
  return startTypeScript(file, [], {
    cwd: dir,
    env: { ...process.env, CDKTF_OUTDIR: path.join(dir, 'cdktf.out') },
  });
}

describe('TypeScript snippets of README.md and docs/*.md', () => {
  const runs = new Map<string, ReturnType<typeof run>>();
  beforeAll(() => {
    for (const [file] of RUNNABLE) {
      const started = run(file);
      started.catch(() => undefined); // awaited by its test; not unhandled meanwhile
      runs.set(file, started);
    }
  });

  it('are found, with known info strings', () => {
    expect(SNIPPETS.filter((snippet) => snippet.document === 'README.md')).not.toHaveLength(0);
    expect(RUNNABLE.map(([, snippet]) => snippet.document)).toContain('README.md');
    const unknown = SNIPPETS.flatMap((snippet) =>
      snippet.attributes
        .filter((word) => !ATTRIBUTES.includes(word))
        .map((word) => `${snippet.label} '${word}'`),
    );
    expect(unknown).toEqual([]);
  });

  it('type-check, in one program', () => {
    expect(typeCheck(FILES)).toEqual([]);
  }, 60_000);

  it.each(RUNNABLE.map(([file, snippet]) => [snippet.label, file]))(
    '%s synthesizes',
    async (_label, file) => {
      const result = await runs.get(file)!;
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const outdir = path.join(path.dirname(file), 'cdktf.out');
      const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
      const stacks = Object.values(manifest.stacks) as { synthesizedStackPath: string }[];
      expect(stacks).not.toHaveLength(0);
      for (const stack of stacks) {
        const synthesized = parseSynthesized(
          fs.readFileSync(path.join(outdir, stack.synthesizedStackPath), 'utf8'),
        );
        expect(Object.keys(synthesized.resource)).not.toHaveLength(0);
      }
    },
    60_000,
  );
});
