import * as fs from 'fs';
import * as path from 'path';
import { editedProject } from '../support/edited-examples';
import { runMain } from '../support/project';
import { SECRET_VALUES, withSecrets } from '../support/secret-cases';

/**
 * `npm run synth` on an environment file whose agent carries secrets under
 * neutral names: the file loads, then synth fails with GR-SEC-05 at the file
 * and line of the agent, naming each field; suppressed per field in writing,
 * it synthesizes.
 */
describe('npm run synth with secret values in an environment file', () => {
  const root = editedProject({ 'environments/local.yaml': withSecrets });
  const file = path.join(root, 'environments/local.yaml');
  const result = runMain(root, ['local']);
  const findings = result.stderr.split('\n').filter((line) => line.includes('[GR-SEC-05]'));

  it('fails with a finding per field, at the file and line of the agent', () => {
    expect(result.status).toBe(1);
    const text = fs.readFileSync(file, 'utf8').split('\n');
    const agentLines = new Set(
      text
        .map((line, i) => [line, i + 1] as const)
        .filter(([, n]) => n >= text.indexOf('  metadata-extraction:') + 1)
        .filter(
          ([, n]) => n <= text.indexOf('      dev: {}', text.indexOf('  metadata-extraction:')) + 1,
        )
        .map(([, n]) => n),
    );
    expect(findings).toHaveLength(3);
    for (const line of findings) {
      const [, at] =
        /^environments\/local\.yaml:(\d+):\d+ .*\[GR-SEC-05\] error: /.exec(line) ?? [];
      expect(agentLines).toContain(Number(at));
      expect(line).toMatch(/\(local-dev-agents\/metadata-extraction\/[^)]+\)$/);
    }
    expect(findings).toEqual([
      expect.stringContaining(
        "(spec.template.spec.container[0].args[2]: a literal value for 'db-password' in the text ('db-password=…'))",
      ),
      expect.stringMatching(
        /\(spec\.template\.spec\.container\[0\]\.env\[\d+\]\.value: a URL with a literal password 'amqp:\/\/admin:…@rabbitmq:5672'\)/,
      ),
      expect.stringMatching(
        /\(spec\.template\.spec\.container\[0\]\.env\[\d+\]\.value: AWSAccessKeyID \(secretlint aws\) 'AKIA…'\)/,
      ),
    ]);
    expect(result.stderr).toContain('guardrail error(s); nothing was written.');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('never prints the secrets', () => {
    for (const secret of SECRET_VALUES) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    }
  });

  it('synthesizes once each field is suppressed with a reason', () => {
    const resource = /\((local-dev-agents\/metadata-extraction\/[^)]+)\)$/.exec(findings[0])?.[1];
    const fields = findings.map((line) => /\((spec\.[^:]+): /.exec(line)?.[1]);
    const entries = fields.map((field) =>
      [
        '  - rule: GR-SEC-05',
        `    resource: ${resource}`,
        `    field: ${field}`,
        '    reason: sample values of the local mock services, valid nowhere else',
      ].join('\n'),
    );
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace('\nsuppressions:\n', `\nsuppressions:\n${entries.join('\n')}\n`),
    );
    const suppressed = runMain(root, ['local']);
    expect(suppressed.stderr).toBe('');
    expect(suppressed.status).toBe(0);
    const guardrails = JSON.parse(
      fs.readFileSync(path.join(root, 'cdktf.out', 'guardrails.json'), 'utf8'),
    ) as unknown;
    expect(JSON.stringify(guardrails)).toContain('sample values of the local mock services');
  });
});
