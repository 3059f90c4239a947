/** The Kubernetes target: its parts' barrels. */
export * from './core';
export * from './agent';
export * from './platform';
export * from './services';
export * from './vault';
