import { Problem } from './problems';

/** Availability zones of an Azure region, when a construct is not told. */
export const DEFAULT_AZURE_ZONES: readonly string[] = ['1', '2', '3'];

/** Problems of a list of Azure availability zones (at `zones`): each of '1', '2', '3', once. */
export function azureZoneProblems(zones: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  zones.forEach((zone, i) => {
    if (!/^[1-3]$/.test(zone)) {
      problems.push({
        path: ['zones', i],
        message: `'${zone}' is not an Azure availability zone: use '1', '2' or '3'`,
      });
    } else if (zones.indexOf(zone) !== i) {
      problems.push({ path: ['zones', i], message: `'${zone}' is listed twice: each zone once` });
    }
  });
  return problems;
}
