/**
 * Every test file runs with creation stacks skipped (test/support/jest-setup.ts),
 * so each case loads cdktf afresh to start from cdktf's own behaviour.
 */

type Cdktf = typeof import('cdktf');
type Switch = typeof import('../../constructs/terraform/creation-stacks');

function freshCdktf(): { cdktf: Cdktf; creationStacks: Switch } {
  let loaded: { cdktf: Cdktf; creationStacks: Switch } | undefined;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports -- a fresh registry needs require */
    loaded = {
      cdktf: require('cdktf'),
      creationStacks: require('../../constructs/terraform/creation-stacks'),
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  return loaded as { cdktf: Cdktf; creationStacks: Switch };
}

function creationStackOfNewToken({ Lazy, Tokenization }: Cdktf): string[] {
  const token = Lazy.stringValue({ produce: () => 'value' });
  return (Tokenization.reverseString(token).firstToken as unknown as { creationStack: string[] })
    .creationStack;
}

describe('skipCreationStacks', () => {
  it('keeps cdktf from recording a stack trace per token', () => {
    const { cdktf, creationStacks } = freshCdktf();
    expect(creationStackOfNewToken(cdktf).length).toBeGreaterThan(0);
    creationStacks.skipCreationStacks({});
    expect(creationStackOfNewToken(cdktf)).toEqual([]);
  });

  it('leaves them on with FLEET_CREATION_STACKS=1, for debugging', () => {
    const { cdktf, creationStacks } = freshCdktf();
    creationStacks.skipCreationStacks({ FLEET_CREATION_STACKS: '1' });
    expect(creationStackOfNewToken(cdktf).length).toBeGreaterThan(0);
  });
});
