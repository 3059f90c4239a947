import {
  ObjectOptions,
  Static,
  StringOptions,
  TArray,
  TBoolean,
  TInteger,
  TObject,
  TOptional,
  TProperties,
  TSchema,
  TString,
  TUnsafe,
  Type,
} from '@sinclair/typebox';
import { Cpu, Duration, ImageRef, Size } from '../model';
import { PATTERNS } from './formats';

/**
 * The building blocks of the file format, as TypeBox types: each is a plain
 * JSON Schema (draft-07) object, published as is, and its `Static` type is the
 * TypeScript type of what the file holds there.
 */

declare const UNIT: unique symbol;

/**
 * A quantity as the file writes it (`'250m'`, `'512Mi'`, `'30s'`), which the
 * loader parses into the model's value object `Value` (see `Parsed`). The
 * brand exists only for the type checker.
 */
export type UnitText<Value, Text = string> = Text & { readonly [UNIT]: Value };

/**
 * A file's type with its quantities parsed into the model's value objects:
 * what to-model.ts makes of a schema-valid value of type `T`.
 */
export type Parsed<T> = T extends { readonly [UNIT]: infer Value }
  ? Value
  : T extends readonly (infer Item)[]
    ? Parsed<Item>[]
    : T extends object
      ? { [K in keyof T]: Parsed<T[K]> }
      : T;

/** A CPU quantity: a string such as `500m` or `2`, or a number of cores. */
export function cpuSchema(description: string): TUnsafe<UnitText<Cpu, string | number>> {
  return Type.Unsafe({
    type: ['string', 'number'],
    pattern: PATTERNS.cpu,
    exclusiveMinimum: 0,
    description: `${description} Millicores such as '500m' or cores such as 2 or 0.5.`,
  });
}

/** A memory or storage size such as `512Mi`. */
export function sizeSchema(description: string): TUnsafe<UnitText<Size>> {
  return Type.Unsafe({
    type: 'string',
    pattern: PATTERNS.size,
    description: `${description} Whole number with Ki, Mi, Gi, Ti (binary) or k, M, G, T (decimal), e.g. '512Mi'.`,
  });
}

/** A duration such as `30s`, `5m` or `1h30m`. */
export function durationSchema(description: string): TUnsafe<UnitText<Duration>> {
  return Type.Unsafe({
    type: 'string',
    pattern: PATTERNS.duration,
    description: `${description} Whole numbers with ms, s, m, h or d, e.g. '30s', '5m', '1h30m'.`,
  });
}

/** A container image pinned by digest or by an immutable tag. */
export function imageSchema(description: string): TUnsafe<UnitText<ImageRef>> {
  return Type.Unsafe({ type: 'string', minLength: 1, description, pattern: PATTERNS.image });
}

/** A whole number within a range. */
export function integerSchema(description: string, minimum: number, maximum?: number): TInteger {
  return Type.Integer(
    maximum === undefined ? { minimum, description } : { minimum, maximum, description },
  );
}

/** A boolean: `true` or `false`. */
export function booleanSchema(description: string): TBoolean {
  return Type.Boolean({ description });
}

/** A string, never empty: a name, a reference or a value the fleet renders. */
export function stringSchema(description: string, extra: StringOptions = {}): TString {
  return Type.String({ minLength: 1, description, ...extra });
}

/**
 * One of a few strings. Written as `enum` rather than TypeBox's union of
 * literals (`anyOf`), so that a wrong value gets one error listing the values.
 */
export function enumSchema<const Values extends readonly string[]>(
  description: string,
  values: Values,
): TUnsafe<Values[number]> {
  return Type.Unsafe({ type: 'string', enum: values, description });
}

/** The properties of a mapping, those not named in `Required` optional. */
export type Fields<P extends TProperties, Required extends string> = {
  [K in keyof P]: K extends Required ? P[K] : TOptional<P[K]>;
};

/** A mapping with exactly these keys allowed, in this order (the order problems list them in). */
export function objectSchema<
  P extends TProperties,
  const Required extends readonly (keyof P & string)[] = [],
>(
  description: string,
  properties: P,
  required?: Required,
  extra: ObjectOptions = {},
): TObject<Fields<P, Required[number]>> {
  const names: readonly string[] = required ?? [];
  const fields = Object.fromEntries(
    Object.entries(properties).map(([key, schema]) => [
      key,
      names.includes(key) ? schema : Type.Optional(schema),
    ]),
  ) as Fields<P, Required[number]>;
  return Type.Object(fields, { description, additionalProperties: false, ...extra });
}

/**
 * A mapping from free names to values of one schema. Declared as
 * `additionalProperties` with `propertyNames`, not TypeBox's `Record`
 * (`patternProperties`), so that a bad name is reported as a name.
 */
export function mapSchema<Values extends TSchema>(
  description: string,
  values: Values,
  names?: TSchema,
  extra: { minProperties?: number } = {},
): TUnsafe<Record<string, Static<Values>>> {
  return Type.Unsafe({
    type: 'object',
    description,
    ...(names ? { propertyNames: names } : {}),
    additionalProperties: values,
    ...extra,
  });
}

/** A list of items of one schema; lists replace wholesale in overrides. */
export function listSchema<Item extends TSchema>(
  description: string,
  items: Item,
  minItems?: number,
  extra: { maxItems?: number; uniqueItems?: boolean } = {},
): TArray<Item> {
  return Type.Array(items, { description, ...(minItems ? { minItems } : {}), ...extra });
}

/** Names that become Kubernetes object names or stack ids. */
export function dnsLabelSchema(maxLength: number): TString {
  return Type.String({ pattern: PATTERNS.dnsLabel, maxLength });
}

/**
 * A mapping whose `kind` (or another discriminating key) picks the schema that
 * applies, so each kind accepts its own keys only: `if`/`then`/`else` on the
 * key, ending in `otherwise`. `Kinds` is the union of the kinds' types.
 */
export function kindSchema<Kinds>(
  kinds: readonly (readonly [string, TSchema])[],
  otherwise: TSchema,
  options: { readonly key?: string; readonly description?: string } = {},
): TUnsafe<Kinds> {
  const key = options.key ?? 'kind';
  const chain = kinds.reduceRight<TSchema>(
    (rest, [kind, schema], index) =>
      Type.Unsafe({
        ...(index === 0 && options.description ? { description: options.description } : {}),
        if: { type: 'object', properties: { [key]: { const: kind } }, required: [key] },
        then: schema,
        else: rest,
      }),
    otherwise,
  );
  return chain as TUnsafe<Kinds>;
}

/** A reference to `#/definitions/<name>` of the file's schema, typed as the schema it names. */
export function definitionRef<Target extends TSchema>(name: string): TUnsafe<Static<Target>> {
  return Type.Unsafe({ $ref: `#/definitions/${name}` });
}
