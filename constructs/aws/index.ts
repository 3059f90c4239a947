export * from './offline';
export * from './provider';
