import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { writeSynthReports } from '../../app/synth-reports';
import { loadFleet } from '../../config';
import type { FleetEnvironment } from '../../model';
import { AgentFleet } from '../../stacks/agent-fleet';
import { copyProjectConfig } from '../support/project';
import { tempDir } from '../support/temp-dir';

export { replaceOnce } from '../support/edited-examples';
export { REPO } from '../support/typescript-process';

/** The text of a Markdown section, up to the next heading of its level. */
export function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`no section '${heading}'`);
  const level = heading.split(' ')[0];
  const rest = markdown.slice(start + heading.length + 1);
  const next = rest.search(new RegExp(`^${level} `, 'm'));
  return next < 0 ? rest : rest.slice(0, next);
}

/** A copy of the project's config files in a temp dir, to change on purpose. */
export function projectCopy(edit: (file: string, text: string) => string = (_f, t) => t): string {
  const root = tempDir('fleet-review-project');
  copyProjectConfig(root);
  for (const file of fs.readdirSync(path.join(root, 'environments'))) {
    const full = path.join(root, 'environments', file);
    const text = fs.readFileSync(full, 'utf8');
    const edited = edit(file, text);
    if (edited !== text) fs.writeFileSync(full, edited);
  }
  return root;
}

/**
 * Synthesizes environments of a project as main.ts does, in process: the
 * stacks, guardrails.json and fleet.json. Returns the output directory.
 */
export function synthesize(rootDir: string, environments?: readonly string[]): string {
  return synthesizeEnvironments(loadEnvironments(rootDir, environments));
}

/** Environments of a project, loaded as main.ts loads them, to change in code. */
export function loadEnvironments(
  rootDir: string,
  environments?: readonly string[],
): FleetEnvironment[] {
  const loaded = loadFleet({ rootDir, environments });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
  return [...loaded.environments];
}

/** Synthesizes environments as {@link synthesize} does. Returns the output directory. */
export function synthesizeEnvironments(environments: readonly FleetEnvironment[]): string {
  const outdir = tempDir('fleet-review-synth');
  const app = new App({ outdir });
  const summaries = environments.map((environment) => {
    const fleet = new AgentFleet(app, environment.name, { environment });
    return { ...fleet.summary, guardrails: fleet.guardrails };
  });
  app.synth();
  writeSynthReports(outdir, environments, summaries);
  return outdir;
}

/** A GPU agent type the catalogue does not have, reading a queue of its own: catalogue YAML to append. */
export const GPU_BATCH = `
  gpu-batch:
    description: Runs the classification model over batches; GPU nodes only.
    container:
      image: registry.example.com/agent-fleet/gpu-inference@sha256:0352f4aaaed3343723901900ad2d00f07e881d68e2a775187a604f24556950d3
      ports:
        http: 8080
        metrics: 9102
      probes:
        readiness:
          httpGet: { path: /ready, port: http }
        liveness:
          httpGet: { path: /healthz, port: http }
    resources:
      requests: { cpu: '2', memory: 8Gi }
      limits: { cpu: '4', memory: 8Gi }
      gpu: 1
    queue:
      broker: rabbitmq
      queue: batch_inference_requests
    scaling:
      minReplicas: 0
      maxReplicas: 2
      queueDepth: { perReplica: 10 }
`;
