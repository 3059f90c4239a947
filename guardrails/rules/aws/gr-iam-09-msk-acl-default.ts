import { COMPLIANT, GuardrailRule, ResourceView, violation } from '../../engine/types';
import { block, isTrue } from '../support/terraform';

const SETTING = 'allow.everyone.if.no.acl.found';

/** The value of a property in MSK `server_properties` (Java properties format), if stated. */
function property(serverProperties: unknown, name: string): string | undefined {
  if (typeof serverProperties !== 'string') return undefined;
  let value: string | undefined;
  for (const line of serverProperties.split(/\r?\n/)) {
    const match = /^\s*([^#!=:\s]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (match && match[1] === name) value = match[2];
  }
  return value;
}

function judgeConfiguration(configuration: ResourceView) {
  const value = property(configuration.attributes.server_properties, SETTING);
  if (value === 'false') return COMPLIANT;
  return violation(
    value === undefined
      ? `${SETTING} is not stated: MSK's default is true`
      : `${SETTING} is ${value}`,
  );
}

function judgeCluster(cluster: ResourceView) {
  const auth = block(cluster.attributes.client_authentication);
  const sasl = block(auth?.sasl);
  const iam = isTrue(sasl?.iam);
  const acls = isTrue(sasl?.scram) || block(auth?.tls) !== undefined;
  if (!auth || isTrue(auth.unauthenticated) || (!iam && !acls))
    return violation('clients may connect unauthenticated: use SASL/IAM or SASL/SCRAM');
  if (!acls) return COMPLIANT;
  const arn: unknown = block(cluster.attributes.configuration_info)?.arn;
  if (arn === undefined)
    return violation(`Kafka ACLs with MSK's default configuration, where ${SETTING} is true`);
  // The configuration's own value is judged on the aws_msk_configuration.
  return COMPLIANT;
}

/**
 * GR-IAM-09: MSK clients authenticate (SASL/IAM or SASL/SCRAM, never
 * unauthenticated), and MSK configurations state
 * `allow.everyone.if.no.acl.found=false`: MSK's default configuration has it
 * `true`, which opens every topic without an ACL to every client once Kafka
 * ACLs are in use (SCRAM or mutual TLS). A cluster authorizing with Kafka ACLs
 * needs a configuration; the configuration's value is judged on the
 * `aws_msk_configuration` itself.
 * @see AWS MSK default configuration doc; custom
 */
export const mskAclDefault: GuardrailRule = {
  id: 'GR-IAM-09',
  level: 'error',
  summary: 'MSK clients authenticate, and MSK configurations deny access where no ACL is found',
  fix: "no environment-file field: the fleet's MSK configurations deny access without an ACL and clients sign in with IAM; set allow.everyone.if.no.acl.found=false and SASL/IAM or SCRAM on a cluster of your own",
  appliesTo: ['aws_msk_configuration', 'aws_msk_cluster'],
  evaluate(resource) {
    return resource.type === 'aws_msk_configuration'
      ? judgeConfiguration(resource)
      : judgeCluster(resource);
  },
};
