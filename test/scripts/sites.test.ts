import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ReviewError } from '../../output/files';
import { parseSitesArgs, siteMatrix } from '../../scripts/sites/matrix';
import { replaceOnce, synthesizedProject } from '../support/edited-examples';
import { tempDir } from '../support/temp-dir';
import { REPO, runTypeScript } from '../support/typescript-process';

interface Entry {
  environment: string;
  site: string;
  kind: string;
  stacks: string;
  removed?: true;
}

/** `npm run sites -- <args>` in its own process: its exit status, standard output and error. */
function runSites(...args: string[]) {
  return runTypeScript(path.join(REPO, 'scripts/sites.ts'), args, { cwd: REPO });
}

/**
 * What `npm run sites -- <args>` prints, computed in this process: the
 * matrix, or the problem it reports (without the `sites: ` it prints first).
 */
function sites(...args: string[]): { matrix?: { include: Entry[] }; problem?: string } {
  try {
    return { matrix: siteMatrix(parseSitesArgs(args)) as { include: Entry[] } };
  } catch (error) {
    if (!(error instanceof ReviewError)) throw error;
    return { problem: error.message };
  }
}

/** `<environment>/<site>` of each entry, `(removed)` after a removed one. */
function named(entries: readonly Entry[]): string[] {
  return entries.map(
    (entry) => `${entry.environment}/${entry.site}${entry.removed ? ' (removed)' : ''}`,
  );
}

/** Rewrites a file of an output and its SHA-256 in `stamp.json`, as a synth would have. */
function restamp(outdir: string, file: string, change: (text: string) => string): void {
  const full = path.join(outdir, file);
  fs.writeFileSync(full, change(fs.readFileSync(full, 'utf8')));
  const stampFile = path.join(outdir, 'stamp.json');
  const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  stamp.files[file] = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
  fs.writeFileSync(stampFile, JSON.stringify(stamp, null, 2));
}

/** A copy of an output, its link followed. */
function copyOutput(outdir: string): string {
  const copy = path.join(tempDir('fleet-sites-copy'), 'cdktf.out');
  fs.cpSync(fs.realpathSync(outdir), copy, { recursive: true });
  return copy;
}

const ALL_SITES = [
  'local/dev',
  'prod/nebraska',
  'prod/denver-edge',
  'prod/us-east',
  'prod/eu-west',
  'prod/nebraska-warm',
  'staging/eu',
];

describe('npm run sites', () => {
  const base = synthesizedProject();

  describe('without a base', () => {
    it('lists every site of every environment, its kind and its stacks in deploy order', () => {
      const { matrix } = sites('--out', base);
      expect(named(matrix!.include)).toEqual(ALL_SITES);
      const fleet = JSON.parse(fs.readFileSync(path.join(base, 'fleet.json'), 'utf8'));
      for (const entry of matrix!.include) {
        const site = fleet.environments[entry.environment].sites.find(
          (candidate: any) => candidate.name === entry.site,
        );
        expect(entry).toEqual({
          environment: entry.environment,
          site: entry.site,
          kind: site.kind,
          stacks: site.stacks.join(' '),
        });
      }
      expect(matrix!.include).toContainEqual({
        environment: 'prod',
        site: 'us-east',
        kind: 'aws',
        stacks: 'prod-us-east-infra prod-us-east-platform prod-us-east-agents',
      });
      expect(matrix!.include).toContainEqual({
        environment: 'prod',
        site: 'nebraska-warm',
        kind: 'hosts',
        stacks: 'prod-nebraska-warm-hosts',
      });
    });

    it('lists the environments and sites named', () => {
      expect(named(sites('--out', base, '--environment', 'prod').matrix!.include)).toEqual(
        ALL_SITES.filter((site) => site.startsWith('prod/')),
      );
      expect(
        named(
          sites('--out', base, '--environment', 'staging', '--environment', 'prod').matrix!.include,
        ),
      ).toEqual(['staging/eu', ...ALL_SITES.filter((site) => site.startsWith('prod/'))]);
      // As the deploy workflow's `sites` input passes them: comma-separated, spaces allowed.
      expect(
        named(
          sites('--out', base, '--environment', 'prod', '--site', 'us-east, nebraska-warm').matrix!
            .include,
        ),
      ).toEqual(['prod/us-east', 'prod/nebraska-warm']);
    });
  });

  describe('with --changed-against', () => {
    it('lists no site when nothing changed, and every one as unchanged', () => {
      const again = synthesizedProject();
      expect(sites('--out', again, '--changed-against', base).matrix).toEqual({ include: [] });
      const unchanged = sites('--out', again, '--changed-against', base, '--unchanged');
      expect(named(unchanged.matrix!.include)).toEqual(ALL_SITES);
    });

    it('lists only the site whose agent changed, and the others as unchanged', () => {
      const head = synthesizedProject({
        'environments/prod.yaml': (text) =>
          replaceOnce(
            text,
            'requests: { cpu: 500m, memory: 512Mi }',
            'requests: { cpu: 400m, memory: 512Mi }',
          ),
      });
      const changed = sites('--out', head, '--changed-against', base);
      expect(changed.problem).toBeUndefined();
      expect(changed.matrix!.include).toEqual([
        {
          environment: 'prod',
          site: 'denver-edge',
          kind: 'kubernetes',
          stacks: 'prod-denver-edge-platform prod-denver-edge-agents',
        },
      ]);
      const unchanged = sites('--out', head, '--changed-against', base, '--unchanged');
      expect(named(unchanged.matrix!.include)).toEqual(
        ALL_SITES.filter((site) => site !== 'prod/denver-edge'),
      );
      // Limited to environments, as the workflows ask.
      expect(
        sites('--out', head, '--changed-against', base, '--environment', 'staging').matrix,
      ).toEqual({ include: [] });
    });

    it('lists a warm-server site whose Ansible changed', () => {
      const head = synthesizedProject({
        'environments/prod.yaml': (text) =>
          replaceOnce(
            text,
            'minReplicas: 1\n          maxReplicas: 6',
            'minReplicas: 1\n          maxReplicas: 4',
          ),
      });
      expect(named(sites('--out', head, '--changed-against', base).matrix!.include)).toEqual([
        'prod/nebraska-warm',
      ]);
    });

    it('lists the sites only the base has as removed, with the stacks they had', () => {
      const head = synthesizedProject({}, ['local', 'staging']);
      const { matrix } = sites('--out', head, '--changed-against', base);
      expect(named(matrix!.include)).toEqual(
        ALL_SITES.filter((site) => site.startsWith('prod/')).map((site) => `${site} (removed)`),
      );
      expect(matrix!.include).toContainEqual({
        environment: 'prod',
        site: 'us-east',
        kind: 'aws',
        stacks: 'prod-us-east-infra prod-us-east-platform prod-us-east-agents',
        removed: true,
      });
      // And the other way round: every site the head adds.
      expect(named(sites('--out', base, '--changed-against', head).matrix!.include)).toEqual(
        ALL_SITES.filter((site) => site.startsWith('prod/')),
      );
    });

    it('counts a site whose stack list changed as changed', () => {
      const head = copyOutput(base);
      restamp(head, 'fleet.json', (text) => {
        const fleet = JSON.parse(text);
        const site = fleet.environments.staging.sites[0];
        site.stacks = [...site.stacks].reverse();
        return JSON.stringify(fleet, null, 2);
      });
      expect(named(sites('--out', head, '--changed-against', base).matrix!.include)).toEqual([
        'staging/eu',
      ]);
    });
  });

  describe('as a command', () => {
    it('prints the matrix on one line, to write to $GITHUB_OUTPUT as it is', () => {
      const result = runSites('--out', base, '--environment', 'staging');
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      expect(result.stdout).toBe(
        `${JSON.stringify(sites('--out', base, '--environment', 'staging').matrix)}\n`,
      );
    });

    it('reports a problem in one line and exits 2', () => {
      const result = runSites('--out', base, '--environment', 'qa');
      expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 2, stdout: '' });
      expect(result.stderr).toBe(`sites: ${sites('--out', base, '--environment', 'qa').problem}\n`);
    });
  });

  describe('refuses', () => {
    it.each([
      [['--site'], /^--site needs a value/],
      [['--what'], /^unknown argument '--what'/],
      [['--unchanged'], /^--unchanged lists the sites that did not change: give --changed-against/],
      [['--out', '/nonexistent/out'], /^--out '\/nonexistent\/out': no such directory/],
      [
        ['--environment', 'qa'],
        /^no environment 'qa' in --out '.*' \(environments: local, prod, staging\)/,
      ],
      [
        ['--environment', 'prod', '--site', 'eu'],
        /^no site 'eu' in environment\(s\) prod of --out/,
      ],
    ])('%j', (args, message) => {
      const out = args.includes('--out') ? [] : ['--out', base];
      expect(sites(...out, ...args).problem).toMatch(message);
    });

    it('an output that is not one whole synth', () => {
      const notStamped = copyOutput(base);
      fs.rmSync(path.join(notStamped, 'stamp.json'));
      expect(sites('--out', notStamped).problem).toMatch(
        /has no stamp\.json: synthesize it with npm run synth/,
      );
      const edited = copyOutput(base);
      fs.appendFileSync(path.join(edited, 'stacks/prod-us-east-agents/cdk.tf.json'), '\n');
      expect(sites('--out', base, '--changed-against', edited).problem).toMatch(
        /^--changed-against '.*' is not one whole output: .*prod-us-east-agents.*SHA-256/,
      );
    });

    it('a warm-server site whose Ansible file does not match its hash', () => {
      const head = copyOutput(base);
      fs.appendFileSync(
        path.join(head, 'stacks/prod-nebraska-warm-hosts/ansible/site.yml'),
        '# edited\n',
      );
      expect(sites('--out', head, '--changed-against', base).problem).toMatch(
        /ansible\/site\.yml does not match its SHA-256/,
      );
    });

    it('a site whose stack depends on a stack of another site', () => {
      const head = copyOutput(base);
      restamp(head, 'manifest.json', (text) => {
        const manifest = JSON.parse(text);
        manifest.stacks['prod-nebraska-agents'].dependencies.push('prod-us-east-infra');
        return JSON.stringify(manifest, null, 2);
      });
      expect(sites('--out', head, '--environment', 'prod').problem).toMatch(
        /stack 'prod-nebraska-agents' of site 'prod\/nebraska' depend on 'prod-us-east-infra', which is not a stack of that site/,
      );
    });

    it('outputs of two projects', () => {
      const other = copyOutput(base);
      restamp(other, 'fleet.json', (text) =>
        JSON.stringify({ ...JSON.parse(text), project: 'another-project' }, null, 2),
      );
      expect(sites('--out', base, '--changed-against', other).problem).toMatch(
        /is an output of project 'another-project'/,
      );
    });
  });
});
