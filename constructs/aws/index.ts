export * from './offline';
export * from './provider';
export * from './eks-cluster';
export * from './network';
export * from './node-group';
