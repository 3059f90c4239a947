import * as fs from 'fs';
import * as path from 'path';
import { formatProblem, loadFleet } from '../../config';
import { tempDir } from '../support/temp-dir';
import { REPO } from '../support/typescript-process';

/** Loads `staging` from a copy of the project with `edit` applied to its file. */
function loadStaging(edit: (text: string) => string): string[] {
  const root = tempDir('fleet-keys');
  fs.cpSync(path.join(REPO, 'fleet'), path.join(root, 'fleet'), { recursive: true });
  fs.mkdirSync(path.join(root, 'environments'));
  const text = fs.readFileSync(path.join(REPO, 'environments/staging.yaml'), 'utf8');
  fs.writeFileSync(path.join(root, 'environments/staging.yaml'), edit(text));
  const result = loadFleet({ rootDir: root });
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('keys the loader must not take for something else', () => {
  test('a key __proto__ is an unknown key, not the prototype of the mapping', () => {
    const lines = loadStaging((text) =>
      text.replace(
        '      cidr: 10.40.0.0/16\n',
        '      cidr: 10.40.0.0/16\n      __proto__: { cidr: 10.0.0.0/8 }\n',
      ),
    );
    expect(lines).toEqual([
      "environments/staging.yaml:21:7 sites.eu.network.__proto__: unknown key '__proto__' (allowed: cidr, availabilityZones)",
    ]);
  });

  test('a __proto__ key cannot supply a required field', () => {
    const lines = loadStaging((text) =>
      text.replace('      cidr: 10.40.0.0/16\n', '      __proto__: { cidr: 10.40.0.0/16 }\n'),
    );
    expect(lines).toContain(
      "environments/staging.yaml:20:7 sites.eu.network.__proto__: unknown key '__proto__' (allowed: cidr, availabilityZones)",
    );
    expect(lines.some((line) => /network(\.cidr)?: .*required/.test(line))).toBe(true);
  });

  test.each([
    ['an empty key', '          : no key\n'],
    ['a null key', '          ~: tilde\n'],
  ])('%s is refused, not read as the name "null"', (_, line) => {
    const lines = loadStaging((text) =>
      text.replace('          hardware-type: cpu\n', `          hardware-type: cpu\n${line}`),
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /^environments\/staging\.yaml:37:\d+ sites\.eu\.nodePools\.general\.labels: keys must be plain names, not empty or null$/,
      ),
    ]);
  });
});
