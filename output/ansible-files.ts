import { createHash } from 'crypto';
import * as path from 'path';
import type { InputDir } from './files';
import type { StackJson } from './schema';
import { AnsibleResource, ansibleResourceSchema, MAX_ANSIBLE_FILES, schemaProblem } from './schema';

/**
 * The Ansible of hosts sites: a `<env>-<site>-hosts` stack holds one
 * `terraform_data` resource whose `input.files` gives the SHA-256 of each
 * file synth generated in the stack's `ansible/` folder, and whose
 * `local-exec` runs the playbook there. The review reads those files, holds
 * each to its hash, and compares them with the base's.
 */

/** The folder beside a hosts stack's `cdk.tf.json` that holds its Ansible files. */
export const ANSIBLE_DIR = 'ansible';

/** A hosts stack's generated Ansible files, read and checked. */
export interface AnsibleFiles {
  readonly stack: string;
  readonly site: string;
  /** The resource that runs them, e.g. `terraform_data.ansible`. */
  readonly address: string;
  /** What its `local-exec` runs in the folder. */
  readonly command: string;
  /** Each file's text by its path in the folder (`/`-separated), sorted by path. */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * A stack's Ansible files, when it has a `terraform_data` resource with
 * `input.files`: each listed file read from `ansible/` beside the stack's
 * `cdk.tf.json`, through `input`'s checks (regular files inside the folder,
 * size limits), and held to its SHA-256.
 * @param stackFile the stack's `cdk.tf.json`, relative to the output
 * @returns undefined when the stack runs no Ansible
 * @throws ReviewError when the resource is not what synth writes, names a
 *   path outside the folder, a file is missing, unreadable or does not match
 *   its hash, or the folder holds a file the resource does not list
 */
export function readAnsibleFiles(
  input: InputDir,
  stack: string,
  stackFile: string,
  json: StackJson,
): AnsibleFiles | undefined {
  const resources = (json.resource ?? {}) as Record<string, Record<string, unknown>>;
  const named = Object.hasOwn(resources, 'terraform_data') ? resources.terraform_data : {};
  const runners = Object.entries(named).filter(([, body]) => hasFiles(body));
  if (runners.length === 0) return undefined;
  if (runners.length > 1) {
    throw input.problem(
      stackFile,
      `is not what synth writes: ${runners.length} terraform_data resources list input.files (${runners.map(([name]) => name).join(', ')}), a hosts stack has one`,
    );
  }
  const [name, body] = runners[0];
  const address = `terraform_data.${name}`;
  const problem = schemaProblem(ansibleResourceSchema, body);
  if (problem) {
    throw input.problem(stackFile, `is not what synth writes: ${address}: ${problem}`);
  }
  const resource = body as AnsibleResource;
  const hashes = resource.input.files;
  const listed = Object.keys(hashes).sort();
  for (const file of listed) {
    if (!isFolderPath(file)) {
      throw input.problem(
        stackFile,
        `lists '${file}' in ${address} input.files, which is not a path inside ${ANSIBLE_DIR}/ (relative, with /, no '.' or '..')`,
      );
    }
  }
  const replaced = resource.triggers_replace.files;
  const differing = [...new Set([...listed, ...Object.keys(replaced)])].find(
    (file) => !Object.hasOwn(replaced, file) || hashes[file] !== replaced[file],
  );
  if (differing !== undefined) {
    throw input.problem(
      stackFile,
      `is not what synth writes: ${address} triggers_replace.files differs from input.files at '${differing}', so a changed file would not run the playbook again`,
    );
  }

  const folder = path.posix.join(
    path.posix.dirname(stackFile.split(path.sep).join('/')),
    ANSIBLE_DIR,
  );
  const files = new Map<string, string>();
  for (const file of listed) {
    const relative = `${folder}/${file}`;
    if (!input.has(relative)) {
      throw input.problem(relative, `is missing: ${address} of ${stackFile} lists it`);
    }
    const bytes = input.readFile(relative, folder);
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== hashes[file]) {
      throw input.problem(
        relative,
        `does not match its SHA-256 in ${address} of ${stackFile} (listed ${hashes[file]}, on disk ${actual})`,
      );
    }
    files.set(file, bytes.toString('utf8'));
  }
  const unlisted = input.listFiles(folder, MAX_ANSIBLE_FILES).find((file) => !files.has(file));
  if (unlisted !== undefined) {
    throw input.problem(
      `${folder}/${unlisted}`,
      `is not listed in ${address} input.files of ${stackFile}: every file of ${ANSIBLE_DIR}/ must be listed with its hash`,
    );
  }
  return {
    stack,
    site: resource.input.site,
    address,
    command: resource.provisioner[0]['local-exec'].command,
    files,
  };
}

function hasFiles(body: unknown): boolean {
  const input = (body as { input?: unknown }).input;
  return input !== null && typeof input === 'object' && Object.hasOwn(input, 'files');
}

/** A relative path with `/` whose every segment is a name: no `.`, `..`, `\`, empty segment or NUL. */
function isFolderPath(file: string): boolean {
  return file
    .split('/')
    .every(
      (segment) => segment !== '' && segment !== '.' && segment !== '..' && !/[\\\0]/.test(segment),
    );
}

/** The server a file configures (`host_vars/<server>.yml` or `host_vars/<server>/…`), if any. */
export function serverOf(file: string): string | undefined {
  const match = /^host_vars\/([^/]+)/.exec(file);
  if (!match) return undefined;
  return file.includes('/', 'host_vars/'.length) ? match[1] : match[1].replace(/\.ya?ml$/, '');
}

/**
 * Files in the order the review shows them: per server (by server), then the
 * shared files: inventory, the playbooks beside it, `group_vars/`, other
 * folders, `files/`.
 */
export function ansibleOrder(a: string, b: string): number {
  const rank = (file: string) => {
    const server = serverOf(file);
    if (server !== undefined) return [0, server] as const;
    if (/^inventory(\.|\/|$)/.test(file)) return [1, ''] as const;
    if (!file.includes('/')) return [2, ''] as const;
    if (file.startsWith('group_vars/')) return [3, ''] as const;
    if (file.startsWith('files/')) return [5, ''] as const;
    return [4, ''] as const;
  };
  const [x, serverX] = rank(a);
  const [y, serverY] = rank(b);
  return x - y || compare(serverX, serverY) || compare(a, b);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The servers of a hosts stack, from its `host_vars/`, sorted. */
export function serversOf(files: AnsibleFiles): string[] {
  const servers = new Set<string>();
  for (const file of files.files.keys()) {
    const server = serverOf(file);
    if (server !== undefined) servers.add(server);
  }
  return [...servers].sort(compare);
}
