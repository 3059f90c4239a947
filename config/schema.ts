import { Static, TUnsafe, Type } from '@sinclair/typebox';
import { AGENT_STACK_RESOURCE_BOUNDS, DEFAULT_MAX_AGENT_STACK_RESOURCES } from '../model';
import { JsonSchema, Override, partialOf } from './json-schema';
import { agentTypeSchema, RawAgent } from './schema-agent';
import { broker } from './schema-brokers';
import { loadProfileSchema } from './schema-load-profile';
import { backend, site } from './schema-sites';
import {
  booleanSchema,
  definitionRef,
  dnsLabelSchema,
  integerSchema,
  listSchema,
  mapSchema,
  objectSchema,
  stringSchema,
} from './schema-types';

/**
 * The configuration files, declared once here with TypeBox: the JSON Schemas
 * the loader validates with and `npm run schema` publishes to `schema/` for
 * editors (yaml-language-server), and through `Static` the types of the files.
 */

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** `fleet/agent-types.yaml`: the catalogue of agent types shared by every environment. */
export const agentTypesSchema = objectSchema(
  'Agent types declared once and placed on sites by the environment files.',
  {
    agentTypes: mapSchema(
      'Agent types by name. The name (a DNS label of at most 50 characters) names the Kubernetes objects.',
      definitionRef<typeof agentTypeSchema>('agentType'),
      dnsLabelSchema(50),
      { minProperties: 1 },
    ),
  },
  ['agentTypes'],
  {
    $schema: DRAFT_07,
    title: 'Agent fleet: agent type catalogue',
    definitions: { agentType: agentTypeSchema },
  },
);

/** The catalogue file as its text gives it. */
export type RawCatalogue = Static<typeof agentTypesSchema>;

type OverrideRefs = { [K in keyof RawAgent]-?: TUnsafe<Override<RawAgent[K]>> };

const partialAgent = partialOf(agentTypeSchema);
const overrideKeys = Object.keys(agentTypeSchema.properties);

/**
 * One definition per overridable field, shared by the environment-wide and the
 * per-site overrides so that validators compile each once.
 */
const overrideDefinitions: Record<string, JsonSchema> = Object.fromEntries(
  overrideKeys.map((key) => [`${key}Override`, partialAgent.properties?.[key] ?? {}]),
);

const overrideRefs = (): OverrideRefs =>
  Object.fromEntries(
    overrideKeys.map((key) => [key, Type.Unsafe({ $ref: `#/definitions/${key}Override` })]),
  ) as OverrideRefs;

const agentOverride: JsonSchema = {
  ...partialAgent,
  description:
    'Overrides of the agent type: mappings merge key by key, lists and scalars replace, null removes the key.',
  properties: overrideRefs(),
};

const agentPlacement = objectSchema(
  'An agent type of the catalogue placed on sites of this environment, with overrides for the whole environment.',
  {
    sites: mapSchema(
      'Sites the agent type runs on, each with overrides for that site only (may be empty: {}).',
      Type.Unsafe<Override<RawAgent>>({ $ref: '#/definitions/agentOverride' }),
      undefined,
      { minProperties: 1 },
    ),
    ...overrideRefs(),
  },
  ['sites'],
);

/** `environments/<name>.yaml`: one environment's sites, brokers and agent placements. */
export const environmentSchema = objectSchema(
  'One environment; the file name is its name (a DNS label).',
  {
    description: stringSchema('What the environment is for.'),
    production: booleanSchema(
      'Whether the environment serves production: managed brokers then run highly available (Amazon MQ CLUSTER_MULTI_AZ). Default false.',
    ),
    backend: definitionRef<typeof backend>('backend'),
    loadProfile: loadProfileSchema,
    agentStacks: objectSchema('How the agents stacks of each site are bounded.', {
      maxResources: integerSchema(
        `Most Terraform resources one agents stack may hold; a group of agents above it is a synth error naming the agents, so that some move to a group of their own (agent field stack.group). From ${AGENT_STACK_RESOURCE_BOUNDS.min} to ${AGENT_STACK_RESOURCE_BOUNDS.max}. Default ${DEFAULT_MAX_AGENT_STACK_RESOURCES}.`,
        AGENT_STACK_RESOURCE_BOUNDS.min,
        AGENT_STACK_RESOURCE_BOUNDS.max,
      ),
    }),
    sites: mapSchema('Sites by name (DNS label).', site, dnsLabelSchema(63), { minProperties: 1 }),
    brokers: mapSchema('Brokers by name (DNS label).', broker, dnsLabelSchema(63)),
    suppressions: listSchema(
      'Written exceptions to the guardrails, each for one rule and one resource (and one field, for rules that report fields); listed in every review.',
      objectSchema(
        'An exception to one guardrail.',
        {
          rule: stringSchema('Rule id, e.g. GR-ENC-12.', { pattern: '^GR-[A-Z]+-[0-9]{2}$' }),
          resource: stringSchema(
            'Construct path of the resource, exactly as the finding names it, e.g. prod-nebraska-agents/Kafka/dc-events/Resource.',
          ),
          field: stringSchema(
            'For a rule that reports fields (GR-SEC-05): the field inside the resource, exactly as the finding names it, e.g. spec.template.spec.container[0].env[2].value.',
          ),
          reason: stringSchema('Why the exception is acceptable.', { minLength: 20 }),
        },
        ['rule', 'resource', 'reason'],
      ),
    ),
    agents: mapSchema(
      'Agent types of the catalogue (fleet/agent-types.yaml) and the sites they run on.',
      agentPlacement,
    ),
  },
  ['sites'],
  {
    $schema: DRAFT_07,
    title: 'Agent fleet: environment',
    definitions: { backend, agentOverride, ...overrideDefinitions },
  },
);

/** An environment file as its text gives it. */
export type RawEnvironment = Static<typeof environmentSchema>;
