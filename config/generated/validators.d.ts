import type { ValidateFunction } from 'ajv';

/** The catalogue's schema, compiled by `npm run schema` (config/schema-validators.ts). */
export declare const agentTypes: ValidateFunction;
/** An environment file's schema, compiled by `npm run schema` (config/schema-validators.ts). */
export declare const environment: ValidateFunction;
