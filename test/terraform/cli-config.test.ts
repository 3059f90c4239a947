import * as fs from 'fs';
import * as path from 'path';
import {
  AWS_PROVIDER,
  cliConfig,
  findProviderMirror,
  mirrorProviders,
  providerAddress,
  writeCliConfig,
} from '../../scripts/terraform/cli-config';
import {
  countChanges,
  formatStackPlan,
  PlanJson,
  StackPlan,
  terraformEnv,
} from '../../scripts/terraform/offline-plan';
import { tempDir } from '../support/temp-dir';

/** A fake unpacked mirror holding the AWS provider; returns [mirror, binary]. */
function unpackedMirror(): [string, string] {
  const mirror = tempDir('fleet-mirror');
  const platform = path.join(mirror, AWS_PROVIDER, '5.100.0', 'linux_amd64');
  fs.mkdirSync(platform, { recursive: true });
  const binary = path.join(platform, 'terraform-provider-aws_v5.100.0_x5');
  fs.writeFileSync(binary, '');
  return [mirror, binary];
}

describe('the Terraform CLI config of the offline plan', () => {
  it('takes the AWS provider from the mirror, and only from it; other providers from the registry', () => {
    expect(cliConfig('/opt/tf-plugins')).toBe(
      [
        '# Written by scripts/plan-offline.ts for the terraform processes it starts.',
        'provider_installation {',
        '  filesystem_mirror {',
        '    path    = "/opt/tf-plugins"',
        '    include = ["registry.terraform.io/hashicorp/aws"]',
        '  }',
        '  direct {',
        '    exclude = ["registry.terraform.io/hashicorp/aws"]',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('quotes the mirror path for HCL and takes other providers when told', () => {
    const config = cliConfig('/opt/my "plugins"', [
      AWS_PROVIDER,
      'registry.terraform.io/hashicorp/random',
    ]);
    expect(config).toContain('path    = "/opt/my \\"plugins\\""');
    expect(config).toContain(
      'include = ["registry.terraform.io/hashicorp/aws", "registry.terraform.io/hashicorp/random"]',
    );
  });

  it('installs nothing differently without a mirror', () => {
    const config = cliConfig(undefined);
    expect(config).not.toContain('provider_installation');
    expect(config.split('\n').every((line) => line === '' || line.startsWith('#'))).toBe(true);
  });

  it('is written to the file TF_CLI_CONFIG_FILE will name', () => {
    const file = path.join(tempDir('fleet-cli-config'), 'nested', 'terraform-cli.tfrc');
    expect(writeCliConfig(file, '/opt/tf-plugins')).toBe(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(cliConfig('/opt/tf-plugins'));
  });
});

describe('provider addresses and mirrors', () => {
  it('expands provider sources to full addresses', () => {
    expect(providerAddress('aws')).toBe('registry.terraform.io/hashicorp/aws');
    expect(providerAddress('hashicorp/aws')).toBe('registry.terraform.io/hashicorp/aws');
    expect(providerAddress('registry.terraform.io/hashicorp/aws')).toBe(
      'registry.terraform.io/hashicorp/aws',
    );
    expect(providerAddress('Example.com/Acme/Thing')).toBe('example.com/acme/thing');
  });

  it('lists the providers of unpacked and packed mirrors', () => {
    const [mirror] = unpackedMirror();
    const random = path.join(mirror, 'registry.terraform.io/hashicorp/random');
    fs.mkdirSync(random, { recursive: true });
    fs.writeFileSync(path.join(random, 'terraform-provider-random_3.7.2_linux_amd64.zip'), '');
    fs.mkdirSync(path.join(mirror, 'registry.terraform.io/hashicorp/empty/1.0.0'), {
      recursive: true,
    });
    expect(mirrorProviders(mirror)).toEqual([
      AWS_PROVIDER,
      'registry.terraform.io/hashicorp/random',
    ]);
    expect(mirrorProviders(path.join(mirror, 'missing'))).toEqual([]);
  });

  it('takes TF_PROVIDER_MIRROR first, without searching', () => {
    const [mirror] = unpackedMirror();
    const search = jest.fn(() => undefined);
    expect(findProviderMirror({ TF_PROVIDER_MIRROR: mirror }, search)).toBe(mirror);
    expect(search).not.toHaveBeenCalled();
  });

  it('rejects a TF_PROVIDER_MIRROR without the AWS provider, saying where it looked', () => {
    const empty = tempDir('fleet-mirror-empty');
    expect(() => findProviderMirror({ TF_PROVIDER_MIRROR: empty }, () => undefined)).toThrow(
      `TF_PROVIDER_MIRROR=${empty} holds no registry.terraform.io/hashicorp/aws: expected ${empty}/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/terraform-provider-aws_*`,
    );
  });

  it('finds the mirror around a provider binary, as .ci/run does, or none', () => {
    const [mirror, binary] = unpackedMirror();
    expect(findProviderMirror({}, () => binary)).toBe(mirror);
    expect(findProviderMirror({}, () => undefined)).toBeUndefined();

    const packed = tempDir('fleet-mirror-packed');
    const archive = path.join(
      packed,
      AWS_PROVIDER,
      'terraform-provider-aws_5.100.0_linux_amd64.zip',
    );
    fs.mkdirSync(path.dirname(archive), { recursive: true });
    fs.writeFileSync(archive, '');
    expect(findProviderMirror({}, () => archive)).toBe(packed);
  });
});

describe('the environment of the terraform processes', () => {
  it('drops every AWS variable of the caller and sets placeholders and the CLI config', () => {
    const env = terraformEnv(
      {
        PATH: '/usr/bin',
        AWS_PROFILE: 'production',
        AWS_SESSION_TOKEN: 'real-token',
        AWS_ACCESS_KEY_ID: 'real-key',
        TF_CLI_CONFIG_FILE: '/root/.terraformrc',
      },
      '/tmp/plan/terraform-cli.tfrc',
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      AWS_ACCESS_KEY_ID: 'offline-plan-placeholder',
      AWS_SECRET_ACCESS_KEY: 'offline-plan-placeholder',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      TF_CLI_CONFIG_FILE: '/tmp/plan/terraform-cli.tfrc',
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
    });
  });
});

describe('counting a plan', () => {
  const change = (type: string, actions: string[], mode: 'managed' | 'data' = 'managed') => ({
    address: `${mode === 'data' ? 'data.' : ''}${type}.x`,
    mode,
    type,
    name: 'x',
    change: { actions },
  });

  it('counts as Terraform does: a replacement adds and destroys, reads and no-ops count nothing', () => {
    const plan: PlanJson = {
      format_version: '1.2',
      terraform_version: '1.11.4',
      resource_changes: [
        change('aws_sqs_queue', ['create']),
        change('aws_sqs_queue', ['create']),
        change('aws_kms_key', ['update']),
        change('aws_kms_alias', ['delete', 'create']),
        change('aws_iam_role', ['create', 'delete']),
        change('aws_s3_bucket', ['delete']),
        change('aws_vpc', ['no-op']),
        change('aws_region', ['read'], 'data'),
      ],
    };
    expect(countChanges(plan)).toEqual({
      counts: { add: 4, change: 1, destroy: 3 },
      byType: {
        aws_sqs_queue: { add: 2, change: 0, destroy: 0 },
        aws_kms_key: { add: 0, change: 1, destroy: 0 },
        aws_kms_alias: { add: 1, change: 0, destroy: 1 },
        aws_iam_role: { add: 1, change: 0, destroy: 1 },
        aws_s3_bucket: { add: 0, change: 0, destroy: 1 },
      },
    });
  });

  it('prints one line per stack, with the errors below a failure', () => {
    const base: StackPlan = {
      stack: 'staging-eu-infra',
      ok: true,
      seconds: 6.04,
      phases: {},
      counts: { add: 5, change: 1, destroy: 0 },
      byType: {},
      errors: [],
      warnings: [],
    };
    expect(formatStackPlan(base)).toBe(
      'staging-eu-infra: ok, 5 to add, 1 to change, 0 to destroy (6.0 s)',
    );
    expect(
      formatStackPlan({ ...base, ok: false, errors: ['Error: one\ndetail', 'Error: two'] }),
    ).toBe('staging-eu-infra: FAILED (6.0 s)\n  Error: one\n  detail\n  Error: two');
  });
});
