import type { ReviewedFleet } from './schema';

/**
 * The environment's topology as a Mermaid flowchart (without the fence):
 * a subgraph per site holding its pools, scaling groups, brokers and agents,
 * an edge from each agent to the pools or group it runs on, a labelled edge to
 * the broker it consumes from, and a dotted one to each broker it publishes to.
 * @see https://mermaid.js.org/syntax/flowchart.html
 */
export function topologyDiagram(report: ReviewedFleet): string {
  const lines = ['flowchart LR'];
  const edges: string[] = [];
  const placed = new Set<string>();
  for (const site of report.sites) {
    const where = site.region ? `${site.kind} ${site.region}` : site.kind;
    lines.push(`  subgraph ${id('site', site.name)}["${label(`${site.name} (${where})`)}"]`);
    for (const pool of site.nodePools) {
      const parts = [
        `pool ${pool.name}`,
        pool.instanceTypes.join('/'),
        pool.minNodes !== undefined ? `${pool.minNodes}–${pool.maxNodes} nodes` : '',
        pool.spot ? 'spot' : '',
        pool.gpu ? `${pool.gpu.count}× ${pool.gpu.model}` : '',
      ].filter(Boolean);
      lines.push(`    ${id('pool', site.name, pool.name)}[("${label(parts.join(' · '))}")]`);
    }
    for (const broker of report.brokers.filter((b) => b.site === site.name)) {
      lines.push(`    ${id('broker', broker.name)}{{"${label(`${broker.kind} ${broker.name}`)}"}}`);
      placed.add(broker.name);
    }
    for (const agent of report.agents.filter((a) => a.site === site.name)) {
      const node = id('agent', site.name, agent.agent);
      lines.push(
        `    ${node}["${label(`${agent.agent} ${agent.schedule ? `cron ${agent.schedule}` : `${agent.minReplicas}–${agent.maxReplicas}`}`)}"]`,
      );
      if (agent.placement.kind === 'scaling-group') {
        const group = id('group', site.name, agent.agent);
        const kind = agent.placement.group === 'vmss' ? 'VM scale set' : 'EC2 group';
        lines.push(`    ${group}[("${label(`${kind} ${agent.placement.instanceType}`)}")]`);
        edges.push(`  ${node} --> ${group}`);
      } else {
        for (const pool of agent.placement.pools) {
          edges.push(`  ${node} --> ${id('pool', site.name, pool)}`);
        }
      }
      if (agent.source) {
        edges.push(
          `  ${node} -- "${label(`${agent.source.kind} ${agent.source.name}`)}" --> ${id('broker', agent.source.broker)}`,
        );
      }
      for (const target of new Set(agent.publishes.map((p) => p.split('/')[0]))) {
        edges.push(`  ${node} -. publishes .-> ${id('broker', target)}`);
      }
    }
    lines.push('  end');
  }
  for (const broker of report.brokers.filter((b) => !placed.has(b.name))) {
    lines.push(`  ${id('broker', broker.name)}{{"${label(`${broker.kind} ${broker.name}`)}"}}`);
  }
  return [...lines, ...edges].join('\n');
}

/** A Mermaid node id: letters, digits and `_` only. */
function id(...parts: string[]): string {
  return parts.map((part) => part.replace(/[^A-Za-z0-9]/g, '_')).join('__');
}

/** Text inside a quoted Mermaid label. */
function label(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/[<>]/g, '');
}
