import * as fs from 'fs';
import * as path from 'path';
import { startReadAhead } from '../../app/read-ahead';
import { ProblemList } from '../../config/problems';
import { readYamlMap } from '../../config/yaml-source';
import { copyProjectConfig, runMain } from '../support/project';
import { tempDir } from '../support/temp-dir';
import { REPO } from '../support/typescript-process';

const parsed = (root: string, file: string) =>
  readYamlMap(root, file, 'a mapping', new ProblemList());

describe('reading the environment files ahead', () => {
  it('parses the environment files named, in a worker thread', async () => {
    const trees = await startReadAhead(REPO, ['local', 'staging/eu-west']).trees;
    expect([...trees.keys()].sort()).toEqual([
      'environments/local.yaml',
      'environments/staging.yaml',
    ]);
    expect(trees.get('environments/staging.yaml')).toEqual(
      parsed(REPO, 'environments/staging.yaml'),
    );
  });

  it('parses every environment file when none is named', async () => {
    const trees = await startReadAhead(REPO, []).trees;
    const files = fs
      .readdirSync(path.join(REPO, 'environments'))
      .filter((f) => f.endsWith('.yaml'));
    expect([...trees.keys()].sort()).toEqual(files.sort().map((f) => `environments/${f}`));
  });

  it('gives no tree for a file with a problem, which the loader then reports itself', async () => {
    const root = tempDir('fleet-read-ahead');
    copyProjectConfig(root);
    const file = path.join(root, 'environments', 'local.yaml');
    fs.writeFileSync(file, `${fs.readFileSync(file, 'utf8')}\nsites: {}\n`);
    fs.rmSync(path.join(root, 'environments', 'staging.yaml'));
    const trees = await startReadAhead(root, []).trees;
    expect([...trees.keys()]).toEqual(['environments/prod.yaml']);

    const run = runMain(root, ['local', 'staging']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^environments\/local\.yaml:\d+:1 .*YAML: Map keys must be unique/m);
    expect(run.stderr).toMatch(/^environments\/staging\.yaml:1:1 .*file not found/m);
  });
});
