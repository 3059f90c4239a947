export * from './definitions';
export * from './topology';
