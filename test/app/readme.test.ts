import { Testing } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { formatProblem, loadFleet } from '../../config';
import { addEnvironment } from '../../stacks/fleet';
import { formatSummary } from '../../app/summary';
import { tempDir } from '../support/temp-dir';
import { REPO } from '../support/typescript-process';

const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');

/** The fenced blocks of a language, in order. */
function blocks(language: string): string[] {
  return [...README.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map(
    (match) => match[1],
  );
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
    const summary = formatSummary(addEnvironment(Testing.app(), loaded.environments[0]));
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
});
