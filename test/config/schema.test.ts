import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { PATTERNS } from '../../config/formats';
import { JsonSchema } from '../../config/json-schema';
import { schemaFiles } from '../../config/schema-files';
import { validatorsModule, VALIDATORS_FILE } from '../../config/schema-validators';
import { Cpu, Duration, ImageRef, Size } from '../../model';
import { REPO_ROOT } from './support';

function published(file: string): JsonSchema {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', file), 'utf8')) as JsonSchema;
}

function readYaml(file: string): unknown {
  return parse(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8'));
}

describe('published schema files', () => {
  test('are up to date (run `npm run schema`)', () => {
    for (const [file, content] of Object.entries(schemaFiles())) {
      expect(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8')).toBe(content);
    }
  });

  test('have their compiled validators up to date (run `npm run schema`)', () => {
    expect(fs.readFileSync(path.join(REPO_ROOT, VALIDATORS_FILE), 'utf8')).toBe(validatorsModule());
  });

  test('are valid draft-07 schemas in strict mode (the loader relies on it and skips the check)', () => {
    for (const file of ['agent-types.schema.json', 'environment.schema.json']) {
      const strict = new Ajv({ strict: true, allowUnionTypes: true });
      expect(strict.validateSchema(published(file))).toBe(true);
      expect(() => strict.compile(published(file))).not.toThrow();
    }
  });

  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const catalogue = ajv.compile(published('agent-types.schema.json'));
  const environment = ajv.compile(published('environment.schema.json'));

  test('accept the catalogue and every environment file', () => {
    expect(catalogue(readYaml('fleet/agent-types.yaml'))).toBe(true);
    expect(catalogue.errors ?? []).toEqual([]);
    const files = fs
      .readdirSync(path.join(REPO_ROOT, 'environments'))
      .filter((f) => f.endsWith('.yaml'));
    expect(files).toContain('local.yaml');
    for (const file of files) {
      expect(environment(readYaml(`environments/${file}`))).toBe(true);
      expect(environment.errors ?? []).toEqual([]);
    }
  });

  test('refuse unknown keys and wrong units', () => {
    const local = readYaml('environments/local.yaml') as { agents: Record<string, object> };
    expect(
      environment({ ...local, agents: { x: { sites: { dev: {} }, scaling: { minReplica: 1 } } } }),
    ).toBe(false);
    expect(
      environment({
        ...local,
        agents: { x: { sites: { dev: { resources: { requests: { memory: '2Gb' } } } } } },
      }),
    ).toBe(false);
    expect(
      environment({ ...local, agents: { x: { sites: { dev: null }, scaling: { cpu: null } } } }),
    ).toBe(true);
    expect(catalogue({ agentTypes: { x: { container: { image: 'a:1' } } } })).toBe(false);
  });

  test('each file starts with its yaml-language-server schema comment', () => {
    const first = (file: string) =>
      fs.readFileSync(path.join(REPO_ROOT, file), 'utf8').split('\n')[0];
    expect(first('fleet/agent-types.yaml')).toBe(
      '# yaml-language-server: $schema=../schema/agent-types.schema.json',
    );
    expect(first('environments/local.yaml')).toBe(
      '# yaml-language-server: $schema=../schema/environment.schema.json',
    );
  });
});

describe('environment schema overrides', () => {
  const environment = published('environment.schema.json');
  const definitions = environment.definitions ?? {};
  const resolve = (schema: JsonSchema): JsonSchema =>
    schema.$ref ? resolve(definitions[schema.$ref.replace('#/definitions/', '')]) : schema;
  const override = definitions.agentOverride;

  /** Every schema reachable through properties and additionalProperties (not list items). */
  function mappings(schema: JsonSchema): JsonSchema[] {
    const resolved = resolve(schema);
    const children = [
      ...Object.values(resolved.properties ?? {}),
      ...(typeof resolved.additionalProperties === 'object' ? [resolved.additionalProperties] : []),
    ];
    return [resolved, ...children.flatMap(mappings)];
  }

  test('are derived from the agent type: nothing required, everything nullable', () => {
    const catalogueAgent = published('agent-types.schema.json').definitions
      ?.agentType as JsonSchema;
    expect(Object.keys(override.properties ?? {})).toEqual(
      Object.keys(catalogueAgent.properties ?? {}),
    );
    const all = mappings(override);
    expect(all.length).toBeGreaterThan(50);
    for (const schema of all) {
      expect(schema.required).toBeUndefined();
      expect(schema.type).toContain('null');
    }
  });

  test('are shared by the environment-wide and the per-site overrides', () => {
    const placement = environment.properties?.agents.additionalProperties as JsonSchema;
    expect(placement.properties?.sites.additionalProperties).toEqual({
      $ref: '#/definitions/agentOverride',
    });
    expect(placement.properties?.scaling).toEqual(override.properties?.scaling);
  });

  test('keep list items whole, since lists replace wholesale', () => {
    const cron = resolve(override.properties?.scaling ?? {}).properties?.cron.items;
    expect(cron?.required).toEqual(['start', 'end', 'replicas']);
    expect(cron?.type).toBe('object');
  });

  test('describe every property, so editors show help', () => {
    const undescribed: string[] = [];
    const visit = (schema: JsonSchema, at: string): void => {
      for (const [key, child] of Object.entries(schema.properties ?? {})) {
        if (!child.description && !child.$ref) undescribed.push(`${at}.${key}`);
        visit(child, `${at}.${key}`);
      }
      if (typeof schema.additionalProperties === 'object')
        visit(schema.additionalProperties, `${at}.*`);
      if (schema.items) visit(schema.items, `${at}[]`);
      // The branches a kind picks (sites, brokers); the conditions need no help text.
      if (schema.then) visit(schema.then, `${at}(then)`);
      if (schema.else) visit(schema.else, `${at}(else)`);
    };
    visit(published('agent-types.schema.json'), '');
    for (const definition of Object.values(
      published('agent-types.schema.json').definitions ?? {},
    )) {
      visit(definition, '#');
    }
    visit(published('environment.schema.json'), '');
    expect(undescribed).toEqual([]);
  });
});

describe('unit patterns', () => {
  const accepts = (pattern: string, text: string) => new RegExp(pattern, 'u').test(text);
  const cases: [string, (text: string) => unknown, string[]][] = [
    [PATTERNS.cpu, Cpu.parse, ['500m', '2', '0.5', '1.25', '1.5m', '2Gi', '']],
    [PATTERNS.size, Size.parse, ['512Mi', '2Gi', '1G', '500M', '2Gb', '1.5Gi', '512']],
    [PATTERNS.duration, Duration.parse, ['30s', '5m', '1h30m', '250ms', '2d', '5 m', '1.5h', 'm']],
    [
      PATTERNS.image,
      ImageRef.parse,
      [
        'registry.example.com/app:1.4.2',
        'localhost:5000/app:v2',
        `registry.example.com/app@sha256:${'a'.repeat(64)}`,
        'registry.example.com/app:latest',
        'registry.example.com/app',
        'App:1.0',
      ],
    ],
  ];

  test.each(cases)(
    'the schema accepts whatever the parser accepts (%s)',
    (pattern, parser, samples) => {
      for (const sample of samples) {
        let parses = true;
        try {
          parser(sample);
        } catch {
          parses = false;
        }
        if (parses) expect([sample, accepts(pattern, sample)]).toEqual([sample, true]);
      }
    },
  );

  test('the schema refuses the usual mistakes', () => {
    expect(accepts(PATTERNS.size, '2Gb')).toBe(false);
    expect(accepts(PATTERNS.cpu, '1.5m')).toBe(false);
    expect(accepts(PATTERNS.duration, '5 minutes')).toBe(false);
    expect(accepts(PATTERNS.image, 'registry.example.com/app:latest')).toBe(false);
    expect(accepts(PATTERNS.image, 'registry.example.com/app')).toBe(false);
  });
});
