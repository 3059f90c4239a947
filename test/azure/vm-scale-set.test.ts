import { TerraformStack } from 'cdktf';
import { AgentIdentity } from '../../constructs/azure/agent-identity';
import { ServiceBusNamespace } from '../../constructs/azure/service-bus';
import {
  AgentScaleSet,
  AgentScaleSetProps,
  ScaleSetSignal,
} from '../../constructs/azure/vm-scale-set';
import { Duration, resolveAgent, Size, ValidationError } from '../../model';
import { chimeraAgent } from '../support/fixtures';
import { Block, Synthesized, resourceOf } from '../support/synthesized';
import { LOCATION, synthAzure } from './support';

const SUBNET =
  '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/fleet/subnets/agents';
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFleetExampleKeyOnlyForTests fleet@ops';

type Overrides = Partial<AgentScaleSetProps> & { queueSignal?: boolean };

function synth(overrides: Overrides = {}): Synthesized {
  return synthAzure((stack: TerraformStack) => {
    const identity = new AgentIdentity(stack, 'identity', {
      name: 'chimera-data-ingest',
      resourceGroupName: 'fleet-westeurope',
      location: LOCATION,
      oidcIssuerUrl: 'https://westeurope.oic.prod-aks.azure.com/tenant/cluster/',
    });
    const bus = new ServiceBusNamespace(stack, 'bus', {
      name: 'fleet-prod-weu',
      resourceGroupName: 'fleet-westeurope',
      location: LOCATION,
    });
    const queue = bus.addQueue({ binding: { queue: 'chimera-tasks' } });
    new AgentScaleSet(stack, 'vmss', {
      agent: resolveAgent(chimeraAgent()),
      resourceGroupName: 'fleet-westeurope',
      location: LOCATION,
      subnetId: SUBNET,
      vmSize: 'Standard_D2s_v5',
      adminSshPublicKey: SSH_KEY,
      identity,
      signal: ScaleSetSignal.serviceBusQueue({
        namespaceId: queue.namespaceId,
        queueName: 'chimera-tasks',
        perInstance: 25,
      }),
      capacity: { minimum: 1, maximum: 8 },
      env: { FLEET_QUEUE_NAMESPACE: 'fleet-prod-weu', FLEET_QUEUE_NAME: 'chimera-tasks' },
      ...overrides,
    });
  });
}

function cloudInitOf(scaleSet: Block): string {
  const data = scaleSet.custom_data as string;
  // References make Terraform encode: base64encode(join("", [...])).
  const match = /^\$\{base64encode\(join\("", \[(.*)\]\)\)\}$/s.exec(data);
  expect(match).not.toBeNull();
  return match![1];
}

describe('AgentScaleSet defaults', () => {
  const json = synth();
  const scaleSet = resourceOf(json, 'azurerm_linux_virtual_machine_scale_set');

  it('makes one scale set and one autoscale setting', () => {
    expect(Object.keys(json.resource).sort()).toEqual([
      'azurerm_linux_virtual_machine_scale_set',
      'azurerm_monitor_autoscale_setting',
      'azurerm_servicebus_namespace',
      'azurerm_servicebus_queue',
      'azurerm_user_assigned_identity',
    ]);
    expect(scaleSet).toMatchObject({
      name: 'chimera-data-ingest',
      resource_group_name: 'fleet-westeurope',
      location: LOCATION,
      sku: 'Standard_D2s_v5',
      instances: 1,
      zones: ['1', '2', '3'],
      zone_balance: true,
      overprovision: false,
      tags: { 'managed-by': 'agent-fleet', agent: 'chimera-data-ingest' },
    });
  });

  it('allows SSH keys only (GR-IAM-07)', () => {
    expect(scaleSet.disable_password_authentication).toBe(true);
    expect(scaleSet).not.toHaveProperty('admin_password');
    expect(scaleSet.admin_username).toBe('fleetadmin');
    expect(scaleSet.admin_ssh_key).toEqual([{ username: 'fleetadmin', public_key: SSH_KEY }]);
  });

  it('encrypts at host (GR-ENC-09) and boots trusted from Ubuntu 24.04', () => {
    expect(scaleSet.encryption_at_host_enabled).toBe(true);
    expect(scaleSet.secure_boot_enabled).toBe(true);
    expect(scaleSet.vtpm_enabled).toBe(true);
    expect(scaleSet.source_image_reference).toEqual({
      publisher: 'Canonical',
      offer: 'ubuntu-24_04-lts',
      sku: 'server',
      version: 'latest',
    });
    expect(scaleSet.os_disk).toEqual({
      caching: 'ReadWrite',
      storage_account_type: 'Premium_LRS',
      disk_size_gb: 30,
    });
  });

  it('has one NIC in the subnet without a public IP', () => {
    expect(scaleSet.network_interface).toEqual([
      {
        name: 'primary',
        primary: true,
        ip_configuration: [{ name: 'primary', primary: true, subnet_id: SUBNET }],
      },
    ]);
    expect(JSON.stringify(scaleSet.network_interface)).not.toContain('public_ip_address');
  });

  it("runs as the agent's user-assigned identity only", () => {
    expect(scaleSet.identity).toEqual({
      type: 'UserAssigned',
      identity_ids: [expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.\w+\.id\}$/)],
    });
  });

  it('rolls upgrades gated by the health extension on the readiness endpoint', () => {
    expect(scaleSet.upgrade_mode).toBe('Rolling');
    expect(scaleSet.rolling_upgrade_policy).toMatchObject({
      max_batch_instance_percent: 20,
      max_unhealthy_instance_percent: 20,
      max_unhealthy_upgraded_instance_percent: 20,
    });
    expect(scaleSet.automatic_os_upgrade_policy).toEqual({
      enable_automatic_os_upgrade: true,
      disable_automatic_rollback: false,
    });
    expect(scaleSet.automatic_instance_repair).toEqual({ enabled: true, grace_period: 'PT10M' });
    const [health] = scaleSet.extension;
    expect(health).toMatchObject({
      publisher: 'Microsoft.ManagedServices',
      type: 'ApplicationHealthLinux',
      type_handler_version: '2.0',
    });
    expect(JSON.parse(health.settings)).toEqual({
      protocol: 'http',
      port: 8080,
      requestPath: '/ready',
    });
  });

  it('notifies termination for the grace period (135 s + 30 s, at least 5 minutes)', () => {
    expect(scaleSet.termination_notification).toEqual({ enabled: true, timeout: 'PT5M' });
  });

  it('lets autoscale own the instance count', () => {
    expect(scaleSet.lifecycle).toEqual({ ignore_changes: ['instances'] });
  });

  it('passes the cloud-init with the identity client id as AZURE_CLIENT_ID', () => {
    const text = cloudInitOf(scaleSet);
    expect(text).toContain('#cloud-config');
    expect(text).toContain('docker.io');
    expect(text).toContain('FLEET_QUEUE_NAME=chimera-tasks');
    expect(text).toMatch(/AZURE_CLIENT_ID=", azurerm_user_assigned_identity\.\w+\.client_id, "/);
  });

  it('puts no secret in the output', () => {
    expect(JSON.stringify(json)).not.toMatch(
      /admin_password|"password"|SharedAccessKey|PRIVATE KEY/i,
    );
  });
});

describe('autoscale', () => {
  const json = synth();
  const setting = resourceOf(json, 'azurerm_monitor_autoscale_setting');
  const [profile] = setting.profile;
  const [out, scaleIn] = profile.rule;

  it('targets the scale set with one default profile; default capacity is the minimum', () => {
    expect(setting.name).toBe('chimera-data-ingest-autoscale');
    expect(setting.target_resource_id).toMatch(
      /^\$\{azurerm_linux_virtual_machine_scale_set\.\w+\.id\}$/,
    );
    expect(setting.profile).toHaveLength(1);
    expect(profile.capacity).toEqual({ minimum: 1, maximum: 8, default: 1 });
  });

  it('scales out on ActiveMessages of the queue per instance above the target', () => {
    expect(out.metric_trigger).toEqual({
      metric_name: 'ActiveMessages',
      metric_namespace: 'Microsoft.ServiceBus/namespaces',
      metric_resource_id: expect.stringMatching(/^\$\{azurerm_servicebus_namespace\.\w+\.id\}$/),
      dimensions: [{ name: 'EntityName', operator: 'Equals', values: ['chimera-tasks'] }],
      divide_by_instance_count: true,
      time_grain: 'PT1M',
      statistic: 'Average',
      time_window: 'PT5M',
      time_aggregation: 'Average',
      operator: 'GreaterThan',
      threshold: 25,
    });
    expect(out.scale_action).toEqual({
      direction: 'Increase',
      type: 'ChangeCount',
      value: 1,
      cooldown: 'PT5M',
    });
  });

  it('scales in below half the target over 10 minutes, with a 10-minute cooldown', () => {
    expect(scaleIn.metric_trigger).toMatchObject({
      metric_name: 'ActiveMessages',
      divide_by_instance_count: true,
      time_window: 'PT10M',
      operator: 'LessThan',
      threshold: 12.5,
    });
    expect(scaleIn.scale_action).toEqual({
      direction: 'Decrease',
      type: 'ChangeCount',
      value: 1,
      cooldown: 'PT10M',
    });
  });

  it('follows a custom metric of the scale set itself, with a default capacity', () => {
    const custom = synth({
      signal: ScaleSetSignal.custom({
        namespace: 'agent-fleet',
        name: 'chimera_pending_messages_total',
        perInstance: 1000,
      }),
      capacity: { minimum: 2, maximum: 10, default: 4 },
    });
    const scaleSet = resourceOf(custom, 'azurerm_linux_virtual_machine_scale_set');
    const [customProfile] = resourceOf(custom, 'azurerm_monitor_autoscale_setting').profile;
    expect(customProfile.capacity).toEqual({ minimum: 2, maximum: 10, default: 4 });
    expect(scaleSet.instances).toBe(4);
    expect(customProfile.rule[0].metric_trigger).toMatchObject({
      metric_name: 'chimera_pending_messages_total',
      metric_namespace: 'agent-fleet',
      metric_resource_id: expect.stringMatching(
        /^\$\{azurerm_linux_virtual_machine_scale_set\.\w+\.id\}$/,
      ),
      divide_by_instance_count: true,
      threshold: 1000,
    });
    expect(customProfile.rule[0].metric_trigger).not.toHaveProperty('dimensions');
  });
});

describe('options', () => {
  it('takes zones, an admin name and a bigger disk', () => {
    const scaleSet = resourceOf(
      synth({ zones: ['1', '2'], adminUsername: 'ops', osDiskSize: Size.gibibytes(64) }),
      'azurerm_linux_virtual_machine_scale_set',
    );
    expect(scaleSet.zones).toEqual(['1', '2']);
    expect(scaleSet.admin_username).toBe('ops');
    expect(scaleSet.os_disk.disk_size_gb).toBe(64);
  });

  it('lengthens the termination notice with the processing time', () => {
    const agent = chimeraAgent();
    const slow = chimeraAgent({
      queue: { ...agent.queue!, consumer: { maxProcessingTime: Duration.minutes(9) } },
    });
    const scaleSet = resourceOf(
      synth({ agent: resolveAgent(slow) }),
      'azurerm_linux_virtual_machine_scale_set',
    );
    // 5 s + 540 s + 10 s + 30 s = 585 s: 10 minutes.
    expect(scaleSet.termination_notification.timeout).toBe('PT10M');
  });
});

describe('validation', () => {
  it('refuses min > max, naming both', () => {
    expect(() => synth({ capacity: { minimum: 5, maximum: 3 } })).toThrow(
      "'capacity.minimum': 'capacity.minimum' (5) must be <= 'capacity.maximum' (3)",
    );
  });

  it('refuses a default outside the bounds and a zero minimum', () => {
    expect(() => synth({ capacity: { minimum: 2, maximum: 4, default: 5 } })).toThrow(
      "'capacity.default': 'capacity.default' (5) must be between 'capacity.minimum' (2) and 'capacity.maximum' (4)",
    );
    expect(() => synth({ capacity: { minimum: 0, maximum: 4 } })).toThrow(
      "'capacity.minimum': 0 must be a whole number from 1 to 1000",
    );
  });

  it('refuses a bad target, zones, admin name, SSH key and disk, all at once', () => {
    const build = () =>
      synth({
        signal: ScaleSetSignal.custom({ namespace: 'agent-fleet', name: 'x', perInstance: 0 }),
        zones: ['4'],
        adminUsername: 'root',
        adminSshPublicKey: 'not a key',
        osDiskSize: Size.gibibytes(20),
      });
    expect(build).toThrow(ValidationError);
    expect(build).toThrow(/test\/vmss: 5 problem\(s\)/);
    expect(build).toThrow("'signal.perInstance': 0 must be a number greater than 0");
    expect(build).toThrow("'zones[0]': '4' is not an Azure availability zone: use '1', '2' or '3'");
    expect(build).toThrow("'adminUsername': 'root' is not an admin user name");
    expect(build).toThrow("'adminSshPublicKey': not an OpenSSH public key");
    expect(build).toThrow("'osDiskSize': 20Gi: use a whole number of GiB, at least 30Gi");
  });

  it('refuses a grace period longer than the 15-minute termination notice', () => {
    const agent = chimeraAgent();
    const slow = chimeraAgent({
      queue: { ...agent.queue!, consumer: { maxProcessingTime: Duration.minutes(15) } },
    });
    expect(() => synth({ agent: resolveAgent(slow) })).toThrow(
      "'agent.queue.consumer.maxProcessingTime': grace period plus 30s is 945s: a scale set's termination notice lasts at most 15m",
    );
  });

  it('refuses a secret-like env name', () => {
    expect(() => synth({ env: { QUEUE_TOKEN: 'x' } })).toThrow(
      "'env.QUEUE_TOKEN': looks like a secret",
    );
  });
});
