export * from './monitored';
export * from './scrape-configs';
export * from './rules';
export * from './dashboard';
export { promQlString } from './promql';
