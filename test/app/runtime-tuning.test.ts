/**
 * Every test file runs with creation stacks skipped (test/support/jest-setup.ts),
 * so each case loads cdktf afresh to start from cdktf's own behaviour.
 */

type Cdktf = typeof import('cdktf');
type Switch = typeof import('../../app/runtime-tuning');

function freshCdktf(): { cdktf: Cdktf; tuning: Switch } {
  let loaded: { cdktf: Cdktf; tuning: Switch } | undefined;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports -- a fresh registry needs require */
    loaded = {
      cdktf: require('cdktf'),
      tuning: require('../../app/runtime-tuning'),
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  return loaded as { cdktf: Cdktf; tuning: Switch };
}

function creationStackOfNewToken({ Lazy, Tokenization }: Cdktf): string[] {
  const token = Lazy.stringValue({ produce: () => 'value' });
  return (Tokenization.reverseString(token).firstToken as unknown as { creationStack: string[] })
    .creationStack;
}

describe('skipCreationStacks', () => {
  it('keeps cdktf from recording a stack trace per token', () => {
    const { cdktf, tuning } = freshCdktf();
    expect(creationStackOfNewToken(cdktf).length).toBeGreaterThan(0);
    tuning.skipCreationStacks({});
    expect(creationStackOfNewToken(cdktf)).toEqual([]);
  });

  it('leaves them on with FLEET_DEBUG=1, for debugging', () => {
    const { cdktf, tuning } = freshCdktf();
    tuning.skipCreationStacks({ FLEET_DEBUG: '1' });
    expect(creationStackOfNewToken(cdktf).length).toBeGreaterThan(0);
  });
});

describe('skipSourceMaps', () => {
  const before = process.sourceMapsEnabled;
  afterEach(() => process.setSourceMapsEnabled(before));

  it('turns source maps off, and leaves them on with FLEET_DEBUG=1', () => {
    const { tuning } = freshCdktf();
    process.setSourceMapsEnabled(true);
    tuning.skipSourceMaps({ FLEET_DEBUG: '1' });
    expect(process.sourceMapsEnabled).toBe(true);
    tuning.skipSourceMaps({});
    expect(process.sourceMapsEnabled).toBe(false);
  });
});
