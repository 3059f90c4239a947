import * as fc from 'fast-check';
import { entropy, scanJson } from '../../guardrails/engine/secret-scan';

/**
 * Secret-bearing values for the fuzzer: a credential of each common family,
 * made up from random characters, planted at a random place of the output
 * (an environment variable of any name, an argument, a ConfigMap entry, user
 * data, a Helm value) inside random surrounding text. The scanner synth runs
 * (GR-SEC-05) must report each at the field that holds it.
 */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const text = (alphabet: string, min: number, max: number) =>
  fc
    .array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max })
    .map((chars) => chars.join(''));

/**
 * Random characters as a generator of secrets draws them, at least 3 bits a
 * character. A value of few distinct characters (`AAAAAAPpAbFTek74`) falls
 * under the scanner's entropy threshold for secret-like positions, as a
 * placeholder does.
 */
const varied = (alphabet: string, min: number, max: number) =>
  text(alphabet, min, max).filter((value) => entropy(value) >= 3);

/** A made-up credential of one family, and the family's name. */
export const secretArb: fc.Arbitrary<{ family: string; secret: string }> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('amqp', 'amqps', 'postgres', 'redis', 'https', 'mongodb'),
      text(ALNUM, 3, 12),
      varied(ALNUM, 12, 24),
      text('abcdefghijklmnopqrstuvwxyz', 3, 12),
    )
    .map(([scheme, user, password, host]) => ({
      family: 'URL with a password',
      secret: `${scheme}://${user}:${password}@${host}.internal:5672/`,
    })),
  varied(BASE32, 16, 16).map((id) => ({ family: 'AWS access key id', secret: `AKIA${id}` })),
  varied(ALNUM, 36, 36).map((token) => ({ family: 'GitHub token', secret: `ghp_${token}` })),
  fc
    .tuple(text('0123456789', 11, 11), text('0123456789', 13, 13), varied(ALNUM, 24, 24))
    .map(([team, bot, token]) => ({
      family: 'Slack token',
      secret: `xoxb-${team}-${bot}-${token}`,
    })),
  varied(ALNUM, 16, 32).map((password) => ({
    family: 'password argument',
    secret: `--db-password=${password}`,
  })),
);

/** Where in a resource a value lands, as the stacks write it. */
const placements: readonly ((value: string, name: string) => unknown)[] = [
  (value, name) => ({
    spec: [{ template: [{ spec: [{ container: [{ env: [{ name, value }] }] }] }] }],
  }),
  (value) => ({
    spec: [{ template: [{ spec: [{ container: [{ args: ['--queue', value] }] }] }] }],
  }),
  (value, name) => ({ data: { [name]: value } }),
  (value) => ({ user_data: `#!/bin/bash\nexport SETTING='${value}'\n` }),
  (value, name) => ({ values: [JSON.stringify({ extraEnv: { [name]: value } })] }),
];

/** A secret planted in a resource, with what surrounds it. */
export interface PlantedSecret {
  readonly family: string;
  readonly secret: string;
  readonly resource: unknown;
}

/** A secret of any family, at any place, under a neutral name and inside random text. */
export const plantedSecretArb: fc.Arbitrary<PlantedSecret> = fc
  .tuple(
    secretArb,
    fc.nat(placements.length - 1),
    fc.constantFrom('UPLOAD_CONFIG', 'SETTINGS', 'TARGET', 'OPTIONS', 'LEVEL'),
    fc.constantFrom('', 'app ', 'config: '),
    fc.constantFrom('', ' ', ' --verbose'),
  )
  .map(([{ family, secret }, index, name, before, after]) => ({
    family,
    secret,
    resource: placements[index](`${before}${secret}${after}`, name),
  }));

/** What is wrong with the scan of a planted secret: empty when it was found. */
export function missedSecret(planted: PlantedSecret): string[] {
  const found = scanJson(planted.resource, ['resource']);
  return found.length > 0
    ? []
    : [`the ${planted.family} in ${JSON.stringify(planted.resource)} was not found`];
}
