import { skipCreationStacks } from '../../constructs/terraform/runtime-tuning';

// Tests build many stacks; cdktf's per-token stack traces would dominate their time.
skipCreationStacks();
