import { COMPLIANT, GuardrailRule, ResourceView, RuleScope, violation } from '../../engine/types';
import {
  booleanOf,
  helmValues,
  isChart,
  many,
  namespaceName,
  numberOf,
  objectsOf,
  selectorMatches,
} from '../support/kubernetes';

const ZONE = 'topology.kubernetes.io/zone';

/** Whether a PodDisruptionBudget of `namespace` in scope selects pods with these labels. */
function budgeted(
  scope: RuleScope,
  namespace: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  return objectsOf(scope, 'kubernetes_pod_disruption_budget_v1', 'PodDisruptionBudget').some(
    (budget) =>
      budget.namespace === namespace &&
      // A PDB without a selector selects nothing (policy/v1).
      budget.spec.selector !== undefined &&
      selectorMatches(budget.spec.selector, labels),
  );
}

/** Whether topology spread constraints (camelCase) include one on the zone key. */
function spreadsOverZones(constraints: unknown): boolean {
  return many(constraints).some((constraint) => constraint?.topologyKey === ZONE);
}

/** Whether a pod affinity (camelCase) has a pod anti-affinity term, required or preferred, on the zone key. */
function zoneAntiAffinity(affinity: any): boolean {
  const anti = affinity?.podAntiAffinity ?? {};
  return [
    ...many(anti.requiredDuringSchedulingIgnoredDuringExecution),
    ...many(anti.preferredDuringSchedulingIgnoredDuringExecution).map(
      (weighted) => weighted?.podAffinityTerm,
    ),
  ].some((term) => term?.topologyKey === ZONE);
}

/** The problems of a `MongoDBCommunity` replica set. */
function mongoDbProblems(manifest: any, scope: RuleScope): string[] {
  const spec = manifest.spec ?? {};
  const statefulSet = spec.statefulSet?.spec ?? {};
  const problems: string[] = [];
  const members = numberOf(spec.members);
  if (members !== undefined && members < 3) problems.push(`${members} member(s)`);
  if (!spreadsOverZones(statefulSet.template?.spec?.topologySpreadConstraints))
    problems.push('no zone topology spread');
  // The operator labels the members `app: <service>`, its Service `<name>-svc` unless renamed.
  const service = statefulSet.serviceName || `${manifest.metadata?.name}-svc`;
  const namespace = namespaceName(manifest.metadata?.namespace, scope);
  if (!budgeted(scope, namespace, { app: service }))
    problems.push('no PodDisruptionBudget selects its members');
  return problems;
}

/** The problems of a `CassandraDatacenter`; cass-operator makes its budget. */
function cassandraProblems(manifest: any): string[] {
  const spec = manifest.spec ?? {};
  const problems: string[] = [];
  const size = numberOf(spec.size);
  if (size !== undefined && size < 3) problems.push(`${size} node(s)`);
  if (
    !spreadsOverZones(spec.podTemplateSpec?.spec?.topologySpreadConstraints) &&
    many(spec.racks).length < 2
  )
    problems.push('no zone topology spread and a single rack');
  return problems;
}

/** The problems of a release of YugabyteDB's chart; values left out take the chart's defaults. */
function yugabyteDbProblems(release: ResourceView, scope: RuleScope): string[] {
  const values = helmValues(release);
  const name = String(release.attributes.name);
  const namespace = namespaceName(release.attributes.namespace, scope);
  // The chart's own budgets, one per server kind, unless turned off or multi-zone.
  const chartBudgets =
    booleanOf(values.useOldPodDisruptionBudget) !== false && booleanOf(values.isMultiAz) !== true;
  const appKey = booleanOf(values.oldNamingStyle) === false ? 'app.kubernetes.io/name' : 'app';
  const servers = [
    { key: 'master', app: 'yb-master', counted: 'master(s)', plural: 'masters' },
    { key: 'tserver', app: 'yb-tserver', counted: 'tablet server(s)', plural: 'tablet servers' },
  ] as const;
  const problems: string[] = [];
  for (const { key, counted } of servers) {
    const replicas = numberOf(values.replicas?.[key]);
    if (replicas !== undefined && replicas < 3) problems.push(`${replicas} ${counted}`);
  }
  for (const { key, app, plural } of servers) {
    if (!zoneAntiAffinity(values[key]?.affinity))
      problems.push(`no zone anti-affinity in ${key}.affinity`);
    // The pods' labels as the chart writes them (`yugabyte.applabel`, `yugabyte.labels`).
    const labels = {
      [appKey]: app,
      release: name,
      heritage: 'Helm',
      chart: 'yugabyte',
      component: String(values.Component ?? 'yugabytedb'),
    };
    if (!chartBudgets && !budgeted(scope, namespace, labels))
      problems.push(`no PodDisruptionBudget selects its ${plural}`);
  }
  return problems;
}

/**
 * GR-DUR-12: each in-cluster state engine the fleet renders keeps at least
 * three copies spread over zones, under a PodDisruptionBudget that node
 * drains respect:
 *
 * - MongoDB (`MongoDBCommunity`): `spec.members` ≥ 3, a topology spread
 *   constraint on `topology.kubernetes.io/zone` in
 *   `spec.statefulSet.spec.template.spec`, and a PodDisruptionBudget of its
 *   namespace selecting the members (`app: <name>-svc`, the operator's
 *   label; the operator makes no budget).
 * - Cassandra (`CassandraDatacenter`): `spec.size` ≥ 3, and a zone spread
 *   constraint in `spec.podTemplateSpec.spec` or more than one rack in
 *   `spec.racks` (cass-operator's zones). No budget is looked for:
 *   cass-operator makes `<datacenter>-pdb` itself, `minAvailable: size - 1`.
 * - YugabyteDB (the `yugabyte` chart): `replicas.master` and
 *   `replicas.tserver` ≥ 3, a pod anti-affinity term on the zone key
 *   (required or preferred) in `master.affinity` and `tserver.affinity`
 *   (the chart's own term is on the host only), and PodDisruptionBudgets in
 *   the release's namespace selecting the masters and the tablet servers
 *   (`app: yb-master` or `yb-tserver`, `release: <release>`), unless the
 *   chart renders its own (`useOldPodDisruptionBudget` and not `isMultiAz`).
 *
 * Values left out take the chart's defaults: 3 of each, and its own budgets.
 * A warning: a development or edge site may run fewer on purpose, with a
 * written reason; the finding is the written record.
 * @see mongodb/mongodb-kubernetes
 *   `mongodb-community-operator/api/v1/mongodbcommunity_types.go`
 *   (`ServiceName`) and `docs/mongodbcommunity/deploy-configure.md`
 * @see k8ssandra/cass-operator `pkg/reconciliation/constructor.go`
 *   (`newPodDisruptionBudgetForDatacenter`, v1.30.0) and `docs/user` (racks)
 * @see yugabyte/charts 2025.2 `stable/yugabyte/values.yaml` (replicas, affinity,
 *   useOldPodDisruptionBudget, isMultiAz) and `templates/service.yaml`
 *   (the chart's PodDisruptionBudget and anti-affinity)
 */
export const stateEngineAvailability: GuardrailRule = {
  id: 'GR-DUR-12',
  level: 'warning',
  summary:
    'In-cluster MongoDB, Cassandra and YugabyteDB run 3+ copies spread over zones, under a disruption budget',
  fix: 'set `sites.<site>.stateEngines.document.replicas`, `sites.<site>.stateEngines.wideColumn.replicas` or `sites.<site>.stateEngines.sql.replicas` to 3 or more (the default); fewer, with its `reason`, keeps this warning, to be suppressed with the same reason',
  appliesTo: ['kubernetes_manifest', 'helm_release'],
  evaluate(resource, scope) {
    if (resource.type === 'helm_release') {
      if (!isChart(resource, 'yugabyte')) return 'not-applicable';
      const problems = yugabyteDbProblems(resource, scope);
      if (problems.length === 0) return COMPLIANT;
      return violation(`YugabyteDB release ${resource.attributes.name}: ${problems.join(', ')}`);
    }
    const manifest = resource.attributes.manifest;
    let problems: string[];
    let label: string;
    if (manifest?.kind === 'MongoDBCommunity') {
      problems = mongoDbProblems(manifest, scope);
      label = 'MongoDB replica set';
    } else if (manifest?.kind === 'CassandraDatacenter') {
      problems = cassandraProblems(manifest);
      label = 'Cassandra datacenter';
    } else {
      return 'not-applicable';
    }
    if (problems.length === 0) return COMPLIANT;
    return violation(`${label} ${manifest.metadata?.name}: ${problems.join(', ')}`);
  },
};
