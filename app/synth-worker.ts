// First, so that it takes effect before cdktf and the providers load.
import './tune-for-synth';
import { loadFleet } from '../config';
import { FleetEnvironment } from '../model';
import { WorkerReply, WorkerRequest } from './site-runner';
import { synthesizeSites } from './site-synthesis';

/**
 * A synth worker (`runSiteTasks` in app/site-runner.ts forks it): loads each
 * environment it is asked for once, synthesizes the sites of each request
 * into the request's directory and answers with the synthesis. It exits when
 * its parent disconnects, and so when the parent dies.
 */
const environments = new Map<string, FleetEnvironment>();

function environmentOf(rootDir: string, name: string): FleetEnvironment {
  const known = environments.get(name);
  if (known) return known;
  // The synth that asked has checked the environment: a worker checks only
  // the sites it builds, as AgentFleet does.
  const loaded = loadFleet({ rootDir, environments: [name], sites: { [name]: [] } });
  if (!loaded.ok) throw new Error(`environment '${name}' no longer loads: synthesize again`);
  environments.set(name, loaded.environments[0]);
  return loaded.environments[0];
}

const maxRssBytes = () => process.resourceUsage().maxRSS * 1024;

process.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const environment = environmentOf(request.rootDir, request.environment);
    const synthesis = synthesizeSites(environment, request.sites, request.outdir, request.offline);
    reply = { synthesis, maxRssBytes: maxRssBytes() };
  } catch (error) {
    reply = { error: (error as Error).stack ?? String(error), maxRssBytes: maxRssBytes() };
  }
  process.send?.(reply);
});
process.on('disconnect', () => process.exit(0));
