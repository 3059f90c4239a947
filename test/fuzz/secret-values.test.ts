import * as fc from 'fast-check';
import { missedSecret, plantedSecretArb } from './secret-values';

describe('secret-bearing values at random places of the output', () => {
  it('are found by the scanner synth runs, whatever their name and surrounding text', () => {
    fc.assert(
      fc.property(plantedSecretArb, (planted) => {
        expect(missedSecret(planted)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });
});
