import { KubernetesSiteSpec } from './site';
import { StateModel } from './state';

/**
 * The engines that serve agent state:
 * - `dynamodb`: a DynamoDB table (AWS, key-value);
 * - `cosmos-nosql`: a container of the site's Cosmos DB account for NoSQL (Azure, key-value);
 * - `cockroachdb`: a database of the site's in-cluster CockroachDB (key-value, SQL).
 */
export type StateEngine = 'dynamodb' | 'cosmos-nosql' | 'cockroachdb';

/** The engine that serves a shape of state on a site, or why none does. */
export type StateEngineChoice =
  { readonly engine: StateEngine } | { readonly engine?: undefined; readonly refused: string };

/** How the documentation and messages name each engine. */
export const STATE_ENGINE_NAMES: Readonly<Record<StateEngine, string>> = {
  dynamodb: 'DynamoDB',
  'cosmos-nosql': 'Cosmos DB for NoSQL',
  cockroachdb: 'CockroachDB in the cluster',
};

/** What a site is, in a message: its kind and name. */
function siteKind(site: KubernetesSiteSpec): string {
  if (site.cloud === 'aws') return `AWS site '${site.name}'`;
  if (site.cloud === 'azure') return `Azure site '${site.name}'`;
  return `site '${site.name}'`;
}

/**
 * The engine that serves state of the given shape on a site, by the site's
 * kind and the databases it declares:
 *
 * | shape       | AWS site | Azure site           | Kubernetes site          |
 * | ----------- | -------- | -------------------- | ------------------------ |
 * | key-value   | DynamoDB | Cosmos DB for NoSQL  | its `database` (CockroachDB) |
 * | sql         | refused  | refused              | its `database` (CockroachDB) |
 * | document    | refused  | refused              | refused                  |
 * | wide-column | refused  | refused              | refused                  |
 *
 * A refusal says why and what would serve the shape instead.
 */
export function stateEngineFor(site: KubernetesSiteSpec, model: StateModel): StateEngineChoice {
  switch (model) {
    case 'key-value':
      if (site.cloud === 'aws') return { engine: 'dynamodb' };
      if (site.cloud === 'azure') return { engine: 'cosmos-nosql' };
      if (site.database) return { engine: 'cockroachdb' };
      return {
        refused: `${siteKind(site)} offers no database: declare 'database' on the site (CockroachDB in its cluster), or place the agent on an AWS or Azure site (DynamoDB, Cosmos DB)`,
      };
    case 'sql':
      if (!site.cloud && site.database) return { engine: 'cockroachdb' };
      return {
        refused: site.cloud
          ? `${siteKind(site)} serves no SQL state: its cluster runs no CockroachDB; place the agent on a Kubernetes site that declares 'database'`
          : `${siteKind(site)} offers no database: declare 'database' on the site (CockroachDB in its cluster)`,
      };
    case 'document':
    case 'wide-column':
      return {
        refused: `${siteKind(site)} serves no ${model} state: no engine for it is offered on any kind of site; keep the state as 'key-value' or 'sql'`,
      };
  }
}
