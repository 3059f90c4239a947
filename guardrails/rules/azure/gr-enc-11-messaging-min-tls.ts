import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';

/**
 * GR-ENC-11: Event Hubs and Service Bus namespaces refuse clients below
 * TLS 1.2, stated explicitly (`minimum_tls_version = "1.2"`) rather than left
 * to a provider default.
 * @see Checkov CKV_AZURE_223 (Event Hubs); the same setting on Service Bus
 * @see https://learn.microsoft.com/azure/event-hubs/transport-layer-security-configure-minimum-version
 * @see https://learn.microsoft.com/azure/service-bus-messaging/transport-layer-security-configure-minimum-version
 */
export const messagingMinimumTls: GuardrailRule = {
  id: 'GR-ENC-11',
  level: 'error',
  summary: 'Event Hubs and Service Bus namespaces require TLS 1.2 or later',
  fix: 'no environment-file field: the fleet\'s Event Hubs and Service Bus namespaces require TLS 1.2; set minimum_tls_version = "1.2" on a namespace of your own',
  appliesTo: ['azurerm_eventhub_namespace', 'azurerm_servicebus_namespace'],
  evaluate(namespace) {
    const version = namespace.attributes.minimum_tls_version;
    if (version === undefined) return violation('minimum_tls_version not set');
    const match = /^1\.(\d+)$/.exec(String(version));
    if (match && Number(match[1]) >= 2) return COMPLIANT;
    return violation(`minimum_tls_version is ${JSON.stringify(version)}`);
  },
};
