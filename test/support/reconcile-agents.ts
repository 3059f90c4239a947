import { scalingVars } from '../../constructs/hosts/scaling-vars';
import { HostsSiteSpec, PlannedHostsAgent } from '../../model';

/** `agent_fleet_agents` as the deploy files write it for the reconcile playbook: unit, slots and scaling by agent. */
export function reconcileAgents(agents: readonly PlannedHostsAgent[], site: HostsSiteSpec) {
  return Object.fromEntries(
    agents.map((planned) => [
      planned.agent.spec.name,
      {
        unit: `agent-${planned.agent.spec.name}`,
        slots: planned.slots.map((slot) => ({ server: slot.server, instance: slot.instance })),
        scaling: scalingVars(planned, site),
      },
    ]),
  );
}
