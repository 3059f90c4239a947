import { AwsSiteSpec } from './aws-site';
import { AzureSiteSpec } from './azure-site';
import { Path } from './checks';
import { parseCidr, publicExposure } from './cidr';
import { dns1123LabelProblems, namespaceProblems } from './kubernetes-rules';
import { clusterVersionProblems } from './kubernetes-versions';
import { nodePoolProblems } from './placement';
import { Problem } from './problems';
import { KubernetesSiteSpec } from './site';
import { ExternalStateCluster } from './state-engines';
import { validateSiteServices } from './validate';

/**
 * Problems of a Kubernetes cluster the user runs, with paths relative to the
 * site: its pools' declarations (labels and taints as Kubernetes accepts them)
 * and the services it runs for its agents.
 */
export function validateKubernetesSite(site: KubernetesSiteSpec): Problem[] {
  return [
    ...siteNameProblems(site.name),
    ...site.nodePools.flatMap((pool) =>
      [
        ...dns1123LabelProblems(pool.name, 'pool name').map((message) => ({
          path: ['name'],
          message,
        })),
        ...nodePoolProblems(pool),
      ].map((problem) => ({
        ...problem,
        path: ['nodePools', pool.name, ...problem.path],
      })),
    ),
    ...validateSiteServices(site),
    ...platformNamespaceProblems(site),
    ...stateEngineProblems(site),
  ];
}

/** The in-cluster engine each shape takes on a cluster the user runs, and what its servers are called. */
const IN_CLUSTER_ENGINES = {
  document: {
    kind: 'mongodb',
    servers: 'member',
    odd: 'a replica set elects its primary by a majority of members',
  },
  wideColumn: { kind: 'cassandra', servers: 'node', odd: undefined },
  sql: {
    kind: 'yugabytedb',
    servers: 'server',
    odd: "YugabyteDB's masters elect a leader by a majority",
  },
} as const;

/**
 * The engines a cluster the user runs declares: only in-cluster ones (MongoDB,
 * Cassandra, YugabyteDB), with 1 to 7 servers (an odd count where the engine
 * elects by majority), fewer than 3 only with a written reason; the cloud
 * services are offered on AWS sites only.
 */
function stateEngineProblems(site: KubernetesSiteSpec): Problem[] {
  const problems: Problem[] = [];
  // A cloud site's engines are its services, checked with the site itself.
  if (site.cloud) return problems;
  for (const field of ['document', 'wideColumn', 'sql'] as const) {
    const engine = site.stateEngines?.[field];
    if (!engine) continue;
    const path = ['stateEngines', field];
    const expected = IN_CLUSTER_ENGINES[field];
    if (engine.kind !== expected.kind) {
      problems.push({
        path: [...path, 'kind'],
        message: `'${engine.kind}' is offered on AWS sites only; a cluster you run serves this shape with '${expected.kind}'`,
      });
      continue;
    }
    const { replicas, reason, external } = engine as {
      replicas?: number;
      reason?: string;
      external?: ExternalStateCluster;
    };
    const add = (key: string, message: string) => problems.push({ path: [...path, key], message });
    if (external) {
      problems.push(
        ...externalClusterProblems(site, engine, external).map((problem) => ({
          ...problem,
          path: [...path, ...problem.path],
        })),
      );
      continue;
    }
    if (replicas === undefined) continue;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 7) {
      add('replicas', `(${replicas}) must be a whole number from 1 to 7`);
    } else if (expected.odd && replicas % 2 === 0) {
      add('replicas', `(${replicas}) must be odd: ${expected.odd}`);
    } else if (replicas < 3 && !hasReason(reason)) {
      add('reason', fewCopies(replicas, `${expected.servers}(s)`));
    }
  }
  return problems;
}

/** Settings of an engine the fleet runs, which a cluster run elsewhere cannot take. */
const IN_CLUSTER_SETTINGS = [
  'namespace',
  'replicas',
  'reason',
  'storage',
  'storageClass',
  'resources',
] as const;

/**
 * Problems of a cluster the site runs outside the fleet: the site's Vault,
 * where its operators put each agent's credentials; hosts, networks, a CA
 * certificate; MongoDB's replica set, Cassandra's datacenter; none of the
 * settings of an engine the fleet runs.
 */
function externalClusterProblems(
  site: KubernetesSiteSpec,
  engine: object,
  external: ExternalStateCluster,
): Problem[] {
  const problems: Problem[] = [];
  const add = (path: Path, message: string) => problems.push({ path, message });
  const kind = (engine as { kind: string }).kind;
  if (!site.vault) {
    add(
      ['external'],
      "an external cluster's users are its operators': declare 'vault' on the site, where they write each agent's credentials (its 'database' secret) for the agent to read",
    );
  }
  for (const setting of IN_CLUSTER_SETTINGS) {
    if ((engine as Record<string, unknown>)[setting] !== undefined) {
      add([setting], `does not apply to an external cluster, which the fleet does not run`);
    }
  }
  if (external.hosts.length === 0) add(['external', 'hosts'], 'must name at least one host');
  if (external.cidrs.length === 0) {
    add(['external', 'cidrs'], "must name the servers' networks, which the agents may reach");
  }
  external.cidrs.forEach((cidr, index) => {
    if (!parseCidr(cidr)) {
      add(['external', 'cidrs', index], `'${cidr}' is not an IPv4 CIDR, e.g. '10.30.0.0/24'`);
    }
  });
  if (!/^-----BEGIN CERTIFICATE-----/.test(external.caCertificate.trim())) {
    add(['external', 'caCertificate'], 'must be a PEM certificate (-----BEGIN CERTIFICATE-----)');
  }
  if (kind === 'mongodb' && !external.replicaSet) {
    add(['external', 'replicaSet'], "names the replica set, which MongoDB's clients need");
  }
  if (kind !== 'mongodb' && external.replicaSet !== undefined) {
    add(['external', 'replicaSet'], 'applies to MongoDB only');
  }
  if (kind === 'cassandra' && !external.datacenter) {
    add(
      ['external', 'datacenter'],
      "names the agents' local datacenter, which Cassandra's drivers need",
    );
  }
  if (kind !== 'cassandra' && external.datacenter !== undefined) {
    add(['external', 'datacenter'], 'applies to Cassandra only');
  }
  return problems;
}

/** Whether a reason is written out: at least 10 characters. */
function hasReason(reason?: string): boolean {
  return (reason ?? '').trim().length >= 10;
}

/** Why fewer than 3 servers need a reason. */
function fewCopies(count: number, what: string): string {
  return `${count} ${what} keep fewer than 3 copies, so losing a node loses data or availability: give a written reason (at least 10 characters) or use 3 or more`;
}

/** The cloud engine each shape takes on an AWS site. */
const AWS_ENGINES = {
  document: 'documentdb',
  wideColumn: 'keyspaces',
  sql: 'aurora-dsql',
} as const;

/**
 * The engines an AWS site declares: its cloud services only, an Amazon
 * DocumentDB cluster of 1 to 16 instances (fewer than 3 only with a written
 * reason) keeping 1 to 35 days of point-in-time recovery.
 */
function awsStateEngineProblems(site: AwsSiteSpec): Problem[] {
  const problems: Problem[] = [];
  for (const field of ['document', 'wideColumn', 'sql'] as const) {
    const engine = site.stateEngines?.[field];
    if (engine && engine.kind !== AWS_ENGINES[field]) {
      problems.push({
        path: ['stateEngines', field, 'kind'],
        message: `'${engine.kind}' runs in clusters you run; an AWS site serves this shape with '${AWS_ENGINES[field]}'`,
      });
    }
  }
  const document = site.stateEngines?.document;
  if (document?.kind !== 'documentdb') return problems;
  const add = (key: string, message: string) =>
    problems.push({ path: ['stateEngines', 'document', key], message });
  const { instances, backupRetentionDays: days } = document;
  if (instances !== undefined) {
    if (!Number.isInteger(instances) || instances < 1 || instances > 16) {
      add('instances', `(${instances}) must be a whole number from 1 to 16`);
    } else if (instances < 3 && !hasReason(document.reason)) {
      add('reason', fewCopies(instances, 'instance(s)'));
    }
  }
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 35)) {
    add('backupRetentionDays', `(${days}) must be a whole number of days from 1 to 35`);
  }
  return problems;
}

/**
 * The namespaces a site's platform creates for its services: DNS labels, and
 * none that Kubernetes owns (the platform stack would declare it, fail to
 * create it, and a destroy would delete it).
 */
function platformNamespaceProblems(site: KubernetesSiteSpec): Problem[] {
  const fields: [Path, string | undefined][] = [
    [['kedaNamespace'], site.kedaNamespace],
    [['monitoring', 'namespace'], site.monitoring?.namespace],
    [['database', 'namespace'], site.database?.namespace],
    ...(['document', 'wideColumn', 'sql'] as const).map((field): [Path, string | undefined] => {
      const engine = site.stateEngines?.[field];
      return [
        ['stateEngines', field, 'namespace'],
        engine && 'namespace' in engine ? engine.namespace : undefined,
      ];
    }),
    [['consul', 'namespace'], site.consul?.namespace],
  ];
  return fields.flatMap(([path, namespace]) =>
    namespace === undefined
      ? []
      : namespaceProblems(
          namespace,
          'the platform creates a namespace of its own for each service',
        ).map((message) => ({ path, message })),
  );
}

/**
 * Problems of a cloud site's cluster, with paths relative to the site: a
 * Kubernetes version in its service's support on the calendar's date (paid
 * support only in writing), and a public endpoint open to no more than the
 * CIDRs of its operators, judged by what the list covers together. The node
 * pools are checked by the constructs that build them.
 */
export function cloudClusterProblems(site: AwsSiteSpec | AzureSiteSpec): Problem[] {
  const cluster = site.cluster;
  const problems = [
    ...siteNameProblems(site.name),
    ...clusterVersionProblems(site.kind, cluster.version, cluster.extendedSupport),
    ...(site.kind === 'aws' ? awsStateEngineProblems(site) : []),
  ];
  const [field, cidrs] =
    site.kind === 'aws'
      ? ['publicAccessCidrs', site.cluster.publicAccessCidrs]
      : ['authorizedIpRanges', site.cluster.authorizedIpRanges];
  const exposure = publicExposure(cidrs ?? []);
  if (exposure) {
    problems.push({
      path: ['cluster', field],
      message: `${exposure}: the cluster's API would be open to the Internet; list the CIDRs of operators and CI runners, or none for a private endpoint`,
    });
  }
  return problems;
}

/** A site's name names its stacks and resources: a DNS label. */
function siteNameProblems(name: string): Problem[] {
  return dns1123LabelProblems(name, 'site name').map((message) => ({ path: ['name'], message }));
}
