import { skipCreationStacks } from '../../constructs/terraform/creation-stacks';

// Tests build many stacks; cdktf's per-token stack traces would dominate their time.
skipCreationStacks();
