import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import jsdoc from 'eslint-plugin-jsdoc';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

const MODEL = ['model'];
const GENERATORS = ['generators/rabbitmq', 'generators/monitoring'];
const PACKS = ['aws', 'azure', 'kubernetes', 'fleet', 'common'].map((p) => `guardrails/rules/${p}`);
const GUARDRAILS = [
  'guardrails',
  'guardrails/engine',
  'guardrails/data',
  'guardrails/rules',
  'guardrails/rules/support',
  ...PACKS,
];
const KUBERNETES = ['core', 'agent', 'platform', 'services', 'vault'].map(
  (part) => `constructs/kubernetes/${part}`,
);
const CONSTRUCTS = [
  'constructs/terraform',
  'constructs/vm',
  'constructs/aws',
  'constructs/azure',
  'constructs/hosts',
  'constructs/kubernetes',
  ...KUBERNETES,
];
/** What every construct library may use. */
const CONSTRUCT_BASE = [...MODEL, ...GENERATORS, ...GUARDRAILS, 'constructs/terraform'];

/**
 * The layers, bottom to top: each folder and the folders (or single files) it
 * may import besides its own files. A folder's own files are those directly in
 * it, and in its subfolders unless a subfolder is listed itself. Anything else
 * of ours is refused, so the folders form no cycle. `main.ts`, `scripts/` and
 * `test/` may import anything.
 */
export const LAYERS = {
  model: [],
  'generators/rabbitmq': MODEL,
  'generators/monitoring': MODEL,
  'guardrails/data': [],
  'guardrails/engine': [...MODEL, 'guardrails/data'],
  'guardrails/rules/support': [...MODEL, 'guardrails/engine', 'guardrails/data'],
  ...Object.fromEntries(
    PACKS.map((pack) => [
      pack,
      [...MODEL, 'guardrails/engine', 'guardrails/data', 'guardrails/rules/support'],
    ]),
  ),
  'guardrails/rules': ['guardrails/engine', ...PACKS],
  guardrails: ['guardrails/engine', 'guardrails/rules'],
  'constructs/terraform': [...MODEL, ...GENERATORS, ...GUARDRAILS],
  'constructs/vm': [...MODEL, ...GENERATORS, ...GUARDRAILS],
  'constructs/aws': [...CONSTRUCT_BASE, 'constructs/vm'],
  'constructs/azure': [...CONSTRUCT_BASE, 'constructs/vm'],
  'constructs/hosts': [...CONSTRUCT_BASE, 'constructs/vm'],
  'constructs/kubernetes/core': CONSTRUCT_BASE,
  'constructs/kubernetes/platform': [...CONSTRUCT_BASE, 'constructs/kubernetes/core'],
  'constructs/kubernetes/vault': [
    ...CONSTRUCT_BASE,
    'constructs/kubernetes/core',
    'constructs/kubernetes/platform',
  ],
  'constructs/kubernetes/agent': [
    ...CONSTRUCT_BASE,
    'constructs/kubernetes/core',
    'constructs/kubernetes/vault',
  ],
  'constructs/kubernetes/services': [
    ...CONSTRUCT_BASE,
    'constructs/kubernetes/core',
    'constructs/kubernetes/platform',
    'constructs/kubernetes/vault',
  ],
  'constructs/kubernetes': KUBERNETES,
  config: [
    ...MODEL,
    ...GENERATORS,
    ...GUARDRAILS,
    'constructs/kubernetes/platform/charts.ts',
    'constructs/kubernetes/platform/site-capacity.ts',
  ],
  stacks: [...MODEL, ...GENERATORS, ...GUARDRAILS, ...CONSTRUCTS, 'config'],
  app: [...MODEL, ...GENERATORS, ...GUARDRAILS, ...CONSTRUCTS, 'config', 'stacks'],
  output: [...MODEL, ...GUARDRAILS, 'app'],
  simulate: [...MODEL, 'config', 'app', 'output'],
  review: [...MODEL, ...GUARDRAILS, 'app', 'output', 'simulate'],
};

/**
 * Folders and files of ours that no layer may import: the top, which may import
 * anything (`index.ts`, the package's public API; `main.ts`, the cdktf app).
 */
const UNLAYERED = ['index.ts', 'main.ts', 'scripts', 'test'];

/**
 * The glob of a folder's own files (see {@link LAYERS}), or of a single file:
 * the rule takes either globs or plain paths in one zone, never both, so a
 * file is written as a one-file glob (`charts.[t]s`).
 */
function ownFiles(entry) {
  if (entry.endsWith('.ts')) return entry.replace(/\.ts$/, '.[t]s');
  const nested = Object.keys(LAYERS).some((other) => other.startsWith(`${entry}/`));
  return nested ? `${entry}/*` : `${entry}/**`;
}

const absolute = (entry) => path.join(ROOT, ownFiles(entry));

/** Folders that messages name as one when a layer may import all of them. */
const GROUPS = { generators: GENERATORS, guardrails: GUARDRAILS, constructs: CONSTRUCTS };

/** `entries` for a message: `guardrails/**` for all of guardrails/, `model/` for a folder. */
function described(entries) {
  if (entries.length === 0) return 'its own files';
  const shown = [];
  for (const entry of entries) {
    const group = Object.entries(GROUPS).find(([, members]) => members.includes(entry));
    if (group && group[1].every((member) => entries.includes(member))) {
      if (!shown.includes(`${group[0]}/**`)) shown.push(`${group[0]}/**`);
    } else {
      shown.push(entry.endsWith('.ts') ? entry : `${entry}/`);
    }
  }
  return shown.join(', ');
}

/** One `import-x/no-restricted-paths` zone per layer folder: everything of ours it may not import. */
const LAYER_ZONES = Object.entries(LAYERS).map(([folder, allowed]) => {
  const files = allowed.filter((entry) => entry.endsWith('.ts'));
  const refused = [...Object.keys(LAYERS), ...UNLAYERED].filter(
    (other) => other !== folder && !allowed.includes(other),
  );
  return {
    target: absolute(folder),
    from: refused.map(absolute),
    ...(files.length > 0 ? { except: files.map(absolute) } : {}),
    message: `${folder}/ may import only ${described(allowed)} (LAYERS in eslint.config.mjs).`,
  };
});

/** Folders below the top (main.ts, scripts/, test/): none may import a Terraform provider. */
const PROVIDER_FREE = [
  'model',
  'generators',
  'guardrails',
  'config',
  'stacks',
  'app',
  'output',
  'review',
  'simulate',
];

const PROVIDER_SUBMODULES_ONLY = {
  regex: '^@cdktf/provider-[a-z0-9-]+$',
  message: "Import the provider's lib/<resource> submodule, never its index.",
};

/** A field of an exported construct props interface (`XxxProps`). */
const PROPS_FIELD =
  'ExportNamedDeclaration > TSInterfaceDeclaration[id.name=/Props$/] > TSInterfaceBody > TSPropertySignature';

/** A documented optional field without `@default <value>` or `@default - <behaviour>`. */
const DOCUMENTED_DEFAULT = {
  context: 'TSPropertySignature[optional=true]',
  comment: 'JsdocBlock:not([description=/@default/]):not(:has(JsdocTag[tag="default"]))',
  message:
    'A documented optional field says its default: `@default <value>` or `@default - <behaviour>`.',
};

/**
 * `jsdoc/require-description` on a doc comment of a field, a class property, or an
 * exported interface, class or function: only written comments are checked (the
 * rule never asks for a missing one), and the description is the leading text
 * (`body`), as every comment here has it, before any tags.
 */
const REQUIRE_DESCRIPTION = [
  'error',
  {
    descriptionStyle: 'body',
    contexts: [
      'TSPropertySignature',
      'PropertyDefinition',
      'ExportNamedDeclaration > TSInterfaceDeclaration',
      'ExportNamedDeclaration > ClassDeclaration',
      'ExportNamedDeclaration > FunctionDeclaration',
    ],
  },
];

/** The barrel folders of constructs/: stacks import constructs through these only. */
const CONSTRUCT_BARRELS = ['aws', 'azure', 'hosts', 'vm', 'terraform', 'kubernetes']
  .concat(KUBERNETES.map((folder) => folder.slice('constructs/'.length)))
  .join('|');

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'cdktf.out/**',
      'dist/**',
      'jest.config.js',
      'config/generated/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Tests and guardrail rules read synthesized JSON, whose shape is what they check.
    files: ['test/**/*.ts', 'guardrails/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Plain CommonJS modules that node or jest loads untranspiled.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      'no-restricted-imports': ['error', { patterns: [PROVIDER_SUBMODULES_ONLY] }],
    },
  },
  {
    // Only constructs/ (and the top: main.ts, scripts/, test/) use the Terraform providers.
    files: PROVIDER_FREE.map((folder) => `${folder}/**/*.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            PROVIDER_SUBMODULES_ONLY,
            {
              regex: '^@cdktf/provider-',
              message: 'Only constructs/ import a Terraform provider.',
            },
          ],
        },
      ],
    },
  },
  {
    // The layers, and imports in order.
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js', '.json', '.mjs', '.cjs', '.node'] }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: LAYER_ZONES }],
      // Imports in groups (Node's, packages', ours from parent folders, then from this
      // one), each alphabetical.
      'import-x/order': [
        'error',
        {
          groups: ['builtin', 'external', 'internal', 'parent', 'sibling', 'index'],
          'newlines-between': 'never',
          alphabetize: { order: 'asc', caseInsensitive: true },
        },
      ],
    },
  },
  {
    // No import cycle. Type-only imports are erased, so they form none at run time;
    // test files are left out: nothing imports one, so none is part of a cycle.
    files: ['**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // The public API of the model and the constructs is documented: exported
    // classes, functions and interfaces, and each field of a construct's props;
    // a documented optional field says its default (`@default <value>` or
    // `@default - <behaviour>`).
    files: ['model/**/*.ts', 'constructs/**/*.ts'],
    plugins: { jsdoc },
    rules: {
      'jsdoc/require-jsdoc': [
        'error',
        {
          // Never insert empty comments: a doc comment is written, not generated.
          enableFixer: false,
          require: { FunctionDeclaration: false },
          contexts: [
            'ExportNamedDeclaration > ClassDeclaration',
            'ExportNamedDeclaration > FunctionDeclaration',
            'ExportNamedDeclaration > TSInterfaceDeclaration',
            PROPS_FIELD,
          ],
        },
      ],
      'jsdoc/no-restricted-syntax': ['error', { contexts: [DOCUMENTED_DEFAULT] }],
      // A doc comment says what the member is, not only a tag (`/** @default 10s */`).
      'jsdoc/require-description': REQUIRE_DESCRIPTION,
    },
  },
  {
    // The rest of the public API (index.ts exports from these folders too): a
    // documented optional field says its default.
    files: [
      'stacks/**/*.ts',
      'guardrails/**/*.ts',
      'generators/**/*.ts',
      'config/**/*.ts',
      'output/**/*.ts',
      'review/**/*.ts',
      'simulate/**/*.ts',
    ],
    plugins: { jsdoc },
    rules: {
      'jsdoc/no-restricted-syntax': ['error', { contexts: [DOCUMENTED_DEFAULT] }],
      // A doc comment says what the member is, not only a tag (`/** @default 10s */`).
      'jsdoc/require-description': REQUIRE_DESCRIPTION,
    },
  },
  {
    // Stacks use construct libraries through their barrels only.
    files: ['stacks/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+constructs/(?!(${CONSTRUCT_BARRELS})(/index)?$)`,
              message:
                'Import a construct library through its barrel (constructs/<library> or constructs/kubernetes/<part>), not one of its files.',
            },
          ],
        },
      ],
    },
  },
);
