import { TerraformResource, TerraformStack } from 'cdktf';
// cdktf's own allocation of logical ids, for the address a resource had in another stack.
import { makeUniqueId } from 'cdktf/lib/private/unique';
import { IConstruct } from 'constructs';
import { Problem } from '../model';

/** A resource's address in its stack's configuration: `<type>.<logical id>`. */
export function resourceAddress(resource: TerraformResource): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}

/** The Terraform resources of constructs, their children included. */
export function resourcesOf(constructs: readonly IConstruct[]): TerraformResource[] {
  return constructs.flatMap((construct) =>
    construct.node.findAll().filter(TerraformResource.isTerraformResource),
  );
}

/** A resource of the stack it moves to, and its address in the stack it leaves. */
export interface ResourceMove {
  readonly resource: TerraformResource;
  /**
   * Its address in the stack it leaves.
   * @default - the same address as in the stack it moves to
   */
  readonly from?: string;
  /**
   * The id the provider imports it by.
   * @default - read from its name and namespace, which must be literal
   */
  readonly id?: string;
}

/**
 * The address a resource of a type has at a construct path below its stack
 * (`['Monitoring', 'Dashboard-x']`), as cdktf allocates it.
 */
export function addressAt(type: string, path: readonly string[]): string {
  return `${type}.${makeUniqueId([...path])}`;
}

/**
 * Moves resources between two stacks of the same provider without destroying
 * them: the stack they leave gets a `removed` block per resource with
 * `destroy = false` (Terraform forgets it, cdktf 0.21 has no construct for
 * that), the stack they join an `import` block per resource with the id the
 * provider imports it by. Both take effect in the next plan of each stack;
 * once applied, they do nothing. Returns a problem per resource whose import
 * id cannot be known at synth (a type without import, a name from a reference).
 */
export function moveResources(
  moves: readonly ResourceMove[],
  from: TerraformStack,
  to: TerraformStack,
): Problem[] {
  const problems: Problem[] = [];
  const removed: unknown[] = [];
  const imports: unknown[] = [];
  for (const { resource, from: before, id: given } of moves) {
    const address = resourceAddress(resource);
    const id = given ?? importId(resource);
    if (typeof id !== 'string') {
      problems.push({
        path: [],
        message: `${address} cannot be moved to ${to.node.id}: ${id.why}`,
      });
      continue;
    }
    removed.push({ from: before ?? address, lifecycle: { destroy: false } });
    imports.push({ to: address, id });
  }
  addBlocks(from, 'removed', removed);
  addBlocks(to, 'import', imports);
  return problems;
}

/** The `removed` and `import` blocks given to each stack so far. */
const movedBlocks = new WeakMap<TerraformStack, Record<'removed' | 'import', unknown[]>>();

/** Appends top-level blocks of a kind to a stack's configuration. */
function addBlocks(stack: TerraformStack, kind: 'removed' | 'import', blocks: unknown[]): void {
  if (blocks.length === 0) return;
  let all = movedBlocks.get(stack);
  if (!all) {
    all = { removed: [], import: [] };
    movedBlocks.set(stack, all);
  }
  all[kind].push(...blocks);
  stack.addOverride(kind, all[kind]);
}

/**
 * The id the Kubernetes provider imports a resource by: `<namespace>/<name>`
 * (or `<name>` for a cluster-wide object) for its typed resources, and
 * `apiVersion=…,kind=…,namespace=…,name=…` for `kubernetes_manifest`.
 */
function importId(resource: TerraformResource): string | { why: string } {
  const type = resource.terraformResourceType;
  if (!type.startsWith('kubernetes_')) return { why: `${type} is not a Kubernetes resource` };
  const rendered = resource.toTerraform() as {
    resource: Record<string, Record<string, Record<string, unknown>>>;
  };
  const config = rendered.resource[type][resource.friendlyUniqueId];
  const manifest = config.manifest as Record<string, unknown> | undefined;
  const metadata = (manifest?.metadata ?? config.metadata) as Record<string, unknown> | undefined;
  const name = metadata?.name;
  const namespace = metadata?.namespace;
  const literal = (value: unknown) => typeof value === 'string' && !value.includes('${');
  if (!literal(name) || (namespace !== undefined && !literal(namespace))) {
    return { why: 'its name or namespace is not known before apply' };
  }
  if (manifest) {
    return [
      `apiVersion=${String(manifest.apiVersion)}`,
      `kind=${String(manifest.kind)}`,
      ...(namespace !== undefined ? [`namespace=${String(namespace)}`] : []),
      `name=${String(name)}`,
    ].join(',');
  }
  return namespace !== undefined ? `${String(namespace)}/${String(name)}` : String(name);
}
