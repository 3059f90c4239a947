import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { deployFiles } from '../../constructs/hosts/ansible-deploy';
import {
  ANSIBLE_LINT,
  ANSIBLE_PLAYBOOK,
  ansibleEnv,
  ansibleToolsAvailable,
  describeRun,
  LINT_PASSED,
  gpuAgent,
  gpuHostsSite,
  playRecap,
  runAnsibleLint,
  RuntimeStub,
  runTool,
  stubRuntime,
  stubSystemctl,
  SystemctlStub,
  ToolRun,
  writeTree,
} from '../support/ansible';
import { hostsPlan, INGEST_IMAGE, ingestAgent } from '../support/hosts';
import { tempDir } from '../support/temp-dir';

/**
 * The deploy files of the shared hosts site, checked by the real tools:
 * `ansible-playbook --syntax-check`, `ansible-lint` with the production
 * profile, and runs of site.yml against localhost (both servers
 * `ansible_connection: local`, each with its own folders, a stub systemctl
 * and a stub Podman): a check run changes nothing, a run writes the files,
 * a second run changes nothing.
 */

const AGENT = 'chimera-data-ingest';
const SERVERS = ['ne-warm-01', 'ne-warm-02'] as const;

/**
 * Stands in for reconcile.yml, which another generator writes: site.yml
 * imports it, so the tools need the file. The runs skip its tag.
 */
const RECONCILE_STAND_IN = `---
# Stand-in for reconcile.yml in the deploy checks: the real one is generated elsewhere.
- name: Reconcile stand-in
  hosts: all
  gather_facts: false
  tasks:
    - name: Stand in for the reconcile playbook
      ansible.builtin.debug:
        msg: reconcile.yml stand-in
`;

/** The real reconcile.yml when its generator is in the tree. */
async function realReconcile(): Promise<string | undefined> {
  const module = path.join(__dirname, '../../constructs/hosts/reconcile-playbook');
  if (!fs.existsSync(`${module}.ts`)) return undefined;
  const loaded = await import(module);
  return typeof loaded.reconcilePlaybook === 'function' ? loaded.reconcilePlaybook() : undefined;
}

function expectSuccess(run: ToolRun): void {
  if (run.status !== 0) throw new Error(`expected success:\n${describeRun(run)}`);
}

const available = ansibleToolsAvailable([ANSIBLE_PLAYBOOK, ANSIBLE_LINT]);

// Each tool run takes seconds (a cold first run up to about 20).
jest.setTimeout(40_000);

(available ? describe : describe.skip)('the deploy files under the real Ansible tools', () => {
  const files = deployFiles(hostsPlan());
  const root = available ? tempDir('ansible-deploy') : '';
  const ansible = path.join(root, 'ansible');
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    writeTree(ansible, files);
    fs.writeFileSync(path.join(ansible, 'reconcile.yml'), RECONCILE_STAND_IN);
    env = ansibleEnv(root);
  });

  test('ansible-playbook --syntax-check accepts site.yml with the inventory', async () => {
    expectSuccess(
      runTool(ANSIBLE_PLAYBOOK, ['--syntax-check', '-i', 'inventory.yml', 'site.yml'], {
        cwd: ansible,
        env,
      }),
    );
    // And with the real reconcile.yml, when its generator is in the tree.
    const reconcile = await realReconcile();
    if (reconcile !== undefined) {
      const withReal = path.join(root, 'with-real-reconcile');
      writeTree(withReal, files);
      fs.writeFileSync(path.join(withReal, 'reconcile.yml'), reconcile);
      expectSuccess(
        runTool(ANSIBLE_PLAYBOOK, ['--syntax-check', '-i', 'inventory.yml', 'site.yml'], {
          cwd: withReal,
          env,
        }),
      );
    }
  });

  test('ansible-lint passes them with the production profile', () => {
    const run = runAnsibleLint(ansible, env);
    expectSuccess(run);
    expect(run.stdout + run.stderr).toMatch(LINT_PASSED);
  });

  test('ansible-lint and the syntax check pass the Docker files of a site with a GPU pool', () => {
    const docker = path.join(root, 'docker-gpu');
    writeTree(docker, deployFiles(hostsPlan([ingestAgent(), gpuAgent()], gpuHostsSite('docker'))));
    fs.writeFileSync(path.join(docker, 'reconcile.yml'), RECONCILE_STAND_IN);
    expectSuccess(
      runTool(ANSIBLE_PLAYBOOK, ['--syntax-check', '-i', 'inventory.yml', 'site.yml'], {
        cwd: docker,
        env,
      }),
    );
    expectSuccess(runAnsibleLint(docker, env));
  });

  describe('run against localhost', () => {
    const local = path.join(root, 'local');
    const stubs: Record<string, { systemctl: SystemctlStub; runtime: RuntimeStub }> = {};
    const dirOf = (server: string, what: 'config' | 'units' | 'credentials') =>
      path.join(local, server, what);

    beforeAll(() => {
      for (const server of SERVERS) {
        const bin = path.join(local, server, 'bin');
        fs.mkdirSync(bin, { recursive: true });
        fs.mkdirSync(dirOf(server, 'units'), { recursive: true });
        stubs[server] = {
          systemctl: stubSystemctl(bin),
          // ne-warm-01 keeps the image pulled, as warm servers do; ne-warm-02 lacks it.
          runtime: stubRuntime(bin, 'podman', server === 'ne-warm-01' ? [INGEST_IMAGE] : []),
        };
      }
      fs.writeFileSync(
        path.join(local, 'inventory.yml'),
        `---\n${stringify({
          all: {
            hosts: Object.fromEntries(
              SERVERS.map((server) => [
                server,
                { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' },
              ]),
            ),
          },
        })}`,
      );
      const host = (what: string) => `${local}/{{ inventory_hostname }}/${what}`;
      fs.writeFileSync(
        path.join(local, 'extra-vars.json'),
        JSON.stringify({
          ansible_become: false,
          agent_fleet_config_dir: host('config'),
          agent_fleet_unit_dir: host('units'),
          agent_fleet_credentials_dir: host('credentials'),
          agent_fleet_systemctl: host('bin/systemctl'),
          agent_fleet_runtime_bin: host('bin/podman'),
        }),
      );
      // ne-warm-01 ran an agent the site no longer has, its instance 1 enabled and running.
      const units = dirOf('ne-warm-01', 'units');
      fs.writeFileSync(
        path.join(units, 'agent-retired@.service'),
        '[Unit]\nDescription=Agent retired instance %i (agent-fleet)\n',
      );
      // A unit of the same pattern that the fleet did not write stays.
      fs.writeFileSync(
        path.join(units, 'agent-foreign@.service'),
        "[Unit]\nDescription=Somebody else's agent %i\n",
      );
      fs.mkdirSync(path.join(units, 'multi-user.target.wants'));
      fs.symlinkSync(
        '../agent-retired@.service',
        path.join(units, 'multi-user.target.wants', 'agent-retired@1.service'),
      );
      fs.mkdirSync(path.join(dirOf('ne-warm-01', 'config'), 'retired'), { recursive: true });
      fs.writeFileSync(path.join(dirOf('ne-warm-01', 'config'), 'retired', 'retired.env'), 'A=1\n');
      stubs['ne-warm-01'].systemctl.activate('agent-retired@1.service');
      // The scaler runs instance 1 of the agent on ne-warm-01; instance 2 is stopped.
      stubs['ne-warm-01'].systemctl.activate(`agent-${AGENT}@1.service`);
    });

    const play = (...args: string[]) =>
      runTool(
        ANSIBLE_PLAYBOOK,
        [
          '-i',
          path.join(local, 'inventory.yml'),
          path.join(ansible, 'site.yml'),
          '-e',
          `@${path.join(local, 'extra-vars.json')}`,
          '--skip-tags',
          'reconcile',
          ...args,
        ],
        { cwd: local, env },
      );

    /** Every file under the servers' folders but the stubs', with its mode. */
    const tree = () => {
      const found: string[] = [];
      const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory() && entry.name === 'bin') continue;
          const mode = (fs.lstatSync(full).mode & 0o777).toString(8);
          found.push(`${path.relative(local, full)} ${mode}`);
          if (entry.isDirectory()) walk(full);
        }
      };
      for (const server of SERVERS) walk(path.join(local, server));
      return found.sort();
    };

    test('a server without its agent credentials fails with what to put there', () => {
      const run = play('--check', '--limit', 'ne-warm-02');
      expect(run.status).not.toBe(0);
      expect(run.stdout).toContain(
        `${dirOf('ne-warm-02', 'credentials')}/${AGENT} is missing: put agent ${AGENT}'s credential files there`,
      );
      expect(playRecap(run.stdout)['ne-warm-02'].failed).toBe(1);
    });

    test('--check --diff reports changes and writes nothing', () => {
      for (const server of SERVERS) {
        fs.mkdirSync(path.join(dirOf(server, 'credentials'), AGENT), { recursive: true });
      }
      const before = tree();
      const run = play('--check', '--diff');
      expectSuccess(run);
      const recap = playRecap(run.stdout);
      for (const server of SERVERS) {
        expect(recap[server].failed).toBe(0);
        expect(recap[server].changed).toBeGreaterThan(0);
        expect(stubs[server].systemctl.calls()).toEqual([]);
        // Only the read-only image check ran.
        expect(stubs[server].runtime.calls()).toEqual([`image exists ${INGEST_IMAGE}`]);
      }
      expect(run.stdout).toContain(
        '+AGENT_FLEET_INSTANCE_ARGS=--publish=8081:8080 --publish=9103:9102',
      );
      expect(tree()).toEqual(before);
    });

    test('a run writes the files, restarts the running instances and removes the retired agent', () => {
      const run = play();
      expectSuccess(run);
      const recap = playRecap(run.stdout);
      for (const server of SERVERS) {
        expect(recap[server]).toMatchObject({ failed: 0, unreachable: 0 });
        expect(recap[server].changed).toBeGreaterThan(0);
        const config = path.join(dirOf(server, 'config'), AGENT);
        expect(fs.readFileSync(path.join(config, `${AGENT}.env`), 'utf8')).toBe(
          files.get(`files/${AGENT}.env`),
        );
        expect(fs.readFileSync(path.join(config, 'instance-1.conf'), 'utf8')).toBe(
          'AGENT_FLEET_INSTANCE_ARGS=--publish=8080:8080 --publish=9102:9102\n',
        );
        expect(fs.readFileSync(path.join(config, 'instance-2.conf'), 'utf8')).toBe(
          'AGENT_FLEET_INSTANCE_ARGS=--publish=8081:8080 --publish=9103:9102\n',
        );
        expect(
          fs.readFileSync(path.join(dirOf(server, 'units'), `agent-${AGENT}@.service`), 'utf8'),
        ).toBe(files.get(`files/agent-${AGENT}@.service`));
      }
      const units = `agent-${AGENT}@1.service agent-${AGENT}@2.service`;
      expect(stubs['ne-warm-01'].systemctl.calls()).toEqual([
        'stop agent-retired@*.service',
        'daemon-reload',
        `try-restart ${units}`,
      ]);
      expect(stubs['ne-warm-02'].systemctl.calls()).toEqual([
        'daemon-reload',
        `try-restart ${units}`,
      ]);
      // try-restart restarted the running instance only: the scaler's count holds.
      expect(stubs['ne-warm-01'].systemctl.restarted()).toEqual([`agent-${AGENT}@1.service`]);
      expect(stubs['ne-warm-01'].systemctl.active()).toEqual([`agent-${AGENT}@1.service`]);
      expect(stubs['ne-warm-02'].systemctl.restarted()).toEqual([]);
      // The image is pulled where it was missing only.
      expect(stubs['ne-warm-01'].runtime.calls()).toEqual([
        `image exists ${INGEST_IMAGE}`,
        `image exists ${INGEST_IMAGE}`,
      ]);
      expect(stubs['ne-warm-02'].runtime.calls().slice(1)).toEqual([
        `image exists ${INGEST_IMAGE}`,
        `pull ${INGEST_IMAGE}`,
      ]);
      expect(tree()).toEqual(
        [
          ...SERVERS.flatMap((server) => [
            `${server}/config 755`,
            `${server}/config/${AGENT} 755`,
            `${server}/config/${AGENT}/${AGENT}.env 644`,
            `${server}/config/${AGENT}/instance-1.conf 644`,
            `${server}/config/${AGENT}/instance-2.conf 644`,
            `${server}/credentials 755`,
            `${server}/credentials/${AGENT} 755`,
            `${server}/units 755`,
            `${server}/units/agent-${AGENT}@.service 644`,
          ]),
          'ne-warm-01/units/agent-foreign@.service 644',
          'ne-warm-01/units/multi-user.target.wants 755',
        ].sort(),
      );
    });

    test('a second run changes nothing', () => {
      const calls = Object.fromEntries(
        SERVERS.map((server) => [server, stubs[server].systemctl.calls().length]),
      );
      const run = play();
      expectSuccess(run);
      const recap = playRecap(run.stdout);
      for (const server of SERVERS) {
        expect(recap[server]).toMatchObject({ changed: 0, failed: 0 });
        expect(stubs[server].systemctl.calls().length).toBe(calls[server]);
        expect(
          stubs[server].runtime.calls().filter((call) => call.startsWith('pull')),
        ).toHaveLength(server === 'ne-warm-02' ? 1 : 0);
      }
    });
  });
  describe('a GPU server with Podman', () => {
    const gpu = path.join(root, 'gpu');
    const gpuAnsible = path.join(gpu, 'ansible');
    const cdiSpec = path.join(gpu, 'cdi', 'nvidia.yaml');

    beforeAll(() => {
      writeTree(gpuAnsible, deployFiles(hostsPlan([ingestAgent(), gpuAgent()], gpuHostsSite())));
      fs.writeFileSync(path.join(gpuAnsible, 'reconcile.yml'), RECONCILE_STAND_IN);
      const bin = path.join(gpu, 'bin');
      fs.mkdirSync(bin, { recursive: true });
      stubSystemctl(bin);
      stubRuntime(bin, 'podman', [gpuAgent().container.image.toString()]);
      fs.mkdirSync(path.join(gpu, 'units'));
      fs.mkdirSync(path.join(gpu, 'credentials', 'gpu-inference'), { recursive: true });
      fs.writeFileSync(
        path.join(gpu, 'inventory.yml'),
        `---\n${stringify({
          all: {
            hosts: {
              'ne-gpu-01': {
                ansible_connection: 'local',
                ansible_python_interpreter: '/usr/bin/python3',
              },
            },
          },
        })}`,
      );
      fs.writeFileSync(
        path.join(gpu, 'extra-vars.json'),
        JSON.stringify({
          ansible_become: false,
          agent_fleet_config_dir: path.join(gpu, 'config'),
          agent_fleet_unit_dir: path.join(gpu, 'units'),
          agent_fleet_credentials_dir: path.join(gpu, 'credentials'),
          agent_fleet_systemctl: path.join(bin, 'systemctl'),
          agent_fleet_runtime_bin: path.join(bin, 'podman'),
          agent_fleet_cdi_specs: [cdiSpec],
        }),
      );
    });

    const check = () =>
      runTool(
        ANSIBLE_PLAYBOOK,
        [
          '-i',
          path.join(gpu, 'inventory.yml'),
          path.join(gpuAnsible, 'site.yml'),
          '-e',
          `@${path.join(gpu, 'extra-vars.json')}`,
          '--skip-tags',
          'reconcile',
          '--check',
        ],
        { cwd: gpu, env },
      );

    test("without NVIDIA's CDI spec the deployment stops, naming `nvidia-ctk cdi generate`", () => {
      const run = check();
      expect(run.status).not.toBe(0);
      expect(run.stdout).toContain(`GPU instances need NVIDIA's CDI spec (${cdiSpec})`);
      expect(run.stdout).toContain('nvidia-ctk cdi generate');
      expect(playRecap(run.stdout)['ne-gpu-01'].failed).toBe(1);
    });

    test('with it the deployment goes on', () => {
      fs.mkdirSync(path.dirname(cdiSpec), { recursive: true });
      fs.writeFileSync(cdiSpec, '---\ncdiVersion: 0.5.0\nkind: nvidia.com/gpu\n');
      const run = check();
      expectSuccess(run);
      expect(playRecap(run.stdout)['ne-gpu-01']).toMatchObject({ failed: 0 });
      expect(playRecap(run.stdout)['ne-gpu-01'].changed).toBeGreaterThan(0);
    });
  });
});
