import { LinuxVirtualMachineScaleSet } from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import {
  MonitorAutoscaleSetting,
  MonitorAutoscaleSettingProfileRuleMetricTrigger,
} from '@cdktf/provider-azurerm/lib/monitor-autoscale-setting';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  agentMachineProblems,
  ResolvedAgent,
  azureZoneProblems,
  DEFAULT_AZURE_ZONES,
  Duration,
  Problem,
  Size,
  ValidationError,
} from '../../model';
import { base64BootScript } from '../vm/boot-script';
import { agentCloudInit, STOP_MARGIN_SECONDS, validateAgentForScaleSet } from './cloud-init';
import { AZURE_MANAGED_BY_TAG } from './provider';

/** A marketplace image. */
export interface VmImage {
  /** Marketplace publisher, e.g. `Canonical`. */
  readonly publisher: string;
  /** Offer of the publisher, e.g. `ubuntu-24_04-lts`. */
  readonly offer: string;
  /** Plan of the offer, e.g. `server`. */
  readonly sku: string;
  /** Version of the image: `latest`, or a pinned version. */
  readonly version: string;
}

/**
 * Ubuntu Server 24.04 LTS (Gen2, Trusted Launch capable) from Canonical: cloud-init
 * and `python3` built in, Docker from the Ubuntu archive, covered by automatic OS
 * image upgrades.
 * @see https://documentation.ubuntu.com/azure/azure-how-to/instances/find-ubuntu-images/
 */
export const UBUNTU_2404: VmImage = {
  publisher: 'Canonical',
  offer: 'ubuntu-24_04-lts',
  sku: 'server',
  version: 'latest',
};

/** Options of {@link ScaleSetSignal.serviceBusQueue}. */
export interface ServiceBusQueueSignalProps {
  /** Resource id of the Service Bus namespace (`AgentServiceBusQueue.namespaceId`). */
  readonly namespaceId: string;
  /** The queue: the `EntityName` dimension of the namespace's metrics. */
  readonly queueName: string;
  /** Active messages one instance handles, the target per instance, more than 0. */
  readonly perInstance: number;
}

/** Options of {@link ScaleSetSignal.custom}. */
export interface CustomMetricSignalProps {
  /** Metric namespace, e.g. `agent-fleet` for metrics the VMs publish. */
  readonly namespace: string;
  /** Metric name, e.g. `chimera_pending_messages_total`. */
  readonly name: string;
  /** Value one instance handles, more than 0; the metric is divided by the instance count. */
  readonly perInstance: number;
  /**
   * Resource id of the resource that emits the metric.
   * @default - the scale set itself (metrics the instances publish)
   */
  readonly resourceId?: string;
}

/**
 * The metric a scale set follows, always per instance (`divide_by_instance_count`):
 * Service Bus queue backlog, or a custom Azure Monitor metric.
 * @see https://learn.microsoft.com/azure/azure-monitor/autoscale/autoscale-common-metrics
 */
export class ScaleSetSignal {
  /** `ActiveMessages` of the namespace, filtered to the queue by `EntityName`. */
  static serviceBusQueue(props: ServiceBusQueueSignalProps): ScaleSetSignal {
    return new ScaleSetSignal(
      props.namespaceId,
      'Microsoft.ServiceBus/namespaces',
      'ActiveMessages',
      props.perInstance,
      [{ name: 'EntityName', operator: 'Equals', values: [props.queueName] }],
    );
  }

  /** A custom metric, e.g. one the agents publish through the Azure Monitor agent. */
  static custom(props: CustomMetricSignalProps): ScaleSetSignal {
    return new ScaleSetSignal(
      props.resourceId,
      props.namespace,
      props.name,
      props.perInstance,
      undefined,
    );
  }

  private constructor(
    /** Resource id of the resource that emits the metric, or `undefined` for the scale set itself. */
    readonly resourceId: string | undefined,
    /** Azure Monitor namespace of the metric, e.g. `Microsoft.ServiceBus/namespaces`. */
    readonly metricNamespace: string,
    /** Name of the metric, e.g. `ActiveMessages`. */
    readonly metricName: string,
    /** The metric's value one instance handles: the scale-out threshold, half of it the scale-in one. */
    readonly perInstance: number,
    /** Dimension filters of the metric, e.g. `EntityName` equal to the queue, or `undefined` for none. */
    readonly dimensions:
      readonly { name: string; operator: string; values: string[] }[] | undefined,
  ) {}
}

/** Instance counts of the autoscale profile. */
export interface ScaleSetCapacity {
  /** Fewest instances, at least 1: the per-instance metric has no value at zero. */
  readonly minimum: number;
  /** Most instances, at most 1000. */
  readonly maximum: number;
  /**
   * Instances held when the metric is missing, and at creation.
   * @default - the minimum
   */
  readonly default?: number;
}

/** The user-assigned identity the VMs run as (`AgentIdentity`). */
export interface ScaleSetIdentity {
  /** Resource id of the identity. */
  readonly id: string;
  /** Client id, passed to the agent as `AZURE_CLIENT_ID`. */
  readonly clientId: string;
}

/** Props of {@link AgentScaleSet}. */
export interface AgentScaleSetProps {
  /** The agent, resolved (`resolveAgent`): a `consumer` with an HTTP or TCP readiness probe. */
  readonly agent: ResolvedAgent;
  /** Resource group of the scale set and its autoscale setting; the caller creates it. */
  readonly resourceGroupName: string;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /** Subnet of the instances' only NIC; its NSG governs their traffic. */
  readonly subnetId: string;
  /** VM size, e.g. `Standard_D2s_v5`: one agent container per instance; must support encryption at host. */
  readonly vmSize: string;
  /** OpenSSH public key (`ssh-ed25519 …` or `ssh-rsa …`) of the admin user; passwords are off. */
  readonly adminSshPublicKey: string;
  /**
   * Admin user the SSH key signs in as: 1 to 32 lower-case letters, digits, `_` or
   * `-`, not a reserved name such as `root` or `admin`.
   * @default 'fleetadmin'
   */
  readonly adminUsername?: string;
  /** The identity the instances run as. */
  readonly identity: ScaleSetIdentity;
  /** What the autoscale rules follow. */
  readonly signal: ScaleSetSignal;
  /** Fewest, most and default instances. */
  readonly capacity: ScaleSetCapacity;
  /** Availability zones to spread over, balanced. @default ['1', '2', '3'] */
  readonly zones?: readonly string[];
  /**
   * Marketplace image the instances boot from; the cloud-init needs `python3` and
   * the archive's `docker.io` package, as Ubuntu has them.
   * @default UBUNTU_2404
   */
  readonly image?: VmImage;
  /**
   * Plain configuration for the agent besides its spec's env (broker address, queue
   * name); never a secret. `AZURE_CLIENT_ID` is added from the identity.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /** OS disk, whole GiB, at least 30 GiB. @default 30 GiB */
  readonly osDiskSize?: Size;
}

/** Scale-out: 5-minute average above the target, one instance more, then 5 minutes quiet. */
const SCALE_OUT = { timeWindow: 'PT5M', cooldown: 'PT5M' };
/** Scale-in: 10-minute average below half the target, one instance less, then 10 minutes quiet. */
const SCALE_IN = { timeWindow: 'PT10M', cooldown: 'PT10M', fraction: 0.5 };

/**
 * One agent type on a Linux VM scale set, scaled by Azure Monitor autoscale:
 * - SSH keys only (`disable_password_authentication`, GR-IAM-07), encryption at host
 *   (GR-ENC-09; the subscription needs the `EncryptionAtHost` feature), Trusted
 *   Launch (secure boot, vTPM), Premium SSD OS disk;
 * - one NIC in the given subnet, no public IP (GR-NET-05's Azure counterpart);
 * - the agent's user-assigned identity only;
 * - `custom_data`: base64 of {@link agentCloudInit} (plain configuration only,
 *   GR-IAM-02), with `AZURE_CLIENT_ID` so SDKs pick the user-assigned identity;
 * - the application health extension probing the agent's readiness endpoint, which
 *   gates rolling upgrades (`upgrade_mode = Rolling`, 20 % per batch), automatic OS
 *   image upgrades with rollback, and automatic instance repair;
 * - no overprovisioning (extra VMs would start consuming and be deleted mid-work),
 *   termination notifications as long as the agent's grace period (5 to 15 minutes)
 *   that the cloud-init's drain service answers;
 * - `lifecycle.ignore_changes = [instances]`: autoscale owns the count.
 *
 * The `azurerm_monitor_autoscale_setting` has one default profile with the
 * capacity's minimum, maximum and default (held while the metric is missing), and
 * two rules on the signal, both with `divide_by_instance_count`: scale out by 1 when
 * the 5-minute average per instance (1-minute grain) is above the target, cooldown
 * 5 minutes; scale in by 1 when the 10-minute average is below half the target,
 * cooldown 10 minutes. The gap between the thresholds keeps the group from flapping.
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/linux_virtual_machine_scale_set
 * @see https://learn.microsoft.com/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-health-extension
 * @see https://learn.microsoft.com/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-automatic-upgrade
 * @see https://learn.microsoft.com/azure/azure-monitor/autoscale/autoscale-best-practices
 */
export class AgentScaleSet extends Construct {
  /** The resource id of the VM scale set. */
  readonly scaleSetId: string;
  /** The name of the VM scale set. */
  readonly scaleSetName: string;
  /** The resource id of the Azure Monitor autoscale setting that scales the set. */
  readonly autoscaleSettingId: string;
  /** The capacity held when the metric is missing. */
  readonly defaultCapacity: number;

  constructor(scope: Construct, id: string, props: AgentScaleSetProps) {
    super(scope, id);
    const problems = validateScaleSet(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const { agent: resolved, capacity, signal } = props;
    const agent = resolved.spec;
    this.defaultCapacity = capacity.default ?? capacity.minimum;
    const cloudInit = agentCloudInit({
      agent: resolved,
      env: { ...props.env, AZURE_CLIENT_ID: props.identity.clientId },
    });
    const notify = terminationTimeoutMinutes(resolved);
    const tags = { ...AZURE_MANAGED_BY_TAG, agent: agent.name };
    const adminUsername = props.adminUsername ?? 'fleetadmin';

    const scaleSet = new LinuxVirtualMachineScaleSet(this, 'Resource', {
      name: agent.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: props.vmSize,
      instances: this.defaultCapacity,
      zones: [...(props.zones ?? DEFAULT_AZURE_ZONES)],
      zoneBalance: true,
      singlePlacementGroup: false,
      overprovision: false,
      adminUsername,
      disablePasswordAuthentication: true,
      adminSshKey: [{ username: adminUsername, publicKey: props.adminSshPublicKey }],
      encryptionAtHostEnabled: true,
      secureBootEnabled: true,
      vtpmEnabled: true,
      sourceImageReference: { ...(props.image ?? UBUNTU_2404) },
      osDisk: {
        caching: 'ReadWrite',
        storageAccountType: 'Premium_LRS',
        diskSizeGb: (props.osDiskSize ?? Size.gibibytes(30)).toMebibytes() / 1024,
      },
      networkInterface: [
        {
          name: 'primary',
          primary: true,
          ipConfiguration: [{ name: 'primary', primary: true, subnetId: props.subnetId }],
        },
      ],
      identity: { type: 'UserAssigned', identityIds: [props.identity.id] },
      customData: base64BootScript(cloudInit.text),
      extension: [
        {
          name: 'health',
          publisher: 'Microsoft.ManagedServices',
          type: 'ApplicationHealthLinux',
          typeHandlerVersion: '2.0',
          autoUpgradeMinorVersion: true,
          settings: JSON.stringify(cloudInit.health),
        },
      ],
      upgradeMode: 'Rolling',
      rollingUpgradePolicy: {
        maxBatchInstancePercent: 20,
        maxUnhealthyInstancePercent: 20,
        maxUnhealthyUpgradedInstancePercent: 20,
        pauseTimeBetweenBatches: 'PT0S',
      },
      automaticOsUpgradePolicy: {
        enableAutomaticOsUpgrade: true,
        disableAutomaticRollback: false,
      },
      automaticInstanceRepair: { enabled: true, gracePeriod: 'PT10M' },
      terminationNotification: { enabled: true, timeout: `PT${notify}M` },
      bootDiagnostics: {},
      tags,
      // Autoscale owns the count.
      lifecycle: { ignoreChanges: ['instances'] },
    });
    this.scaleSetId = scaleSet.id;
    this.scaleSetName = scaleSet.name;

    const trigger = (
      operator: string,
      threshold: number,
      timeWindow: string,
    ): MonitorAutoscaleSettingProfileRuleMetricTrigger => ({
      metricName: signal.metricName,
      metricNamespace: signal.metricNamespace,
      metricResourceId: signal.resourceId ?? scaleSet.id,
      dimensions: signal.dimensions?.map((d) => ({ ...d, values: [...d.values] })),
      divideByInstanceCount: true,
      timeGrain: 'PT1M',
      statistic: 'Average',
      timeWindow,
      timeAggregation: 'Average',
      operator,
      threshold,
    });
    const autoscale = new MonitorAutoscaleSetting(this, 'Autoscale', {
      name: `${agent.name}-autoscale`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      targetResourceId: scaleSet.id,
      enabled: true,
      profile: [
        {
          name: 'default',
          capacity: {
            minimum: capacity.minimum,
            maximum: capacity.maximum,
            default: this.defaultCapacity,
          },
          rule: [
            {
              metricTrigger: trigger('GreaterThan', signal.perInstance, SCALE_OUT.timeWindow),
              scaleAction: {
                direction: 'Increase',
                type: 'ChangeCount',
                value: 1,
                cooldown: SCALE_OUT.cooldown,
              },
            },
            {
              metricTrigger: trigger(
                'LessThan',
                signal.perInstance * SCALE_IN.fraction,
                SCALE_IN.timeWindow,
              ),
              scaleAction: {
                direction: 'Decrease',
                type: 'ChangeCount',
                value: 1,
                cooldown: SCALE_IN.cooldown,
              },
            },
          ],
        },
      ],
      tags,
    });
    this.autoscaleSettingId = autoscale.id;
  }
}

/** The agent's grace period plus margin in whole minutes, at least the Azure minimum of 5. */
function terminationTimeoutMinutes(agent: ResolvedAgent): number {
  const seconds = agent.gracePeriod.toSecondsCeil() + STOP_MARGIN_SECONDS;
  return Math.max(5, Math.ceil(seconds / 60));
}

const SCALE_SET_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,62}[A-Za-z0-9_])?$/;
const ADMIN_USERNAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const RESERVED_USERNAMES = new Set(['root', 'admin', 'administrator', 'user', 'test', 'guest']);

function validateScaleSet(props: AgentScaleSetProps): Problem[] {
  const problems: Problem[] = validateAgentForScaleSet(props.agent.spec, props.env).map((p) => ({
    path: p.path[0] === 'env' ? p.path : ['agent', ...p.path],
    message: p.message,
  }));
  problems.push(
    ...agentMachineProblems(props.agent.spec, props.vmSize, 'azure').map((p) => ({
      ...p,
      path: ['vmSize'],
    })),
  );
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  if (!SCALE_SET_NAME.test(props.agent.spec.name)) {
    add(
      ['agent', 'name'],
      `'${props.agent.spec.name}' cannot name a scale set: 1 to 64 letters, digits, '.', '-' or '_'`,
    );
  }
  const { minimum, maximum } = props.capacity;
  const deflt = props.capacity.default ?? minimum;
  const whole = (field: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      add(['capacity', field], `${value} must be a whole number from ${min} to ${max}`);
      return false;
    }
    return true;
  };
  // The per-instance metric has no value at zero instances.
  const bounds =
    whole('minimum', minimum, 1, 1000) &&
    whole('maximum', maximum, 1, 1000) &&
    whole('default', deflt, 1, 1000);
  if (bounds && minimum > maximum) {
    add(
      ['capacity', 'minimum'],
      `'capacity.minimum' (${minimum}) must be <= 'capacity.maximum' (${maximum})`,
    );
  } else if (bounds && (deflt < minimum || deflt > maximum)) {
    add(
      ['capacity', 'default'],
      `'capacity.default' (${deflt}) must be between 'capacity.minimum' (${minimum}) and 'capacity.maximum' (${maximum})`,
    );
  }
  const { signal } = props;
  if (!(signal.perInstance > 0) || !Number.isFinite(signal.perInstance)) {
    add(['signal', 'perInstance'], `${signal.perInstance} must be a number greater than 0`);
  }
  if (signal.metricNamespace.trim() === '' || signal.metricName.trim() === '') {
    add(['signal'], 'the metric needs a namespace and a name');
  }
  const zones = props.zones ?? DEFAULT_AZURE_ZONES;
  if (zones.length === 0) add(['zones'], 'must list at least one availability zone');
  for (const problem of azureZoneProblems(zones)) add([...problem.path], problem.message);
  const username = props.adminUsername ?? 'fleetadmin';
  if (!ADMIN_USERNAME.test(username) || RESERVED_USERNAMES.has(username)) {
    add(
      ['adminUsername'],
      `'${username}' is not an admin user name: 1 to 32 lower-case letters, digits, '_' or '-', not a reserved name such as 'root' or 'admin'`,
    );
  }
  if (
    !Token.isUnresolved(props.adminSshPublicKey) &&
    !/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( .*)?$/.test(
      props.adminSshPublicKey.trim(),
    )
  ) {
    add(
      ['adminSshPublicKey'],
      "not an OpenSSH public key: 'ssh-ed25519 AAAA…', 'ssh-rsa AAAA…' or 'ecdsa-sha2-nistp256 AAAA…'",
    );
  }
  const seconds = props.agent.gracePeriod.toSecondsCeil() + STOP_MARGIN_SECONDS;
  if (seconds > 15 * 60) {
    add(
      ['agent', 'queue', 'consumer', 'maxProcessingTime'],
      `grace period plus ${STOP_MARGIN_SECONDS}s is ${Duration.seconds(seconds)}: a scale set's termination notice lasts at most 15m`,
    );
  }
  const disk = props.osDiskSize ?? Size.gibibytes(30);
  if (disk.bytes % Size.gibibytes(1).bytes !== 0 || disk.bytes < Size.gibibytes(30).bytes) {
    add(['osDiskSize'], `${disk.toKubernetes()}: use a whole number of GiB, at least 30Gi`);
  }
  return problems;
}
