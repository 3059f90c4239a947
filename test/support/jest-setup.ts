import { skipCreationStacks } from '../../app/runtime-tuning';

// Tests build many stacks; cdktf's per-token stack traces would dominate their time.
skipCreationStacks();
