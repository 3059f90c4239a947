import { TerraformOutput } from 'cdktf';
import { AksNodePool, AksNodePoolSpec } from '../../constructs/azure/aks-node-pool';
import { azurePoolTaints, Size } from '../../model';
import { Block, Synthesized, resourceOf } from '../support/synthesized';
import { synthAzure } from './support';

const CLUSTER_ID =
  '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/prod-weu-rg/providers/Microsoft.ContainerService/managedClusters/prod-weu';
const SUBNET_ID =
  '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/prod-weu-rg/providers/Microsoft.Network/virtualNetworks/prod-weu-vnet/subnets/nodes';

const GENERAL: AksNodePoolSpec = {
  name: 'general',
  vmSize: 'Standard_D4s_v5',
  minCount: 1,
  maxCount: 6,
};

const GPU: AksNodePoolSpec = {
  name: 'gpu',
  vmSize: 'Standard_NC4as_T4_v3',
  capacity: 'spot',
  minCount: 0,
  maxCount: 4,
  zones: ['1'],
  diskSize: Size.gibibytes(256),
  gpu: { count: 1, model: 'nvidia-tesla-t4' },
  labels: { 'hardware-type': 'gpu' },
  taints: [{ key: 'workload', value: 'inference', effect: 'NoExecute' }],
};

function synthPool(pool: AksNodePoolSpec): Synthesized {
  return synthAzure(
    (stack) =>
      new AksNodePool(stack, pool.name, { cluster: { id: CLUSTER_ID }, subnetId: SUBNET_ID, pool }),
  );
}

function nodePool(json: Synthesized): Block {
  return resourceOf(json, 'azurerm_kubernetes_cluster_node_pool');
}

describe('defaults of a general pool', () => {
  const json = synthPool(GENERAL);
  const pool = nodePool(json);

  it('runs an autoscaled user pool of regular Azure Linux nodes over three zones', () => {
    expect(pool).toMatchObject({
      name: 'general',
      kubernetes_cluster_id: CLUSTER_ID,
      vnet_subnet_id: SUBNET_ID,
      mode: 'User',
      vm_size: 'Standard_D4s_v5',
      os_type: 'Linux',
      os_sku: 'AzureLinux',
      os_disk_size_gb: 128,
      auto_scaling_enabled: true,
      min_count: 1,
      max_count: 6,
      node_count: 1,
      zones: ['1', '2', '3'],
      priority: 'Regular',
      temporary_name_for_rotation: 'generaltmp',
      node_labels: { 'agent-fleet.dev/pool': 'general' },
      tags: { 'managed-by': 'agent-fleet' },
    });
    expect(pool).not.toHaveProperty('node_taints');
    expect(pool).not.toHaveProperty('eviction_policy');
    expect(pool).not.toHaveProperty('spot_max_price');
  });

  it('encrypts at host and gives nodes no public IP (GR-ENC-08, GR-NET-07)', () => {
    expect(pool).toMatchObject({ host_encryption_enabled: true, node_public_ip_enabled: false });
  });

  it('leaves the node count to the cluster autoscaler', () => {
    expect(pool.lifecycle).toEqual({ ignore_changes: ['node_count'] });
  });
});

describe('a spot GPU pool', () => {
  const json = synthPool(GPU);
  const pool = nodePool(json);

  it('runs on spot capacity, deleted on eviction, at most the on-demand price', () => {
    expect(pool).toMatchObject({
      priority: 'Spot',
      eviction_policy: 'Delete',
      spot_max_price: -1,
      min_count: 0,
      node_count: 0,
      zones: ['1'],
      os_disk_size_gb: 256,
    });
  });

  it('declares its taints, the GPU taint and the taint AKS puts on spot nodes', () => {
    expect(pool.node_taints).toEqual([
      'workload=inference:NoExecute',
      'nvidia.com/gpu=present:NoSchedule',
      'kubernetes.azure.com/scalesetpriority=spot:NoSchedule',
    ]);
  });

  it('declares its labels, the pool label and the label AKS puts on spot nodes', () => {
    expect(pool.node_labels).toEqual({
      'hardware-type': 'gpu',
      'agent-fleet.dev/pool': 'gpu',
      'kubernetes.azure.com/scalesetpriority': 'spot',
    });
  });
});

describe('azurePoolTaints', () => {
  it('adds nothing to an on-demand CPU pool', () => {
    expect(azurePoolTaints(GENERAL)).toEqual([]);
  });

  it('adds the spot taint to a spot pool', () => {
    expect(azurePoolTaints({ ...GENERAL, capacity: 'spot' })).toEqual([
      { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' },
    ]);
  });

  it('adds the GPU taint to a GPU pool', () => {
    expect(azurePoolTaints({ ...GENERAL, gpu: { count: 1, model: 'nvidia-tesla-t4' } })).toEqual([
      { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
    ]);
  });

  it('keeps a declared taint instead of adding a second one with its key', () => {
    const declared = { ...GPU, taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' as const }] };
    expect(azurePoolTaints(declared)).toEqual([
      { key: 'nvidia.com/gpu', effect: 'NoSchedule' },
      { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' },
    ]);
    expect(nodePool(synthPool(declared)).node_taints).toEqual([
      'nvidia.com/gpu:NoSchedule',
      'kubernetes.azure.com/scalesetpriority=spot:NoSchedule',
    ]);
  });
});

describe('outputs', () => {
  it('exposes the labels and taints the nodes carry', () => {
    let pool: AksNodePool | undefined;
    const json = synthAzure((stack) => {
      pool = new AksNodePool(stack, 'gpu', {
        cluster: { id: CLUSTER_ID },
        subnetId: SUBNET_ID,
        pool: GPU,
      });
      new TerraformOutput(stack, 'pool', { value: pool.id });
    });
    expect(pool!.labels).toEqual(nodePool(json).node_labels);
    expect(pool!.taints).toEqual([
      { key: 'workload', value: 'inference', effect: 'NoExecute' },
      { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
      { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' },
    ]);
    expect(json.output.pool.value).toMatch(
      /^\$\{azurerm_kubernetes_cluster_node_pool\.gpu_\w+\.id\}$/,
    );
  });
});

describe('validation', () => {
  it('refuses a pool name AKS does not accept, naming the allowed form', () => {
    expect(() => synthPool({ ...GENERAL, name: 'General-Pool' })).toThrow(
      "'name': 'General-Pool' is not an AKS node pool name: 1 to 12 lowercase letters or digits, starting with a letter",
    );
    expect(() => synthPool({ ...GENERAL, name: 'averylongname1' })).toThrow(
      /'averylongname1' is not an AKS node pool name/,
    );
    expect(() => synthPool({ ...GENERAL, name: '1pool' })).toThrow(/'1pool' is not an AKS/);
  });

  it('lists every other problem with its field', () => {
    expect(() =>
      synthPool({
        ...GENERAL,
        vmSize: 'D4 v5',
        minCount: -1,
        maxCount: 1001,
        zones: ['0'],
        diskSize: Size.gibibytes(16),
        gpu: { count: 0, model: 'nvidia-tesla-t4' },
        labels: { 'agent-fleet.dev/pool': 'other', 'kubernetes.azure.com/mode': 'user' },
        taints: [
          { key: 'a', effect: 'NoSchedule' },
          { key: 'a', effect: 'NoExecute' },
        ],
      }),
    ).toThrow(
      new RegExp(
        [
          "'vmSize': 'D4 v5' is not an Azure VM size",
          "'minCount': -1 must be a whole number from 0 to 1000",
          "'maxCount': 1001 must be a whole number from 1 to 1000",
          "'zones\\[0\\]': '0' is not an Azure availability zone",
          "'diskSize': 16Gi is not allowed: use a whole number of GiB from 30Gi to 2048Gi",
          "'gpu.count': 0 must be a whole number >= 1",
          "'labels.agent-fleet.dev/pool': 'other' differs from the pool name 'general'",
          "'taints\\[1\\].key': 'a' is tainted twice",
          "'labels.kubernetes.azure.com/mode': 'kubernetes.azure.com/mode' is not allowed",
        ].join('[\\s\\S]*'),
      ),
    );
  });

  it('refuses a minimum above the maximum', () => {
    expect(() => synthPool({ ...GENERAL, minCount: 5, maxCount: 2 })).toThrow(
      "'minCount': 'minCount' (5) must be <= 'maxCount' (2)",
    );
  });
});
