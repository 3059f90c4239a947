import * as path from 'path';
import { Testing, TerraformStack } from 'cdktf';
import { loadFleet } from '../../config';
import { FleetEnvironment, NAME_LIMITS, NameForm, NameLimit } from '../../model';
import { AgentFleet } from '../../stacks/agent-fleet';
import { parseSynthesized } from '../support/synthesized';

const REPO = path.resolve(__dirname, '../..');

/** Attributes of cloud resources that hold a name. */
const CLOUD_NAME_ATTRIBUTES = [
  'name',
  'name_prefix',
  'cluster_name',
  'broker_name',
  'dns_prefix',
  'custom_network_interface_name',
  'private_service_connection.name',
];

interface Derived {
  readonly resource: string;
  readonly attribute: string;
  readonly value: string;
  readonly stack: string;
}

/** Every name the example stacks derive from the user's names, with what it was derived from. */
function derivedNames(): { names: Derived[]; environments: FleetEnvironment[] } {
  const loaded = loadFleet({ rootDir: REPO });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const names: Derived[] = [];
  for (const environment of loaded.environments) {
    const app = Testing.app();
    new AgentFleet(app, environment.name, { environment });
    const userNames = [
      ...environment.deployments.map((d) => d.agent.name),
      ...environment.brokers.map((b) => b.name),
    ];
    // Derived from a user's name: the name with something added to it.
    const fromUserName = (value: string) =>
      !userNames.includes(value) &&
      userNames.some((name) => new RegExp(`(^|-)${name}(-|$)`).test(value));
    for (const stack of app.node.children.filter(TerraformStack.isStack)) {
      const id = stack.node.id;
      const site = id.slice(environment.name.length + 1).replace(/-(infra|platform|agents)$/, '');
      const json = parseSynthesized(Testing.synth(stack));
      for (const [type, resources] of Object.entries(json.resource)) {
        for (const resource of Object.values(resources)) {
          const add = (resourceType: string, attribute: string, value: unknown) => {
            if (typeof value === 'string' && !value.includes('${')) {
              names.push({ resource: resourceType, attribute, value, stack: id });
            }
          };
          if (type.startsWith('aws_') || type.startsWith('azurerm_')) {
            for (const attribute of CLOUD_NAME_ATTRIBUTES) {
              const value = attribute
                .split('.')
                .reduce<any>(
                  (node, key) => (Array.isArray(node) ? node[0] : node)?.[key],
                  resource,
                );
              if (typeof value === 'string' && value.includes(`${environment.name}-${site}`)) {
                add(type, attribute, value);
              }
            }
          } else if (type.startsWith('kubernetes_')) {
            const manifest = type === 'kubernetes_manifest' ? resource.manifest : undefined;
            const metadata = manifest?.metadata ?? [resource.metadata].flat()[0];
            const kind = manifest?.kind ?? type;
            if (fromUserName(String(metadata?.name))) add(kind, 'metadata.name', metadata.name);
            for (const value of Object.values<string>(metadata?.labels ?? {})) {
              if (fromUserName(value)) add('kubernetes_label', 'value', value);
            }
          }
        }
      }
    }
  }
  return { names, environments: loaded.environments };
}

/** Whether a form yields a value for some agent and broker of the environment. */
function yields(form: NameForm, derived: Derived, environment: FleetEnvironment): boolean {
  const site = derived.stack
    .slice(environment.name.length + 1)
    .replace(/-(infra|platform|agents)$/, '');
  const agents = form.uses.includes('agent')
    ? environment.deployments.map((d) => d.agent.name)
    : [''];
  const brokers = form.uses.includes('broker') ? environment.brokers.map((b) => b.name) : [''];
  const hash = form.hashLength ?? 0;
  const comparable = (value: string) => (hash > 0 ? value.slice(0, -hash) : value);
  return agents.some((agent) =>
    brokers.some(
      (broker) =>
        comparable(form.name({ environment: environment.name, site, agent, broker })) ===
        comparable(derived.value),
    ),
  );
}

describe('the limits of derived names', () => {
  const { names, environments } = derivedNames();
  const limitsOf = (derived: Derived): NameLimit[] =>
    NAME_LIMITS.filter(
      (limit) => limit.resource === derived.resource && limit.attribute === derived.attribute,
    );

  it('finds the derived names of the examples', () => {
    expect(names.length).toBeGreaterThan(50);
  });

  it('has a limit for every resource type the examples give a derived name', () => {
    const missing = [
      ...new Set(
        names
          .filter((d) => limitsOf(d).length === 0)
          .map((d) => `${d.resource} ${d.attribute} (e.g. '${d.value}')`),
      ),
    ];
    expect(missing).toEqual([]);
  });

  it('has a form for every derived name the examples synthesize, as the constructs build it', () => {
    const unexplained = names.filter((derived) => {
      const environment = environments.find((e) => derived.stack.startsWith(`${e.name}-`));
      return (
        environment !== undefined &&
        !limitsOf(derived).some((limit) => limit.forms.some((f) => yields(f, derived, environment)))
      );
    });
    expect(unexplained.map((d) => `${d.stack}: ${d.resource}.${d.attribute} '${d.value}'`)).toEqual(
      [],
    );
  });

  it('keeps every example name within its limit', () => {
    const over = names.filter((d) => limitsOf(d).some((limit) => d.value.length > limit.max));
    expect(over).toEqual([]);
  });
});
