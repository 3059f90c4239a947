import { Problem } from './problems';

/** The support window of one Kubernetes minor version on a managed service. */
export interface SupportWindow {
  /** ISO date the service made the version generally available. */
  readonly released: string;
  /** ISO date its standard support ends (EKS), or its end of life (AKS). */
  readonly standardUntil: string;
  /** ISO date its paid support ends: EKS extended support, AKS long-term support. */
  readonly extendedUntil: string;
  /** Where the dates come from, when not the calendar's own page. @default - the calendar's own page */
  readonly source?: string;
}

/** A managed service's calendar of Kubernetes versions. */
export interface SupportCalendar {
  /** The service, for messages. */
  readonly service: string;
  /** What paid support past the standard window is called there. */
  readonly extendedName: string;
  /** The calendar page the dates come from. */
  readonly source: string;
  /** The support window of each minor version, by version, e.g. `1.35`. */
  readonly versions: Readonly<Record<string, SupportWindow>>;
}

/**
 * The managed Kubernetes versions the fleet knows, and the date the calendars
 * were read: a site's version must be in standard support on that date. When
 * a new version comes out, add it here with its source, move the examples and
 * the cluster-autoscaler pin ({@link CLUSTER_AUTOSCALER_RELEASES}) with it, and
 * move the date.
 */
export const KUBERNETES_SUPPORT = {
  asOf: '2026-12-07',
  eks: {
    service: 'Amazon EKS',
    extendedName: 'extended support',
    source:
      'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html (awsdocs/amazon-eks-user-guide, latest/ug/versioning/kubernetes-versions.adoc)',
    versions: {
      '1.32': { released: '2025-01-23', standardUntil: '2026-03-23', extendedUntil: '2027-03-23' },
      '1.33': { released: '2025-05-29', standardUntil: '2026-07-29', extendedUntil: '2027-07-29' },
      '1.34': { released: '2025-10-02', standardUntil: '2026-12-02', extendedUntil: '2027-12-02' },
      '1.35': {
        released: '2026-01-28',
        standardUntil: '2027-03-27',
        extendedUntil: '2028-03-27',
        source:
          'https://endoflife.date/amazon-eks and aws-samples sample-apex-skills cluster-lifecycle (verified 2026-04-24); the AWS page read lists versions up to 1.34',
      },
    },
  },
  aks: {
    service: 'AKS',
    extendedName: 'long-term support',
    source:
      'https://learn.microsoft.com/azure/aks/supported-kubernetes-versions (MicrosoftDocs/azure-aks-docs, articles/aks/supported-kubernetes-versions.md, ms.date 08/05/2026): a month-only end of life is the last day of that month',
    versions: {
      '1.32': { released: '2025-04-01', standardUntil: '2026-03-31', extendedUntil: '2027-03-31' },
      '1.33': { released: '2025-06-01', standardUntil: '2026-07-31', extendedUntil: '2027-07-31' },
      '1.34': { released: '2025-11-01', standardUntil: '2026-11-30', extendedUntil: '2027-11-30' },
      '1.35': { released: '2026-03-01', standardUntil: '2027-03-31', extendedUntil: '2028-03-31' },
      '1.36': { released: '2026-06-01', standardUntil: '2027-06-30', extendedUntil: '2028-06-30' },
    },
  },
} as const satisfies { asOf: string; eks: SupportCalendar; aks: SupportCalendar };

/** A written opt-in to paid support past a version's standard window. */
export interface ExtendedSupport {
  /** Why the cluster stays on an older version, at least 10 characters. */
  readonly reason: string;
}

/**
 * Problems of a managed cluster's Kubernetes version on the date of
 * {@link KUBERNETES_SUPPORT}: a version the calendar knows, released by then,
 * and in standard support, or in extended (long-term) support only with a
 * written opt-in, since that support costs more. Paths: `cluster.version`,
 * `cluster.extendedSupport.reason`.
 */
export function clusterVersionProblems(
  cloud: 'aws' | 'azure',
  version: string,
  extendedSupport?: ExtendedSupport,
): Problem[] {
  const calendar: SupportCalendar =
    cloud === 'aws' ? KUBERNETES_SUPPORT.eks : KUBERNETES_SUPPORT.aks;
  const asOf = KUBERNETES_SUPPORT.asOf;
  const at = ['cluster', 'version'];
  const window = calendar.versions[version];
  const known = Object.keys(calendar.versions).join(', ');
  if (!window) {
    return [
      {
        path: at,
        message: `'${version}' is not a version of ${calendar.service} the fleet knows (${known}; calendar of ${asOf}): see ${calendar.source}`,
      },
    ];
  }
  const supported = Object.entries(calendar.versions)
    .filter(([, w]) => w.released <= asOf && asOf <= w.standardUntil)
    .map(([v]) => v)
    .join(', ');
  if (window.released > asOf) {
    return [
      {
        path: at,
        message: `${calendar.service} ${version} is not released on ${asOf} (from ${window.released}): use ${supported}`,
      },
    ];
  }
  if (asOf <= window.standardUntil) return [];
  if (asOf > window.extendedUntil) {
    return [
      {
        path: at,
        message: `${calendar.service} ${version} reached its end of support on ${window.extendedUntil}: upgrade to ${supported}`,
      },
    ];
  }
  if (!extendedSupport) {
    return [
      {
        path: at,
        message: `${calendar.service} ${version} left standard support on ${window.standardUntil} and runs on paid ${calendar.extendedName} until ${window.extendedUntil}: upgrade to ${supported}, or opt in with 'cluster.extendedSupport.reason'`,
      },
    ];
  }
  if (extendedSupport.reason.trim().length < 10) {
    return [
      {
        path: ['cluster', 'extendedSupport', 'reason'],
        message: `${calendar.extendedName} costs more than standard support: give a written reason (at least 10 characters)`,
      },
    ];
  }
  return [];
}
