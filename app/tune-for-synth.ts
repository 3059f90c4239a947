import { skipCreationStacks, skipSourceMaps } from './runtime-tuning';

// Imported first by main.ts: this must run before cdktf and the providers load.
skipSourceMaps();
skipCreationStacks();
