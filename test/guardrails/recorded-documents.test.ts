import * as fs from 'fs';
import * as path from 'path';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamPolicyAttachment } from '@cdktf/provider-aws/lib/iam-policy-attachment';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamUserPolicyAttachment } from '@cdktf/provider-aws/lib/iam-user-policy-attachment';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ServicebusNamespace } from '@cdktf/provider-azurerm/lib/servicebus-namespace';
import { ServicebusQueue } from '@cdktf/provider-azurerm/lib/servicebus-queue';
import { TerraformStack } from 'cdktf';
import { EC2_TRUST_POLICY } from '../../constructs/aws/iam-statement';
import { NETWORK_CONTRIBUTOR_ROLE } from '../../constructs/azure/aks-cluster';
import {
  EVENT_HUBS_DATA_RECEIVER,
  EVENT_HUBS_DATA_SENDER,
} from '../../constructs/azure/event-hubs';
import {
  SERVICE_BUS_DATA_OWNER,
  SERVICE_BUS_DATA_RECEIVER,
  SERVICE_BUS_DATA_SENDER,
} from '../../constructs/azure/service-bus';
import awsPolicies from '../../guardrails/data/aws-managed-policies.json';
import azureRoles from '../../guardrails/data/azure-built-in-roles.json';
import { iamLeastPrivilege } from '../../guardrails/rules/aws/gr-iam-04-least-privilege';
import {
  RecordedRole,
  roleAssignmentScope,
  roleProblems,
} from '../../guardrails/rules/azure/gr-iam-10-role-assignment-scope';
import { SESSION_MANAGER_ACTIONS } from '../aws/support';
import { findingsOf } from '../support/guardrail-findings';

const ROOT = path.resolve(__dirname, '../..');
const MANAGED = 'arn:aws:iam::aws:policy';
const EKS_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'eks.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});

/** The messages of GR-IAM-04's findings, by the construct id of the resource they name. */
function iam04(build: (stack: TerraformStack) => void): Record<string, string> {
  return Object.fromEntries(
    findingsOf(iamLeastPrivilege, build).map((f) => [f.path.split('/').pop(), f.message]),
  );
}

/** The messages of GR-IAM-10's findings, by the construct id of the assignment they name. */
function iam10(build: (stack: TerraformStack) => void): Record<string, string> {
  return Object.fromEntries(
    findingsOf(roleAssignmentScope, build).map((f) => [f.path.split('/').pop(), f.message]),
  );
}

/** Every string literal of the TypeScript sources under constructs/ that matches `pattern`. */
function constructLiterals(pattern: RegExp): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.ts')) {
        for (const match of fs.readFileSync(file, 'utf8').matchAll(pattern)) found.add(match[1]);
      }
    }
  };
  walk(path.join(ROOT, 'constructs'));
  return found;
}

describe('the recorded AWS managed policies', () => {
  const policies = Object.entries(awsPolicies.policies);

  it('are dated and name their source, version and document', () => {
    expect(awsPolicies.recorded).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [name, policy] of policies) {
      expect(policy.arn).toBe(`${MANAGED}/${name}`);
      expect(policy.source).toBe(
        `https://docs.aws.amazon.com/aws-managed-policy/latest/reference/${name}.html`,
      );
      expect(policy.versionId).toMatch(/^v\d+$/);
      expect(policy.document.Version).toBe('2012-10-17');
      expect(policy.document.Statement.length).toBeGreaterThan(0);
    }
  });

  it('hold every AWS managed policy the constructs attach', () => {
    const attached = constructLiterals(/'(arn:aws:iam::aws:policy\/[\w+=,.@/-]+)'/g);
    expect(attached.size).toBeGreaterThan(0);
    for (const arn of attached) {
      expect(policies.map(([, policy]) => policy.arn)).toContain(arn);
    }
  });
});

describe('GR-IAM-04 reads the recorded documents of attached managed policies', () => {
  it('accepts what AWS requires on the EKS cluster role and node role, on those roles', () => {
    expect(
      iam04((stack) => {
        const clusterRole = new IamRole(stack, 'ClusterRole', { assumeRolePolicy: EKS_TRUST });
        new IamRolePolicyAttachment(stack, 'ClusterPolicy', {
          role: clusterRole.name,
          policyArn: `${MANAGED}/AmazonEKSClusterPolicy`,
        });
        const cluster = new EksCluster(stack, 'Cluster', {
          name: 'fleet',
          roleArn: clusterRole.arn,
          vpcConfig: { subnetIds: ['subnet-a', 'subnet-b'] },
        });
        const nodeRole = new IamRole(stack, 'NodeRole', { assumeRolePolicy: EC2_TRUST_POLICY });
        for (const name of [
          'AmazonEKSWorkerNodePolicy',
          'AmazonEKS_CNI_Policy',
          'AmazonEC2ContainerRegistryReadOnly',
        ]) {
          new IamRolePolicyAttachment(stack, name, {
            role: nodeRole.name,
            policyArn: `${MANAGED}/${name}`,
          });
        }
        new EksNodeGroup(stack, 'Nodes', {
          clusterName: cluster.name,
          nodeGroupName: 'general',
          nodeRoleArn: nodeRole.arn,
          subnetIds: ['subnet-a', 'subnet-b'],
          scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 1 },
        });
      }),
    ).toEqual({});
  });

  it('refuses AmazonSSMManagedInstanceCore on an agent instance role, for ssm:GetParameter(s) on *', () => {
    const findings = iam04((stack) => {
      const role = new IamRole(stack, 'AgentRole', { assumeRolePolicy: EC2_TRUST_POLICY });
      new IamRolePolicyAttachment(stack, 'AmazonSSMManagedInstanceCore', {
        role: role.name,
        policyArn: `${MANAGED}/AmazonSSMManagedInstanceCore`,
      });
    });
    expect(Object.keys(findings)).toEqual(['AmazonSSMManagedInstanceCore']);
    const message = findings.AmazonSSMManagedInstanceCore;
    expect(message).toContain(
      `attaches ${MANAGED}/AmazonSSMManagedInstanceCore: managed policy AmazonSSMManagedInstanceCore (v2) statement 0 allows `,
    );
    expect(message).toMatch(
      /statement 0 allows [^;]*ssm:GetParameter, ssm:GetParameters[^;]* on resource \*/,
    );
    expect(message).toMatch(
      /statement 2 allows ec2messages:AcknowledgeMessage[^;]* on resource \*/,
    );
    // Session Manager's own actions are not what is refused.
    expect(message).not.toMatch(/ssmmessages|UpdateInstanceInformation/);
  });

  it('refuses the node policies on a role no node group uses, and the cluster policy on a node role', () => {
    const findings = iam04((stack) => {
      const agentRole = new IamRole(stack, 'AgentRole', { assumeRolePolicy: EC2_TRUST_POLICY });
      new IamRolePolicyAttachment(stack, 'RegistryOnAgent', {
        role: agentRole.name,
        policyArn: `${MANAGED}/AmazonEC2ContainerRegistryReadOnly`,
      });
      const nodeRole = new IamRole(stack, 'NodeRole', { assumeRolePolicy: EC2_TRUST_POLICY });
      new IamRolePolicyAttachment(stack, 'ClusterPolicyOnNodes', {
        role: nodeRole.name,
        policyArn: `${MANAGED}/AmazonEKSClusterPolicy`,
      });
      new EksNodeGroup(stack, 'Nodes', {
        clusterName: 'fleet',
        nodeGroupName: 'general',
        nodeRoleArn: nodeRole.arn,
        subnetIds: ['subnet-a'],
        scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 1 },
      });
    });
    expect(Object.keys(findings).sort()).toEqual(['ClusterPolicyOnNodes', 'RegistryOnAgent']);
    expect(findings.RegistryOnAgent).toMatch(
      /managed policy AmazonEC2ContainerRegistryReadOnly \(v3\) statement 0 allows ecr:BatchCheckLayerAvailability, ecr:BatchGetImage on resource \*/,
    );
    expect(findings.ClusterPolicyOnNodes).toMatch(/ec2:CreateSecurityGroup/);
  });

  it('refuses a managed policy whose document is not recorded, and judges users and role lists too', () => {
    const findings = iam04((stack) => {
      const role = new IamRole(stack, 'Role', {
        assumeRolePolicy: EC2_TRUST_POLICY,
        managedPolicyArns: [`${MANAGED}/AmazonSSMManagedInstanceCore`],
      });
      new IamRolePolicyAttachment(stack, 'Unrecorded', {
        role: role.name,
        policyArn: `${MANAGED}/AmazonS3ReadOnlyAccess`,
      });
      new IamUserPolicyAttachment(stack, 'OnUser', {
        user: 'ci',
        policyArn: `${MANAGED}/AmazonEKSWorkerNodePolicy`,
      });
      new IamPolicyAttachment(stack, 'OnRoles', {
        name: 'registry',
        roles: [role.name],
        policyArn: `${MANAGED}/AmazonEC2ContainerRegistryReadOnly`,
      });
    });
    expect(Object.keys(findings).sort()).toEqual(['OnRoles', 'OnUser', 'Role', 'Unrecorded']);
    expect(findings.Unrecorded).toContain(
      `attaches ${MANAGED}/AmazonS3ReadOnlyAccess, whose document is not recorded: add it with its source and date to guardrails/data/aws-managed-policies.json`,
    );
    expect(findings.Role).toMatch(/ssm:GetParameter/);
    expect(findings.OnUser).toMatch(/eks-auth:AssumeRoleForPodIdentity on resource \*/);
    expect(findings.OnRoles).toMatch(/ecr:BatchGetImage/);
  });

  it("accepts Session Manager's channel on *, but no other Systems Manager call there", () => {
    const findings = iam04((stack) => {
      new IamRolePolicy(stack, 'SessionManager', {
        role: 'agent',
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: SESSION_MANAGER_ACTIONS,
              Resource: '*',
            },
          ],
        }),
      });
      new IamRolePolicy(stack, 'Parameters', {
        role: 'agent',
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'Params', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' },
          ],
        }),
      });
    });
    expect(Object.keys(findings)).toEqual(['Parameters']);
    expect(findings.Parameters).toMatch(/policy Params allows ssm:GetParameters on resource \*/);
  });
});

describe('the recorded Azure built-in roles', () => {
  const roles = Object.entries(azureRoles.roles);

  it('are dated and name their source and definition', () => {
    expect(azureRoles.recorded).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [name, role] of roles) {
      expect(role.source).toMatch(
        /^https:\/\/learn\.microsoft\.com\/azure\/role-based-access-control\/built-in-roles\/[a-z-]+#[a-z-]+$/,
      );
      expect(role.id).toBe(`/providers/Microsoft.Authorization/roleDefinitions/${role.name}`);
      expect(role.roleType).toBe('BuiltInRole');
      expect(name.length).toBeGreaterThan(0);
    }
  });

  it('hold every role the constructs assign, and none of them grants * or access', () => {
    const assigned = [
      SERVICE_BUS_DATA_OWNER,
      SERVICE_BUS_DATA_RECEIVER,
      SERVICE_BUS_DATA_SENDER,
      EVENT_HUBS_DATA_RECEIVER,
      EVENT_HUBS_DATA_SENDER,
      NETWORK_CONTRIBUTOR_ROLE,
    ];
    expect(roles.map(([name]) => name).sort()).toEqual([...assigned].sort());
    const named = constructLiterals(/roleDefinitionName: '([^']+)'/g);
    for (const name of named) expect(assigned).toContain(name);
    for (const [name, role] of roles) expect(roleProblems(name, role)).toEqual([]);
  });

  it("records what KEDA's Service Bus role allows: everything of Service Bus, on its scope", () => {
    expect(azureRoles.roles[SERVICE_BUS_DATA_OWNER].permissions).toEqual([
      {
        actions: ['Microsoft.ServiceBus/*'],
        notActions: [],
        dataActions: ['Microsoft.ServiceBus/*'],
        notDataActions: [],
      },
    ]);
  });
});

describe('GR-IAM-10 reads the recorded definitions of assigned built-in roles', () => {
  /** Owner and User Access Administrator as Microsoft publishes them (privileged.md). */
  const OWNER: RecordedRole = {
    name: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    permissions: [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }],
  };
  const USER_ACCESS_ADMINISTRATOR: RecordedRole = {
    name: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
    permissions: [
      {
        actions: ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'],
        notActions: [],
        dataActions: [],
        notDataActions: [],
      },
    ],
  };

  it('finds * and access-granting actions in a definition', () => {
    expect(roleProblems('Owner', OWNER)).toEqual([
      'Owner allows every action (*)',
      'Owner lets its holder grant access: Microsoft.Authorization/roleAssignments/write, Microsoft.Authorization/roleDefinitions/write, Microsoft.Authorization/elevateAccess/action',
    ]);
    expect(roleProblems('User Access Administrator', USER_ACCESS_ADMINISTRATOR)).toEqual([
      'User Access Administrator lets its holder grant access: Microsoft.Authorization/roleAssignments/write, Microsoft.Authorization/roleDefinitions/write, Microsoft.Authorization/elevateAccess/action',
    ]);
  });

  it('accepts the recorded roles on one queue, by name or by definition id, and refuses one it has not recorded', () => {
    const findings = iam10((stack) => {
      const namespace = new ServicebusNamespace(stack, 'Namespace', {
        name: 'fleet-tasks',
        location: 'westeurope',
        resourceGroupName: 'rg-fleet',
        sku: 'Premium',
      });
      const queue = new ServicebusQueue(stack, 'Queue', {
        name: 'chimera-tasks',
        namespaceId: namespace.id,
      });
      const principalId = '00000000-0000-4000-8000-0000000000bb';
      new RoleAssignment(stack, 'KedaOwner', {
        scope: queue.id,
        principalId,
        roleDefinitionName: SERVICE_BUS_DATA_OWNER,
      });
      new RoleAssignment(stack, 'ById', {
        scope: queue.id,
        principalId,
        roleDefinitionId:
          '/subscriptions/00000000-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleDefinitions/4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0',
      });
      new RoleAssignment(stack, 'Owner', {
        scope: queue.id,
        principalId,
        roleDefinitionName: 'Owner',
      });
      new RoleAssignment(stack, 'UnknownId', {
        scope: queue.id,
        principalId,
        roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${OWNER.name}`,
      });
    });
    expect(Object.keys(findings).sort()).toEqual(['Owner', 'UnknownId']);
    expect(findings.Owner).toContain(
      'Owner is not a recorded built-in role: add its definition with its source and date to guardrails/data/azure-built-in-roles.json',
    );
    expect(findings.UnknownId).toContain(
      `roleDefinitions/${OWNER.name} is not a recorded built-in role`,
    );
  });
});
