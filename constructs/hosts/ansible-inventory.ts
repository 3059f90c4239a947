import { stringify } from 'yaml';
import { HostsSiteSpec } from '../../model';

/**
 * A YAML document as the hosts site's Ansible files are written: `---`
 * first, block style, no line folding (long commands and queries stay on one
 * line), keys in the order given.
 */
export function ansibleYaml(value: unknown): string {
  return `---\n${stringify(value, { lineWidth: 150, indentSeq: true, aliasDuplicateObjects: false })}`;
}

/**
 * `inventory.yml` of a hosts site: a group per pool (`all.children.<pool>`)
 * holding its servers with their `ansible_host`, and how Ansible reaches
 * them in `all.vars` (user, port, SSH arguments when set, become method).
 * It names no key or password: the controller holds those.
 */
export function inventoryFile(site: HostsSiteSpec): string {
  const children = Object.fromEntries(
    site.pools.map((pool) => [
      pool.name,
      {
        hosts: Object.fromEntries(
          pool.servers.map((server) => [server.name, { ansible_host: server.address }]),
        ),
      },
    ]),
  );
  const { ansible } = site;
  return ansibleYaml({
    all: {
      vars: {
        ansible_user: ansible.user,
        ansible_port: ansible.port ?? 22,
        ...(ansible.sshArgs !== undefined ? { ansible_ssh_common_args: ansible.sshArgs } : {}),
        ansible_become_method: ansible.becomeMethod ?? 'sudo',
      },
      children,
    },
  });
}

/**
 * The two tasks that stop a play when a program is missing: a `stat` of the
 * path in `variable`, registered as `register`, then an assertion that it
 * exists, failing with `missing`.
 * @param what the program in words, e.g. `the container runtime`
 */
export function requireProgram(
  what: string,
  variable: string,
  register: string,
  missing: string,
): object[] {
  return [
    {
      name: `Look for ${what}`,
      'ansible.builtin.stat': { path: `{{ ${variable} }}` },
      register,
    },
    {
      name: `Assert ${what} is installed`,
      'ansible.builtin.assert': {
        that: [`${register}.stat.exists`],
        fail_msg: missing,
        quiet: true,
      },
    },
  ];
}
