export * from './definitions';
export * from './topology';
export * from './server-config';
export * from './credentials';
