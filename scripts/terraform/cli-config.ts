import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The AWS provider's full address, as the mirror and the CLI config name it. */
export const AWS_PROVIDER = 'registry.terraform.io/hashicorp/aws';

/**
 * The full address of a provider source as written in `required_providers`:
 * `aws` and `hashicorp/aws` are `registry.terraform.io/hashicorp/aws`.
 */
export function providerAddress(source: string): string {
  const parts = source.toLowerCase().split('/');
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts[0]}/${parts[1]}`;
  return parts.join('/');
}

/**
 * The providers a filesystem mirror holds (`<host>/<namespace>/<type>`), in either
 * layout: unpacked (`<host>/<ns>/<type>/<version>/<os_arch>/`) or packed
 * (`<host>/<ns>/<type>/terraform-provider-<type>_<version>_<os_arch>.zip`).
 * @see https://developer.hashicorp.com/terraform/cli/config/config-file#filesystem_mirror
 */
export function mirrorProviders(mirror: string): string[] {
  const found: string[] = [];
  for (const host of subdirectories(mirror)) {
    for (const namespace of subdirectories(path.join(mirror, host))) {
      for (const type of subdirectories(path.join(mirror, host, namespace))) {
        const dir = path.join(mirror, host, namespace, type);
        const packed = fs
          .readdirSync(dir)
          .some((entry) => entry.startsWith(`terraform-provider-${type}_`));
        const unpacked = subdirectories(dir).some(
          (version) => subdirectories(path.join(dir, version)).length > 0,
        );
        if (packed || unpacked) found.push(`${host}/${namespace}/${type}`);
      }
    }
  }
  return found.sort();
}

function subdirectories(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}

/** Lists files named `terraform-provider-aws*` on this machine, the way `.ci/run` does. */
export type BinarySearch = () => string | undefined;

const searchFilesystem: BinarySearch = () => {
  const result = spawnSync(
    'find',
    ['/', '-path', '/proc', '-prune', '-o', '-name', 'terraform-provider-aws*', '-print', '-quit'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return result.stdout?.split('\n').find(Boolean);
};

/**
 * The filesystem mirror of provider binaries: `TF_PROVIDER_MIRROR` when set (it
 * must hold the AWS provider), else the mirror around the first
 * `terraform-provider-aws*` file on the machine, as `.ci/run` finds it;
 * `undefined` when there is none (providers then come from the registry).
 */
export function findProviderMirror(
  env: NodeJS.ProcessEnv = process.env,
  search: BinarySearch = searchFilesystem,
): string | undefined {
  const configured = env.TF_PROVIDER_MIRROR;
  if (configured) {
    const mirror = path.resolve(configured);
    if (!mirrorProviders(mirror).includes(AWS_PROVIDER)) {
      throw new Error(
        `TF_PROVIDER_MIRROR=${configured} holds no ${AWS_PROVIDER}: expected ` +
          `${path.join(mirror, AWS_PROVIDER)}/<version>/<os_arch>/terraform-provider-aws_*`,
      );
    }
    return mirror;
  }
  const binary = search();
  if (!binary) return undefined;
  // Unpacked: <mirror>/<host>/<ns>/aws/<version>/<os_arch>/<binary>;
  // packed: <mirror>/<host>/<ns>/aws/<archive>.zip.
  const levels = binary.endsWith('.zip') ? 4 : 6;
  let mirror = binary;
  for (let i = 0; i < levels; i++) mirror = path.dirname(mirror);
  return mirrorProviders(mirror).includes(AWS_PROVIDER) ? mirror : undefined;
}

/** Quotes a string for HCL. */
function hcl(value: string): string {
  return JSON.stringify(value);
}

/**
 * The Terraform CLI configuration of an offline plan. With a mirror, the AWS
 * provider (or the given `providers`) installs from it and only from it: the
 * mirror carries exactly the version `@cdktf/provider-aws` was generated from.
 * Every other provider still installs from its registry, so a stack that needs
 * one (`random`, `tls`, ...) plans wherever the registry is reachable, and
 * `terraform init` names the provider it could not fetch where it is not.
 * Without a mirror the configuration is empty: providers install from their
 * registries as usual. Either way the user's own CLI configuration is not read.
 * @see https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation
 */
export function cliConfig(mirror?: string, providers?: readonly string[]): string {
  const header = '# Written by scripts/plan-offline.ts for the terraform processes it starts.\n';
  if (!mirror) return `${header}# No provider mirror: providers install from their registries.\n`;
  const included = providers ?? [AWS_PROVIDER];
  const list = `[${included.map(hcl).join(', ')}]`;
  return (
    header +
    'provider_installation {\n' +
    '  filesystem_mirror {\n' +
    `    path    = ${hcl(mirror)}\n` +
    `    include = ${list}\n` +
    '  }\n' +
    '  direct {\n' +
    `    exclude = ${list}\n` +
    '  }\n' +
    '}\n'
  );
}

/** Writes {@link cliConfig} to `file`; returns `file`, for `TF_CLI_CONFIG_FILE`. */
export function writeCliConfig(
  file: string,
  mirror?: string,
  providers?: readonly string[],
): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, cliConfig(mirror, providers));
  return file;
}
