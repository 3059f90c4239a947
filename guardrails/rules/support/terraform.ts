import { ResourceView, RuleScope } from '../../engine/types';

/**
 * Readers of synthesized AWS attributes shared by the AWS rules. Not a rule:
 * nothing here decides compliance.
 */

/** A nested block as a list, whether cdktf rendered it as one object, a list, or not at all. */
export function blocks(value: unknown): Record<string, any>[] {
  if (Array.isArray(value))
    return value.filter((v): v is Record<string, any> => typeof v === 'object' && v !== null);
  if (typeof value === 'object' && value !== null) return [value as Record<string, any>];
  return [];
}

/** The first (usually only) instance of a nested block. */
export function block(value: unknown): Record<string, any> | undefined {
  return blocks(value)[0];
}

/** True for `true` and `"true"`: some providers render booleans of nested blocks as strings. */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** False for `false` and `"false"`. */
export function isFalse(value: unknown): boolean {
  return value === false || value === 'false';
}

/** A non-empty string, e.g. a key ARN or a reference to one. */
export function isSet(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Whether the resource states `lifecycle { prevent_destroy = true }`. */
export function preventsDestroy(resource: ResourceView): boolean {
  return isTrue(block(resource.attributes.lifecycle)?.prevent_destroy);
}

/** `${aws_kms_key.Key_1234.arn}` → `{ type: 'aws_kms_key', name: 'Key_1234', attribute: 'arn' }`. */
export function parseReference(
  value: unknown,
): { readonly type: string; readonly name: string; readonly attribute: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)[^}]*\}$/.exec(value.trim());
  return match ? { type: match[1], name: match[2], attribute: match[3] } : undefined;
}

/** The resource a whole-string reference such as `${aws_kms_key.Key.arn}` names, in the referrer's stack. */
export function referenced(
  value: unknown,
  from: ResourceView,
  scope: RuleScope,
): ResourceView | undefined {
  const ref = parseReference(value);
  if (!ref) return undefined;
  return scope
    .ofType(ref.type)
    .find((r) => r.stack === from.stack && r.address === `${ref.type}.${ref.name}`);
}

/** `${<type>.<name>.`: the address a reference starts with. */
const REFERENCE = /\$\{([^.{}]+\.[^.{}]+)\./g;

/**
 * The resources of a scope by what they refer to (`<stack> <address>`), read
 * once per scope: rules that ask per resource who refers to it would
 * otherwise serialize the whole site for each one.
 */
function referrers(scope: RuleScope): Map<string, ResourceView[]> {
  return scope.memo('terraform:referrers', () => {
    const index = new Map<string, ResourceView[]>();
    for (const resource of scope.resources) {
      const text = JSON.stringify(resource.attributes);
      const addresses = new Set([...text.matchAll(REFERENCE)].map((match) => match[1]));
      for (const address of addresses) {
        const key = `${resource.stack} ${address}`;
        const list = index.get(key) ?? [];
        list.push(resource);
        index.set(key, list);
      }
    }
    return index;
  });
}

/** Resources of `target`'s stack with an attribute that refers to it (`${<target address>.…}`), in scope order. */
export function referrersOf(target: ResourceView, scope: RuleScope): readonly ResourceView[] {
  return referrers(scope).get(`${target.stack} ${target.address}`) ?? [];
}

/** One statement of an IAM-style policy document, as written. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: Record<string, unknown>;
}

/**
 * The statements of a policy document given as a JSON string (references
 * inside its strings are fine), or `undefined` when the document is not
 * readable at synth, e.g. a `${data.aws_iam_policy_document.x.json}` reference.
 */
export function policyStatements(document: unknown): PolicyStatement[] | undefined {
  let parsed: unknown = document;
  if (typeof document === 'string') {
    parsed = parseJson(document) ?? parseJson(quoteInterpolations(document));
    if (parsed === undefined) return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const statement = (parsed as { Statement?: unknown }).Statement;
  if (statement === undefined) return [];
  return (Array.isArray(statement) ? statement : [statement]).filter(
    (s): s is PolicyStatement => typeof s === 'object' && s !== null,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A policy document with the double quotes inside its `${...}` interpolations
 * escaped. Terraform evaluates them before the text is JSON, so
 * `"topic/${element(split("/", aws_msk_cluster.x.arn), 2)}"` is valid for it
 * but not for `JSON.parse` as written; escaped, the expression stays readable.
 */
function quoteInterpolations(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '$' || text[i + 1] !== '{') {
      out += text[i++];
      continue;
    }
    let depth = 0;
    let inString = false;
    const start = i;
    for (; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    out += text
      .slice(start, i + 1)
      .replace(/(\\*)"/g, (match, slashes: string) =>
        slashes.length % 2 === 0 ? `${slashes}\\"` : match,
      );
    i++;
  }
  return out;
}

/** A string-or-list policy field as a list. */
export function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Whether a statement's principal is anyone: `"*"`, `{ AWS: "*" }` or a list holding `"*"`. */
export function principalIsAnyone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  return Object.values(principal).some((value) => asList(value).includes('*'));
}

/** Whether a statement has a non-empty condition block. */
export function hasCondition(statement: PolicyStatement): boolean {
  return (
    typeof statement.Condition === 'object' &&
    statement.Condition !== null &&
    Object.keys(statement.Condition).length > 0
  );
}

/** Whether an IAM action is `*` or a whole service (`sqs:*`). */
export function isWildcardAction(action: string): boolean {
  return action.trim() === '*' || /^[^:]+:\*$/.test(action.trim());
}
