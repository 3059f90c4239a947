import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ReviewError } from '../../output/load';
import { lineDiff } from '../../review/line-diff';
import { runReview } from '../../review/review';
import { tempDir } from '../support/temp-dir';
import { REPO, synthesize } from './support';

// A hosts site's stack holds one terraform_data resource listing the SHA-256 of
// each Ansible file synth generated beside it; the review holds the files to
// those hashes and shows how they change.

const synthesized = synthesize(REPO, ['local']);
const STACK = 'local-warm-hosts';

type Files = Record<string, string>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Lines `key-<i>: <value>` for i in 1..count, one of them edited. */
function lines(count: number, edit: (i: number) => string = (i) => `value-${i}`): string {
  return Array.from({ length: count }, (_, i) => `key-${i + 1}: ${edit(i + 1)}\n`).join('');
}

const BASE_FILES: Files = {
  'inventory.yml': 'all:\n  hosts:\n    ne-warm-01: {}\n    ne-warm-02: {}\n',
  'site.yml': '- hosts: all\n  roles: [agents]\n',
  'reconcile.yml': '- hosts: all\n  tasks: []\n',
  'group_vars/all.yml': lines(20),
  'host_vars/ne-warm-01.yml': lines(12),
  'host_vars/ne-warm-02.yml': 'replicas: 2\n',
  'files/agent-chimera-data-ingest@.service': '[Service]\nExecStart=/usr/bin/agent\n',
};

const BRANCH_FILES: Files = {
  ...BASE_FILES,
  'inventory.yml': 'all:\n  hosts:\n    ne-warm-01: {}\n    ne-warm-03: {}\n',
  'group_vars/all.yml': lines(20, (i) => (i === 10 ? 'ten' : `value-${i}`)),
  'host_vars/ne-warm-01.yml': lines(12, (i) => (i === 6 ? 'six' : `value-${i}`)),
  'host_vars/ne-warm-03.yml': 'replicas: 3\n',
  'files/agent-inventory-update@.service': '[Service]\nExecStart=/usr/bin/inventory\n',
};
delete BRANCH_FILES['host_vars/ne-warm-02.yml'];
delete BRANCH_FILES['reconcile.yml'];

interface HostsOptions {
  /** The hashes the resource lists. @default - those of `files` */
  readonly hashes?: Record<string, string>;
  /** Changes the files on disk after hashing. */
  readonly onDisk?: (ansibleDir: string) => void;
}

/**
 * A copy of the synthesized `local` output with a hosts site `warm` and its
 * stack, whose Ansible folder holds `files`.
 */
function outputWithHosts(files: Files, options: HostsOptions = {}): string {
  const dir = path.join(tempDir('fleet-review-hosts'), 'cdktf.out');
  fs.cpSync(synthesized, dir, { recursive: true });
  const stackDir = path.join(dir, 'stacks', STACK);
  const ansibleDir = path.join(stackDir, 'ansible');
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(ansibleDir, file)), { recursive: true });
    fs.writeFileSync(path.join(ansibleDir, file), text);
  }
  const hashes =
    options.hashes ?? Object.fromEntries(Object.entries(files).map(([f, t]) => [f, sha256(t)]));
  const stack = {
    terraform: { backend: { local: { path: `../../../terraform-state/${STACK}.tfstate` } } },
    resource: {
      terraform_data: {
        ansible: {
          input: { site: 'warm', files: hashes },
          triggers_replace: { files: hashes },
          provisioner: [
            {
              'local-exec': {
                command: 'ansible-playbook -i inventory.yml site.yml',
                working_dir: '${path.module}/ansible',
              },
            },
          ],
        },
      },
    },
  };
  fs.writeFileSync(path.join(stackDir, 'cdk.tf.json'), JSON.stringify(stack, null, 2));
  options.onDisk?.(ansibleDir);
  editJson(path.join(dir, 'manifest.json'), (manifest) => {
    manifest.stacks[STACK] = {
      name: STACK,
      constructPath: STACK,
      workingDirectory: `stacks/${STACK}`,
      synthesizedStackPath: `stacks/${STACK}/cdk.tf.json`,
      annotations: [],
      dependencies: [],
    };
  });
  editJson(path.join(dir, 'fleet.json'), (fleet) => {
    const local = fleet.environments.local;
    local.stacks.push(STACK);
    local.sites.push({
      name: 'warm',
      kind: 'hosts',
      cluster: 'Ansible inventory of 2 server(s)',
      nodePools: [],
      databases: [],
      addOns: [],
    });
  });
  return dir;
}

function editJson(file: string, edit: (value: any) => void): void {
  const value = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(value);
  fs.writeFileSync(file, JSON.stringify(value));
}

function review(synth: string, base?: string): string {
  const out = tempDir('fleet-review-hosts-out');
  runReview({ synth, ...(base ? { base } : {}), out });
  return fs.readFileSync(path.join(out, 'local.md'), 'utf8');
}

function refusal(synth: string): string {
  try {
    runReview({ synth, out: tempDir('fleet-review-hosts-out') });
  } catch (error) {
    if (error instanceof ReviewError) return error.message;
    throw error;
  }
  throw new Error('the review accepted it');
}

/** The text from a heading to the next heading of the same or a higher level. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`no section '${heading}'`);
  const level = heading.split(' ')[0].length;
  const rest = markdown.slice(start + heading.length + 1);
  const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return next < 0 ? rest : rest.slice(0, next);
}

describe('the Ansible files of a hosts stack, compared with a base', () => {
  const base = outputWithHosts(BASE_FILES);
  const branch = outputWithHosts(BRANCH_FILES);
  const markdown = review(branch, base);
  const ansible = section(markdown, '### Ansible files per hosts stack');
  const stack = section(ansible, `#### \`${STACK}\`, site \`warm\``);

  it('follows the resources per stack in What changes', () => {
    const changes = section(markdown, '## What changes');
    expect(changes.indexOf('### Resources per stack')).toBeLessThan(
      changes.indexOf('### Ansible files per hosts stack'),
    );
    expect(changes).toContain('- change `terraform_data.ansible`: input.files');
    expect(stack).toContain('2 server(s), 7 file(s): 2 added, 2 removed, 3 changed.');
  });

  it('shows each server first, with the lines that change', () => {
    expect(stack.indexOf('##### Server `ne-warm-01`')).toBeLessThan(
      stack.indexOf('##### Shared files'),
    );
    const server = section(stack, '##### Server `ne-warm-01`');
    expect(server).toBe(
      [
        '',
        'Changed `host_vars/ne-warm-01.yml` (+1 −1):',
        '',
        '```diff',
        '@@ -3,7 +3,7 @@',
        ' key-3: value-3',
        ' key-4: value-4',
        ' key-5: value-5',
        '-key-6: value-6',
        '+key-6: six',
        ' key-7: value-7',
        ' key-8: value-8',
        ' key-9: value-9',
        '```',
        '',
        '',
      ].join('\n'),
    );
    expect(section(stack, '##### Server `ne-warm-02`')).toContain(
      'Removed `host_vars/ne-warm-02.yml` (1 line(s)).',
    );
    expect(section(stack, '##### Server `ne-warm-03`')).toContain(
      'Added `host_vars/ne-warm-03.yml` (+1 −0):\n\n```diff\n@@ -0,0 +1,1 @@\n+replicas: 3\n```',
    );
  });

  it('then the shared files: added, removed and changed, the unchanged ones not at all', () => {
    const shared = section(stack, '##### Shared files');
    const order = [
      'Changed `inventory.yml`',
      'Removed `reconcile.yml`',
      'Changed `group_vars/all.yml`',
      'Added `files/agent-inventory-update@.service`',
    ].map((line) => shared.indexOf(line));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order).not.toContain(-1);
    expect(shared).toContain('-    ne-warm-02: {}\n+    ne-warm-03: {}\n');
    expect(shared).toContain('-key-10: value-10\n+key-10: ten\n');
    expect(shared).toContain('Removed `reconcile.yml` (2 line(s)).');
    expect(shared).toContain('+ExecStart=/usr/bin/inventory');
    expect(ansible).not.toContain('site.yml`');
    expect(ansible).not.toContain('agent-chimera-data-ingest@.service');
  });

  it('summarises a file of more than 400 changed lines by its counts', () => {
    const long = review(
      outputWithHosts({ ...BASE_FILES, 'group_vars/all.yml': lines(450, (i) => `new-${i}`) }),
      base,
    );
    expect(long).toContain(
      'Changed `group_vars/all.yml`: 470 line(s) changed (+450 −20), more than 400: not shown.',
    );
    expect(long).not.toContain('+key-1: new-1');
  });

  it('says nothing of a file when the hosts stack is the same', () => {
    const same = section(review(base, base), '### Ansible files per hosts stack');
    expect(same).toContain('2 server(s), 7 file(s): 0 added, 0 removed, 0 changed.');
    expect(same).not.toContain('```diff');
  });
});

describe('the Ansible files of a hosts stack, without a base', () => {
  it('lists the servers and the files by name', () => {
    const listing = section(
      review(outputWithHosts(BRANCH_FILES)),
      '## Ansible files per hosts stack',
    );
    expect(listing).toContain(
      '`terraform_data.ansible` runs `ansible-playbook -i inventory.yml site.yml` in `ansible/`. Servers: `ne-warm-01`, `ne-warm-03`.',
    );
    expect(listing).toContain(
      [
        '- `host_vars/ne-warm-01.yml`',
        '- `host_vars/ne-warm-03.yml`',
        '- `inventory.yml`',
        '- `site.yml`',
        '- `group_vars/all.yml`',
        '- `files/agent-chimera-data-ingest@.service`',
        '- `files/agent-inventory-update@.service`',
      ].join('\n'),
    );
    expect(listing).not.toContain('ExecStart');
  });
});

describe('the review refuses Ansible files that are not what the stack lists', () => {
  const stackFile = `stacks/${STACK}/cdk.tf.json`;

  it('a file whose SHA-256 is not the one listed', () => {
    const synth = outputWithHosts(BASE_FILES, {
      onDisk: (dir) => fs.appendFileSync(path.join(dir, 'site.yml'), '- hosts: evil\n'),
    });
    expect(refusal(synth)).toBe(
      `--synth '${synth}': stacks/${STACK}/ansible/site.yml does not match its SHA-256 in terraform_data.ansible of ${stackFile} (listed ${sha256(BASE_FILES['site.yml'])}, on disk ${sha256(`${BASE_FILES['site.yml']}- hosts: evil\n`)})`,
    );
  });

  it('a listed path with ..', () => {
    const synth = outputWithHosts(BASE_FILES, {
      hashes: { ...hashesOf(BASE_FILES), '../cdk.tf.json': sha256('{}') },
    });
    expect(refusal(synth)).toBe(
      `--synth '${synth}': ${stackFile} lists '../cdk.tf.json' in terraform_data.ansible input.files, which is not a path inside ansible/ (relative, with /, no '.' or '..')`,
    );
  });

  it('an absolute path', () => {
    const synth = outputWithHosts(BASE_FILES, {
      hashes: { ...hashesOf(BASE_FILES), '/etc/passwd': sha256('') },
    });
    expect(refusal(synth)).toMatch(/lists '\/etc\/passwd' in terraform_data.ansible input.files/);
  });

  it('a listed file that is missing', () => {
    const synth = outputWithHosts(BASE_FILES, {
      onDisk: (dir) => fs.rmSync(path.join(dir, 'reconcile.yml')),
    });
    expect(refusal(synth)).toBe(
      `--synth '${synth}': stacks/${STACK}/ansible/reconcile.yml is missing: terraform_data.ansible of ${stackFile} lists it`,
    );
  });

  it('a file in ansible/ that is not listed', () => {
    const synth = outputWithHosts(BASE_FILES, {
      onDisk: (dir) => fs.writeFileSync(path.join(dir, 'extra.yml'), '- hosts: all\n'),
    });
    expect(refusal(synth)).toMatch(
      /stacks\/local-warm-hosts\/ansible\/extra.yml is not listed in terraform_data.ansible input.files/,
    );
  });

  it('a listed file that is a link out of ansible/', () => {
    const synth = outputWithHosts(BASE_FILES, {
      onDisk: (dir) => {
        fs.rmSync(path.join(dir, 'site.yml'));
        fs.symlinkSync('../cdk.tf.json', path.join(dir, 'site.yml'));
      },
    });
    expect(refusal(synth)).toMatch(
      /ansible\/site.yml is a symbolic link leading outside stacks\/local-warm-hosts\/ansible$/,
    );
  });

  it('a hash that is not SHA-256 hex', () => {
    const synth = outputWithHosts(BASE_FILES, {
      hashes: { ...hashesOf(BASE_FILES), 'site.yml': 'md5:abc' },
    });
    expect(refusal(synth)).toBe(
      `--synth '${synth}': ${stackFile} is not what synth writes: terraform_data.ansible: /input/files/site.yml must match pattern "^[0-9a-f]{64}$"`,
    );
  });
});

function hashesOf(files: Files): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([f, t]) => [f, sha256(t)]));
}

describe('lineDiff', () => {
  it('numbers hunks as diff -u does and merges nearby changes', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
    const after = 'a\nB\nc\nd\ne\nf\ng\nH\ni\n';
    expect(lineDiff(before, after, 1)).toEqual({
      added: 3,
      removed: 2,
      hunks: [
        '@@ -1,3 +1,3 @@',
        ' a',
        '-b',
        '+B',
        ' c',
        '@@ -7,2 +7,3 @@',
        ' g',
        '-h',
        '+H',
        '+i',
      ].join('\n'),
    });
    expect(lineDiff(before, before)).toEqual({ added: 0, removed: 0, hunks: '' });
    expect(lineDiff('x\n', '')).toEqual({ added: 0, removed: 1, hunks: '@@ -1,1 +0,0 @@\n-x' });
  });
});
