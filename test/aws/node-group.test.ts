import {
  EksCluster,
  ManagedNodeGroup,
  ManagedNodePoolSpec,
  PrivateNetwork,
} from '../../constructs/aws';
import { Size, ValidationError } from '../../model';
import { Synthesized, resourcesOf, resourceOf } from '../support/synthesized';
import { addSite, synthAws } from './support';

const GENERAL: ManagedNodePoolSpec = {
  name: 'general',
  instanceTypes: ['m7i.xlarge'],
  minSize: 1,
  maxSize: 6,
};

const GPU: ManagedNodePoolSpec = {
  name: 'gpu',
  instanceTypes: ['g5.xlarge', 'g5.2xlarge'],
  capacity: 'spot',
  minSize: 0,
  maxSize: 4,
  diskSize: Size.gibibytes(200),
  gpu: { count: 1, model: 'nvidia-a10g' },
  labels: { 'hardware-type': 'gpu' },
  taints: [{ key: 'workload', value: 'inference', effect: 'NoExecute' }],
};

/** Synthesizes a site with one node group of the given pool, which is the only one. */
function synthPool(pool: ManagedNodePoolSpec): Synthesized {
  return synthAws((stack) => {
    const { network, cluster } = addSite(stack);
    addGroup(stack, network, cluster, pool);
  });
}

function addGroup(
  stack: any,
  network: PrivateNetwork,
  cluster: EksCluster,
  pool: ManagedNodePoolSpec,
): ManagedNodeGroup {
  return new ManagedNodeGroup(stack, pool.name, {
    cluster,
    subnetIds: network.privateSubnetIds,
    pool,
  });
}

/** The autoscaler tags on the group's ASG, key → value. */
function asgTags(json: Synthesized): Record<string, string> {
  return Object.fromEntries(
    resourcesOf(json, 'aws_autoscaling_group_tag').map((tag) => [tag.tag.key, tag.tag.value]),
  );
}

describe('defaults of a general pool', () => {
  const json = synthPool(GENERAL);
  const group = resourceOf(json, 'aws_eks_node_group');

  it('runs on-demand AL2023 amd64 nodes in the private subnets, starting at minSize', () => {
    expect(group).toMatchObject({
      node_group_name: 'general',
      ami_type: 'AL2023_x86_64_STANDARD',
      capacity_type: 'ON_DEMAND',
      instance_types: ['m7i.xlarge'],
      scaling_config: { min_size: 1, max_size: 6, desired_size: 1 },
      update_config: { max_unavailable: 1 },
      labels: { 'agent-fleet.dev/pool': 'general' },
    });
    expect(group.subnet_ids).toHaveLength(3);
    expect(group.subnet_ids[0]).toMatch(/PrivateSubnet/);
    expect(group.taint).toBeUndefined();
    expect(group).not.toHaveProperty('remote_access');
    expect(group).not.toHaveProperty('disk_size');
  });

  it('leaves the node count to the cluster autoscaler', () => {
    expect(group.lifecycle).toEqual({ ignore_changes: ['scaling_config[0].desired_size'] });
  });

  it('requires IMDSv2 with hop limit 1 (GR-IAM-01), an encrypted gp3 root volume, no public IP', () => {
    const template = resourceOf(json, 'aws_launch_template');
    expect(template.metadata_options).toEqual({
      http_endpoint: 'enabled',
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
    });
    expect(template.block_device_mappings).toEqual([
      {
        device_name: '/dev/xvda',
        ebs: {
          volume_size: 50,
          volume_type: 'gp3',
          encrypted: 'true',
          delete_on_termination: 'true',
        },
      },
    ]);
    expect(template.network_interfaces).toEqual([
      {
        associate_public_ip_address: 'false',
        delete_on_termination: 'true',
        security_groups: [expect.stringMatching(/\.vpc_config\[0\]\.cluster_security_group_id\}$/)],
      },
    ]);
    expect(group.launch_template).toEqual({
      id: expect.stringMatching(/^\$\{aws_launch_template\.general_LaunchTemplate_\w+\.id\}$/),
      version: expect.stringMatching(/\.latest_version\}$/),
    });
  });

  it('gives the node role exactly the three worker policies', () => {
    const attachments = resourcesOf(json, 'aws_iam_role_policy_attachment').filter((attachment) =>
      /general_NodeRole/.test(attachment.role),
    );
    expect(attachments.map((attachment) => attachment.policy_arn).sort()).toEqual([
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
      'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
    ]);
    const role = resourcesOf(json, 'aws_iam_role').find((r) => r.name_prefix === 'general-node-')!;
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(group.depends_on).toHaveLength(3);
  });

  it("tags the group's ASG for auto-discovery and with the pool label, not propagated", () => {
    expect(asgTags(json)).toEqual({
      'k8s.io/cluster-autoscaler/enabled': 'true',
      'k8s.io/cluster-autoscaler/${aws_eks_cluster.cluster_611F8AFF.name}': 'owned',
      'k8s.io/cluster-autoscaler/node-template/label/agent-fleet.dev/pool': 'general',
    });
    for (const tag of resourcesOf(json, 'aws_autoscaling_group_tag')) {
      expect(tag.tag.propagate_at_launch).toBe(false);
      expect(tag.autoscaling_group_name).toMatch(
        /^\$\{aws_eks_node_group\.general_\w+\.resources\[0\]\.autoscaling_groups\[0\]\.name\}$/,
      );
    }
  });
});

describe('a GPU pool', () => {
  const json = synthPool(GPU);
  const group = resourceOf(json, 'aws_eks_node_group');

  it('uses the NVIDIA AMI on spot capacity', () => {
    expect(group).toMatchObject({ ami_type: 'AL2023_x86_64_NVIDIA', capacity_type: 'SPOT' });
    expect(group.scaling_config).toEqual({ min_size: 0, max_size: 4, desired_size: 0 });
    expect(resourceOf(json, 'aws_launch_template').block_device_mappings[0].ebs.volume_size).toBe(
      200,
    );
  });

  it('carries its taints with EKS effect names, and the GPU taint without declaring it', () => {
    expect(group.taint).toEqual([
      { key: 'workload', value: 'inference', effect: 'NO_EXECUTE' },
      { key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' },
    ]);
    expect(group.labels).toEqual({ 'hardware-type': 'gpu', 'agent-fleet.dev/pool': 'gpu' });
  });

  it('keeps a declared GPU taint instead of adding a second one', () => {
    const declared = synthPool({
      ...GPU,
      taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
    });
    expect(resourceOf(declared, 'aws_eks_node_group').taint).toEqual([
      { key: 'nvidia.com/gpu', effect: 'NO_SCHEDULE' },
    ]);
  });

  it('describes its nodes to the autoscaler so it can scale up from zero', () => {
    const tags = asgTags(json);
    expect(
      Object.fromEntries(Object.entries(tags).filter(([key]) => key.includes('node-template'))),
    ).toEqual({
      'k8s.io/cluster-autoscaler/node-template/label/hardware-type': 'gpu',
      'k8s.io/cluster-autoscaler/node-template/label/agent-fleet.dev/pool': 'gpu',
      'k8s.io/cluster-autoscaler/node-template/taint/workload': 'inference:NoExecute',
      'k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu': 'present:NoSchedule',
      'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu': '1',
    });
    expect(Object.keys(tags)).toHaveLength(7);
  });

  it('picks the arm64 AMIs for arm64 pools', () => {
    const arm = synthPool({ ...GENERAL, arch: 'arm64', instanceTypes: ['m7g.xlarge'] });
    expect(resourceOf(arm, 'aws_eks_node_group').ami_type).toBe('AL2023_ARM_64_STANDARD');
    const armGpu = synthPool({
      ...GPU,
      arch: 'arm64',
      instanceTypes: ['g5g.xlarge'],
      gpu: { count: 1, model: 'nvidia-t4g' },
    });
    expect(resourceOf(armGpu, 'aws_eks_node_group').ami_type).toBe('AL2023_ARM_64_NVIDIA');
  });
});

describe('validation', () => {
  it('checks the bounds: min <= desired <= max, max >= 1', () => {
    expect(() => synthPool({ ...GENERAL, minSize: 3, maxSize: 2 })).toThrow(
      "'minSize': 'minSize' (3) must be <= 'maxSize' (2)",
    );
    expect(() => synthPool({ ...GENERAL, desiredSize: 9 })).toThrow(
      "'desiredSize': 'desiredSize' (9) must be between 'minSize' (1) and 'maxSize' (6)",
    );
    expect(() => synthPool({ ...GENERAL, minSize: 0, maxSize: 0 })).toThrow(
      "'maxSize': 0 must be a whole number >= 1",
    );
  });

  it('reports every problem of the pool at once', () => {
    const attempt = () =>
      synthPool({
        name: 'gpu pool',
        instanceTypes: [],
        minSize: -1,
        maxSize: 2.5,
        diskSize: Size.gibibytes(8),
        gpu: { count: 0, model: 'nvidia-a10g' },
        labels: { 'agent-fleet.dev/pool': 'other' },
        taints: [
          { key: 'a', effect: 'NoSchedule' },
          { key: 'a', effect: 'NoExecute' },
        ],
      });
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(
      [
        'test/gpu pool: 8 problem(s)',
        "  - 'name': 'gpu pool' is not a valid node group name: a DNS-1123 label of 1 to 63 characters of lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. 'my-name')",
        "  - 'instanceTypes': no instance type: list at least one, e.g. ['m7i.xlarge']",
        "  - 'minSize': -1 must be a whole number >= 0",
        "  - 'maxSize': 2.5 must be a whole number >= 1",
        "  - 'diskSize': 8Gi is not allowed: use a whole number of GiB, at least 20Gi",
        "  - 'gpu.count': 0 must be a whole number >= 1",
        "  - 'labels.agent-fleet.dev/pool': 'other' differs from the pool name 'gpu pool': leave the label out, it is set from the name",
        "  - 'taints[1].key': 'a' is tainted twice: one taint per key",
      ].join('\n'),
    );
  });
});
