import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { parseOfflineMode } from '../../constructs/aws';
import {
  formatSkippedStack,
  offlineSelection,
  planStacks,
  selectOfflineStacks,
  StackPlan,
  StackSelectionError,
} from '../../scripts/terraform/offline-plan';
import { offlinePlanMirror } from '../support/offline-plan';
import { tempDir } from '../support/temp-dir';
import { REPO, startTypeScript } from '../support/typescript-process';
import { ACCOUNT_ID, addFixtureStacks, AWS_STACK, EXPECTED_ADDS, OTHER_STACK } from './fixture-app';

/** Synthesizes the fixture app into `<dir>/cdktf.out`; returns the outdir. */
function synthFixture(dir: string, offline: boolean): string {
  const outdir = path.join(dir, 'cdktf.out');
  const app = new App({ outdir });
  addFixtureStacks(app, { offline });
  app.synth();
  return outdir;
}

function stackJson(outdir: string, stack: string): any {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
}

/** Every key anywhere in a JSON value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => [key, ...keysOf(child)]);
  }
  return [];
}

describe('offline mode of the app', () => {
  it('is 1 or true; unset, empty, 0 or false is a real synth; anything else is an error', () => {
    for (const value of ['1', 'true', 'TRUE', ' 1 ']) expect(parseOfflineMode(value)).toBe(true);
    for (const value of [undefined, '', '0', 'false']) expect(parseOfflineMode(value)).toBe(false);
    expect(() => parseOfflineMode('yes')).toThrow(
      "FLEET_OFFLINE must be 1 (offline plan) or 0, got 'yes'",
    );
  });

  it('gives the AWS provider the offline flags and drops the account check only offline', () => {
    const outdir = synthFixture(tempDir('fleet-offline-synth'), true);
    const [provider] = stackJson(outdir, AWS_STACK).provider.aws;
    expect(provider).toEqual({
      region: 'eu-west-1',
      default_tags: [{ tags: { 'managed-by': 'agent-fleet', environment: 'fixture' } }],
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: 'true',
      max_retries: 1,
    });
  });

  it('keeps the deployable provider and S3 backend when not offline', () => {
    const outdir = synthFixture(tempDir('fleet-online-synth'), false);
    const stack = stackJson(outdir, AWS_STACK);
    expect(stack.provider.aws).toEqual([
      {
        region: 'eu-west-1',
        allowed_account_ids: [ACCOUNT_ID],
        default_tags: [{ tags: { 'managed-by': 'agent-fleet', environment: 'fixture' } }],
      },
    ]);
    expect(stack.terraform.backend).toEqual({
      s3: {
        bucket: 'fleet-state',
        region: 'eu-west-1',
        key: `fixture/${AWS_STACK}.tfstate`,
        encrypt: true,
        kms_key_id: 'alias/fleet-state',
        use_lockfile: true,
      },
    });
    expect(stackJson(outdir, OTHER_STACK).terraform.backend).toEqual({
      local: { path: `../../../terraform-state/${OTHER_STACK}.tfstate` },
    });
  });

  it('swaps every backend for a local state under terraform-state/offline/', () => {
    const outdir = synthFixture(tempDir('fleet-offline-synth'), true);
    for (const stack of [AWS_STACK, OTHER_STACK]) {
      expect(stackJson(outdir, stack).terraform.backend).toEqual({
        local: { path: `../../../terraform-state/offline/${stack}.tfstate` },
      });
    }
  });

  it('puts no credential in the synthesized stack, offline or not', () => {
    for (const offline of [true, false]) {
      const outdir = synthFixture(tempDir('fleet-credentials'), offline);
      const text = fs.readFileSync(path.join(outdir, 'stacks', AWS_STACK, 'cdk.tf.json'), 'utf8');
      const keys = keysOf(JSON.parse(text));
      for (const field of ['access_key', 'secret_key', 'token']) expect(keys).not.toContain(field);
      expect(text).not.toMatch(/A(KI|SI)A[0-9A-Z]{16}/);
      expect(text).not.toContain('offline-plan-placeholder');
    }
  });

  it('matches the resources of the synthesized stack with the ones the plan is expected to add', () => {
    const outdir = synthFixture(tempDir('fleet-offline-synth'), true);
    const resources = stackJson(outdir, AWS_STACK).resource;
    const declared = Object.fromEntries(
      Object.entries(resources).map(([type, byName]) => [
        type,
        Object.keys(byName as object).length,
      ]),
    );
    expect(declared).toEqual(EXPECTED_ADDS);
  });
});

describe('choosing the stacks to plan', () => {
  const outdir = () => synthFixture(tempDir('fleet-select'), true);

  it('takes every stack of the AWS provider or of none by default', () => {
    expect(selectOfflineStacks(outdir()).map((stack) => stack.name)).toEqual([AWS_STACK]);
  });

  it('names every stack it cannot plan, all at once', () => {
    const dir = outdir();
    expect(() => selectOfflineStacks(dir, [OTHER_STACK, 'staging-eu-infra'])).toThrow(
      new StackSelectionError(
        [
          `stack '${OTHER_STACK}' needs providers other than AWS's: only stacks of the AWS provider or of none plan offline`,
          `no stack 'staging-eu-infra' (stacks: ${AWS_STACK}, ${OTHER_STACK})`,
        ].join('\n'),
      ),
    );
  });

  it('with onlyOffline, skips a named stack that needs other providers, saying which', () => {
    const dir = outdir();
    const selection = offlineSelection(dir, [OTHER_STACK, AWS_STACK, OTHER_STACK], {
      onlyOffline: true,
    });
    expect(selection.stacks.map((stack) => stack.name)).toEqual([AWS_STACK]);
    expect(selection.skipped).toEqual([
      { stack: OTHER_STACK, providers: ['registry.terraform.io/hashicorp/kubernetes'] },
    ]);
    expect(selection.skipped.map(formatSkippedStack)).toEqual([
      `${OTHER_STACK}: skipped, it needs providers other than AWS's (registry.terraform.io/hashicorp/kubernetes)`,
    ]);
  });

  it('with onlyOffline and only such stacks named, chooses none rather than every stack', () => {
    const selection = offlineSelection(outdir(), [OTHER_STACK], { onlyOffline: true });
    expect(selection.stacks).toEqual([]);
    expect(selection.skipped.map((skipped) => skipped.stack)).toEqual([OTHER_STACK]);
  });

  it('with onlyOffline, still refuses a name that is no stack', () => {
    expect(() =>
      offlineSelection(outdir(), [OTHER_STACK, 'staging-eu-infra'], { onlyOffline: true }),
    ).toThrow(
      new StackSelectionError(`no stack 'staging-eu-infra' (stacks: ${AWS_STACK}, ${OTHER_STACK})`),
    );
  });

  it('refuses a stack synthesized for deployment before running terraform', async () => {
    const dir = tempDir('fleet-online-plan');
    const outdir = synthFixture(dir, false);
    const [result] = await planStacks({
      outdir,
      terraform: path.join(dir, 'no-terraform-here'),
    });
    expect(result.ok).toBe(false);
    expect(result.phases).toEqual({});
    expect(result.errors).toEqual([
      "backend 's3' needs the network: synthesize with FLEET_OFFLINE=1, which gives every stack a local backend (applyBackend(..., { offline: true }))",
      'provider aws is not configured for the offline plan (skip_credentials_validation, skip_requesting_account_id unset): create it with awsProvider(..., { offline: true })',
    ]);
  });
});

const mirror = offlinePlanMirror('the KMS and SQS fixture');
const describeWithTerraform = mirror ? describe : describe.skip;

const FIXTURE_APP = path.join(__dirname, 'fixture-app.ts');

/** `npm run plan:offline -- --app <app> [args]` (the fixture app by default), with its own TMPDIR. */
function runCli(mirror: string, tmp: string, args: readonly string[] = [], app = FIXTURE_APP) {
  return startTypeScript(path.join(REPO, 'scripts/plan-offline.ts'), ['--app', app, ...args], {
    cwd: REPO,
    env: { ...process.env, TF_PROVIDER_MIRROR: mirror, TMPDIR: tmp },
  });
}

describeWithTerraform('a real terraform plan, offline', () => {
  const dir = tempDir('fleet-offline-plan');
  const cliTmp = tempDir('fleet-cli-tmp');
  let result: StackPlan;
  let cli: Awaited<ReturnType<typeof runCli>>;
  let mixed: Awaited<ReturnType<typeof runCli>>;
  let none: Awaited<ReturnType<typeof runCli>>;
  let staging: Awaited<ReturnType<typeof runCli>>;

  // The fixture is planned in-process and through the command at once, and
  // staging's site of the example app through the command.
  beforeAll(async () => {
    const outdir = synthFixture(dir, true);
    const [results, ...runs] = await Promise.all([
      planStacks({ outdir, mirror: mirror!, workDir: dir }),
      runCli(mirror!, cliTmp),
      runCli(mirror!, tempDir('fleet-cli-tmp'), ['--only-offline', AWS_STACK, OTHER_STACK]),
      runCli(mirror!, tempDir('fleet-cli-tmp'), ['--only-offline', OTHER_STACK]),
      runCli(
        mirror!,
        tempDir('fleet-cli-tmp'),
        ['--only-offline', 'staging-eu-platform', 'staging-eu-infra'],
        path.join(REPO, 'main.ts'),
      ),
    ]);
    [result] = results;
    [cli, mixed, none, staging] = runs;
    console.log(
      `offline plan of ${AWS_STACK}: ${result.seconds.toFixed(1)} s ` +
        `(init ${result.phases.init?.toFixed(1)} s, plan ${result.phases.plan?.toFixed(1)} s, ` +
        `show ${result.phases.show?.toFixed(1)} s)`,
    );
  }, 180_000);

  it('plans the AWS stack without errors', () => {
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.stack).toBe(AWS_STACK);
    expect(result.counts).toEqual({ add: 5, change: 0, destroy: 0 });
  });

  it('adds exactly the expected resources, by type, according to the plan JSON', () => {
    const adds = Object.fromEntries(
      (result.plan?.resource_changes ?? [])
        .filter((change) => change.change.actions.includes('create'))
        .reduce(
          (byType, change) => byType.set(change.type, (byType.get(change.type) ?? 0) + 1),
          new Map<string, number>(),
        ),
    );
    expect(adds).toEqual(EXPECTED_ADDS);
    expect(result.byType).toEqual(
      Object.fromEntries(
        Object.entries(EXPECTED_ADDS).map(([type, add]) => [type, { add, change: 0, destroy: 0 }]),
      ),
    );
  });

  it('plans the values the provider computes: default tags and key rotation', () => {
    const after = (address: string) =>
      result.plan?.resource_changes?.find((change) => change.address === address)?.change.after;
    expect(after('aws_kms_key.queue-key')).toMatchObject({
      enable_key_rotation: true,
      tags_all: { 'managed-by': 'agent-fleet', environment: 'fixture' },
    });
    expect(after('aws_sqs_queue.tasks-dlq')).toMatchObject({
      message_retention_seconds: 1_209_600,
      tags_all: { 'managed-by': 'agent-fleet', environment: 'fixture' },
    });
  });

  it('writes no state: the offline state path stays empty', () => {
    expect(fs.existsSync(path.join(dir, 'terraform-state'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'cdktf.out/stacks', AWS_STACK, 'plan.bin'))).toBe(true);
  });

  it('runs as npm run plan:offline: one line per stack, exit 0, nothing left in its temp dir', () => {
    expect(cli.stdout).toMatch(
      new RegExp(`^${AWS_STACK}: ok, 5 to add, 0 to change, 0 to destroy \\(\\d+\\.\\d s\\)\\n$`),
    );
    expect(cli.stderr).toContain(`registry.terraform.io/hashicorp/aws from the mirror ${mirror!}`);
    expect(cli.status).toBe(0);
    // tsx keeps its compile cache there too.
    expect(fs.readdirSync(cliTmp).filter((name) => name.startsWith('fleet-'))).toEqual([]);
  });

  it('with --only-offline, plans the AWS stack and skips the Kubernetes stack, saying why', () => {
    expect(mixed.stdout).toMatch(
      new RegExp(
        `^${OTHER_STACK}: skipped, it needs providers other than AWS's \\(registry\\.terraform\\.io/hashicorp/kubernetes\\)\\n` +
          `${AWS_STACK}: ok, 5 to add, 0 to change, 0 to destroy \\(\\d+\\.\\d s\\)\\n$`,
      ),
    );
    expect(mixed.stderr).toMatch(
      /^plan: 1 stack\(s\) planned, 0 failed, 1 skipped, in \d+\.\d s$/m,
    );
    expect(mixed.status).toBe(0);
  });

  it("with --only-offline, plans staging's AWS infra stack and skips its Kubernetes platform stack", () => {
    const [skipped, planned, ...rest] = staging.stdout.split('\n');
    expect(skipped).toMatch(
      /^staging-eu-platform: skipped, it needs providers other than AWS's \(registry\.terraform\.io\/hashicorp\/[^)]+\)$/,
    );
    expect(skipped).toContain('registry.terraform.io/hashicorp/kubernetes');
    expect(skipped).not.toContain('hashicorp/aws');
    expect(planned).toMatch(
      /^staging-eu-infra: ok, \d+ to add, 0 to change, 0 to destroy \(\d+\.\d s\)$/,
    );
    expect(rest).toEqual(['']);
    expect(staging.status).toBe(0);
  });

  it('with --only-offline and only stacks that do not plan offline, says so and exits 0', () => {
    expect(none.stdout).toBe(
      [
        `${OTHER_STACK}: skipped, it needs providers other than AWS's (registry.terraform.io/hashicorp/kubernetes)`,
        'no stack of those named plans offline',
        '',
      ].join('\n'),
    );
    expect(none.status).toBe(0);
  });
});
