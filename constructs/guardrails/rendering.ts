import { TerraformStack } from 'cdktf';

/**
 * A stack whose synthesized JSON is rendered once per synth and shared by the
 * guardrails and cdktf's synthesizer. Rendering resolves every token of the
 * stack, the costliest step of synth at fleet scale: the guardrail aspect
 * renders each stack when synth reaches the first one (every stack is built
 * and prepared by then, and aspects add no resources), and the synthesizer's
 * own `toTerraform()` then takes that rendering instead of resolving again.
 */
export class CheckedStack extends TerraformStack {
  private pendingRendering?: Record<string, unknown>;

  /** Renders the stack for the guardrails, keeping it for the synthesizer's next call. */
  renderForChecks(): Record<string, unknown> {
    this.pendingRendering = super.toTerraform() as Record<string, unknown>;
    return this.pendingRendering;
  }

  /** The rendering kept by {@link renderForChecks}, once; otherwise a fresh one. */
  override toTerraform(): any {
    const rendering = this.pendingRendering ?? super.toTerraform();
    this.pendingRendering = undefined;
    return rendering;
  }
}

/** A stack's synthesized JSON, rendered for checks (kept for synth if the stack is a {@link CheckedStack}). */
export function renderStack(stack: TerraformStack): Record<string, unknown> {
  return stack instanceof CheckedStack
    ? stack.renderForChecks()
    : (stack.toTerraform() as Record<string, unknown>);
}
