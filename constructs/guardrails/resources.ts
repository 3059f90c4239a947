import {
  DefaultTokenResolver,
  StringConcat,
  TerraformResource,
  TerraformStack,
  Tokenization,
} from 'cdktf';
import { ResourceView, RuleScope } from './types';

/**
 * The resources of a stack as rules see them. Call it at synth (from an
 * aspect), once cross-stack references are prepared, so references resolve
 * to the strings the synthesized JSON holds.
 */
export function resourceViews(stack: TerraformStack): ResourceView[] {
  const resolver = new DefaultTokenResolver(new StringConcat());
  const views: ResourceView[] = [];
  for (const node of stack.node.findAll()) {
    if (!(node instanceof TerraformResource)) continue;
    const rendered = Tokenization.resolve(node.toTerraform(), {
      scope: stack,
      resolver,
      preparing: false,
    }) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
    for (const [type, byName] of Object.entries(rendered.resource ?? {})) {
      for (const [name, attributes] of Object.entries(byName)) {
        const rest = Object.fromEntries(Object.entries(attributes).filter(([key]) => key !== '//'));
        views.push({
          stack: stack.node.id,
          path: node.node.path,
          type,
          address: `${type}.${name}`,
          attributes: rest,
          node,
        });
      }
    }
  }
  const backend = (stack.toTerraform() as { terraform?: { backend?: Record<string, unknown> } })
    .terraform?.backend;
  for (const [type, attributes] of Object.entries(backend ?? {})) {
    views.push({
      stack: stack.node.id,
      path: `${stack.node.path}/backend`,
      type: `backend.${type}`,
      address: `terraform.backend.${type}`,
      attributes: attributes as Record<string, unknown>,
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
