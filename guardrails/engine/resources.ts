import { TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { renderStack } from './rendering';
import { ResourceView, RuleScope } from './types';

/** A stack's synthesized JSON, as far as views read it. */
interface RenderedStack {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly terraform?: { readonly backend?: Record<string, Record<string, unknown>> };
}

/**
 * The resources of a stack as rules see them, read from the stack's one
 * rendering at synth (see {@link renderStack}). Call it from an aspect, once
 * cross-stack references are prepared, so references resolve to the strings
 * the synthesized JSON holds.
 */
export function resourceViews(stack: TerraformStack): ResourceView[] {
  const rendered = renderStack(stack) as RenderedStack;
  const nodes = new Map<string, IConstruct>();
  for (const node of stack.node.findAll()) {
    if (node instanceof TerraformResource) nodes.set(node.node.path, node);
  }
  const views: ResourceView[] = [];
  for (const [type, byName] of Object.entries(rendered.resource ?? {})) {
    for (const [name, { '//': metadata, ...attributes }] of Object.entries(byName)) {
      const address = `${type}.${name}`;
      // cdktf writes every resource's construct path into its metadata; one
      // without it (an override of `//`) is still checked, under the stack.
      const recorded = (metadata as { metadata?: { path?: string } } | undefined)?.metadata?.path;
      const node = (recorded && nodes.get(recorded)) || stack;
      const path = node === stack ? `${stack.node.path}/${address}` : (recorded as string);
      views.push({ stack: stack.node.id, path, type, address, attributes, node });
    }
  }
  for (const [type, attributes] of Object.entries(rendered.terraform?.backend ?? {})) {
    views.push({
      stack: stack.node.id,
      path: `${stack.node.path}/backend`,
      type: `backend.${type}`,
      address: `terraform.backend.${type}`,
      attributes,
      node: stack,
    });
  }
  return views;
}

/** A rule scope over some resources. */
export function scopeOf(resources: readonly ResourceView[]): RuleScope {
  const byType = new Map<string, ResourceView[]>();
  for (const resource of resources) {
    const list = byType.get(resource.type) ?? [];
    list.push(resource);
    byType.set(resource.type, list);
  }
  const memos = new Map<string, unknown>();
  return {
    resources,
    ofType: (type) => byType.get(type) ?? [],
    memo<T>(key: string, compute: () => T): T {
      if (!memos.has(key)) memos.set(key, compute());
      return memos.get(key) as T;
    },
  };
}
