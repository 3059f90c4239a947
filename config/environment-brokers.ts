import {
  AwsSiteSpec,
  BrokerSpec,
  brokerSite,
  managedBrokerProblems,
  validateBroker,
} from '../model';
import { EnvironmentFile, entriesOf, isBroken, reportUnder } from './environment-file';
import { EnvironmentSites } from './environment-sites';
import { RawBroker, toBrokerSpec } from './to-model';
import { childOf, SourceNode, toPlain } from './yaml-source';

/** The brokers of an environment file that are well formed, and where each is written. */
export interface EnvironmentBrokers {
  /** The well-formed brokers, in the file's order. */
  readonly brokers: readonly BrokerSpec[];
  /** Each declared broker's node, well formed or not, by name. */
  readonly nodes: ReadonlyMap<string, SourceNode>;
  /** Whether every broker is well formed: agents are built against them only then. */
  readonly ok: boolean;
}

/** Reads the `brokers` of an environment file, recording each problem at its place. */
export function readBrokers(
  file: EnvironmentFile,
  sites: EnvironmentSites,
  production: boolean,
): EnvironmentBrokers {
  const brokers: BrokerSpec[] = [];
  const nodes = new Map<string, SourceNode>();
  let ok = !isBroken(file, ['brokers']);
  for (const [brokerName, node] of entriesOf(childOf(file.tree, 'brokers'))) {
    nodes.set(brokerName, node);
    if (isBroken(file, ['brokers', brokerName])) continue;
    const { spec, problems: found } = toBrokerSpec(brokerName, toPlain(node) as RawBroker);
    const home = spec && brokerSite(spec);
    const awsSite: AwsSiteSpec | undefined = sites.awsSites.find(
      (candidate) => candidate.name === home,
    );
    const all = spec
      ? [
          ...validateBroker(spec, sites.names, sites.kinds),
          ...(awsSite ? managedBrokerProblems({ name: file.name, production }, spec, awsSite) : []),
        ]
      : found;
    reportUnder(file.problems, node, all);
    if (spec && all.length === 0) brokers.push(spec);
    else ok = false;
  }
  return { brokers, nodes, ok };
}
