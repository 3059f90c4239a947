import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { Construct } from 'constructs';
import {
  AgentSpec,
  AzureSiteSpec,
  BrokerSpec,
  Duration,
  KafkaBrokerSpec,
  keyValueState,
  Problem,
  ServiceBusBrokerSpec,
  ValidationError,
} from '../../model';
import { CosmosDbAccount, isCosmosAccountName } from './cosmos-db';
import { EventHubsNamespace, isEventHubsNamespaceName } from './event-hubs';
import { AZURE_MANAGED_BY_TAG } from './provider';
import { isServiceBusNamespaceName, ServiceBusNamespace } from './service-bus';

/**
 * Private DNS zone of Service Bus and Event Hubs private endpoints: both services
 * answer under `servicebus.windows.net` and share the zone.
 * @see https://learn.microsoft.com/azure/private-link/private-endpoint-dns#integration
 */
export const SERVICE_BUS_PRIVATE_DNS_ZONE = 'privatelink.servicebus.windows.net';

/** Private DNS zone of Cosmos DB (API for NoSQL) private endpoints. */
export const COSMOS_PRIVATE_DNS_ZONE = 'privatelink.documents.azure.com';

/** Private Link sub-resource (group id) of Service Bus and Event Hubs namespaces. */
export const NAMESPACE_SUBRESOURCE = 'namespace';

/** Private Link sub-resource (group id) of a Cosmos DB account's API for NoSQL. */
export const COSMOS_SQL_SUBRESOURCE = 'Sql';

/** Props of {@link AzureSiteBrokers}. */
export interface AzureSiteBrokersProps {
  /** Name of the environment; with the site's, it prefixes every name. */
  readonly environment: string;
  /** The Azure site: its name, location and network. */
  readonly site: AzureSiteSpec;
  /** The environment's brokers; the Service Bus and Event Hubs brokers of the site are built. */
  readonly brokers: readonly BrokerSpec[];
  /**
   * The agent types placed on the site, with the site's overrides applied: when any
   * keeps state, the site gets its Cosmos DB account.
   * @default [] - no Cosmos DB account
   */
  readonly agents?: readonly AgentSpec[];
  /** The site's resource group; the caller creates it. */
  readonly resourceGroupName: string;
  /** Resource id of the site's VNet, which the private DNS zones are linked to. */
  readonly vnetId: string;
  /** Subnet of the private endpoints (`PrivateVirtualNetwork.privateEndpointSubnetId`). */
  readonly privateEndpointSubnetId: string;
  /**
   * Production keeps 30 days of continuous Cosmos DB backup (GR-DUR-03); other
   * environments keep 7.
   * @default false
   */
  readonly production?: boolean;
}

/**
 * The managed brokers and database of an Azure site, each named
 * `<environment>-<site>-<name>`:
 * - per `servicebus` broker of the site, a {@link ServiceBusNamespace} (Premium
 *   unless the broker says `Standard`);
 * - per Kafka broker with `eventHubs` on the site, an {@link EventHubsNamespace}
 *   (Premium unless the broker says `Standard`);
 * - when an agent of the site keeps state, one {@link CosmosDbAccount}
 *   `<environment>-<site>-state`, 30 days of continuous backup in production.
 *
 * All three turn public network access off (a Standard Service Bus namespace cannot:
 * Private Link is Premium-only there, and it stays public with Entra ID only). Each
 * of the others gets a private endpoint in the site's private-endpoint subnet,
 * registered in its private DNS zone ({@link SERVICE_BUS_PRIVATE_DNS_ZONE}, shared by
 * Service Bus and Event Hubs, and {@link COSMOS_PRIVATE_DNS_ZONE}), which is linked to
 * the VNet: the AKS nodes and scale sets resolve the public names to the private
 * addresses without any client change.
 *
 * Names are checked together, before anything is built. Children take the broker's
 * name (`<broker>/Namespace`, `<broker>/PrivateEndpoint`) or a fixed id (`State`,
 * `ServiceBusDns`, `CosmosDns`): renaming a broker replaces its namespace.
 * @see https://learn.microsoft.com/azure/private-link/private-endpoint-overview
 * @see https://learn.microsoft.com/azure/service-bus-messaging/private-link-service
 * @see https://learn.microsoft.com/azure/event-hubs/private-link-service
 * @see https://learn.microsoft.com/azure/cosmos-db/how-to-configure-private-endpoints
 */
export class AzureSiteBrokers extends Construct {
  /** Service Bus namespaces by broker name. */
  readonly serviceBus: ReadonlyMap<string, ServiceBusNamespace>;
  /** Event Hubs namespaces by broker name. */
  readonly eventHubs: ReadonlyMap<string, EventHubsNamespace>;
  /** The site's Cosmos DB account; undefined when no agent of the site keeps state. */
  readonly cosmos?: CosmosDbAccount;
  /** Resource ids of the private endpoints, by broker name, and `state` for Cosmos DB. */
  readonly privateEndpointIds: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: AzureSiteBrokersProps) {
    super(scope, id);
    const { site } = props;
    const plan = planSite(props);
    if (plan.problems.length > 0) throw new ValidationError(this.node.path, plan.problems);
    const common = { resourceGroupName: props.resourceGroupName, location: site.location };
    const tags = { ...AZURE_MANAGED_BY_TAG };

    const zones = new Map<string, string>();
    const zoneId = (constructId: string, zoneName: string): string => {
      const known = zones.get(zoneName);
      if (known) return known;
      const zoneScope = new Construct(this, constructId);
      const zone = new PrivateDnsZone(zoneScope, 'Resource', {
        name: zoneName,
        resourceGroupName: props.resourceGroupName,
        tags,
      });
      new PrivateDnsZoneVirtualNetworkLink(zoneScope, 'VnetLink', {
        name: `${props.environment}-${site.name}-vnet`,
        resourceGroupName: props.resourceGroupName,
        privateDnsZoneName: zone.name,
        virtualNetworkId: props.vnetId,
        // The zone only answers; nothing in the VNet registers its own records here.
        registrationEnabled: false,
        tags,
      });
      zones.set(zoneName, zone.id);
      return zone.id;
    };
    const endpoints = new Map<string, string>();
    const privateEndpoint = (
      parent: Construct,
      key: string,
      target: { name: string; resourceId: string; subresource: string; dnsZoneId: string },
    ) => {
      const { name, resourceId, subresource, dnsZoneId } = target;
      const endpoint = new PrivateEndpoint(parent, 'PrivateEndpoint', {
        ...common,
        name: `${name}-pe`,
        subnetId: props.privateEndpointSubnetId,
        customNetworkInterfaceName: `${name}-pe-nic`,
        privateServiceConnection: {
          name: `${name}-${subresource.toLowerCase()}`,
          isManualConnection: false,
          privateConnectionResourceId: resourceId,
          subresourceNames: [subresource],
        },
        privateDnsZoneGroup: { name: 'default', privateDnsZoneIds: [dnsZoneId] },
        tags,
      });
      endpoints.set(key, endpoint.id);
    };

    const serviceBus = new Map<string, ServiceBusNamespace>();
    for (const { broker, name } of plan.serviceBus) {
      const brokerScope = new Construct(this, broker.name);
      const namespace = new ServiceBusNamespace(brokerScope, 'Namespace', {
        ...common,
        name,
        sku: broker.sku ?? 'Premium',
      });
      serviceBus.set(broker.name, namespace);
      if (namespace.sku !== 'Premium') continue;
      privateEndpoint(brokerScope, broker.name, {
        name,
        resourceId: namespace.namespaceId,
        subresource: NAMESPACE_SUBRESOURCE,
        dnsZoneId: zoneId('ServiceBusDns', SERVICE_BUS_PRIVATE_DNS_ZONE),
      });
    }

    const eventHubs = new Map<string, EventHubsNamespace>();
    for (const { broker, name } of plan.eventHubs) {
      const brokerScope = new Construct(this, broker.name);
      const namespace = new EventHubsNamespace(brokerScope, 'Namespace', {
        ...common,
        name,
        sku: broker.eventHubs?.sku ?? 'Premium',
        capacity: broker.eventHubs?.capacity,
      });
      eventHubs.set(broker.name, namespace);
      privateEndpoint(brokerScope, broker.name, {
        name,
        resourceId: namespace.namespaceId,
        subresource: NAMESPACE_SUBRESOURCE,
        dnsZoneId: zoneId('ServiceBusDns', SERVICE_BUS_PRIVATE_DNS_ZONE),
      });
    }

    if (plan.cosmos) {
      const stateScope = new Construct(this, 'State');
      this.cosmos = new CosmosDbAccount(stateScope, 'Account', {
        ...common,
        name: plan.cosmos,
        backupRetention: Duration.days(props.production ? 30 : 7),
      });
      privateEndpoint(stateScope, 'state', {
        name: plan.cosmos,
        resourceId: this.cosmos.accountId,
        subresource: COSMOS_SQL_SUBRESOURCE,
        dnsZoneId: zoneId('CosmosDns', COSMOS_PRIVATE_DNS_ZONE),
      });
    }
    this.serviceBus = serviceBus;
    this.eventHubs = eventHubs;
    this.privateEndpointIds = endpoints;
  }
}

/** What the site builds, and the problems of its names. */
interface SitePlan {
  readonly serviceBus: { broker: ServiceBusBrokerSpec; name: string }[];
  readonly eventHubs: { broker: KafkaBrokerSpec; name: string }[];
  /** Name of the Cosmos DB account, when an agent keeps state. @default - none: no agent keeps state */
  readonly cosmos?: string;
  readonly problems: Problem[];
}

function planSite(props: AzureSiteBrokersProps): SitePlan {
  const { site } = props;
  const prefix = `${props.environment}-${site.name}`;
  const problems: Problem[] = [];
  const serviceBus: SitePlan['serviceBus'] = [];
  const eventHubs: SitePlan['eventHubs'] = [];
  props.brokers.forEach((broker, index) => {
    const name = `${prefix}-${broker.name}`;
    const path = ['brokers', index, 'name'];
    if (broker.kind === 'servicebus' && broker.site === site.name) {
      if (!isServiceBusNamespaceName(name)) {
        problems.push({
          path,
          message: `'${name}' (<environment>-<site>-<broker>) is not a Service Bus namespace name: 6 to 50 letters, digits or '-', starting with a letter, ending with a letter or digit, not ending in '-sb' or '-mgmt'; rename broker '${broker.name}'`,
        });
      }
      serviceBus.push({ broker, name });
    }
    if (broker.kind === 'kafka' && broker.eventHubs?.site === site.name) {
      if (!isEventHubsNamespaceName(name)) {
        problems.push({
          path,
          message: `'${name}' (<environment>-<site>-<broker>) is not an Event Hubs namespace name: 6 to 50 letters, digits or '-', starting with a letter, ending with a letter or digit; rename broker '${broker.name}'`,
        });
      }
      eventHubs.push({ broker, name });
    }
  });
  const stateful = (props.agents ?? []).some((agent) => keyValueState(agent.state));
  const cosmos = stateful ? `${prefix}-state` : undefined;
  if (cosmos && !isCosmosAccountName(cosmos)) {
    problems.push({
      path: ['site', 'name'],
      message: `'${cosmos}' (<environment>-<site>-state) is not a Cosmos DB account name: 3 to 44 lower-case letters, digits or '-', starting and ending with a letter or digit`,
    });
  }
  return { serviceBus, eventHubs, cosmos, problems };
}
