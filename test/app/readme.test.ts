import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { parseDocument } from 'yaml';
import { formatProblem, loadFleet } from '../../config';
import { GUARDRAIL_RULES } from '../../guardrails';
import { AgentFleet } from '../../stacks/agent-fleet';
import { formatSummary } from '../../stacks/summary';
import { tempDir } from '../support/temp-dir';
import { REPO } from '../support/typescript-process';

const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');

/** The fenced blocks of a language, in order. */
function blocks(language: string): string[] {
  return [...README.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map(
    (match) => match[1],
  );
}

/** The text of a `## ` section, from its heading to the next one. */
function section(heading: string): string {
  const start = README.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no section '${heading}'`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The folders of the repository's files, committed or about to be, that still exist. */
function repositoryFolders(): Set<string> {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => file && fs.existsSync(path.join(REPO, file)));
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      folders.add(`${parts.slice(0, depth).join('/')}/`);
    }
  }
  return folders;
}

/** Adds the entries of a YAML snippet's top-level mapping `key` to a file's. */
function mergeInto(file: string, snippet: string, key: string): void {
  const document = parseDocument(fs.readFileSync(file, 'utf8'));
  const additions = parseDocument(snippet).toJS()[key] as Record<string, unknown>;
  for (const [name, value] of Object.entries(additions)) document.setIn([key, name], value);
  fs.writeFileSync(file, document.toString());
}

describe('README', () => {
  it('shows the summary npm run synth prints', () => {
    const loaded = loadFleet({ rootDir: REPO, environments: ['local'] });
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    const summary = formatSummary(
      new AgentFleet(Testing.app(), 'local', { environment: loaded.environments[0] }).summary,
    );
    expect(blocks('text')[0].trimEnd()).toBe(summary);
  });

  it('adds an agent type with the catalogue and environment snippets', () => {
    const [catalogueSnippet, environmentSnippet] = blocks('yaml');
    const root = tempDir('fleet-readme');
    fs.cpSync(path.join(REPO, 'fleet'), path.join(root, 'fleet'), { recursive: true });
    fs.cpSync(path.join(REPO, 'environments'), path.join(root, 'environments'), {
      recursive: true,
    });
    mergeInto(path.join(root, 'fleet/agent-types.yaml'), catalogueSnippet, 'agentTypes');
    mergeInto(path.join(root, 'environments/local.yaml'), environmentSnippet, 'agents');

    const loaded = loadFleet({ rootDir: root, environments: ['local'] });
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    const thumbnailer = loaded.environments[0].deployments.find(
      (d) => d.agent.name === 'thumbnailer',
    );
    expect(thumbnailer?.site).toBe('dev');
    expect(thumbnailer?.agent.scaling).toMatchObject({ minReplicas: 1, maxReplicas: 2 });
  });

  it('names the rule count of the guardrails it runs', () => {
    expect(section('Guardrails')).toContain(`with ${GUARDRAIL_RULES.length} policy rules`);
  });

  it('lays out every top-level folder and construct folder, and only what exists', () => {
    const listed = section('Layout')
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...line.split('|')[1].matchAll(/`([^`]+)`/g)].map((match) => match[1]));
    expect(listed.filter((entry) => !fs.existsSync(path.join(REPO, entry)))).toEqual([]);

    const folders = [...repositoryFolders()];
    const topLevel = folders.filter((folder) => folder.split('/').length === 2);
    expect(topLevel).toContain('constructs/');
    expect(
      topLevel.filter(
        (folder) => folder !== 'constructs/' && !listed.some((entry) => entry.startsWith(folder)),
      ),
    ).toEqual([]);
    // Each construct library is listed itself; the Kubernetes one by its parts.
    const constructFolders = folders.filter(
      (folder) =>
        /^constructs\/[^/]+\/$/.test(folder) || /^constructs\/kubernetes\/[^/]+\/$/.test(folder),
    );
    const expected = constructFolders.filter((folder) => folder !== 'constructs/kubernetes/');
    expect(expected.length).toBeGreaterThan(5);
    expect(expected.filter((folder) => !listed.includes(folder))).toEqual([]);
    expect(
      listed.filter((entry) => entry.startsWith('constructs/') && !expected.includes(entry)),
    ).toEqual([]);
  });
});
