import { AgentSpec } from './agent-spec';
import { AddProblem, checkRange, Path } from './checks';
import { HostsSiteSpec, hostPoolView } from './hosts-site';
import {
  dns1123LabelProblems,
  labelValueProblems,
  qualifiedNameProblems,
} from './kubernetes-rules';
import { matchPools } from './placement';
import { Problem } from './problems';
import { Duration } from './units';

/** Most instances of one agent a server may run. */
export const MAX_INSTANCES_PER_AGENT = 16;

/**
 * Problems of a hosts site: server and pool names, a pool's servers sharing
 * one architecture and GPU model, labels as placement matches them, SSH
 * settings without keys or passwords, and the scaling's endpoints.
 */
export function validateHostsSite(site: HostsSiteSpec): Problem[] {
  const problems: Problem[] = [];
  const add: AddProblem = (path, message) => problems.push({ path, message });
  const servers = new Set<string>();
  if (site.pools.length === 0) add(['pools'], 'a hosts site needs at least one pool of servers');
  site.pools.forEach((pool) => {
    const at = (...rest: (string | number)[]): Path => ['pools', pool.name, ...rest];
    for (const message of dns1123LabelProblems(pool.name, 'pool name')) add(at(), message);
    checkRange(
      pool.instancesPerAgent ?? 1,
      1,
      MAX_INSTANCES_PER_AGENT,
      at('instancesPerAgent'),
      add,
    );
    labelProblems(pool.labels, at('labels'), add);
    if (pool.servers.length === 0) add(at('servers'), 'a pool needs at least one server');
    const [first] = pool.servers;
    for (const server of pool.servers) {
      const here = (...rest: string[]) => at('servers', server.name, ...rest);
      for (const message of dns1123LabelProblems(server.name, 'server name')) add(here(), message);
      if (servers.has(server.name)) add(here(), `server '${server.name}' is declared twice`);
      servers.add(server.name);
      if (!/^[A-Za-z0-9][A-Za-z0-9.:-]*$/.test(server.address)) {
        add(here('address'), `'${server.address}' is not an IP address or DNS name`);
      }
      if ((server.arch ?? 'amd64') !== (first.arch ?? 'amd64')) {
        add(
          here('arch'),
          `${server.arch ?? 'amd64'} differs from ${first.name}'s ${first.arch ?? 'amd64'}: the servers of a pool share one architecture; put them in pools of their own`,
        );
      }
      const gpu = (s: typeof server) => (s.gpu ? `${s.gpu.count} × ${s.gpu.model}` : 'no GPUs');
      if (gpu(server) !== gpu(first)) {
        add(
          here('gpu'),
          `${gpu(server)} differs from ${first.name}'s ${gpu(first)}: the servers of a pool offer the same GPUs; put them in pools of their own`,
        );
      }
      if (server.gpu) checkRange(server.gpu.count, 1, 16, here('gpu', 'count'), add);
      labelProblems(server.labels, here('labels'), add);
    }
  });
  const { ansible, scaling } = site;
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(ansible.user)) {
    add(['ansible', 'user'], `'${ansible.user}' is not a Unix user name`);
  }
  checkRange(ansible.port ?? 22, 1, 65535, ['ansible', 'port'], add);
  if (
    ansible.sshArgs !== undefined &&
    /(^|\s)-i\b|IdentityFile|Password|sshpass/i.test(ansible.sshArgs)
  ) {
    add(
      ['ansible', 'sshArgs'],
      'names a key or a password: the controller holds keys (its ssh-agent or SSH configuration), never the environment file',
    );
  }
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(scaling.prometheusUrl)) {
    add(['scaling', 'prometheusUrl'], `'${scaling.prometheusUrl}' is not an http(s) URL`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9.:-]*$/.test(scaling.controller)) {
    add(['scaling', 'controller'], `'${scaling.controller}' is not an IP address or DNS name`);
  }
  checkRange(scaling.webhookPort ?? 5000, 1, 65535, ['scaling', 'webhookPort'], add);
  const interval = scaling.interval ?? Duration.minutes(1);
  if (interval.millis < 10_000 || interval.millis > 3_600_000 || interval.millis % 1000 !== 0) {
    add(['scaling', 'interval'], `(${interval}) must be whole seconds from 10s to 1h`);
  }
  const dir = site.credentialsDir;
  if (dir !== undefined && !/^\/[A-Za-z0-9._/-]+$/.test(dir)) {
    add(
      ['credentialsDir'],
      `'${dir}' must be an absolute path of letters, digits, '.', '_', '-' and '/'`,
    );
  }
  return problems;
}

function labelProblems(
  labels: Readonly<Record<string, string>> | undefined,
  path: Path,
  add: AddProblem,
): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const message of [
      ...qualifiedNameProblems(key, 'label key'),
      ...labelValueProblems(value),
    ]) {
      add([...path, key], message);
    }
  }
}

/**
 * Problems of an agent on a hosts site, besides `validateAgent`'s: what a
 * server's systemd service can run (one long-running consumer, no broker or
 * state binding yet, a Prometheus query as its only signal) and a pool that
 * meets its needs.
 */
export function validateAgentOnHosts(spec: AgentSpec, site: HostsSiteSpec): Problem[] {
  const problems: Problem[] = [];
  const add: AddProblem = (path, message) => problems.push({ path, message });
  const where = `on hosts site '${site.name}'`;
  const workload = spec.workload ?? 'consumer';
  if (workload !== 'consumer') {
    add(
      ['workload'],
      `'${workload}' cannot run ${where}: only 'consumer' agents (a long-running service per instance)`,
    );
  }
  if (spec.placement?.scalingGroup) {
    add(
      ['placement', 'scalingGroup'],
      `${where}, agents run on its pools of servers, not on a scaling group`,
    );
  }
  const noBinding = (path: Path, what: string) =>
    add(
      path,
      `${what} ${where}: its servers reach no broker or state store of the fleet yet; bind the agent on a Kubernetes or cloud site, or have it read its work from a service its credentials files name`,
    );
  if (spec.queue) noBinding(['queue'], 'a queue binding cannot be served');
  if (spec.topic) noBinding(['topic'], 'a topic binding cannot be served');
  if ((spec.publishes ?? []).length > 0) noBinding(['publishes'], 'publishing cannot be served');
  if (spec.state) noBinding(['state'], 'state cannot be kept');
  const scaling = spec.scaling;
  if (scaling?.cpu || scaling?.memory) {
    add(
      ['scaling', scaling.cpu ? 'cpu' : 'memory'],
      `CPU and memory utilization are not read ${where}: scale on a Prometheus query (scaling.prometheus)`,
    );
  }
  if (scaling?.cron && scaling.cron.length > 0) {
    add(
      ['scaling', 'cron'],
      `cron windows are not run ${where}: the reconcile playbook follows a Prometheus query only`,
    );
  }
  for (const [name, port] of Object.entries(spec.container.ports ?? {})) {
    const most = Math.max(1, ...site.pools.map((pool) => pool.instancesPerAgent ?? 1));
    if (port + most - 1 > 65535) {
      add(
        ['container', 'ports', name],
        `(${port}) plus ${most - 1} further instance(s) per server passes port 65535`,
      );
    }
  }
  const match = matchPools(
    spec.placement,
    spec.resources.gpu ?? 0,
    site.pools.map(hostPoolView),
    'agent',
    spec.resources.requests,
  );
  if (match.pools.length === 0) {
    const why = match.refusals.map((r) => `${r.pool}: ${r.reasons.join('; ')}`).join(' | ');
    add(
      ['placement'],
      `agent '${spec.name}' fits no pool of hosts site '${site.name}' (${why || 'the site has no pools'})`,
    );
  }
  return problems;
}
