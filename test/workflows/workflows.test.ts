import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing, TerraformStack } from 'cdktf';
import { parse, parseDocument } from 'yaml';
import { formatProblem, loadFleet } from '../../config';
import { AgentFleet, siteStackIds, stackIds } from '../../stacks/agent-fleet';
import { synthesizedProject } from '../support/edited-examples';
import { tempDir } from '../support/temp-dir';
import { typeScriptArgs } from '../support/typescript-process';

const ROOT = path.resolve(__dirname, '../..');
const WORKFLOW_DIR = path.join(ROOT, '.github/workflows');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

type Step = { name?: string; uses?: string; run?: string; if?: string; with?: any; env?: any };
type Job = {
  name?: string;
  'runs-on'?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string> | string;
  environment?: string | { name: string };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string };
  strategy?: { matrix?: any; 'max-parallel'?: number; 'fail-fast'?: boolean };
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  /** A reusable workflow the job calls, with its inputs and secrets. */
  uses?: string;
  with?: Record<string, string>;
  secrets?: string | Record<string, string>;
  steps: Step[];
};
type Workflow = {
  name: string;
  on: Record<string, any>;
  permissions: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
};

const FILES = fs
  .readdirSync(WORKFLOW_DIR)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();

function load(file: string): Workflow {
  return parse(fs.readFileSync(path.join(WORKFLOW_DIR, file), 'utf8')) as Workflow;
}

const PR = load('pull-request.yml');
const DEPLOY = load('deploy.yml');
const DEPLOY_ENVIRONMENT = load('deploy-environment.yml');

/** The workflow a job calls (`uses: ./.github/workflows/<file>`), or undefined. */
function called(job: Job): Workflow | undefined {
  const match = /^\.\/\.github\/workflows\/([\w.-]+\.ya?ml)$/.exec(job.uses ?? '');
  return match ? load(match[1]) : undefined;
}

/** Environments with cloud state, i.e. every environment file whose backend is not local. */
const DEPLOYABLE = fs
  .readdirSync(path.join(ROOT, 'environments'))
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => ({
    name: path.basename(file, '.yaml'),
    config: parse(fs.readFileSync(path.join(ROOT, 'environments', file), 'utf8')),
  }))
  .filter(({ config }) => !config.backend?.local)
  .map(({ name }) => name)
  .sort();

/** Jobs in an order that respects `needs`, otherwise file order. */
function jobOrder(workflow: Workflow): string[] {
  const order: string[] = [];
  const pending = Object.keys(workflow.jobs);
  while (pending.length > 0) {
    const next = pending.find((id) => needsOf(workflow.jobs[id]).every((n) => order.includes(n)));
    if (!next) throw new Error(`jobs with circular needs: ${pending.join(', ')}`);
    order.push(next);
    pending.splice(pending.indexOf(next), 1);
  }
  return order;
}

function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : ([] as string[]).concat(job.needs);
}

/** Every step of a workflow with its job, jobs in dependency order. */
function steps(workflow: Workflow): { job: string; step: Step }[] {
  return jobOrder(workflow).flatMap((job) =>
    (workflow.jobs[job].steps ?? []).map((step) => ({ job, step })),
  );
}

function allWorkflows(): [string, Workflow][] {
  return FILES.map((file) => [file, load(file)]);
}

/** Whether a step obtains cloud or Vault credentials with the job's OIDC token. */
function logsInWithOidc(step: Step): boolean {
  return (
    /^(aws-actions\/configure-aws-credentials|azure\/login)@/.test(step.uses ?? '') ||
    /ACTIONS_ID_TOKEN_REQUEST_(URL|TOKEN)/.test(step.run ?? '')
  );
}

describe('the workflow files', () => {
  it('are the pull-request and deploy workflows, and the deployment of one environment', () => {
    expect(FILES).toEqual(['deploy-environment.yml', 'deploy.yml', 'pull-request.yml']);
  });

  it.each(FILES)('%s is valid YAML with a name, triggers and jobs', (file) => {
    const document = parseDocument(fs.readFileSync(path.join(WORKFLOW_DIR, file), 'utf8'));
    expect(document.errors).toEqual([]);
    expect(document.warnings).toEqual([]);
    const workflow = document.toJS() as Workflow;
    expect(typeof workflow.name).toBe('string');
    expect(Object.keys(workflow.on).length).toBeGreaterThan(0);
    expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0);
  });

  it.each(allWorkflows())('every job of %s has runs-on, steps and a timeout', (_file, wf) => {
    for (const [id, job] of Object.entries(wf.jobs)) {
      if (job.uses !== undefined) {
        // A call of a workflow of this repository, whose jobs are checked as its own.
        expect({ id, calls: called(job) !== undefined, steps: job.steps }).toEqual({
          id,
          calls: true,
          steps: undefined,
        });
        continue;
      }
      expect({ id, runsOn: typeof job['runs-on'] }).toEqual({ id, runsOn: 'string' });
      expect(job['runs-on']).not.toBe('');
      expect(job.steps.length).toBeGreaterThan(0);
      expect((job as any)['timeout-minutes']).toBeGreaterThan(0);
    }
  });

  it.each(allWorkflows())('every need of %s names a job', (_file, wf) => {
    for (const job of Object.values(wf.jobs)) {
      for (const need of needsOf(job)) expect(Object.keys(wf.jobs)).toContain(need);
    }
    expect(() => jobOrder(wf)).not.toThrow();
  });

  it.each(allWorkflows())('%s reads only the contents by default', (_file, wf) => {
    expect(wf.permissions).toEqual({ contents: 'read' });
  });

  it.each(allWorkflows())(
    'every job of %s states its permissions; id-token: write only where it logs in',
    (_file, wf) => {
      for (const [id, job] of Object.entries(wf.jobs)) {
        expect(typeof job.permissions).toBe('object');
        const permissions = job.permissions as Record<string, string>;
        for (const level of Object.values(permissions)) {
          expect(['read', 'write', 'none']).toContain(level);
        }
        // A job that calls a workflow grants what that workflow's jobs use.
        const jobs = job.uses ? Object.values(called(job)!.jobs) : [job];
        const logsIn = jobs.some((inner) => (inner.steps ?? []).some(logsInWithOidc));
        expect({ id, idToken: permissions['id-token'] === 'write' }).toEqual({
          id,
          idToken: logsIn,
        });
        const writes = Object.entries(permissions)
          .filter(([scope, level]) => level === 'write' && scope !== 'id-token')
          .map(([scope]) => scope);
        // Only the review comment writes to GitHub, and only to pull requests.
        expect(writes).toEqual(id === 'review' ? ['pull-requests'] : []);
      }
    },
  );

  it.each(allWorkflows())('%s keeps no cloud key: every login is OIDC', (_file, wf) => {
    const text = fs.readFileSync(path.join(WORKFLOW_DIR, _file), 'utf8');
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|client-secret|creds:/);
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps ?? []) {
        if (step.uses?.startsWith('aws-actions/configure-aws-credentials@')) {
          expect(step.with['role-to-assume']).toMatch(/vars/);
        }
        if (step.uses?.startsWith('azure/login@')) {
          expect(Object.keys(step.with).sort()).toEqual([
            'client-id',
            'subscription-id',
            'tenant-id',
          ]);
        }
      }
    }
  });

  it('call only npm scripts that package.json defines', () => {
    const runs = allWorkflows().flatMap(([, wf]) =>
      Object.values(wf.jobs).flatMap((job) => (job.steps ?? []).map((step) => step.run ?? '')),
    );
    const called = new Set(
      runs.flatMap((run) => [
        ...[...run.matchAll(/\bnpm run ([\w:-]+)/g)].map((match) => match[1]),
        ...(/\bnpm test\b/.test(run) ? ['test'] : []),
      ]),
    );
    expect([...called].sort()).toEqual(
      ['lint', 'plan:offline', 'review', 'sites', 'synth', 'test', 'typecheck'].sort(),
    );
    for (const script of called) expect(Object.keys(PACKAGE.scripts)).toContain(script);
  });

  it('set up Node 20 with the npm cache and Terraform 1.11 without its wrapper', () => {
    for (const [, wf] of allWorkflows()) {
      // A workflow that only calls others sets up nothing itself.
      if (Object.values(wf.jobs).every((job) => job.steps === undefined)) continue;
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps) {
          if (step.uses?.startsWith('actions/setup-node@')) {
            expect(step.with).toMatchObject({ 'node-version': 20, cache: 'npm' });
          }
          if (step.uses?.startsWith('hashicorp/setup-terraform@')) {
            expect(step.with.terraform_wrapper).toBe(false);
          }
        }
      }
      expect(wf.env?.TERRAFORM_VERSION).toMatch(/^1\.11\.\d+$/);
      expect(wf.env).toMatchObject({ CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: '1' });
    }
  });

  it('name in the README every variable and secret they read', () => {
    const text = FILES.map((file) => fs.readFileSync(path.join(WORKFLOW_DIR, file), 'utf8')).join(
      '\n',
    );
    const direct = [...text.matchAll(/\b(?:vars|secrets)\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]);
    const perEnvironment = [...text.matchAll(/format\('([A-Z][A-Z0-9_]*)_\{0\}'/g)].map(
      (m) => `${m[1]}_<ENV>`,
    );
    const names = [...new Set([...direct, ...perEnvironment])];
    expect(names.length).toBeGreaterThan(5);
    const section = README.slice(README.indexOf('## CI/CD'));
    expect(section.length).toBeLessThan(README.length);
    for (const name of names) expect(section).toContain(`\`${name}\``);
  });
});

describe('the pull-request workflow', () => {
  const commands: [string, RegExp][] = [
    ['install', /^npm ci\b/m],
    ['typecheck', /^npm run typecheck$/m],
    ['lint', /^npm run lint$/m],
    ['test', /^npm test$/m],
    ['synth', /^npm run synth$/m],
    [
      'review',
      /^npm run review -- --base base\/cdktf\.out --out review-out --artifact-url "\$ARTIFACT_URL"$/m,
    ],
    ['offline plan', /^npm run plan:offline -- --only-offline "\$\{ids\[@\]\}"$/m],
  ];

  it('runs on pull requests only', () => {
    expect(Object.keys(PR.on)).toEqual(['pull_request']);
  });

  it('installs, type-checks and lints, tests, synthesizes, reviews and plans, in order', () => {
    const flat = steps(PR);
    const positions = commands.map(([what, pattern]) => {
      const index = flat.findIndex(({ step }) => pattern.test(step.run ?? ''));
      expect({ what, found: index >= 0 }).toEqual({ what, found: true });
      return index;
    });
    const [install, typecheck, lint, test, synth, review, plan] = positions;
    expect(install).toBeLessThan(Math.min(typecheck, lint));
    expect(Math.max(typecheck, lint)).toBeLessThan(test);
    expect(test).toBeLessThan(synth);
    expect(synth).toBeLessThan(review);
    expect(review).toBeLessThan(plan);
  });

  it('runs the checks in one job, the review and the offline plan after them', () => {
    const check = PR.jobs.check.steps.map((step) => step.run ?? '').join('\n');
    for (const [what, pattern] of commands.slice(0, 5)) {
      expect({ what, inCheck: pattern.test(check) }).toEqual({ what, inCheck: true });
    }
    expect(needsOf(PR.jobs.review)).toContain('check');
    expect(needsOf(PR.jobs['offline-plan'])).toContain('check');
  });

  it('plans offline only the stacks of the sites the change touches, when there are any', () => {
    const plan = PR.jobs['offline-plan'];
    expect(needsOf(plan)).toEqual(expect.arrayContaining(['check', 'review']));
    expect(plan.if).toBe("needs.review.outputs.plan != ''");
    expect(PR.jobs.review.outputs?.plan).toBe('${{ steps.sites.outputs.plan }}');
    const step = plan.steps.find((candidate) => /npm run plan:offline/.test(candidate.run ?? ''))!;
    expect(step.env).toEqual({ STACKS: '${{ needs.review.outputs.plan }}' });
    // Each stack one argument; those that need providers other than AWS's are skipped.
    expect(step.run).toContain('read -ra ids <<< "$STACKS"');
    expect(step.run).toMatch(/^npm run plan:offline -- --only-offline "\$\{ids\[@\]\}"$/m);
    const sites = PR.jobs.review.steps.find((candidate) => (candidate as any).id === 'sites')!;
    expect(sites.run).toContain('select(.removed != true)');
    expect(sites.run).toContain('echo "plan=$plan" >> "$GITHUB_OUTPUT"');
  });

  it('gives the tests the CRD schemas of the pinned releases and a provider mirror', () => {
    const check = PR.jobs.check.steps.map((step) => step.run ?? '').join('\n');
    for (const pinned of [
      'kedacore/keda/v2.20.2/config/crd/bases',
      'strimzi/strimzi-kafka-operator/1.2.0/packaging/install/cluster-operator',
      'rabbitmq/messaging-topology-operator/v1.20.1/config/crd/bases',
      'rabbitmq/cluster-operator/v2.22.3/config/crd/bases',
    ]) {
      expect(check).toContain(`https://raw.githubusercontent.com/${pinned}`);
    }
    expect(check).toContain('CRD_SCHEMA_DIR=');
    expect(check).toContain('TF_PROVIDER_MIRROR=');
    expect(check).toMatch(
      /apt-get install [^\n]*\\\n\s+rabbitmq-server prometheus prometheus-alertmanager ansible ansible-lint podman shellcheck jq\n/,
    );
    const test = PR.jobs.check.steps.findIndex((step) => step.run === 'npm test');
    const setup = PR.jobs.check.steps.findIndex((step) =>
      (step.run ?? '').includes('CRD_SCHEMA_DIR='),
    );
    expect(setup).toBeLessThan(test);
  });

  it('compares with the target branch and posts one comment, updated in place', () => {
    const review = PR.jobs.review;
    const base = review.steps.find((step) => step.with?.path === 'base');
    expect(base?.with.ref).toBe('${{ github.event.pull_request.base.sha }}');
    const upload = review.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with.path).toBe('review-out');
    const comment = review.steps.find((step) => step.uses?.startsWith('actions/github-script@'));
    const script: string = comment?.with.script;
    expect(script).toMatch(/<!-- [\w-]+ -->/);
    expect(script).toContain('updateComment');
    expect(script).toContain('createComment');
    // The comment is review-out/comment.md, which the review sizes from whole
    // sections: nothing cuts the text, so nothing cuts inside a fence.
    expect(script).toContain("fs.readFileSync('review-out/comment.md', 'utf8')");
    expect(script).not.toMatch(/\.slice\(0, limit|\.substring\(|truncated/);
    const run = review.steps.find((step) => /npm run review/.test(step.run ?? ''));
    expect(run?.env?.ARTIFACT_URL).toBe(
      '${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}',
    );
    expect(review.steps.some((step) => /GITHUB_STEP_SUMMARY/.test(step.run ?? ''))).toBe(true);
  });

  it('runs cdktf diff only with read-only cloud roles configured, per site the change touches', () => {
    const diff = PR.jobs.diff;
    expect(diff.if).toMatch(/vars\.AWS_ROLE_ARN_[A-Z]+ != ''/);
    expect(diff.if).toContain("needs.review.outputs.diff != '[]'");
    expect(needsOf(diff)).toEqual(expect.arrayContaining(['check', 'review']));
    expect(diff.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(diff.strategy?.matrix.include).toBe('${{ fromJSON(needs.review.outputs.diff) }}');
    // One site's failed diff leaves the others' whole.
    expect(diff.strategy?.['fail-fast']).toBe(false);
    expect(PR.jobs.review.outputs?.diff).toBe('${{ steps.sites.outputs.diff }}');
    for (const env of DEPLOYABLE) {
      expect(diff.if).toContain(`vars.AWS_ROLE_ARN_${env.toUpperCase()} != ''`);
    }
    const step = diff.steps.find((candidate) => /npx cdktf diff/.test(candidate.run ?? ''))!;
    expect(step.env).toEqual({
      SITE: '${{ matrix.environment }}/${{ matrix.site }}',
      STACKS: '${{ matrix.stacks }}',
    });
    // The site alone is synthesized, and its stacks diffed in deploy order, as synthesized.
    expect(step.run).toMatch(/^npm run synth -- "\$SITE"$/m);
    expect(step.run).toContain('read -ra ids <<< "$STACKS"');
    expect(step.run).toContain('npx cdktf diff "$stack" --skip-synth');
    expect(Object.keys(PR.jobs)).not.toContain('changes');
  });

  it("lists the sites the change touches, from both branches' synthesized outputs", () => {
    const review = PR.jobs.review;
    const runs = review.steps.map((step) => step.run ?? '');
    const synth = runs.findIndex((run) => /^npm run synth$/m.test(run));
    const synthBase = review.steps.findIndex(
      (step) => step['working-directory' as never] === 'base',
    );
    const sites = review.steps.findIndex((step) => (step as any).id === 'sites');
    expect(Math.max(synth, synthBase)).toBeLessThan(sites);
    expect(runs[sites]).toContain(
      'npm run sites --silent -- --out cdktf.out --changed-against base/cdktf.out)',
    );
    expect(runs[sites]).toContain(
      'npm run sites --silent -- --out cdktf.out --changed-against base/cdktf.out --unchanged)',
    );
    // The summary and the comment say which sites were not touched.
    const summary = runs.findIndex((run) => run.includes('cat "$RUNNER_TEMP/sites.md"'));
    expect(summary).toBeGreaterThan(sites);
    const comment = review.steps.find((step) => step.uses?.startsWith('actions/github-script@'));
    expect(comment?.with.script).toContain(
      "fs.readFileSync(`${process.env.RUNNER_TEMP}/sites.md`, 'utf8')",
    );
  });
});

describe('the deploy workflow', () => {
  it('runs on pushes to main and by hand for one environment, optionally some of its sites', () => {
    expect(DEPLOY.on.push).toEqual({ branches: ['main'] });
    const input = DEPLOY.on.workflow_dispatch.inputs.environment;
    expect(input.type).toBe('choice');
    expect([...input.options].sort()).toEqual(DEPLOYABLE);
    expect(DEPLOY.on.workflow_dispatch.inputs.sites).toMatchObject({
      type: 'string',
      required: false,
      default: '',
    });
  });

  it('deploys every environment with cloud state through deploy-environment.yml, staging before prod', () => {
    expect(Object.keys(DEPLOY.jobs)).toEqual(['staging', 'prod']);
    expect(Object.keys(DEPLOY.jobs).sort()).toEqual(DEPLOYABLE);
    for (const [name, job] of Object.entries(DEPLOY.jobs)) {
      expect(job.uses).toBe('./.github/workflows/deploy-environment.yml');
      expect(job.with).toEqual({ environment: name, sites: "${{ inputs.sites || '' }}" });
      expect(job.secrets).toBe('inherit');
      expect(job.if).toContain(`inputs.environment == '${name}'`);
    }
    // Promotion: prod waits for every staging site, and runs only when all deployed
    // (or when run by hand for prod alone).
    const prod = DEPLOY.jobs.prod;
    expect(needsOf(prod)).toEqual(['staging']);
    expect(prod.if).toContain('!cancelled()');
    expect(prod.if).toContain("github.event_name == 'push' && needs.staging.result == 'success'");
    expect(DEPLOY.jobs.staging.if).toContain("github.event_name == 'push'");
  });
});

describe('the deployment of one environment', () => {
  const sitesJob = DEPLOY_ENVIRONMENT.jobs.sites;
  const job = DEPLOY_ENVIRONMENT.jobs.deploy;

  it('is called with an environment and, optionally, sites', () => {
    expect(Object.keys(DEPLOY_ENVIRONMENT.on)).toEqual(['workflow_call']);
    const inputs = DEPLOY_ENVIRONMENT.on.workflow_call.inputs;
    expect(inputs.environment).toMatchObject({ type: 'string', required: true });
    expect(inputs.sites).toMatchObject({ type: 'string', required: false, default: '' });
  });

  it('synthesizes the environment, writes its review as the summary, then lists its sites', () => {
    expect(sitesJob.permissions).toEqual({ contents: 'read' });
    expect(sitesJob.env?.FLEET_ENVIRONMENTS).toBe('${{ inputs.environment }}');
    const runs = sitesJob.steps.map((step) => step.run ?? '');
    const synth = runs.findIndex((run) => run === 'npm run synth');
    const review = runs.findIndex((run) => /npm run review/.test(run));
    const sites = sitesJob.steps.findIndex((step) => (step as any).id === 'sites');
    expect(synth).toBeGreaterThanOrEqual(0);
    expect(synth).toBeLessThan(review);
    expect(review).toBeLessThan(sites);
    expect(runs[review]).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(runs[sites]).toContain(
      'npm run sites --silent -- --environment "$ENVIRONMENT" ${SITES:+--site "$SITES"}',
    );
    expect(sitesJob.steps[sites].env).toEqual({
      ENVIRONMENT: '${{ inputs.environment }}',
      SITES: '${{ inputs.sites }}',
    });
    expect(sitesJob.outputs).toEqual({ matrix: '${{ steps.sites.outputs.matrix }}' });
  });

  it('deploys every site at once, a failed one never cancelling the others', () => {
    expect(needsOf(job)).toEqual(['sites']);
    expect(job.strategy).toEqual({
      'fail-fast': false,
      matrix: '${{ fromJSON(needs.sites.outputs.matrix) }}',
    });
  });

  it('runs in the GitHub environment, one deployment per site, never cancelled', () => {
    expect(job.environment).toBe('${{ inputs.environment }}');
    expect(job.concurrency).toEqual({
      group: 'deploy-${{ inputs.environment }}-${{ matrix.site }}',
      'cancel-in-progress': false,
    });
  });

  it('logs in with OIDC to AWS, Azure and Vault and writes the kubeconfig from a secret', () => {
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const uses = job.steps.map((step) => step.uses ?? '');
    expect(uses.some((u) => u.startsWith('aws-actions/configure-aws-credentials@'))).toBe(true);
    expect(uses.some((u) => u.startsWith('azure/login@'))).toBe(true);
    expect(uses.some((u) => u.startsWith('azure/use-kubelogin@'))).toBe(true);
    const run = job.steps.map((step) => step.run ?? '').join('\n');
    expect(run).toContain('TERRAFORM_VAULT_AUTH_JWT=');
    expect(run).toContain('VAULT_TOKEN=');
    expect(run).toContain('~/.kube/config');
    const kubeconfig = job.steps.find((step) => (step.run ?? '').includes('~/.kube/config'));
    expect(kubeconfig?.env.KUBECONFIG_CONTENT).toBe('${{ secrets.KUBECONFIG }}');
  });

  it('loads the SSH key and Ansible only in the jobs of hosts sites', () => {
    const ansible = job.steps.find((step) => step.env?.HOSTS_SSH_KEY !== undefined);
    expect(ansible?.env.HOSTS_SSH_KEY).toBe('${{ secrets.HOSTS_SSH_KEY }}');
    expect(ansible?.if).toBe("matrix.kind == 'hosts'");
    expect(ansible?.run).toContain('ssh-add -');
  });

  it('synthesizes the site alone and deploys its stacks with cdktf, after signing in', () => {
    expect(job.env?.FLEET_ENVIRONMENTS).toBe('${{ inputs.environment }}');
    const runs = job.steps.map((step) => step.run ?? '');
    const synth = runs.findIndex((run) => /npm run synth/.test(run));
    const deploy = runs.findIndex((run) => run.includes('npx cdktf deploy'));
    expect(runs[synth]).toBe('npm run synth -- "$SITE"');
    expect(job.steps[synth].env).toEqual({ SITE: '${{ inputs.environment }}/${{ matrix.site }}' });
    expect(runs[deploy]).toBe(
      'read -ra ids <<< "$STACKS"\nnpx cdktf deploy "${ids[@]}" --auto-approve --skip-synth\n',
    );
    expect(job.steps[deploy].env).toEqual({ STACKS: '${{ matrix.stacks }}' });
    expect(synth).toBeLessThan(deploy);
    const login = job.steps.findIndex(logsInWithOidc);
    expect(login).toBeLessThan(deploy);
  });
});

describe('the scripts of the workflows', () => {
  /** Every `run` step, with its workflow and job. */
  const runSteps = allWorkflows().flatMap(([file, wf]) =>
    Object.entries(wf.jobs).flatMap(([id, job]) =>
      (job.steps ?? [])
        .filter((step) => step.run !== undefined)
        .map((step) => [`${file} ${id}: ${step.name ?? step.run!.split('\n')[0]}`, step] as const),
    ),
  );

  /** The answers of {@link available}, one `--version` run per tool. */
  const found = new Map<string, boolean>();

  /** Whether a tool is on the PATH; a missing one skips outside CI and fails under CI=true. */
  function available(tool: string): boolean {
    const known = found.get(tool);
    if (known !== undefined) return known;
    if (spawnSync(tool, ['--version'], { encoding: 'utf8' }).status === 0) {
      found.set(tool, true);
      return true;
    }
    const reason = `${tool} not found: install it (apt-get install --no-install-recommends ${tool})`;
    if (process.env.CI === 'true') throw new Error(reason);
    console.warn(`Skipping the checks that run the workflows' scripts. ${reason}`);
    found.set(tool, false);
    return false;
  }

  /** A script run as the runner runs a step's, `bash -eo pipefail`, with `env` added. */
  function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv) {
    return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
  }

  it.each(runSteps)('%s passes ShellCheck', (_name, step) => {
    if (!available('shellcheck')) return;
    // Expressions are replaced before the shell sees the script: a word stands in.
    const script = step.run!.replace(/\$\{\{[^}]*\}\}/g, 'EXPRESSION');
    const result = spawnSync('shellcheck', ['--shell=bash', '-'], {
      input: script,
      encoding: 'utf8',
    });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  describe('listing sites, run on synthesized outputs', () => {
    let outputs: { base: string; head: string } | undefined;

    /** The example project synthesized as it is, and with one agent changed on prod's denver-edge. */
    function synthesizedOutputs(): { base: string; head: string } {
      outputs ??= {
        base: synthesizedProject(),
        head: synthesizedProject({
          'environments/prod.yaml': (text) =>
            text.replace(
              'requests: { cpu: 500m, memory: 512Mi }',
              'requests: { cpu: 400m, memory: 512Mi }',
            ),
        }),
      };
      return outputs;
    }

    /**
     * Runs a step's script as the runner does (`bash -eo pipefail`) in a
     * folder where `cdktf.out` is `head` (`base` too with `unchanged`: a change
     * that touches nothing) and `base/cdktf.out` is `base`, with
     * `env` as its environment's values and `npm` standing in for `npm run
     * sites --silent --` alone. Returns its status, outputs, summary and the
     * files it left in RUNNER_TEMP.
     */
    function runStep(
      step: Step,
      env: Record<string, string>,
      options: { unchanged?: boolean } = {},
    ) {
      const { base, head } = synthesizedOutputs();
      const dir = tempDir('fleet-workflow-step');
      fs.symlinkSync(options.unchanged ? base : head, path.join(dir, 'cdktf.out'));
      fs.mkdirSync(path.join(dir, 'base'));
      fs.symlinkSync(base, path.join(dir, 'base/cdktf.out'));
      const bin = path.join(dir, '.bin');
      fs.mkdirSync(bin);
      const node = [process.execPath, ...typeScriptArgs(path.join(ROOT, 'scripts/sites.ts'))];
      fs.writeFileSync(
        path.join(bin, 'npm'),
        [
          '#!/bin/sh',
          '[ "$1 $2 $3 $4" = "run sites --silent --" ] || { echo "unexpected: npm $*" >&2; exit 99; }',
          'shift 4',
          `exec ${node.map((arg) => `'${arg}'`).join(' ')} "$@"`,
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      const temp = path.join(dir, '.temp');
      fs.mkdirSync(temp);
      const files = { output: path.join(dir, '.output'), summary: path.join(dir, '.summary') };
      const result = runBash(step.run!, dir, {
        ...env,
        PATH: `${bin}:${process.env.PATH}`,
        GITHUB_OUTPUT: files.output,
        GITHUB_STEP_SUMMARY: files.summary,
        RUNNER_TEMP: temp,
      });
      const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
      const outputs = Object.fromEntries(
        read(files.output)
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      const left = Object.fromEntries(
        fs.readdirSync(temp).map((file) => [file, read(path.join(temp, file))]),
      );
      return {
        status: result.status,
        stderr: result.stderr,
        outputs,
        summary: read(files.summary),
        left,
      };
    }

    const tools = () => available('bash') && available('jq');

    it('the pull request diffs only the touched site, where a read-only role is set', () => {
      if (!tools()) return;
      const step = PR.jobs.review.steps.find((candidate) => (candidate as any).id === 'sites')!;
      const withRole = runStep(step, {
        VARS: JSON.stringify({ AWS_ROLE_ARN_PROD: 'arn:aws:iam::1:role/r' }),
      });
      expect(withRole.stderr).toBe('');
      expect(withRole.status).toBe(0);
      expect(JSON.parse(withRole.outputs.diff)).toEqual([
        {
          environment: 'prod',
          site: 'denver-edge',
          kind: 'kubernetes',
          stacks: 'prod-denver-edge-platform prod-denver-edge-agents',
          key: 'PROD',
        },
      ]);
      expect(withRole.left['sites.md']).toBe(
        [
          '**Sites this change touches:** `prod/denver-edge`',
          '',
          "**Sites it does not touch** (their stacks are the target branch's; not diffed): `local/dev`, `prod/nebraska`, `prod/us-east`, `prod/eu-west`, `prod/nebraska-warm`, `staging/eu`",
          '',
        ].join('\n'),
      );
      const withoutRole = runStep(step, { VARS: JSON.stringify({ AWS_ROLE_ARN_STAGING: 'arn' }) });
      expect(withoutRole.outputs.diff).toBe('[]');
    });

    it("the pull request plans offline only the touched sites' stacks, and nothing when none is touched", () => {
      if (!tools()) return;
      const step = PR.jobs.review.steps.find((candidate) => (candidate as any).id === 'sites')!;
      // With or without read-only roles: the offline plan needs no account.
      const touched = runStep(step, { VARS: '{}' });
      expect(touched.stderr).toBe('');
      expect(touched.status).toBe(0);
      expect(touched.outputs.plan).toBe('prod-denver-edge-platform prod-denver-edge-agents');
      const untouched = runStep(step, { VARS: '{}' }, { unchanged: true });
      expect(untouched.stderr).toBe('');
      expect(untouched.status).toBe(0);
      expect(untouched.outputs.plan).toBe('');
      expect(untouched.left['sites.md']).toContain('**Sites this change touches:** none');
    });

    it('the offline plan gets each stack of the list as one argument, after --only-offline', () => {
      if (!tools()) return;
      const step = PR.jobs['offline-plan'].steps.find((candidate) =>
        /npm run plan:offline/.test(candidate.run ?? ''),
      )!;
      const dir = tempDir('fleet-workflow-plan');
      fs.writeFileSync(path.join(dir, 'npm'), '#!/bin/sh\nprintf \'%s\\n\' "$@"\n', {
        mode: 0o755,
      });
      const result = runBash(step.run!, dir, {
        PATH: `${dir}:${process.env.PATH}`,
        STACKS: 'prod-us-east-infra prod-us-east-platform prod-us-east-agents',
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout.split('\n')).toEqual([
        'run',
        'plan:offline',
        '--',
        '--only-offline',
        'prod-us-east-infra',
        'prod-us-east-platform',
        'prod-us-east-agents',
        '',
      ]);
    });

    it("a deployment lists the environment's sites, or those it was given", () => {
      if (!tools()) return;
      const step = DEPLOY_ENVIRONMENT.jobs.sites.steps.find(
        (candidate) => (candidate as any).id === 'sites',
      )!;
      const all = runStep(step, { ENVIRONMENT: 'prod', SITES: '' });
      expect(all.stderr).toBe('');
      const matrix = JSON.parse(all.outputs.matrix);
      expect(matrix.include.map((entry: any) => entry.site)).toEqual([
        'nebraska',
        'denver-edge',
        'us-east',
        'eu-west',
        'nebraska-warm',
      ]);
      expect(all.summary).toContain(
        '- `prod/us-east` (aws): prod-us-east-infra prod-us-east-platform prod-us-east-agents\n',
      );
      const some = runStep(step, { ENVIRONMENT: 'prod', SITES: 'us-east, nebraska-warm' });
      expect(JSON.parse(some.outputs.matrix).include.map((entry: any) => entry.site)).toEqual([
        'us-east',
        'nebraska-warm',
      ]);
      const unknown = runStep(step, { ENVIRONMENT: 'prod', SITES: 'atlantis' });
      expect(unknown.status).not.toBe(0);
      expect(unknown.stderr).toMatch(
        /^sites: no site 'atlantis' in environment\(s\) prod of --out/m,
      );
      expect(unknown.outputs.matrix).toBeUndefined();
    });
  });
});

describe('the stacks a deployment covers', () => {
  const loaded = loadFleet({ rootDir: ROOT, environments: DEPLOYABLE });
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  const app = Testing.app();
  for (const environment of loaded.environments)
    new AgentFleet(app, environment.name, { environment });
  const stacks = app.node.children.filter(
    (child): child is TerraformStack => child instanceof TerraformStack,
  );

  /** The order `cdktf deploy` takes: a stack once all it depends on is done. */
  function deployOrder(selected: TerraformStack[]): string[] {
    const done: string[] = [];
    const pending = [...selected];
    while (pending.length > 0) {
      const next = pending.findIndex((stack) =>
        stack.dependencies.every((dependency) => done.includes(dependency.node.id)),
      );
      expect(next).toBeGreaterThanOrEqual(0);
      done.push(pending[next].node.id);
      pending.splice(next, 1);
    }
    return done;
  }

  it.each(loaded.environments.map((environment) => [environment.name, environment] as const))(
    "each site of '%s' deploys its infra, then platform, then agents, waiting on no other site",
    (name, environment) => {
      const sites = siteStackIds(environment);
      expect(sites.size).toBeGreaterThan(0);
      for (const [site, own] of sites) {
        // The deploy job of a site gets its stacks alone: none may depend on another site's.
        const order = deployOrder(stacks.filter((stack) => own.includes(stack.node.id)));
        expect([...order].sort()).toEqual([...own].sort());
        const ids = stackIds(name, site);
        if (own.includes(ids.hosts)) continue;
        const platform = order.indexOf(ids.platform);
        const agents = order.indexOf(ids.agents);
        expect(platform).toBeGreaterThanOrEqual(0);
        expect(platform).toBeLessThan(agents);
        if (order.includes(ids.infra)) expect(order.indexOf(ids.infra)).toBeLessThan(platform);
      }
      // Cloud sites have infra stacks, and those are what platform depends on.
      for (const site of [...(environment.awsSites ?? []), ...(environment.azureSites ?? [])]) {
        const ids = stackIds(name, site.name);
        const platform = stacks.find((stack) => stack.node.id === ids.platform)!;
        expect(platform.dependencies.map((d) => d.node.id)).toContain(ids.infra);
      }
    },
  );
});
