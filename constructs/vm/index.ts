/** An agent on machines of its own (EC2 Auto Scaling groups, VM scale sets): its systemd service and boot script. */
export {
  AGENT_CONTAINER_UID,
  agentService,
  lineBreakProblems,
  STOP_MARGIN_SECONDS,
  vmAgentProblems,
} from './agent-service';
export type { AgentService, AgentServiceOptions, VmTarget } from './agent-service';
export { base64BootScript } from './boot-script';
