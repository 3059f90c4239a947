import { TerraformStack, Testing } from 'cdktf';
import { addMachineChecks } from '../../constructs/aws/machine-checks';
import { parseSynthesized } from '../support/synthesized';

describe('the machine catalogue checked at plan time', () => {
  it('declares one check per instance type, reading it from AWS in a scoped data source', () => {
    const stack = new TerraformStack(Testing.app(), 'infra');
    addMachineChecks(stack, ['m7i.xlarge', 'g5.xlarge', 'm7i.xlarge']);
    const checks = parseSynthesized(Testing.synth(stack)).check;
    expect(Object.keys(checks)).toEqual(['machine_g5_xlarge', 'machine_m7i_xlarge']);
    const gpu = checks.machine_g5_xlarge;
    expect(gpu.data).toEqual({
      aws_ec2_instance_type: { machine_g5_xlarge: { instance_type: 'g5.xlarge' } },
    });
    const data = 'data.aws_ec2_instance_type.machine_g5_xlarge';
    expect(gpu.assert).toEqual([
      {
        condition: `\${${data}.default_vcpus == 4 && ${data}.memory_size == 16384 && sum([for g in ${data}.gpus : g.count]) == 1}`,
        error_message: expect.stringContaining('g5.xlarge differs from the machine catalogue'),
      },
    ]);
    expect(checks.machine_m7i_xlarge.assert[0].condition).toContain(
      'length(data.aws_ec2_instance_type.machine_m7i_xlarge.gpus) == 0',
    );
  });
});
