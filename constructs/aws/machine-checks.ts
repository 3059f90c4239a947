import { TerraformStack } from 'cdktf';
import { machineType } from '../../model';

/**
 * Declares, per EC2 instance type, a Terraform `check` block whose scoped
 * `aws_ec2_instance_type` data source reads the type from AWS and warns when
 * its vCPUs, memory or GPUs differ from the machine catalogue. A check never
 * fails a plan: when AWS cannot be read (the offline mode), Terraform reports
 * the failed read as a warning too. cdktf 0.21 has no construct for `check`
 * blocks, so they are written as an override of the stack's JSON.
 * @see https://developer.hashicorp.com/terraform/language/checks
 */
export function addMachineChecks(stack: TerraformStack, instanceTypes: readonly string[]): void {
  for (const type of [...new Set(instanceTypes)].sort()) {
    const machine = machineType(type, 'aws');
    if (!machine) continue;
    const id = `machine_${type.replace(/[^A-Za-z0-9]/g, '_')}`;
    const data = `data.aws_ec2_instance_type.${id}`;
    const gpus = machine.gpus?.count ?? 0;
    const gpuCondition =
      gpus === 0
        ? `length(${data}.gpus) == 0`
        : `sum([for g in ${data}.gpus : g.count]) == ${gpus}`;
    stack.addOverride(`check.${id}`, {
      data: { aws_ec2_instance_type: { [id]: { instance_type: type } } },
      assert: [
        {
          condition: `\${${data}.default_vcpus == ${machine.vcpu} && ${data}.memory_size == ${machine.memoryMiB} && ${gpuCondition}}`,
          error_message: `${type} differs from the machine catalogue (model/machines.ts: ${machine.vcpu} vCPUs, ${machine.memoryMiB} MiB, ${gpus} GPU(s)): update the catalogue`,
        },
      ],
    });
  }
}
