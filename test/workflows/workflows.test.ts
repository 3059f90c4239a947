import * as fs from 'fs';
import * as path from 'path';
import { Testing, TerraformStack } from 'cdktf';
import { parse, parseDocument } from 'yaml';
import { formatProblem, loadFleet } from '../../config';
import { AgentFleet, stackIds } from '../../stacks/agent-fleet';

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
    workflow.jobs[job].steps.map((step) => ({ job, step })),
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
  it('are the pull-request and deploy workflows', () => {
    expect(FILES).toEqual(['deploy.yml', 'pull-request.yml']);
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
        const logsIn = job.steps.some(logsInWithOidc);
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
      for (const step of job.steps) {
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
      Object.values(wf.jobs).flatMap((job) => job.steps.map((step) => step.run ?? '')),
    );
    const called = new Set(
      runs.flatMap((run) => [
        ...[...run.matchAll(/\bnpm run ([\w:-]+)/g)].map((match) => match[1]),
        ...(/\bnpm test\b/.test(run) ? ['test'] : []),
      ]),
    );
    expect([...called].sort()).toEqual(
      ['lint', 'plan:offline', 'review', 'synth', 'test', 'typecheck'].sort(),
    );
    for (const script of called) expect(Object.keys(PACKAGE.scripts)).toContain(script);
  });

  it('set up Node 20 with the npm cache and Terraform 1.11 without its wrapper', () => {
    for (const [, wf] of allWorkflows()) {
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
    ['offline plan', /^npm run plan:offline$/m],
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
      /apt-get install [^\n]*\\\n\s+rabbitmq-server prometheus prometheus-alertmanager ansible ansible-lint podman\n/,
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

  it('runs cdktf diff only with read-only cloud roles configured, per changed environment', () => {
    const diff = PR.jobs.diff;
    expect(diff.if).toMatch(/vars\.AWS_ROLE_ARN_[A-Z]+ != ''/);
    expect(diff.if).toContain("needs.changes.outputs.diff != '[]'");
    expect(needsOf(diff)).toEqual(expect.arrayContaining(['changes']));
    expect(diff.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(diff.strategy?.matrix.include).toBe('${{ fromJSON(needs.changes.outputs.diff) }}');
    for (const env of DEPLOYABLE) {
      expect(diff.if).toContain(`vars.AWS_ROLE_ARN_${env.toUpperCase()} != ''`);
    }
    const run = diff.steps.map((step) => step.run ?? '').join('\n');
    expect(run).toContain('npx cdktf diff "$stack"');
    expect(run).toContain('["infra", "platform", "agents"]');
  });

  it('maps changed files to environments: shared code affects all, a file its own', () => {
    const script: string = PR.jobs.changes.steps[0].with.script;
    const listed = /const deployable = (\[[^\]]*\]);/.exec(script);
    expect(JSON.parse(listed![1].replace(/'/g, '"')).sort()).toEqual(DEPLOYABLE);
    for (const folder of ['fleet/', 'constructs/', 'stacks/', 'config/']) {
      expect(script).toContain(`'${folder}'`);
    }
    expect(script).toContain('/^environments\\/([^/]+)\\.yaml$/');
  });
});

describe('the deploy workflow', () => {
  const job = DEPLOY.jobs.deploy;

  it('runs on pushes to main and by hand for one environment', () => {
    expect(DEPLOY.on.push).toEqual({ branches: ['main'] });
    const input = DEPLOY.on.workflow_dispatch.inputs.environment;
    expect(input.type).toBe('choice');
    expect([...input.options].sort()).toEqual(DEPLOYABLE);
  });

  it('deploys every environment with cloud state, staging before prod, one at a time', () => {
    const matrix: string = job.strategy?.matrix.environment;
    const fallback = /\|\| '(\[[^\]]*\])'/.exec(matrix);
    expect(JSON.parse(fallback![1])).toEqual(['staging', 'prod']);
    expect([...JSON.parse(fallback![1])].sort()).toEqual(DEPLOYABLE);
    expect(matrix).toContain('inputs.environment');
    expect(job.strategy).toMatchObject({ 'max-parallel': 1, 'fail-fast': true });
  });

  it('runs in the GitHub environment, one deployment per environment, never cancelled', () => {
    expect(job.environment).toBe('${{ matrix.environment }}');
    expect(job.concurrency).toEqual({
      group: 'deploy-${{ matrix.environment }}',
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

  it('deploys all stacks of the environment with cdktf, after the review in the summary', () => {
    expect(job.env?.FLEET_ENVIRONMENTS).toBe('${{ matrix.environment }}');
    const runs = job.steps.map((step) => step.run ?? '');
    const deploy = runs.findIndex((run) => run.includes('npx cdktf deploy'));
    expect(runs[deploy]).toBe('npx cdktf deploy "$ENVIRONMENT-*" --auto-approve');
    expect(job.steps[deploy].env).toEqual({ ENVIRONMENT: '${{ matrix.environment }}' });
    const review = runs.findIndex((run) => /npm run review/.test(run));
    expect(review).toBeGreaterThanOrEqual(0);
    expect(review).toBeLessThan(deploy);
    expect(runs[review]).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const login = job.steps.findIndex(logsInWithOidc);
    expect(login).toBeLessThan(deploy);
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
    "'%s-*' deploys each site's infra, then platform, then agents",
    (name, environment) => {
      const selected = stacks.filter((stack) => stack.node.id.startsWith(`${name}-`));
      const order = deployOrder(selected);
      const sites = [
        ...environment.sites.map((site) => site.name),
        ...(environment.awsSites ?? []).map((site) => site.name),
        ...(environment.azureSites ?? []).map((site) => site.name),
      ];
      expect(sites.length).toBeGreaterThan(0);
      for (const site of sites) {
        const ids = stackIds(name, site);
        const platform = order.indexOf(ids.platform);
        const agents = order.indexOf(ids.agents);
        expect(platform).toBeGreaterThanOrEqual(0);
        expect(platform).toBeLessThan(agents);
        if (order.includes(ids.infra)) expect(order.indexOf(ids.infra)).toBeLessThan(platform);
      }
      // Cloud sites have infra stacks, and those are what platform depends on.
      for (const site of [...(environment.awsSites ?? []), ...(environment.azureSites ?? [])]) {
        const ids = stackIds(name, site.name);
        const platform = selected.find((stack) => stack.node.id === ids.platform)!;
        expect(platform.dependencies.map((d) => d.node.id)).toContain(ids.infra);
      }
    },
  );
});
