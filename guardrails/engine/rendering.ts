import {
  Aspects,
  DefaultTokenResolver,
  IAspect,
  StringConcat,
  TerraformElement,
  TerraformOutput,
  TerraformStack,
  Tokenization,
} from 'cdktf';
import { deepMerge } from 'cdktf/lib/util';

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Resolves every token of a value in a stack, as cdktf's own synth does. */
function resolveIn(stack: TerraformStack, value: unknown, preparing = false): any {
  return Tokenization.resolve(value, { scope: stack, preparing, resolver: RESOLVER });
}

/** The Terraform elements of a stack, in construct order, not descending into nested stacks. */
function elementsOf(stack: TerraformStack): TerraformElement[] {
  const found: TerraformElement[] = [];
  const visit = (node: TerraformStack | TerraformElement | { node: { children: unknown[] } }) => {
    if (TerraformElement.isTerraformElement(node)) found.push(node);
    for (const child of node.node.children as (typeof node)[]) {
      if (!TerraformStack.isStack(child)) visit(child);
    }
  };
  visit(stack);
  return found;
}

/**
 * Marks an aspect that only reads the constructs it visits. cdktf runs a
 * stack's aspects after every stack was prepared; an aspect that changes an
 * element would not show in fragments resolved while preparing.
 */
export const READ_ONLY_ASPECT = Symbol.for('agent-fleet.read-only-aspect');

function readOnly(aspect: IAspect): boolean {
  return (aspect as { [READ_ONLY_ASPECT]?: boolean })[READ_ONLY_ASPECT] === true;
}

/** Whether an aspect that may change elements applies anywhere in a stack. */
function hasChangingAspects(stack: TerraformStack): boolean {
  return stack.node.findAll().some((node) => !Aspects.of(node).all.every(readOnly));
}

/** What cdktf keeps private on a stack and its rendering needs. */
interface StackInternals {
  readonly rawOverrides: Record<string, unknown>;
  readonly cdktfVersion: string;
}

/**
 * A stack rendered with one resolve of each element per synth, shared by the
 * guardrails and cdktf's synthesizer. cdktf 0.21 resolves every element three
 * times: when preparing the stack (to find cross-stack references), when
 * rendering each element, and once more over the merged document; resolving
 * is the costliest step of synth at fleet scale. A reference resolves to the
 * same string when preparing as when rendering, so this stack keeps each
 * element's prepared fragment and renders from it; elements added after
 * preparation (cross-stack outputs and remote states) are resolved then, and
 * the merged document is resolved again only when stack-level overrides
 * (which may hold tokens) were merged into it.
 * Every stack of the app is prepared before any is rendered, so the guardrail
 * aspect renders each stack when synth reaches the first one, and the
 * synthesizer's own `toTerraform()` takes that rendering. A stack where an
 * aspect not marked {@link READ_ONLY_ASPECT} applies is rendered as cdktf
 * renders it, after its aspects ran.
 */
export class CheckedStack extends TerraformStack {
  private prepared?: Map<TerraformElement, unknown>;
  private pendingRendering?: Record<string, unknown>;

  /** cdktf's preparation, keeping each element's resolved fragment. */
  override prepareStack(): void {
    this.pendingRendering = undefined;
    this.prepared = undefined;
    if (hasChangingAspects(this)) {
      super.prepareStack();
      return;
    }
    this.ensureBackendExists();
    const prepared = new Map<TerraformElement, unknown>();
    for (const element of elementsOf(this)) {
      prepared.set(element, resolveIn(this, element.toTerraform(), true));
    }
    this.prepared = prepared;
  }

  /**
   * Renders the stack for the guardrails. Prepared in this synth, the
   * rendering is kept for the synthesizer's next call; otherwise it is
   * cdktf's own, and not kept.
   */
  renderForChecks(): Record<string, unknown> {
    if (!this.prepared) return super.toTerraform();
    this.pendingRendering = this.render();
    return this.pendingRendering;
  }

  /** The rendering kept by {@link renderForChecks}, once; otherwise a fresh one. */
  override toTerraform(): any {
    const rendering = this.pendingRendering ?? this.render();
    this.pendingRendering = undefined;
    return rendering;
  }

  /** cdktf 0.21's `TerraformStack.toTerraform`, taking prepared fragments where it can. */
  private render(): Record<string, unknown> {
    const prepared = this.prepared;
    // Rendering consumes the fragments: a later call sees later changes.
    this.prepared = undefined;
    if (!prepared || hasChangingAspects(this)) return super.toTerraform();
    const { rawOverrides, cdktfVersion } = this as unknown as StackInternals;
    const metadata: Record<string, unknown> = {
      version: cdktfVersion,
      stackName: this.node.id,
      backend: 'local',
      cloud: undefined,
      ...(Object.keys(rawOverrides).length > 0
        ? { overrides: { stack: Object.keys(rawOverrides) } }
        : {}),
    };
    const elements = elementsOf(this);
    for (const element of elements) deepMerge(metadata, resolveIn(this, element.toMetadata()));
    const outputs: Record<string, unknown> = {};
    for (const element of elements) {
      if (!TerraformOutput.isTerraformOutput(element)) continue;
      const nested = element.node.path
        .split('/')
        .reduceRight<unknown>(
          (inner, part) =>
            Object.keys(inner as object).length === 0
              ? { [part]: element.friendlyUniqueId }
              : { [part]: inner },
          {},
        );
      deepMerge(outputs, nested);
    }
    const tf: Record<string, unknown> = { '//': { metadata, outputs } };
    for (const element of elements) {
      const fragment = prepared.has(element)
        ? prepared.get(element)
        : resolveIn(this, element.toTerraform());
      deepMerge(tf, fragment);
    }
    if (Object.keys(rawOverrides).length === 0) return tf;
    deepMerge(tf, rawOverrides);
    return resolveIn(this, tf);
  }
}

/** A stack's synthesized JSON, rendered for checks (kept for synth if the stack is a {@link CheckedStack}). */
export function renderStack(stack: TerraformStack): Record<string, unknown> {
  return stack instanceof CheckedStack
    ? stack.renderForChecks()
    : (stack.toTerraform() as Record<string, unknown>);
}
