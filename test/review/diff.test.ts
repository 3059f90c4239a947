import * as fs from 'fs';
import * as path from 'path';
import { diffStacks, isStateful } from '../../review/diff';
import { runReview } from '../../review/review';
import { tempDir } from '../support/temp-dir';
import { projectCopy, replaceOnce, REPO, synthesize } from './support';

// The base is prod as it is; the branch drops `reporting`, takes inventory-update
// off us-east (its DynamoDB table goes) and lowers image-processing's maximum there.
const base = synthesize(REPO, ['prod']);
const branch = synthesize(
  projectCopy((file, text) => {
    if (file !== 'prod.yaml') return text;
    let edited = replaceOnce(text, '  reporting:\n    sites:\n      us-east: {}\n', '');
    edited = replaceOnce(
      edited,
      '  inventory-update:\n    sites:\n      us-east: {}\n',
      '  inventory-update:\n    sites:\n',
    );
    return replaceOnce(
      edited,
      '  image-processing:\n    sites:\n      us-east: {}\n',
      '  image-processing:\n    sites:\n      us-east:\n        scaling: { maxReplicas: 8 }\n',
    );
  }),
  ['prod'],
);

function review(synth: string, baseDir: string): string {
  const out = tempDir('fleet-review-diff');
  runReview({ synth, base: baseDir, out });
  return fs.readFileSync(path.join(out, 'prod.md'), 'utf8');
}

const markdown = review(branch, base);

describe('comparing with a base', () => {
  it('calls out the destroyed stateful resources first, in a warning block', () => {
    const changes = markdown.slice(markdown.indexOf('## What changes'));
    expect(changes.split('\n').slice(2, 4)).toEqual([
      '> [!WARNING]',
      expect.stringMatching(/^> \*\*\d+ stateful resource\(s\) destroyed\*\*/),
    ]);
    const warning = changes.slice(0, changes.indexOf('### Agents'));
    expect(warning).toMatch(
      /^> - `prod-us-east-infra` `aws_dynamodb_table\.Agents_Table-inventory-update_[0-9A-F]+` \(prod-us-east-infra\/Agents\/Table-inventory-update\/Resource\)$/m,
    );
    expect(warning).toMatch(/`aws_kms_key\.Agents_Table-inventory-update_Key_/);
    expect(markdown.indexOf('> [!WARNING]')).toBeLessThan(markdown.indexOf('## Fleet'));
  });

  it('lists agent types removed, placements removed and bounds changed', () => {
    const agents = markdown.slice(
      markdown.indexOf('### Agents'),
      markdown.indexOf('### Resources'),
    );
    expect(agents).toContain('- agent type removed: `reporting`');
    expect(agents).toContain('- removed from a site: `inventory-update@us-east`');
    expect(agents).toContain('- `image-processing` on `us-east`: replicas: 2–10 → 2–8');
    expect(agents).not.toContain('image-processing` on `eu-west`');
  });

  it('counts resources added, changed and destroyed per stack, destroys first', () => {
    const resources = markdown.slice(markdown.indexOf('### Resources per stack'));
    expect(resources).toMatch(/^\| `prod-us-east-agents` \| 0 \| \d+ \| 0 \| [1-9]\d* \|$/m);
    expect(resources).toMatch(/^\| `prod-us-east-infra` \| \d+ \| \d+ \| 0 \| [1-9]\d* \|$/m);
    expect(resources).not.toContain('`prod-nebraska-agents`');
    expect(resources).toMatch(
      /^- destroy `aws_dynamodb_table\.Agents_Table-inventory-update_[0-9A-F]+` \*\*\(stateful\)\*\*$/m,
    );
    expect(resources).toMatch(/^- destroy `kubernetes_deployment_v1\.reporting_Workload_/m);
    expect(resources).toMatch(
      /^- change `kubernetes_manifest\.image-processing_Autoscaler_[0-9A-F]+`: manifest\.spec\.fallback\.replicas, manifest\.spec\.maxReplicaCount$/m,
    );
    const infra = resources.slice(resources.indexOf('<code>prod-us-east-infra</code>'));
    const actions = [...infra.slice(0, infra.indexOf('</details>')).matchAll(/^- (\w+) /gm)].map(
      (match) => match[1],
    );
    expect(actions).toEqual([...actions].sort((a, b) => rank(a) - rank(b)));
  });

  it('reads the reverse as additions without a warning', () => {
    const reverse = review(base, branch);
    expect(reverse).not.toContain('[!WARNING]');
    expect(reverse).toContain('- agent type added: `reporting`');
    expect(reverse).toContain('- placed on a new site: `inventory-update@us-east`');
    expect(reverse).toContain('- `image-processing` on `us-east`: replicas: 2–8 → 2–10');
  });

  it('compares agents of a base whose reports lack fields the branch added', () => {
    const older = tempDir('fleet-review-older');
    fs.cpSync(base, older, { recursive: true });
    const fleetFile = path.join(older, 'fleet.json');
    const fleet = JSON.parse(fs.readFileSync(fleetFile, 'utf8'));
    for (const report of Object.values<any>(fleet.environments)) {
      delete report.sites;
      delete report.brokers;
      for (const agent of report.agents) delete agent.publishes;
    }
    fs.writeFileSync(fleetFile, JSON.stringify(fleet));
    const text = review(branch, older);
    expect(text).toContain('- agent type removed: `reporting`');
    expect(text).toContain('> [!WARNING]');
  });

  it('finds no change against itself', () => {
    const same = review(base, base);
    expect(same).toContain('No agent type, bound or signal changes.');
    expect(same).toContain('No resource changes.');
  });
});

describe('resource comparison', () => {
  const stack = (resource: Record<string, unknown>) => new Map([['s', { resource }]]);

  it('ignores the // metadata and key order', () => {
    const before = stack({
      aws_sqs_queue: {
        q: { '//': { metadata: { path: 'a' } }, name: 'x', tags: { a: '1', b: '2' } },
      },
    });
    const after = stack({
      aws_sqs_queue: {
        q: { '//': { metadata: { path: 'b' } }, tags: { b: '2', a: '1' }, name: 'x' },
      },
    });
    expect(diffStacks(before, after, ['s'])).toEqual([]);
  });

  it('names the changed attributes and the whole stack when it is new', () => {
    const before = stack({ aws_sqs_queue: { q: { name: 'x', delay_seconds: 0 } } });
    const after = stack({ aws_sqs_queue: { q: { name: 'x', delay_seconds: 5 } } });
    expect(diffStacks(before, after, ['s'])[0].changes).toEqual([
      expect.objectContaining({ action: 'change', attributes: ['delay_seconds'], stateful: true }),
    ]);
    expect(diffStacks(new Map(), after, ['s'])[0]).toMatchObject({ status: 'added' });
  });

  it('names the leaves that changed deep in a resource, and changes of backend and provider', () => {
    const deployment = (image: string) => ({
      kubernetes_deployment_v1: {
        d: { spec: { template: { spec: { container: [{ name: 'agent', image }] } } } },
      },
    });
    const before = new Map([
      [
        's',
        {
          resource: deployment('agent:1.0.0'),
          terraform: { backend: { s3: { bucket: 'state', key: 'a' } } },
          provider: { aws: [{ region: 'eu-west-1' }] },
        },
      ],
    ]);
    const after = new Map([
      [
        's',
        {
          resource: deployment('agent:1.1.0'),
          terraform: { backend: { s3: { bucket: 'state', key: 'b' } } },
          provider: { aws: [{ region: 'eu-central-1' }] },
        },
      ],
    ]);
    expect(
      diffStacks(before, after, ['s'])[0]
        .changes.map((c) => [c.address, c.attributes])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    ).toEqual([
      ['kubernetes_deployment_v1.d', ['spec.template.spec.container[0].image']],
      ['provider.aws', ['configuration[0].region']],
      ['terraform.backend.s3', ['key']],
    ]);
  });

  it('knows which resources hold data', () => {
    expect(isStateful('aws_dynamodb_table', {})).toBe(true);
    expect(isStateful('azurerm_cosmosdb_sql_container', {})).toBe(true);
    expect(isStateful('azurerm_eventhub_namespace', {})).toBe(true);
    expect(isStateful('azurerm_cosmosdb_sql_role_assignment', {})).toBe(false);
    expect(isStateful('helm_release', { chart: 'cockroachdb' })).toBe(true);
    expect(isStateful('helm_release', { chart: 'keda' })).toBe(false);
    expect(
      isStateful('kubernetes_manifest', {
        manifest: { apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaTopic' },
      }),
    ).toBe(true);
    expect(
      isStateful('kubernetes_manifest', { manifest: { apiVersion: 'keda.sh/v1alpha1' } }),
    ).toBe(false);
    expect(isStateful('kubernetes_deployment_v1', {})).toBe(false);
  });

  it('knows the stores of every shape of state', () => {
    for (const type of [
      'aws_keyspaces_keyspace',
      'aws_keyspaces_table',
      'aws_dsql_cluster',
      'aws_docdb_cluster',
    ]) {
      expect(isStateful(type, {})).toBe(true);
    }
    for (const apiVersion of [
      'mongodbcommunity.mongodb.com/v1',
      'cassandra.datastax.com/v1beta1',
    ]) {
      expect(isStateful('kubernetes_manifest', { manifest: { apiVersion } })).toBe(true);
    }
    expect(isStateful('helm_release', { chart: 'yugabyte' })).toBe(true);
  });
});

function rank(action: string): number {
  return ['destroy', 'change', 'add'].indexOf(action);
}
