import * as path from 'path';
import { FLEET_FILE, SiteKind } from '../../app/fleet-report';
import { checkOutputConsistency, OUTPUT_STAMP } from '../../app/output-dir';
import { readAnsibleFiles } from '../../output/ansible-files';
import { InputDir, ReviewError } from '../../output/files';
import {
  baseFleetFileSchema,
  fleetFileSchema,
  manifestFileSchema,
  schemaProblem,
  stackFileSchema,
  StackJson,
} from '../../output/schema';

const MANIFEST = 'manifest.json';
const KINDS: readonly string[] = ['aws', 'azure', 'kubernetes', 'hosts'] satisfies SiteKind[];

/** A site of a synthesized output, as the matrix lists it. */
export interface OutputSite {
  readonly environment: string;
  readonly name: string;
  /** `unknown` only for a base site whose output does not say its kind. */
  readonly kind: SiteKind | 'unknown';
  /**
   * Its stacks in the order they deploy.
   * @default - not recorded: a base output from before sites listed their stacks
   */
  readonly stacks?: readonly string[];
}

/**
 * A synthesized output directory, read for what the site matrix needs:
 * `fleet.json` (its sites and their stacks), `manifest.json`, and the SHA-256
 * of each stack's `cdk.tf.json` from `stamp.json`, which the output's
 * consistency check has held to the files on disk.
 */
export class SiteOutput {
  /**
   * Opens an output and checks it is whole: stamped by `npm run synth`, every
   * stack and report the stamp hashes is the one on disk.
   * @param label how the directory was named, e.g. `--out`, for messages
   * @param role `head` checks `fleet.json` as the review does and requires
   *   every site to list its stacks; `base` reads only names and stacks
   * @throws ReviewError when it is missing, not an output of `npm run synth`
   *   or not whole
   */
  static open(dir: string, label: string, role: 'head' | 'base'): SiteOutput {
    const input = InputDir.open(dir, label);
    for (const file of [MANIFEST, FLEET_FILE, OUTPUT_STAMP]) {
      if (!input.has(file)) {
        throw new ReviewError(
          `${label} '${dir}' has no ${file}: synthesize it with npm run synth (cdktf synth writes no ${FLEET_FILE} or ${OUTPUT_STAMP})`,
        );
      }
    }
    const problem = checkOutputConsistency(dir);
    if (problem) throw new ReviewError(`${label} '${dir}' is not one whole output: ${problem}`);
    return new SiteOutput(input, role);
  }

  /** The project the output belongs to (cdktf.json's `projectId`), when recorded. */
  readonly project?: string;
  /** Every environment's sites, environments by name. */
  readonly environments: ReadonlyMap<string, readonly OutputSite[]>;
  private readonly stackFiles: ReadonlyMap<string, string>;
  private readonly dependencies: ReadonlyMap<string, readonly string[]>;
  private readonly hashes: Readonly<Record<string, string>>;

  private constructor(
    private readonly input: InputDir,
    role: 'head' | 'base',
  ) {
    const fleet = input.readJson(FLEET_FILE) as {
      project?: string;
      environments: Record<
        string,
        { sites?: { name: string; kind?: unknown; stacks?: string[] }[] }
      >;
    };
    const problem = schemaProblem(role === 'head' ? fleetFileSchema : baseFleetFileSchema, fleet);
    if (problem) throw input.problem(FLEET_FILE, `is not what synth writes: ${problem}`);
    if (typeof fleet.project === 'string') this.project = fleet.project;
    const environments = new Map<string, OutputSite[]>();
    for (const [environment, report] of Object.entries(fleet.environments)) {
      const sites = (report.sites ?? []).map((site): OutputSite => {
        if (role === 'head' && !Array.isArray(site.stacks)) {
          throw input.problem(
            FLEET_FILE,
            `does not list the stacks of site '${site.name}' of '${environment}': synthesize it with this branch's npm run synth`,
          );
        }
        const kind = KINDS.includes(site.kind as string) ? (site.kind as SiteKind) : 'unknown';
        return {
          environment,
          name: site.name,
          kind,
          ...(Array.isArray(site.stacks) ? { stacks: site.stacks } : {}),
        };
      });
      environments.set(environment, sites);
    }
    this.environments = environments;

    const manifest = input.readJson(MANIFEST) as {
      stacks: Record<string, { synthesizedStackPath?: string; dependencies?: unknown }>;
    };
    const manifestProblem = schemaProblem(manifestFileSchema, manifest);
    if (manifestProblem) {
      throw input.problem(MANIFEST, `is not what cdktf writes: ${manifestProblem}`);
    }
    const stackFiles = new Map<string, string>();
    const dependencies = new Map<string, string[]>();
    for (const [id, entry] of Object.entries(manifest.stacks)) {
      stackFiles.set(id, stackFile(id, entry.synthesizedStackPath));
      const needs = Array.isArray(entry.dependencies) ? entry.dependencies : [];
      dependencies.set(id, needs.map(String));
    }
    this.stackFiles = stackFiles;
    this.dependencies = dependencies;
    const stamp = input.readJson(OUTPUT_STAMP) as { files: Record<string, string> };
    this.hashes = stamp.files;
  }

  /** The directory as named on the command line. */
  get dir(): string {
    return this.input.dir;
  }

  /** SHA-256 of a stack's `cdk.tf.json`, as the stamp records it. */
  stackHash(stack: string): string | undefined {
    const file = this.stackFiles.get(stack);
    return file !== undefined && Object.hasOwn(this.hashes, file) ? this.hashes[file] : undefined;
  }

  /**
   * Refuses a site whose stacks the manifest does not list, or one of whose
   * stacks depends on a stack of another site: sites deploy at the same time,
   * so none may wait on another.
   * @throws ReviewError naming the stack and what it depends on
   */
  checkSelfContained(site: OutputSite): void {
    const own = site.stacks ?? [];
    for (const stack of own) {
      if (!this.stackFiles.has(stack)) {
        throw this.input.problem(
          FLEET_FILE,
          `gives site '${site.name}' of '${site.environment}' stack '${stack}', which ${MANIFEST} does not list`,
        );
      }
      const outside = (this.dependencies.get(stack) ?? []).find((needed) => !own.includes(needed));
      if (outside !== undefined) {
        throw this.input.problem(
          MANIFEST,
          `makes stack '${stack}' of site '${site.environment}/${site.name}' depend on '${outside}', which is not a stack of that site: sites deploy at the same time, so none may wait on another`,
        );
      }
    }
  }

  /**
   * The generated Ansible files of a stack by path, read from its `ansible/`
   * folder and each held to the hash its `terraform_data` resource lists.
   * @returns undefined when the stack runs no Ansible
   * @throws ReviewError as `readAnsibleFiles` does
   */
  ansibleFiles(stack: string): ReadonlyMap<string, string> | undefined {
    const relative = this.stackFiles.get(stack);
    if (relative === undefined) return undefined;
    const json = this.input.readJson(relative);
    const problem = schemaProblem(stackFileSchema, json);
    if (problem) throw this.input.problem(relative, `is not what synth writes: ${problem}`);
    return readAnsibleFiles(this.input, stack, relative, json as StackJson)?.files;
  }

  /**
   * Reads a stack's Ansible files here, then in `other`, each held to the
   * hashes its `cdk.tf.json` lists. Where the two `cdk.tf.json` are the same,
   * so are the files that pass: this checks them, it does not compare them.
   * @throws ReviewError as {@link ansibleFiles} does
   */
  checkAnsible(stack: string, other: SiteOutput): void {
    this.ansibleFiles(stack);
    other.ansibleFiles(stack);
  }
}

/** A stack's `cdk.tf.json` relative to the output, with `/`, as the stamp names it. */
function stackFile(id: string, synthesizedStackPath: string | undefined): string {
  return path.posix.normalize(
    (synthesizedStackPath ?? `stacks/${id}/cdk.tf.json`).split(path.sep).join('/'),
  );
}
