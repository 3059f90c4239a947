/** Agents on warm servers without Kubernetes: their Ansible deployment and scaling. */
export { CDI_SPEC_PATHS, deployFiles, HOSTS_CONFIG_DIR, HOSTS_UNIT_DIR } from './ansible-deploy';
export type { HostInstanceVars } from './ansible-deploy';
export { controllerFiles } from './controller-files';
export { ANSIBLE_DIR, DEPLOY_COMMAND, HostsDeployment } from './hosts-deployment';
export { reconcilePlaybook } from './reconcile-playbook';
export { scalingFiles } from './scaling-files';
export type { HostsDeploymentProps } from './hosts-deployment';
export { scalingVars } from './scaling-vars';
export type { DirectionVars, PolicyVars, ScalingVars } from './scaling-vars';
