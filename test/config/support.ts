import * as fs from 'fs';
import * as path from 'path';
import { formatProblem, LoadResult } from '../../config';
import { tempDir } from '../support/temp-dir';

/** Root directory of the repository. */
export const REPO_ROOT = path.resolve(__dirname, '../..');

/**
 * Writes a catalogue and environment files into a fresh temporary directory.
 * Leading newlines are dropped, so line 1 is the first line of the text.
 */
export function fixture(files: {
  catalogue?: string;
  environments?: Record<string, string>;
}): string {
  const rootDir = tempDir('fleet-config');
  fs.mkdirSync(path.join(rootDir, 'fleet'));
  fs.mkdirSync(path.join(rootDir, 'environments'));
  if (files.catalogue !== undefined) {
    fs.writeFileSync(path.join(rootDir, 'fleet/agent-types.yaml'), trimStart(files.catalogue));
  }
  for (const [name, text] of Object.entries(files.environments ?? {})) {
    fs.writeFileSync(path.join(rootDir, 'environments', `${name}.yaml`), trimStart(text));
  }
  return rootDir;
}

function trimStart(text: string): string {
  return text.replace(/^\n+/, '');
}

/** The formatted problems of a failed load; fails the test when the load succeeded. */
export function problemLines(result: LoadResult): string[] {
  if (result.ok) throw new Error('expected problems, but the files loaded');
  return result.problems.map(formatProblem);
}

/**
 * A catalogue entry, in the catalogue's YAML: agent type `name` runs
 * registry.example.com/<name>:1.0.0 with an `http` port 8080 probed on /ready
 * and /healthz, and `requests`; `rest` (its leading newlines dropped) follows
 * the requests line as written, so it may go on with the resources.
 */
export function agentType(
  name: string,
  rest: string,
  requests = '{ cpu: 500m, memory: 512Mi }',
): string {
  return `  ${name}:
    container:
      image: registry.example.com/${name}:1.0.0
      ports: { http: 8080 }
      probes:
        readiness: { httpGet: { path: /ready, port: http } }
        liveness: { httpGet: { path: /healthz, port: http } }
    resources:
      requests: ${requests}
${trimStart(rest)}`;
}

/** A valid catalogue: a queue consumer and a GPU consumer. */
export const CATALOGUE = `
agentTypes:
${agentType(
  'worker',
  `
    queue: { broker: rabbitmq, queue: work }
    scaling:
      minReplicas: 1
      maxReplicas: 10
      queueDepth: { perReplica: 10 }
`,
)}${agentType(
  'gpu-worker',
  `
      gpu: 1
    scaling: { minReplicas: 1, maxReplicas: 1 }
    placement: { gpuModel: nvidia-tesla-t4 }
`,
  "{ cpu: '1', memory: 4Gi }",
)}`;

/** The top of a valid environment: site `dev` (pools `general` and `gpu`) and broker `rabbitmq`; 20 lines, `agents:` on line 20. */
export const ENVIRONMENT_HEAD = `
sites:
  dev:
    kind: kubernetes
    kubeconfig: { path: ~/.kube/config, context: kind-dev }
    nodePools:
      general: { labels: { hardware-type: cpu } }
      gpu:
        gpu: { count: 1, model: nvidia-tesla-t4 }
        taints: [{ key: nvidia.com/gpu, value: present, effect: NoSchedule }]
  edge:
    kind: kubernetes
    kubeconfig: { path: ~/.kube/config, context: kind-edge }
    nodePools:
      small: { arch: arm64 }
brokers:
  rabbitmq:
    kind: rabbitmq
    inCluster:
      site: dev
agents:
`;

/** An environment file: {@link ENVIRONMENT_HEAD} followed by the given agents, which start on line 21. */
export function environment(agents: string): string {
  return ENVIRONMENT_HEAD.replace(/^\n+/, '') + agents.replace(/^\n+/, '');
}
