export * from './definitions';
export * from './server-config';
export * from './credentials';
