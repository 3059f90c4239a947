import Ajv, { ErrorObject, JSONSchemaType, ValidateFunction } from 'ajv';
import type { PropertiesSchema } from 'ajv/dist/types/json-schema';
import type {
  AgentPlacementReport,
  AgentReport,
  AgentSourceReport,
  BrokerCredentialsReport,
  BrokerNodesReport,
  BrokerReport,
  FleetReport,
  PoolReport,
  SiteReport,
} from '../app/fleet-report';
import type { Finding } from '../guardrails/engine/types';
import type { GuardrailSuppression } from '../model/environment';

/**
 * What the review reads, as JSON Schemas: of `fleet.json` and
 * `guardrails.json` every field the review uses, of a base's `fleet.json`
 * what a comparison uses, and of cdktf's `manifest.json` and each stack's
 * `cdk.tf.json` the parts the review walks.
 *
 * The review sees the project's reports only through the types below, picked
 * from the types synth writes them from (`app/fleet-report.ts`, the
 * guardrail findings), and each schema is typed with ajv's `JSONSchemaType`
 * against them: a field the review reads is in a schema, or the type check
 * fails, and a field renamed or retyped where it is written fails it too.
 * Fields the review does not read are allowed and left alone, so an output
 * of a newer or older synth is read as long as what the review needs is
 * there. `JSONSchemaType` makes optional fields `nullable`; a `null` there is
 * read as absent.
 */

/** One stack's `cdk.tf.json`, as parsed. */
export type StackJson = Readonly<Record<string, unknown>>;

/**
 * A stack's top-level `removed` block: Terraform drops `from` from the
 * stack's state, and destroys it unless `lifecycle.destroy` is false.
 * @see https://developer.hashicorp.com/terraform/language/resources/syntax#removing-resources
 */
export interface RemovedBlock {
  /** `<type>.<name>` in the stack. */
  readonly from: string;
  /** Whether Terraform destroys it as it forgets it. @default - the resource is destroyed */
  readonly lifecycle?: { readonly destroy?: boolean };
}

/**
 * A stack's top-level `import` block: Terraform brings the deployed object
 * the provider knows by `id` into the stack's state as `to`.
 * @see https://developer.hashicorp.com/terraform/language/import
 */
export interface ImportBlock {
  /** `<type>.<name>` in the stack. */
  readonly to: string;
  readonly id: string;
}

/** A node pool, as the review prices and draws it. */
export type ReviewedPool = Pick<
  PoolReport,
  'name' | 'instanceTypes' | 'minNodes' | 'maxNodes' | 'spot' | 'arch' | 'gpu'
>;

/**
 * A site's kind as the review reads it: the kinds synth reports, and `hosts`
 * (warm servers without Kubernetes, deployed with Ansible by a
 * `<env>-<site>-hosts` stack).
 */
export type ReviewedSiteKind = SiteReport['kind'];

/** A site, as a comparison reads it: its name, stacks and capacity warnings. */
export interface ComparedSite extends Pick<SiteReport, 'name'> {
  /** Why the pools cannot hold the agents at their maxima. @default - not packed */
  readonly capacity?: { readonly warnings: readonly string[] };
  /**
   * Its stacks, in the order they deploy.
   * @default - not recorded: an output from before sites listed their stacks
   */
  readonly stacks?: readonly string[];
}

/** A site, as the review lists it. */
export interface ReviewedSite
  extends ComparedSite, Pick<SiteReport, 'region' | 'cluster' | 'databases' | 'addOns'> {
  readonly kind: ReviewedSiteKind;
  readonly nodePools: readonly ReviewedPool[];
}

/** A broker, as a comparison reads it: its name, site, users and what its nodes start from. */
export type ComparedBroker = Pick<BrokerReport, 'name' | 'site' | 'credentials' | 'nodes'>;

/** A broker, as the review lists and draws it. */
export type ReviewedBroker = ComparedBroker & Pick<BrokerReport, 'kind' | 'where'>;

/** What a comparison reads of an agent on a site. */
export type ComparedAgent = {
  /**
   * The stack that deploys it.
   * @default - not recorded: an output from before agents named their stack
   */
  readonly stack?: string;
} & Pick<
  AgentReport,
  | 'agent'
  | 'site'
  | 'minReplicas'
  | 'maxReplicas'
  | 'autoscaler'
  | 'signals'
  | 'prometheusQuery'
  | 'schedule'
  | 'placement'
  | 'source'
  | 'stateStore'
  | 'requests'
>;

/** An agent on a site, as the review lists, prices and draws it. */
export type ReviewedAgent = ComparedAgent &
  Pick<AgentReport, 'publishes' | 'reachableMaxReplicas' | 'processing'>;

/** An environment's report, as the review reads it. */
export interface ReviewedFleet extends Pick<
  FleetReport,
  'environment' | 'production' | 'stacks' | 'loadProfile'
> {
  readonly sites: readonly ReviewedSite[];
  readonly brokers: readonly ReviewedBroker[];
  readonly agents: readonly ReviewedAgent[];
}

/**
 * `fleet.json` as the review reads it: every environment's report and, when
 * synth records it, the project the output belongs to (cdktf.json's
 * `projectId`), which tells a base of this project from another's output.
 */
export interface FleetFile {
  /**
   * The project the output belongs to (cdktf.json's `projectId`).
   * @default - not recorded: an output of a synth that does not record it
   */
  readonly project?: string;
  readonly environments: Readonly<Record<string, ReviewedFleet>>;
}

/** What a comparison reads of an environment of the base. */
export interface ComparedFleet extends Pick<FleetReport, 'environment' | 'stacks'> {
  readonly agents: readonly ComparedAgent[];
  /** Sites with their capacity warnings. @default - not recorded: no capacity is compared */
  readonly sites?: readonly ComparedSite[];
  /** Brokers with their users. @default - not recorded: no broker users are compared */
  readonly brokers?: readonly ComparedBroker[];
}

/** What a comparison reads of the base's `fleet.json`. */
export interface BaseFleetFile {
  /** The project the base's output belongs to (cdktf.json's `projectId`). @default - not recorded */
  readonly project?: string;
  readonly environments: Readonly<Record<string, ComparedFleet>>;
}

/** A guardrail finding, as the review lists it. */
export type ReviewedFinding = Pick<
  Finding,
  'rule' | 'level' | 'stack' | 'path' | 'address' | 'message' | 'suppressedBecause'
>;

/** A suppression that matched nothing, as the review lists it. */
export type ReviewedSuppression = Pick<GuardrailSuppression, 'rule' | 'resource' | 'reason'>;

/** `guardrails.json` as the review reads it: every environment's findings, suppressed ones included. */
export interface GuardrailDocument {
  readonly environments: Readonly<
    Record<
      string,
      {
        readonly findings: readonly ReviewedFinding[];
        readonly unusedSuppressions: readonly ReviewedSuppression[];
      }
    >
  >;
}

/** The part of cdktf's `manifest.json` the review reads. */
export interface ManifestFile {
  readonly stacks: Readonly<Record<string, { readonly synthesizedStackPath?: string }>>;
}

const string = { type: 'string' } as const;
const optionalString = { type: 'string', nullable: true } as const;
const count = { type: 'integer', minimum: 0 } as const;
const optionalCount = { type: 'integer', minimum: 0, nullable: true } as const;
const strings = { type: 'array', items: string } as const;
const optionalStrings = { ...strings, nullable: true } as const;

const poolSchema: JSONSchemaType<ReviewedPool> = {
  type: 'object',
  required: ['name', 'instanceTypes', 'spot', 'arch'],
  properties: {
    name: string,
    instanceTypes: strings,
    minNodes: optionalCount,
    maxNodes: optionalCount,
    spot: { type: 'boolean' },
    arch: { type: 'string', enum: ['amd64', 'arm64'] },
    gpu: {
      type: 'object',
      nullable: true,
      required: ['count', 'model'],
      properties: { count, model: string },
    },
  },
};

const capacitySchema = {
  type: 'object',
  nullable: true,
  required: ['warnings'],
  properties: { warnings: strings },
} as const;

const credentialsSchema: JSONSchemaType<BrokerCredentialsReport> = {
  type: 'object',
  required: ['revision', 'usersSecret', 'users'],
  properties: {
    revision: { type: 'number' },
    usersSecret: string,
    users: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'tags', 'permissions', 'copies'],
        properties: { name: string, tags: strings, permissions: strings, copies: strings },
      },
    },
  },
};

const nodesSchema: JSONSchemaType<BrokerNodesReport> = {
  type: 'object',
  required: ['image', 'cpu', 'memory', 'pools', 'configRevision', 'definitionsRevision'],
  properties: {
    image: string,
    cpu: string,
    memory: string,
    pools: strings,
    configRevision: { type: 'number' },
    definitionsRevision: { type: 'number' },
  },
};

const comparedSiteSchema: JSONSchemaType<ComparedSite> = {
  type: 'object',
  required: ['name'],
  properties: { name: string, capacity: capacitySchema, stacks: optionalStrings },
};

const comparedBrokerSchema: JSONSchemaType<ComparedBroker> = {
  type: 'object',
  required: ['name'],
  properties: {
    name: string,
    site: optionalString,
    credentials: { ...credentialsSchema, nullable: true },
    nodes: { ...nodesSchema, nullable: true },
  },
};

const siteSchema: JSONSchemaType<ReviewedSite> = {
  type: 'object',
  required: ['name', 'kind', 'cluster', 'nodePools', 'databases', 'addOns'],
  properties: {
    name: string,
    kind: { type: 'string', enum: ['aws', 'azure', 'kubernetes', 'hosts'] },
    region: optionalString,
    cluster: string,
    nodePools: { type: 'array', items: poolSchema },
    databases: strings,
    addOns: strings,
    capacity: capacitySchema,
    stacks: optionalStrings,
  },
};

const brokerSchema: JSONSchemaType<ReviewedBroker> = {
  type: 'object',
  required: ['name', 'kind', 'where'],
  properties: {
    name: string,
    kind: string,
    site: optionalString,
    where: string,
    credentials: { ...credentialsSchema, nullable: true },
    nodes: { ...nodesSchema, nullable: true },
  },
};

const placementSchema: JSONSchemaType<AgentPlacementReport> = {
  type: 'object',
  required: ['kind'],
  discriminator: { propertyName: 'kind' },
  oneOf: [
    {
      type: 'object',
      required: ['kind', 'pools', 'gpu', 'spot'],
      properties: {
        kind: { type: 'string', const: 'pools' },
        pools: strings,
        gpu: count,
        spot: { type: 'string', enum: ['never', 'allowed', 'required'] },
      },
    },
    {
      type: 'object',
      required: ['kind', 'group', 'instanceType'],
      properties: {
        kind: { type: 'string', const: 'scaling-group' },
        group: { type: 'string', enum: ['ec2', 'vmss'] },
        instanceType: string,
      },
    },
  ],
};

const sourceSchema: JSONSchemaType<AgentSourceReport> = {
  type: 'object',
  required: ['kind', 'broker', 'name', 'deadLetter'],
  properties: {
    kind: { type: 'string', enum: ['queue', 'topic'] },
    broker: string,
    name: string,
    deadLetter: string,
  },
};

const comparedAgentRequired = [
  'agent',
  'site',
  'minReplicas',
  'maxReplicas',
  'autoscaler',
  'signals',
  'placement',
  'requests',
] as const;

const comparedAgentProperties: PropertiesSchema<ComparedAgent> = {
  agent: string,
  site: string,
  stack: optionalString,
  minReplicas: count,
  maxReplicas: count,
  autoscaler: string,
  signals: strings,
  prometheusQuery: optionalString,
  schedule: optionalString,
  placement: placementSchema,
  source: { ...sourceSchema, nullable: true },
  stateStore: optionalString,
  requests: {
    type: 'object',
    required: ['cpuMillis', 'memoryMiB', 'gpu'],
    properties: { cpuMillis: { type: 'number' }, memoryMiB: { type: 'number' }, gpu: count },
  },
};

const comparedAgentSchema: JSONSchemaType<ComparedAgent> = {
  type: 'object',
  required: comparedAgentRequired,
  properties: comparedAgentProperties,
};

const agentSchema: JSONSchemaType<ReviewedAgent> = {
  type: 'object',
  required: [...comparedAgentRequired, 'publishes'],
  properties: {
    ...comparedAgentProperties,
    publishes: strings,
    reachableMaxReplicas: optionalCount,
    processing: {
      type: 'object',
      nullable: true,
      required: ['perReplicaPerSecond', 'readySeconds'],
      properties: {
        perReplicaPerSecond: { type: 'number', exclusiveMinimum: 0 },
        readySeconds: { type: 'number', minimum: 0 },
      },
    },
  },
};

/**
 * A shape's parameters are numbers (multiples, seconds) and its curve a word.
 * A union of two shapes, which ajv's schema type cannot express: checked, not typed.
 */
const loadProfileSchema = {
  type: 'object',
  nullable: true,
  required: [],
  properties: {
    shape: {
      type: 'object',
      required: ['shape'],
      properties: { shape: { type: 'string', enum: ['burst', 'ramp', 'daily', 'spike'] } },
      additionalProperties: { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string' }] },
    },
    trace: string,
    signals: {
      type: 'object',
      required: [],
      additionalProperties: {
        type: 'object',
        required: ['scale'],
        properties: { scale: { type: 'number', minimum: 0 } },
      },
    },
  },
} as const;

const fleetSchema: JSONSchemaType<ReviewedFleet> = {
  type: 'object',
  required: ['environment', 'production', 'stacks', 'sites', 'brokers', 'agents'],
  properties: {
    environment: string,
    production: { type: 'boolean' },
    stacks: strings,
    sites: { type: 'array', items: siteSchema },
    brokers: { type: 'array', items: brokerSchema },
    agents: { type: 'array', items: agentSchema },
    loadProfile: loadProfileSchema as never,
  },
};

/** `fleet.json` of the output under review. */
export const fleetFileSchema: JSONSchemaType<FleetFile> = {
  type: 'object',
  required: ['environments'],
  properties: {
    project: optionalString,
    environments: { type: 'object', required: [], additionalProperties: fleetSchema },
  },
};

/** What a comparison reads of the base's `fleet.json`. */
export const baseFleetFileSchema: JSONSchemaType<BaseFleetFile> = {
  type: 'object',
  required: ['environments'],
  properties: {
    project: optionalString,
    environments: {
      type: 'object',
      required: [],
      additionalProperties: {
        type: 'object',
        required: ['environment', 'stacks', 'agents'],
        properties: {
          environment: string,
          stacks: strings,
          agents: { type: 'array', items: comparedAgentSchema },
          sites: { type: 'array', nullable: true, items: comparedSiteSchema },
          brokers: { type: 'array', nullable: true, items: comparedBrokerSchema },
        },
      },
    },
  },
};

const findingSchema: JSONSchemaType<ReviewedFinding> = {
  type: 'object',
  required: ['rule', 'level', 'stack', 'path', 'address', 'message'],
  properties: {
    rule: string,
    level: { type: 'string', enum: ['error', 'warning'] },
    stack: string,
    path: string,
    address: string,
    message: string,
    suppressedBecause: optionalString,
  },
};

const suppressionSchema: JSONSchemaType<ReviewedSuppression> = {
  type: 'object',
  required: ['rule', 'resource', 'reason'],
  properties: { rule: string, resource: string, reason: string },
};

/** `guardrails.json` of the output under review. */
export const guardrailFileSchema: JSONSchemaType<GuardrailDocument> = {
  type: 'object',
  required: ['environments'],
  properties: {
    environments: {
      type: 'object',
      required: [],
      additionalProperties: {
        type: 'object',
        required: ['findings', 'unusedSuppressions'],
        properties: {
          findings: { type: 'array', items: findingSchema },
          unusedSuppressions: { type: 'array', items: suppressionSchema },
        },
      },
    },
  },
};

/** The part of cdktf's `manifest.json` the review reads. */
export const manifestFileSchema: JSONSchemaType<ManifestFile> = {
  type: 'object',
  required: ['stacks'],
  properties: {
    stacks: {
      type: 'object',
      required: [],
      additionalProperties: {
        type: 'object',
        required: [],
        properties: { synthesizedStackPath: { type: 'string', minLength: 1, nullable: true } },
      },
    },
  },
};

const objectOf = (values: object) => ({ type: 'object', additionalProperties: values });

/**
 * The part of a stack's `cdk.tf.json` the comparison reads: backends and
 * providers by name, resources by type and name, each an object, and the
 * `removed` and `import` blocks that move resources between stacks.
 */
export const stackFileSchema = {
  type: 'object',
  properties: {
    terraform: { type: 'object', properties: { backend: objectOf({ type: 'object' }) } },
    provider: { type: 'object' },
    resource: objectOf(objectOf({ type: 'object' })),
    removed: {
      type: 'array',
      items: {
        type: 'object',
        required: ['from'],
        properties: {
          from: { type: 'string', minLength: 1 },
          lifecycle: { type: 'object', properties: { destroy: { type: 'boolean' } } },
        },
      },
    },
    import: {
      type: 'array',
      items: {
        type: 'object',
        required: ['to', 'id'],
        properties: { to: { type: 'string', minLength: 1 }, id: { type: 'string' } },
      },
    },
  },
} as const;

/** Most files one hosts stack's Ansible folder may list. */
export const MAX_ANSIBLE_FILES = 10_000;

/** Where a hosts stack's `terraform_data` runs Ansible: its stack's `ansible/` folder. */
export const ANSIBLE_WORKING_DIR = '${path.module}/ansible';

/**
 * A hosts stack's `terraform_data` resource that runs Ansible, as the review
 * reads it: the site, the SHA-256 of each generated file (by its path in the
 * stack's `ansible/` folder), the same map as what replaces the resource, and
 * the one `local-exec` that runs the playbook there.
 */
export interface AnsibleResource {
  readonly input: { readonly site: string; readonly files: Readonly<Record<string, string>> };
  readonly triggers_replace: { readonly files: Readonly<Record<string, string>> };
  readonly provisioner: readonly {
    readonly 'local-exec': { readonly command: string; readonly working_dir: string };
  }[];
}

const fileHashes: JSONSchemaType<Readonly<Record<string, string>>> = {
  type: 'object',
  required: [],
  maxProperties: MAX_ANSIBLE_FILES,
  propertyNames: { type: 'string', minLength: 1, maxLength: 1024 },
  additionalProperties: { type: 'string', pattern: '^[0-9a-f]{64}$' },
};

/** A `terraform_data` resource whose `input` has `files`: the Ansible of a hosts stack. */
export const ansibleResourceSchema: JSONSchemaType<AnsibleResource> = {
  type: 'object',
  required: ['input', 'triggers_replace', 'provisioner'],
  properties: {
    input: {
      type: 'object',
      required: ['site', 'files'],
      properties: { site: { type: 'string', minLength: 1 }, files: fileHashes },
    },
    triggers_replace: { type: 'object', required: ['files'], properties: { files: fileHashes } },
    provisioner: {
      type: 'array',
      minItems: 1,
      maxItems: 1,
      items: {
        type: 'object',
        required: ['local-exec'],
        properties: {
          'local-exec': {
            type: 'object',
            required: ['command', 'working_dir'],
            properties: {
              command: { type: 'string', minLength: 1 },
              working_dir: { type: 'string', const: ANSIBLE_WORKING_DIR },
            },
          },
        },
      },
    },
  },
};

let ajv: Ajv | undefined;
const compiled = new Map<object, ValidateFunction>();

/**
 * Checks a parsed document against one of the schemas above.
 * @returns the first problem as `<where>: <what>`, or undefined when it is valid
 */
export function schemaProblem(schema: object, value: unknown): string | undefined {
  ajv ??= new Ajv({ allErrors: false, discriminator: true, strict: true, strictRequired: false });
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return undefined;
  return describe(validate.errors?.[0]);
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'is not valid';
  const where = error.instancePath === '' ? 'the document' : error.instancePath;
  const allowed = error.params.allowedValues as unknown[] | undefined;
  const values = allowed ? ` (${allowed.map((v) => JSON.stringify(v)).join(', ')})` : '';
  return `${where} ${error.message ?? 'is not valid'}${values}`;
}
