import * as fs from 'fs';
import * as path from 'path';
import { runReview } from '../../review/review';
import { runMain } from '../support/project';
import { GPU_BATCH, projectCopy, replaceOnce } from './support';

/** Staging's environment file as the branch leaves it (the catalogue gets {@link GPU_BATCH}). */
function branchStaging(text: string): string {
  let edited = replaceOnce(
    text,
    '  image-processing:\n    sites:\n      eu: {}\n',
    '  image-processing:\n    sites:\n      eu:\n        queue: { broker: rabbitmq, queue: image_processing_tasks_v2 }\n',
  );
  edited = replaceOnce(edited, '  metadata-extraction:\n    sites:\n      eu: {}\n', '');
  edited = replaceOnce(
    edited,
    '  gpu-inference:\n    placement: { gpuModel: nvidia-a10g }\n    sites:\n      eu: {}\n',
    '  gpu-inference:\n    placement: { gpuModel: nvidia-a10g }\n    sites:\n      eu:\n        scaling: { maxReplicas: 6 }\n',
  );
  return (
    edited + '  gpu-batch:\n    placement: { gpuModel: nvidia-a10g }\n    sites:\n      eu: {}\n'
  );
}

/** `npm run synth -- staging` on a project copy; returns its cdktf.out. */
function synth(root: string): string {
  const result = runMain(root, ['staging']);
  if (result.status !== 0) throw new Error(`synth failed:\n${result.stderr}`);
  return path.join(root, 'cdktf.out');
}

/** The branch made in a copy of the project, synthesized and reviewed against `base`. */
function reviewBranch(base: string, edit: (text: string) => string = (text) => text): string {
  const root = projectCopy((file, text) =>
    file === 'staging.yaml' ? edit(branchStaging(text)) : text,
  );
  fs.appendFileSync(path.join(root, 'fleet', 'agent-types.yaml'), GPU_BATCH);
  const out = path.join(root, 'review-out');
  expect(runReview({ synth: synth(root), base, out })).toEqual([path.join(out, 'staging.md')]);
  return fs.readFileSync(path.join(out, 'staging.md'), 'utf8');
}

/** The text from `from` up to `to`, both of which must be there in that order. */
function between(text: string, from: string, to: string): string {
  const start = text.indexOf(from);
  const end = text.indexOf(to, start);
  if (start < 0 || end < 0) throw new Error(`no '${from}' before '${to}'`);
  return text.slice(start, end);
}

/** The cost table's row of an agent type, or the total row. */
const row = (table: string, name: string) =>
  table.split('\n').find((line) => line.startsWith(`| ${name} |`)) ?? `no row ${name}`;

// The base is staging as the repository has it. The branch renames
// image-processing's queue to image_processing_tasks_v2, raises gpu-inference's
// maximum from 4 to 6, removes metadata-extraction and adds the GPU agent type
// gpu-batch (1 GPU, 0–2 replicas) on staging's eu site, whose gpu pool holds 4
// nodes of 1 GPU: as many as gpu-inference's base maximum already fills.
const base = synth(projectCopy());
const markdown = reviewBranch(base);
const consequencesSection = between(markdown, '## What this change will do\n', '## What changes\n');
const costTable = between(
  markdown,
  '### Monthly cost: base → head\n',
  '### Simulated scaling: base → head\n',
);
const euDiagram = between(
  markdown.slice(markdown.indexOf('## Topology\n')),
  '### `eu`\n',
  '\n```\n',
);

// The same branch with the gpu pool's maximum raised from 4 to 8 nodes: the
// raised maximum and the GPU agent type can then be reached, and cost.
const roomy = reviewBranch(base, (text) =>
  replaceOnce(text, '        maxSize: 4\n', '        maxSize: 8\n'),
);
const roomyCostTable = between(
  roomy,
  '### Monthly cost: base → head\n',
  '### Simulated scaling: base → head\n',
);

const IMAGE_QUEUE_STRANDED =
  '- `image-processing` on `eu` now reads queue `rabbitmq/image_processing_tasks_v2` instead of queue `rabbitmq/image_processing_tasks`; messages still in `rabbitmq/image_processing_tasks` are lost to it: drain it first; `dispatcher` on `eu` still publishes to it, and nothing reads what is sent there.';
const METADATA_QUEUE_STRANDED =
  '- `metadata-extraction` on `eu` is removed and nothing reads queue `rabbitmq/metadata_extraction_tasks` any more; messages still in `rabbitmq/metadata_extraction_tasks` are lost to it: drain it first; `dispatcher` on `eu` still publishes to it, and nothing reads what is sent there.';
const BROKER_ROLL =
  "- Broker 'rabbitmq' (site eu) writes every password anew and restarts its nodes to import them: user 'image-processing' changes permissions; user 'metadata-extraction' is removed; user 'gpu-batch' is added; its queues, exchanges, bindings or policies change (imported at boot). Its pods roll one by one, and its 5 password copies outside it are rewritten: Kubernetes Secret dispatcher/dispatcher-rabbitmq-credentials, Kubernetes Secret gpu-batch/gpu-batch-rabbitmq-credentials, Kubernetes Secret gpu-inference/gpu-inference-rabbitmq-credentials, Kubernetes Secret image-processing/image-processing-rabbitmq-credentials, Kubernetes Secret keda/keda-rabbitmq-rabbitmq.";
const GPU_CAPACITY =
  "- On site `eu` the node pools' maxima no longer hold the agents: at their maximum replicas the workloads do not fit pool(s) gpu (nodes: gpu 8 needed, 4 allowed): gpu-inference 4 of 6 (1 GPU, 2 CPU, 8192Mi each), gpu-batch 0 of 2 (1 GPU, 2 CPU, 8192Mi each) fit; raise the pools’ maximum node counts, use larger machines or lower maxReplicas.";
const IMAGE_SCALING =
  '- `image-processing` on `eu` now scales on queue depth of `rabbitmq/image_processing_tasks_v2` instead of queue depth of `rabbitmq/image_processing_tasks`.';

describe('the review of a branch that renames a queue, raises a maximum, removes an agent and adds a GPU agent', () => {
  it('says first what the change will do when deployed, before what changes', () => {
    const at = markdown.indexOf('## What this change will do\n');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(markdown.indexOf('## What changes\n'));
    expect(markdown.slice(0, at)).not.toMatch(/^## /m);
  });

  it('says the renamed and the removed queue are left unread, the broker rolls and why, and the GPU pool is too small', () => {
    expect(consequencesSection).toBe(
      [
        '## What this change will do',
        '',
        IMAGE_QUEUE_STRANDED,
        METADATA_QUEUE_STRANDED,
        BROKER_ROLL,
        GPU_CAPACITY,
        IMAGE_SCALING,
        '',
        '',
      ].join('\n'),
    );
  });

  it('prices the change: the raised maximum past the pool at nothing more, the removed agent as a saving, the GPU agent at nothing it can reach', () => {
    expect(costTable.split('\n').filter((line) => line.startsWith('| '))).toEqual([
      '| agent type | change | base | head | min difference | max difference |',
      '| --- | --- | --- | --- | --- | --- |',
      '| `gpu-inference` | changed | $819.79 – $3,279.16 · eu 1–4 | $819.79 – $3,279.16 · eu min 1, max 6 (4 reachable) | $0.00 | $0.00 |',
      '| `gpu-batch` | added | — | $0.00 – $0.00 · eu min 0, max 2 (0 reachable) | $0.00 | $0.00 |',
      '| `metadata-extraction` | removed | $9.20 – $18.40 · eu 1–2 | — | −$9.20 | −$18.40 |',
      '| **total** |  | **$1,012.95 – $4,106.98** | **$1,003.75 – $4,088.58** | **−$9.20** | **−$18.40** |',
    ]);
    // image-processing's cost does not change with its queue's name.
    expect(costTable).not.toContain('`image-processing`');
  });

  it('prices the raised maximum and the GPU agent once the gpu pool can hold them', () => {
    // A g5.xlarge on demand in eu-west-1: $819.79 a month, one replica of either per node.
    expect(row(roomyCostTable, '`gpu-inference`')).toBe(
      '| `gpu-inference` | changed | $819.79 – $3,279.16 · eu 1–4 | $819.79 – $4,918.74 · eu 1–6 | $0.00 | +$1,639.58 |',
    );
    expect(row(roomyCostTable, '`gpu-batch`')).toBe(
      '| `gpu-batch` | added | — | $0.00 – $1,639.58 · eu 0–2 | $0.00 | +$1,639.58 |',
    );
    expect(row(roomyCostTable, '`metadata-extraction`')).toBe(
      '| `metadata-extraction` | removed | $9.20 – $18.40 · eu 1–2 | — | −$9.20 | −$18.40 |',
    );
    expect(row(roomyCostTable, '**total**')).toBe(
      '| **total** |  | **$1,012.95 – $4,106.98** | **$1,003.75 – $7,367.74** | **−$9.20** | **+$3,260.76** |',
    );
    // With room in the pool, no capacity warning; the other consequences stay.
    const roomyConsequences = between(roomy, '## What this change will do\n', '## What changes\n');
    expect(roomyConsequences).not.toContain("node pools' maxima");
    expect(roomyConsequences).toContain(BROKER_ROLL);
  });

  it("marks in eu's diagram the agents added, removed and changed, and draws the removed one from the base", () => {
    expect(euDiagram.split('\n').filter((line) => /^\s*class /.test(line))).toEqual([
      '  class agent__eu__image_processing changed',
      '  class agent__eu__gpu_inference changed',
      '  class agent__eu__gpu_batch added',
      '  class agent__eu__metadata_extraction removed',
    ]);
    expect(euDiagram).toContain('    agent__eu__gpu_inference["gpu-inference 1–6"]');
    expect(euDiagram).toContain('    agent__eu__gpu_batch["gpu-batch 0–2"]');
    expect(euDiagram).toContain('  agent__eu__gpu_batch --> pool__eu__gpu');
    expect(euDiagram).toContain('    agent__eu__metadata_extraction["metadata-extraction 1–2"]');
    expect(euDiagram).toContain(
      '  agent__eu__metadata_extraction -- "queue metadata_extraction_tasks" --> broker__rabbitmq',
    );
    expect(euDiagram).toContain(
      '  agent__eu__image_processing -- "queue image_processing_tasks_v2" --> broker__rabbitmq',
    );
  });
});

// The sections for the record.
afterAll(() => {
  console.log(consequencesSection);
  console.log(costTable);
  console.log(roomyCostTable);
});
