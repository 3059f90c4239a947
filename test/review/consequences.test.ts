import * as fs from 'fs';
import * as path from 'path';
import type { BrokerNodesReport } from '../../app/fleet-report';
import { loadSynthOutput } from '../../output/load';
import type { ComparedAgent, ReviewedFleet } from '../../output/schema';
import {
  Consequence,
  ConsequenceFleet,
  consequences,
  NO_CONSEQUENCES,
  renderConsequences,
} from '../../review/consequences';
import { diffStacks, StackDiff } from '../../review/diff';
import { GPU_BATCH, projectCopy, replaceOnce, REPO, synthesize } from './support';

const RAISED_GPU_MAX =
  '  gpu-inference:\n    placement: { gpuModel: nvidia-a10g }\n    sites:\n      eu:\n        scaling: { maxReplicas: 6 }\n';

/** Staging as a branch makes it, with `edit` applied to its environment file. */
function branch(edit: (text: string) => string, gpuBatch = false): string {
  const root = projectCopy((file, text) => (file === 'staging.yaml' ? edit(text) : text));
  if (gpuBatch) fs.appendFileSync(path.join(root, 'fleet', 'agent-types.yaml'), GPU_BATCH);
  return synthesize(root, ['staging']);
}

const gpuInference = (text: string) =>
  replaceOnce(
    text,
    '  gpu-inference:\n    placement: { gpuModel: nvidia-a10g }\n    sites:\n      eu: {}\n',
    RAISED_GPU_MAX,
  );

// The base is staging as it is. One branch only raises gpu-inference's maximum;
// the other also renames image-processing's queue, removes metadata-extraction
// and adds the GPU agent gpu-batch.
const baseDir = synthesize(REPO, ['staging']);
const raisedDir = branch(gpuInference);
const fourDir = branch(
  (text) =>
    gpuInference(
      replaceOnce(
        replaceOnce(
          text,
          '  image-processing:\n    sites:\n      eu: {}\n',
          '  image-processing:\n    sites:\n      eu:\n        queue: { broker: rabbitmq, queue: image_processing_tasks_v2 }\n',
        ),
        '  metadata-extraction:\n    sites:\n      eu: {}\n',
        '',
      ),
    ) + '  gpu-batch:\n    placement: { gpuModel: nvidia-a10g }\n    sites:\n      eu: {}\n',
  true,
);

interface Compared {
  readonly base: ReviewedFleet;
  readonly head: ReviewedFleet;
  readonly stacks: StackDiff[];
  readonly list: Consequence[];
}

function compare(headDir: string): Compared {
  const before = loadSynthOutput(baseDir, '--base');
  const after = loadSynthOutput(headDir);
  const base = before.fleet.environments.staging;
  const head = after.fleet.environments.staging;
  const stacks = diffStacks(before.stacks, after.stacks, [
    ...new Set([...base.stacks, ...head.stacks]),
  ]);
  return { base, head, stacks, list: consequences(base, head, stacks) };
}

const raised = compare(raisedDir);
const four = compare(fourDir);
const section = renderConsequences(four.list);

describe('what a change will do', () => {
  it('says nothing happens when nothing changes', () => {
    const same = compare(baseDir);
    expect(same.list).toEqual([]);
    expect(renderConsequences(same.list)).toBe(
      `## What this change will do\n\n${NO_CONSEQUENCES}\n`,
    );
  });

  it('finds no more than capacity in a raised maximum', () => {
    expect(raised.list.map((c) => c.kind)).toEqual(['capacity']);
    expect(raised.list[0].sentence).toMatch(
      /^On site `eu` the node pools' maxima no longer hold the agents: at their maximum replicas the workloads do not fit pool\(s\) gpu/,
    );
  });

  it('says a renamed queue and a removed agent leave messages behind, first', () => {
    const lines = section.split('\n');
    expect(lines.slice(0, 2)).toEqual(['## What this change will do', '']);
    expect(lines[2]).toBe(
      '- `image-processing` on `eu` now reads queue `rabbitmq/image_processing_tasks_v2` instead of queue `rabbitmq/image_processing_tasks`; messages still in `rabbitmq/image_processing_tasks` are lost to it: drain it first; `dispatcher` on `eu` still publishes to it, and nothing reads what is sent there.',
    );
    expect(lines[3]).toBe(
      '- `metadata-extraction` on `eu` is removed and nothing reads queue `rabbitmq/metadata_extraction_tasks` any more; messages still in `rabbitmq/metadata_extraction_tasks` are lost to it: drain it first; `dispatcher` on `eu` still publishes to it, and nothing reads what is sent there.',
    );
  });

  it('says the broker rolls and rewrites its credentials, and why', () => {
    const rolls = four.list.filter((c) => c.kind === 'broker-roll');
    expect(rolls).toHaveLength(1);
    const [roll] = rolls;
    expect(roll.sentence).toMatch(
      /^Broker 'rabbitmq' \(site eu\) writes every password anew and restarts its nodes to import them: /,
    );
    expect(roll.sentence).toContain("user 'gpu-batch' is added");
    expect(roll.sentence).toContain("user 'image-processing' changes permissions");
    expect(roll.sentence).toContain("user 'metadata-extraction' is removed");
    expect(roll.sentence).toMatch(
      /Its pods roll one by one, and its \d+ password copies outside it are rewritten: .*Kubernetes Secret gpu-batch\/gpu-batch-rabbitmq-credentials/,
    );
    expect(roll.sentence).not.toContain('metadata-extraction-rabbitmq-credentials');
  });

  it('says the GPU pool no longer holds the agents at their maxima', () => {
    const capacity = four.list.filter((c) => c.kind === 'capacity');
    expect(capacity.length).toBeGreaterThan(0);
    expect(capacity[0].sentence).toMatch(/^On site `eu` the node pools' maxima no longer hold/);
  });

  it('says which agent scales on another queue now', () => {
    expect(four.list.filter((c) => c.kind === 'scaling-meaning')).toEqual([
      {
        kind: 'scaling-meaning',
        sentence:
          '`image-processing` on `eu` now scales on queue depth of `rabbitmq/image_processing_tasks_v2` instead of queue depth of `rabbitmq/image_processing_tasks`.',
      },
    ]);
  });

  it('orders consequences worst first', () => {
    const order = ['data-loss', 'stateful-destroyed', 'broker-roll', 'capacity', 'scaling-meaning'];
    const ranks = four.list.map((c) => order.indexOf(c.kind));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(four.list.map((c) => c.kind))).toEqual(
      new Set(['data-loss', 'broker-roll', 'capacity', 'scaling-meaning']),
    );
  });

  it('says nothing of a queue another agent still reads', () => {
    const withOther: ConsequenceFleet = {
      ...four.head,
      agents: [
        ...four.head.agents,
        { ...four.base.agents.find((a) => a.agent === 'metadata-extraction')!, site: 'other' },
      ],
    };
    const list = consequences(four.base, withOther, []);
    expect(list.map((c) => c.sentence).join('\n')).not.toContain('metadata_extraction_tasks');
  });

  it('names the stateful resources a stack destroys', () => {
    const stacks: StackDiff[] = [
      {
        stack: 'staging-eu-infra',
        changes: [
          {
            stack: 'staging-eu-infra',
            address: 'aws_dynamodb_table.t',
            type: 'aws_dynamodb_table',
            action: 'destroy',
            attributes: [],
            stateful: true,
          },
          {
            stack: 'staging-eu-infra',
            address: 'aws_iam_role.r',
            type: 'aws_iam_role',
            action: 'destroy',
            attributes: [],
            stateful: false,
          },
        ],
      },
    ];
    expect(consequences(four.base, four.base, stacks)).toEqual([
      {
        kind: 'stateful-destroyed',
        sentence:
          'Stack `staging-eu-infra` destroys 1 resource(s) that hold data, and the data with them: `aws_dynamodb_table.t`.',
      },
    ]);
  });

  it('compares no capacity or users with a base that does not record them', () => {
    const agentsOnly: ConsequenceFleet = { agents: four.base.agents };
    expect(consequences(agentsOnly, four.head, []).map((c) => c.kind)).toEqual([
      'data-loss',
      'data-loss',
      'scaling-meaning',
    ]);
  });

  it('says the broker restarts its nodes when their requests change, with no password written', () => {
    const resized = compare(
      branch((text) =>
        replaceOnce(
          text,
          '    inCluster:\n      site: eu\n',
          '    inCluster:\n      site: eu\n      resources: { cpu: 1500m }\n',
        ),
      ),
    );
    expect(resized.list).toEqual([
      {
        kind: 'broker-roll',
        sentence:
          "Broker 'rabbitmq' (site eu) restarts its nodes: each node's requests change from 1 CPU, 2Gi to 1500m CPU, 2Gi. Its pods roll one by one; no password changes.",
      },
    ]);
  });

  it('says a stateful resource is replaced when an attribute its provider cannot change in place changes', () => {
    const moved = compare(
      branch((text) =>
        replaceOnce(
          text,
          '    inCluster:\n      site: eu\n',
          '    inCluster:\n      site: eu\n      storageClass: gp3-encrypted\n',
        ),
      ),
    );
    const [statefulSet] = moved.stacks.flatMap((stack) =>
      stack.changes.filter((c) => c.type === 'kubernetes_stateful_set_v1'),
    );
    expect(statefulSet).toMatchObject({
      action: 'replace',
      stateful: true,
      replacedBy: ['spec.volume_claim_template.spec.storage_class_name'],
    });
    expect(moved.list.filter((c) => c.kind === 'stateful-destroyed')).toEqual([
      {
        kind: 'stateful-destroyed',
        sentence: `Stack \`staging-eu-platform\` replaces 1 resource(s) that hold data: each is destroyed and created anew, so it is unavailable in between and what it holds is lost unless kept outside it (a retained volume) or copied first: \`${statefulSet.address}\` (\`spec.volume_claim_template.spec.storage_class_name\` cannot change in place).`,
      },
    ]);
  });

  it('says the broker restarts its nodes when their configuration or definitions change', () => {
    const withNodes = (fleet: ReviewedFleet, change: Partial<BrokerNodesReport>) => ({
      ...fleet,
      brokers: fleet.brokers.map((broker) =>
        broker.nodes ? { ...broker, nodes: { ...broker.nodes, ...change } } : broker,
      ),
    });
    const nodes = four.base.brokers.find((broker) => broker.nodes)?.nodes;
    if (!nodes) throw new Error('staging records no broker nodes');
    const config = withNodes(four.base, { configRevision: nodes.configRevision + 1 });
    expect(consequences(four.base, config, []).map((c) => c.sentence)).toEqual([
      "Broker 'rabbitmq' (site eu) restarts its nodes: its configuration (`rabbitmq.conf`, `enabled_plugins`) changes. Its pods roll one by one; no password changes.",
    ]);
    const definitions = withNodes(four.base, {
      definitionsRevision: nodes.definitionsRevision + 1,
    });
    expect(consequences(four.base, definitions, []).map((c) => c.sentence)).toEqual([
      "Broker 'rabbitmq' (site eu) restarts its nodes: its queues, exchanges, bindings or policies change (imported at boot). Its pods roll one by one; no password changes.",
    ]);
  });

  it('says an agent scales on another Prometheus query, when both sides record the query', () => {
    const agent = (query: string | undefined): ComparedAgent => ({
      agent: 'chimera-data-ingest',
      site: 'nebraska',
      minReplicas: 1,
      maxReplicas: 10,
      autoscaler: 'keda',
      signals: ['prometheus > 1000 for 5m'],
      ...(query ? { prometheusQuery: query } : {}),
      placement: { kind: 'pools', pools: ['general'], gpu: 0, spot: 'never' },
      requests: { cpuMillis: 500, memoryMiB: 512, gpu: 0 },
    });
    const fleet = (query: string | undefined): ConsequenceFleet => ({ agents: [agent(query)] });
    expect(
      consequences(fleet('sum(pending)'), fleet('sum(pending{dc="n"})'), []).map((c) => c.sentence),
    ).toEqual([
      '`chimera-data-ingest` on `nebraska` now scales on query `sum(pending{dc="n"})` instead of query `sum(pending)`.',
    ]);
    expect(consequences(fleet('sum(pending)'), fleet('sum(pending)'), [])).toEqual([]);
    expect(consequences(fleet(undefined), fleet('sum(pending)'), [])).toEqual([]);
  });
});

// The section of the four-change branch, for the record.
afterAll(() => {
  if (process.env.SHOW_CONSEQUENCES) process.stdout.write(section);
});
