import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { helmValues, isChart, many, numberOf } from '../support/kubernetes';

const ZONE = 'topology.kubernetes.io/zone';

/**
 * GR-DUR-08: a CockroachDB release survives a node or zone loss and drains
 * cleanly: `statefulset.replicas` ≥ 3, a PodDisruptionBudget of
 * `maxUnavailable: 1`, topology spread over zones and
 * `terminationGracePeriodSeconds` ≥ 300. Values left out take the chart's
 * defaults, which comply. A warning: a development or edge site may run one
 * node on purpose, and the values have no place to say why; the finding is
 * the written record.
 * @see cockroachdb/helm-charts values.yaml (statefulset.replicas, budget,
 *   topologySpreadConstraints, terminationGracePeriodSeconds); CockroachDB docs
 *   (3-way replication, node shutdown)
 */
export const cockroachdbAvailability: GuardrailRule = {
  id: 'GR-DUR-08',
  level: 'warning',
  summary: 'CockroachDB runs 3+ replicas, a maxUnavailable 1 budget, zone spread and a 300 s drain',
  fix: 'set `sites.<site>.database.replicas` to 3 or more (the default); fewer, with its `sites.<site>.database.reason`, keeps this warning, to be suppressed with the same reason',
  appliesTo: ['helm_release'],
  evaluate(release) {
    if (!isChart(release, 'cockroachdb')) return 'not-applicable';
    const statefulset = helmValues(release).statefulset ?? {};
    const problems: string[] = [];
    const replicas = numberOf(statefulset.replicas);
    if (replicas !== undefined && replicas < 3) problems.push(`${replicas} replica(s)`);
    const budget = statefulset.budget?.maxUnavailable;
    if (budget !== undefined && numberOf(budget) !== 1)
      problems.push(`budget maxUnavailable ${budget}`);
    const grace = numberOf(statefulset.terminationGracePeriodSeconds);
    if (grace !== undefined && grace < 300) problems.push(`terminationGracePeriodSeconds ${grace}`);
    const spread = statefulset.topologySpreadConstraints;
    if (
      spread !== undefined &&
      !many(spread).some((constraint) => constraint?.topologyKey === ZONE)
    )
      problems.push('no zone topology spread');
    if (problems.length === 0) return COMPLIANT;
    return violation(`CockroachDB release ${release.attributes.name}: ${problems.join(', ')}`);
  },
};
