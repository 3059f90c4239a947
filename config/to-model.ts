import {
  AgentSpec,
  AwsSiteSpec,
  AzureSiteSpec,
  BrokerSpec,
  HostsSiteSpec,
  KubernetesSiteSpec,
  LoadProfileSpec,
  Problem,
  UnitError,
} from '../model';
import { UNIT_PARSERS } from './formats';
import { JsonSchema } from './json-schema';
import { agentTypeSchema, RawAgent } from './schema-agent';
import { brokerSchemas, RawBroker } from './schema-brokers';
import { isTraceProfile, LoadProfile, loadProfileSchema, toLoadShape } from './schema-load-profile';
import {
  awsSite,
  azureSite,
  hostsSite,
  kubernetesSite,
  RawAwsSite,
  RawAzureSite,
  RawHostsSite,
  RawSite,
} from './schema-sites';
import { Parsed } from './schema-types';

/**
 * Turns schema-valid plain data into model objects: quantities written as
 * strings become value objects, and names written as keys become `name`
 * fields. The shapes are the schemas' (config/schema*.ts), and the type checker
 * holds them to the model's.
 */

export type { RawAgent, RawAwsSite, RawAzureSite, RawBroker, RawHostsSite, RawSite };

type Path = readonly (string | number)[];

/** A model object, or none with the problems when a quantity failed to parse. */
type Converted<T> = { spec: T; problems: [] } | { spec: undefined; problems: Problem[] };

/**
 * The value with every quantity parsed: wherever the schema declares a unit
 * pattern (config/formats.ts `UNIT_PARSERS`), so a unit field added to the
 * schema is parsed without a line here. A quantity that matches its pattern
 * but that the parser refuses (out of range, say) becomes a problem at its path.
 */
function parseUnits<T>(
  schema: JsonSchema,
  value: T,
  problems: Problem[],
  at: Path = [],
): Parsed<T> {
  // Most of an agent (its env, args, labels, probes) holds no quantity.
  if (!holdsUnits(schema)) return value as Parsed<T>;
  if (schema.if) {
    const branch = matchesBranch(schema.if, value) ? schema.then : schema.else;
    return (branch ? parseUnits(branch, value, problems, at) : value) as Parsed<T>;
  }
  const parse = schema.pattern === undefined ? undefined : UNIT_PARSERS[schema.pattern];
  if (parse && (typeof value === 'string' || typeof value === 'number')) {
    try {
      return parse(String(value)) as Parsed<T>;
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      problems.push({ path: at, message: error.message });
      return undefined as Parsed<T>;
    }
  }
  if (Array.isArray(value)) {
    const items = schema.items;
    return (
      items ? value.map((item, i) => parseUnits(items, item, problems, [...at, i])) : value
    ) as Parsed<T>;
  }
  if (value === null || typeof value !== 'object') return value as Parsed<T>;
  const rest =
    typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => {
      const childSchema = schema.properties?.[key] ?? rest;
      return [key, childSchema ? parseUnits(childSchema, child, problems, [...at, key]) : child];
    }),
  ) as Parsed<T>;
}

const unitsBelow = new WeakMap<JsonSchema, boolean>();

/** Whether a schema declares a unit pattern, itself or below, as {@link parseUnits} walks it. */
function holdsUnits(schema: JsonSchema): boolean {
  let found = unitsBelow.get(schema);
  if (found === undefined) {
    const rest =
      typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    const below = schema.if
      ? [schema.then, schema.else]
      : [schema.items, rest, ...Object.values(schema.properties ?? {})];
    found =
      (schema.pattern !== undefined && Object.hasOwn(UNIT_PARSERS, schema.pattern)) ||
      below.some((child) => child !== undefined && holdsUnits(child));
    unitsBelow.set(schema, found);
  }
  return found;
}

/** Whether a value takes the `then` branch of a `kindSchema`: its discriminating keys match. */
function matchesBranch(condition: JsonSchema, value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(condition.properties ?? {}).every(
    ([key, expected]) => (value as Record<string, unknown>)[key] === expected.const,
  );
}

function converted<T>(spec: T, problems: Problem[]): Converted<T> {
  return problems.length > 0 ? { spec: undefined, problems } : { spec, problems: [] };
}

/** The entries of a mapping by name as a list, each with its `name`. */
function named<T extends object>(byName: Readonly<Record<string, T>>): (T & { name: string })[] {
  return Object.entries(byName).map(([name, value]) => ({ ...value, name }));
}

/** The agent spec of a merged agent, or the unit problems (paths relative to the agent). */
export function toAgentSpec(name: string, raw: RawAgent): Converted<AgentSpec> {
  const problems: Problem[] = [];
  const spec: AgentSpec = { ...parseUnits(agentTypeSchema, raw, problems), name };
  return converted(spec, problems);
}

/** An AWS site with its unit strings parsed; problems carry paths relative to the site. */
export function toAwsSiteSpec(name: string, raw: RawAwsSite): Converted<AwsSiteSpec> {
  const problems: Problem[] = [];
  const site = parseUnits(awsSite, raw, problems);
  return converted<AwsSiteSpec>({ ...site, name, nodePools: named(site.nodePools) }, problems);
}

/** An Azure site with its unit strings parsed; problems carry paths relative to the site. */
export function toAzureSiteSpec(name: string, raw: RawAzureSite): Converted<AzureSiteSpec> {
  const problems: Problem[] = [];
  const site = parseUnits(azureSite, raw, problems);
  return converted<AzureSiteSpec>({ ...site, name, nodePools: named(site.nodePools) }, problems);
}

/** A hosts site with its unit strings parsed; problems carry paths relative to the site. */
export function toHostsSiteSpec(name: string, raw: RawHostsSite): Converted<HostsSiteSpec> {
  const problems: Problem[] = [];
  const site = parseUnits(hostsSite, raw, problems);
  const pools = named(site.pools).map((pool) => ({ ...pool, servers: named(pool.servers) }));
  return converted<HostsSiteSpec>({ ...site, name, pools }, problems);
}

/** A Kubernetes site with its unit strings parsed; problems carry paths relative to the site. */
export function toSiteSpec(name: string, raw: RawSite): Converted<KubernetesSiteSpec> {
  const problems: Problem[] = [];
  // The model tells a Kubernetes site by the absence of `kind`.
  const { kind, ...site } = parseUnits(kubernetesSite, raw, problems);
  void kind;
  return converted({ name, ...site, nodePools: named(site.nodePools) }, problems);
}

/** A load profile with its durations parsed and its shape's defaults filled in. */
export function toLoadProfileSpec(raw: LoadProfile): Converted<LoadProfileSpec> {
  const problems: Problem[] = [];
  const parsed = parseUnits(loadProfileSchema, raw, problems);
  const signals = parsed.signals ? { signals: parsed.signals } : {};
  const spec: LoadProfileSpec = isTraceProfile(parsed)
    ? { trace: parsed.trace, ...signals }
    : { shape: toLoadShape(parsed), ...signals };
  return converted(spec, problems);
}

/** A broker with its unit strings parsed; problems carry paths relative to the broker. */
export function toBrokerSpec(name: string, raw: RawBroker): Converted<BrokerSpec> {
  const problems: Problem[] = [];
  const broker = parseUnits(brokerSchemas[raw.kind], raw, problems);
  return converted<BrokerSpec>({ ...broker, name }, problems);
}
