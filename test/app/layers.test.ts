import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { tempDir } from '../support/temp-dir';
import { REPO } from '../support/typescript-process';

/** What ESLint reports about one file. */
interface Reported {
  readonly ruleId: string | null;
  readonly severity: number;
  readonly message: string;
}

/** A text linted as if it were the file at `file` (relative to the project root). */
interface Probe {
  readonly file: string;
  readonly text: string;
}

/**
 * ESLint's Node API with the project's `eslint.config.mjs`, run in a child
 * process: ESLint loads its configuration as an ES module, which Jest's module
 * system does not. Prints the messages of every probe (linted as text, at its
 * path under `root`) and of every file (linted from disk, relative to `cwd`),
 * and the config's `LAYERS` table.
 */
const LINT_SCRIPT = `
import { ESLint } from 'eslint';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
const { config, cwd, probes, files } = JSON.parse(process.argv[1]);
const eslint = new ESLint({ cwd, overrideConfigFile: config });
const brief = (result) =>
  result.messages.map(({ ruleId, severity, message }) => ({ ruleId, severity, message }));
const out = { probes: [], files: [] };
for (const probe of probes) {
  const [result] = await eslint.lintText(probe.text, { filePath: path.join(cwd, probe.file) });
  out.probes.push(brief(result));
}
for (const result of await eslint.lintFiles(files)) out.files.push(brief(result));
out.layers = (await import(pathToFileURL(config).href)).LAYERS;
process.stdout.write(JSON.stringify(out));
`;

interface LintRun {
  readonly probes: Reported[][];
  readonly files: Reported[][];
  readonly layers: Record<string, string[]>;
}

function lint(options: {
  probes?: readonly Probe[];
  files?: readonly string[];
  cwd?: string;
}): LintRun {
  const payload = {
    config: path.join(REPO, 'eslint.config.mjs'),
    cwd: options.cwd ?? REPO,
    probes: options.probes ?? [],
    files: options.files ?? [],
  };
  const run = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', LINT_SCRIPT, JSON.stringify(payload)],
    { cwd: REPO, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`ESLint failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as LintRun;
}

const LAYER_RULE = 'import-x/no-restricted-paths';

/** Imports against the layers, each with the message that refuses it. */
const REFUSED: readonly (Probe & { readonly says: string })[] = [
  {
    file: 'model/probe.ts',
    text: "import { awsProvider } from '../constructs/aws';\nexport const probe = awsProvider;\n",
    says: 'model/ may import only its own files',
  },
  {
    file: 'generators/rabbitmq/probe.ts',
    text: "import { promQlString } from '../monitoring';\nexport const probe = promQlString;\n",
    says: 'generators/rabbitmq/ may import only model/',
  },
  {
    file: 'guardrails/rules/aws/probe.ts',
    text: "import { AZURE_RULES } from '../azure/index';\nexport const probe = AZURE_RULES;\n",
    says: 'guardrails/rules/aws/ may import only model/, guardrails/engine/',
  },
  {
    file: 'guardrails/engine/probe.ts',
    text: "import { KubernetesAgent } from '../../constructs/kubernetes';\nexport const probe = KubernetesAgent;\n",
    says: 'guardrails/engine/ may import only model/, guardrails/data/',
  },
  {
    file: 'constructs/aws/probe.ts',
    text: "import { azureProvider } from '../azure';\nexport const probe = azureProvider;\n",
    says: 'constructs/aws/ may import only model/, generators/**, guardrails/**, constructs/terraform/, constructs/vm/',
  },
  {
    file: 'constructs/kubernetes/core/probe.ts',
    text: "import { CHARTS } from '../platform/charts';\nexport const probe = CHARTS;\n",
    says: 'constructs/kubernetes/core/ may import only',
  },
  {
    file: 'constructs/kubernetes/platform/probe.ts',
    text: "import { KEDA_VAULT_ROLE } from '../vault/vault';\nexport const probe = KEDA_VAULT_ROLE;\n",
    says: 'constructs/kubernetes/platform/ may import only',
  },
  {
    file: 'config/probe.ts',
    text: "import { KedaRelease } from '../constructs/kubernetes/platform/keda-release';\nexport const probe = KedaRelease;\n",
    says: 'config/ may import only model/, generators/**, guardrails/**, constructs/kubernetes/platform/charts.ts, constructs/kubernetes/platform/site-capacity.ts',
  },
  {
    file: 'stacks/probe.ts',
    text: "import { formatFleetReport } from '../app/fleet-report';\nexport const probe = formatFleetReport;\n",
    says: 'stacks/ may import only',
  },
  {
    file: 'review/probe.ts',
    text: "import { AgentFleet } from '../stacks/agent-fleet';\nexport const probe = AgentFleet;\n",
    says: 'review/ may import only model/, guardrails/**, app/',
  },
  {
    file: 'app/probe.ts',
    text: "import { copyProjectConfig } from '../test/support/project';\nexport const probe = copyProjectConfig;\n",
    says: 'app/ may import only',
  },
];

/** Imports the layers allow. */
const ALLOWED: readonly Probe[] = [
  {
    file: 'constructs/kubernetes/platform/probe.ts',
    text: "import { WriteOnlySecret } from '../core';\nimport { Duration } from '../../../model';\nexport const probe = [Duration, WriteOnlySecret];\n",
  },
  {
    file: 'config/probe.ts',
    text: "import { CHARTS } from '../constructs/kubernetes/platform/charts';\nexport const probe = CHARTS;\n",
  },
  {
    file: 'constructs/azure/probe.ts',
    text: "import { base64BootScript } from '../vm';\nexport const probe = base64BootScript;\n",
  },
  {
    file: 'test/probe.ts',
    text: "import { formatFleetReport } from '../app/fleet-report';\nexport const probe = formatFleetReport;\n",
  },
];

const PROVIDER: Probe = {
  file: 'stacks/probe.ts',
  text: "import { Instance } from '@cdktf/provider-aws/lib/instance';\nexport const probe = Instance;\n",
};

const DEEP_CONSTRUCT: Probe = {
  file: 'stacks/probe.ts',
  text: "import { applyBackend } from '../constructs/terraform/backend';\nimport { azureProvider } from '../constructs/azure';\nimport { SiteKafka } from '../constructs/kubernetes/services';\nexport const probe = [applyBackend, azureProvider, SiteKafka];\n",
};

/** ESLint takes a few seconds to start. */
const ESLINT_TIMEOUT = 120_000;

const UNDOCUMENTED: Probe = {
  file: 'constructs/aws/probe.ts',
  text: [
    '/** Props of {@link Probe}. */',
    'export interface ProbeProps {',
    '  readonly name: string;',
    '  /** Tags of the probe. */',
    '  readonly tags?: readonly string[];',
    '  /** Size of the probe. @default 3 */',
    '  readonly size?: number;',
    '}',
    '',
    'export function probe(props: ProbeProps): string {',
    '  return props.name;',
    '}',
    '',
  ].join('\n'),
};

describe('the layers', () => {
  const probes = [...REFUSED, ...ALLOWED, PROVIDER, DEEP_CONSTRUCT, UNDOCUMENTED];
  let run: LintRun;
  beforeAll(() => {
    run = lint({ probes });
  }, ESLINT_TIMEOUT);
  const reported = (probe: Probe) => run.probes[probes.indexOf(probe)];

  it.each(REFUSED)(
    '$file: an import from a folder the layers do not allow is an error',
    (probe) => {
      const refusals = reported(probe).filter((message) => message.ruleId === LAYER_RULE);
      expect(refusals).toHaveLength(1);
      expect(refusals[0].severity).toBe(2);
      expect(refusals[0].message).toContain(probe.says);
    },
  );

  it.each(ALLOWED)('$file: an import the layers allow passes', (probe) => {
    expect(reported(probe).filter((message) => message.ruleId === LAYER_RULE)).toEqual([]);
  });

  it('refuses a Terraform provider outside constructs/', () => {
    expect(reported(PROVIDER)).toContainEqual({
      ruleId: 'no-restricted-imports',
      severity: 2,
      message: expect.stringContaining('Only constructs/ import a Terraform provider.'),
    });
  });

  it('refuses a stack importing one file of a construct library instead of its barrel', () => {
    const warnings = reported(DEEP_CONSTRUCT).filter(
      (message) => message.ruleId === '@typescript-eslint/no-restricted-imports',
    );
    expect(warnings).toEqual([
      {
        ruleId: '@typescript-eslint/no-restricted-imports',
        severity: 2,
        message: expect.stringContaining("'../constructs/terraform/backend'"),
      },
    ]);
  });

  it('asks for a doc comment on public API and for the default of a documented optional field', () => {
    const docs = reported(UNDOCUMENTED).filter((message) => message.ruleId?.startsWith('jsdoc/'));
    expect(docs.map(({ ruleId, message }) => `${ruleId}: ${message}`)).toEqual([
      'jsdoc/require-jsdoc: Missing JSDoc comment.',
      expect.stringMatching(
        /^jsdoc\/no-restricted-syntax: A documented optional field says its default/,
      ),
      'jsdoc/require-jsdoc: Missing JSDoc comment.',
    ]);
  });

  it('lets no folder reach itself through the folders it may import', () => {
    const { layers } = run;
    const folderOf = (entry: string) => (entry.endsWith('.ts') ? path.dirname(entry) : entry);
    const reaches = (from: string, seen: Set<string> = new Set()): Set<string> => {
      for (const next of (layers[from] ?? []).map(folderOf)) {
        if (seen.has(next)) continue;
        seen.add(next);
        reaches(next, seen);
      }
      return seen;
    };
    const cyclic = Object.keys(layers).filter((folder) => reaches(folder).has(folder));
    expect(cyclic).toEqual([]);
  });

  it('puts every source file below main.ts, scripts/ and test/ in one folder of the layers', () => {
    const folders = Object.keys(run.layers);
    const tops = [...new Set(folders.map((folder) => folder.split('/')[0]))];
    const unplaced = tops
      .flatMap((top) => sourceFiles(path.join(REPO, top)))
      .map((file) => path.relative(REPO, file).split(path.sep).join('/'))
      .filter((file) => {
        const owner = folders
          .filter((folder) => file.startsWith(`${folder}/`))
          .sort((a, b) => b.length - a.length)[0];
        if (owner === undefined) return true;
        // A folder with listed subfolders owns only the files directly in it.
        const nested = folders.some((folder) => folder.startsWith(`${owner}/`));
        return nested && file.slice(owner.length + 1).includes('/');
      });
    expect(unplaced).toEqual([]);
  });
});

describe('import cycles', () => {
  it(
    'refuses two files that import each other',
    () => {
      const dir = tempDir('layers-cycle');
      fs.mkdirSync(path.join(dir, 'model'));
      fs.writeFileSync(
        path.join(dir, 'model/a.ts'),
        "import { b } from './b';\n\nexport const a = (): number => b() + 1;\n",
      );
      fs.writeFileSync(
        path.join(dir, 'model/b.ts'),
        "import { a } from './a';\n\nexport const b = (): number => a() - 1;\n",
      );
      const run = lint({ cwd: dir, files: ['model/a.ts', 'model/b.ts'] });
      for (const messages of run.files) {
        expect(messages).toContainEqual({
          ruleId: 'import-x/no-cycle',
          severity: 2,
          message: 'Dependency cycle detected',
        });
      }
    },
    ESLINT_TIMEOUT,
  );

  it('finds no cycle between the files of the tree, type-only imports included', () => {
    expect(stronglyConnected(importGraph())).toEqual([]);
  });

  it('finds no cycle between folders', () => {
    const folders = new Map<string, Set<string>>();
    for (const [file, imports] of importGraph()) {
      const from = path.dirname(file);
      const edges = folders.get(from) ?? new Set<string>();
      for (const imported of imports) {
        if (path.dirname(imported) !== from) edges.add(path.dirname(imported));
      }
      folders.set(from, edges);
    }
    const cycles = stronglyConnected(folders).map((cycle) => [...cycle].sort().join(' '));
    expect(cycles).toEqual([]);
  });
});

/** The `.ts` files under `dir`. */
function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

let graph: Map<string, Set<string>> | undefined;

/**
 * Each TypeScript file of the project (relative path) and the files of ours it
 * imports or re-exports, type-only imports included, resolved as tsc does.
 */
function importGraph(): Map<string, Set<string>> {
  if (graph) return graph;
  const configFile = ts.readConfigFile(path.join(REPO, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, REPO);
  graph = new Map();
  for (const file of parsed.fileNames) {
    const relative = path.relative(REPO, file);
    const imports = new Set<string>();
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      const resolved = ts.resolveModuleName(fileName, file, parsed.options, ts.sys).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport) continue;
      const target = path.relative(REPO, resolved.resolvedFileName);
      if (target.startsWith('..') || target.endsWith('.d.ts')) continue;
      imports.add(target);
    }
    graph.set(relative, imports);
  }
  return graph;
}

/** The strongly connected components of more than one node (Tarjan), each sorted. */
function stronglyConnected(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of edges.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return components;
}
