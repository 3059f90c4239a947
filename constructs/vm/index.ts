/** An agent on machines of its own (EC2 Auto Scaling groups, VM scale sets, servers): its systemd service and boot script. */
export {
  AGENT_CONTAINER_UID,
  agentService,
  CREDENTIALS_MOUNT,
  INSTANCE_ARGS_VARIABLE,
  instanceArgs,
  instanceConfig,
  lineBreakProblems,
  STOP_MARGIN_SECONDS,
  vmAgentProblems,
} from './agent-service';
export type {
  AgentInstances,
  AgentService,
  AgentServiceOptions,
  ContainerRuntime,
  InstanceArgsOptions,
  VmTarget,
} from './agent-service';
export { base64BootScript } from './boot-script';
