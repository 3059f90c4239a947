import * as fs from 'fs';
import * as path from 'path';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { App, TerraformStack, Testing } from 'cdktf';
import { loadFleet } from '../../config';
import { formatPlacedFinding } from '../../config/synth-problems';
import { evaluate, fieldViolations, GuardrailRule, resourceViews } from '../../guardrails';
import { scanEach } from '../../guardrails/engine/secret-scan';
import { noSecretValues } from '../../guardrails/rules/common/gr-sec-05-no-secret-values';
import { GuardrailSuppression } from '../../model';
import { AgentFleet } from '../../stacks/agent-fleet';
import { loadEdited, problemsOf } from '../support/edited-examples';
import { exampleFindings, findingsOf } from '../support/guardrail-findings';
import { DB_PASSWORD, SECRET_VALUES, withSecrets } from '../support/secret-cases';
import { tempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');

const CONTAINER = 'spec.template.spec.container[0]';

/** Synthesizes the edited local environment with some suppressions; its log and what synth threw. */
function synthesizeLocal(suppressions: readonly GuardrailSuppression[] = []) {
  const loaded = loadEdited(['local'], { 'environments/local.yaml': withSecrets });
  if (!loaded.ok) throw new Error(problemsOf(loaded).join('\n'));
  const [local] = loaded.environments;
  const app = new App({ outdir: tempDir('fleet-secret-values') });
  const fleet = new AgentFleet(app, local.name, {
    environment: { ...local, suppressions: [...(local.suppressions ?? []), ...suppressions] },
  });
  let thrown: Error | undefined;
  try {
    app.synth();
  } catch (error) {
    thrown = error as Error;
  }
  return { log: fleet.guardrails, thrown, sources: loaded.sources };
}

/** The findings without suppressions, and the construct path of the agent's Deployment. */
const unsuppressed = synthesizeLocal();
const DEPLOYMENT = unsuppressed.log.errors.find((f) => f.rule === 'GR-SEC-05')?.path as string;

describe('GR-SEC-05 no secret values', () => {
  describe('the environment file cases found on main', () => {
    const { log, thrown, sources } = unsuppressed;
    const errors = log.errors.filter((f) => f.rule === 'GR-SEC-05');

    it('load, then fail synth with a finding per field', () => {
      expect(thrown?.message).toMatch(/\[GR-SEC-05\] error/);
      expect(DEPLOYMENT).toMatch(/^local-dev-agents\/metadata-extraction\//);
      expect(errors.map((f) => f.path)).toEqual([DEPLOYMENT, DEPLOYMENT, DEPLOYMENT]);
      const messages = errors.map((f) => f.message);
      // In the order of the resource's fields.
      expect(messages).toEqual([
        expect.stringMatching(
          /\(spec\.template\.spec\.container\[0\]\.args\[2\]: a literal value for 'db-password' in the text \('db-password=…'\)\)$/,
        ),
        expect.stringMatching(
          /\(spec\.template\.spec\.container\[0\]\.env\[\d+\]\.value: a URL with a literal password 'amqp:\/\/admin:…@rabbitmq:5672'\)$/,
        ),
        expect.stringMatching(
          /\(spec\.template\.spec\.container\[0\]\.env\[\d+\]\.value: AWSAccessKeyID \(secretlint aws\) 'AKIA…'\)$/,
        ),
      ]);
    });

    it('say how to pass the value as a secret, and never show it', () => {
      for (const finding of errors) {
        expect(finding.message).toMatch(
          /^take the credential out of `agents\.<agent>\.container\.env` or `agents\.<agent>\.container\.args` .* and pass it as a secret, never as a value: /,
        );
        expect(finding.message).toContain('FLEET_BROKER_CREDENTIALS_DIR');
        expect(finding.message).toContain('Vault');
        expect(finding.message).toContain('Kubernetes Secret');
      }
      const shown = `${thrown?.message}\n${JSON.stringify(log.findings)}`;
      for (const secret of SECRET_VALUES) {
        expect(shown).not.toContain(secret);
      }
    });

    it('are placed at the file and line of the agent they come from', () => {
      const lines = errors.map((f) => formatPlacedFinding(f, sources));
      expect(lines).toEqual(
        errors.map(() =>
          expect.stringMatching(/^environments\/local\.yaml:\d+:\d+ .*\[GR-SEC-05\] error: /),
        ),
      );
    });
  });

  describe('suppressed per field, with a written reason', () => {
    const reason = 'a throwaway broker of the laptop cluster, no data';
    const field = (name: string) => {
      const found = unsuppressed.log.findings.find(
        (f) => f.rule === 'GR-SEC-05' && f.message.includes(name),
      );
      return /\((spec\.[^:]+): /.exec(found?.message ?? '')?.[1] as string;
    };
    const brokerUrl = field("'amqp:");
    const keyId = field('AWSAccessKeyID');

    it('keeps the other fields of the resource failing', () => {
      const { log, thrown } = synthesizeLocal([
        { rule: 'GR-SEC-05', resource: DEPLOYMENT, field: brokerUrl, reason },
      ]);
      expect(log.unusedSuppressions).toEqual([]);
      expect(thrown).toBeDefined();
      expect(
        log.findings
          .filter((f) => f.rule === 'GR-SEC-05')
          .map((f) => [f.message.includes('amqp') ? 'url' : 'other', f.suppressedBecause]),
      ).toEqual([
        ['other', undefined],
        ['url', reason],
        ['other', undefined],
      ]);
    });

    it('synthesizes when every field is suppressed', () => {
      const { log, thrown } = synthesizeLocal(
        [brokerUrl, keyId, `${CONTAINER}.args[2]`].map((f) => ({
          rule: 'GR-SEC-05',
          resource: DEPLOYMENT,
          field: f,
          reason,
        })),
      );
      expect(thrown).toBeUndefined();
      expect(log.errors).toEqual([]);
      expect(log.unusedSuppressions).toEqual([]);
    });

    it('matches no field without naming it, nor a field that holds nothing', () => {
      const whole = { rule: 'GR-SEC-05', resource: DEPLOYMENT, reason };
      const elsewhere = { ...whole, field: `${CONTAINER}.image` };
      const { log, thrown } = synthesizeLocal([whole, elsewhere]);
      expect(thrown).toBeDefined();
      expect(log.unusedSuppressions).toEqual([whole, elsewhere]);
      expect(log.errors.filter((f) => f.rule === 'GR-SEC-05')).toHaveLength(3);
    });

    it('reads the field from the environment file', () => {
      const loaded = loadEdited(['local'], {
        'environments/local.yaml': (text) =>
          withSecrets(text).replace(
            'suppressions:\n',
            `suppressions:\n  - rule: GR-SEC-05\n    resource: ${DEPLOYMENT}\n    field: ${brokerUrl}\n    reason: ${reason}\n`,
          ),
      });
      expect(problemsOf(loaded)).toEqual([]);
      expect(loaded.ok && loaded.environments[0].suppressions).toContainEqual({
        rule: 'GR-SEC-05',
        resource: DEPLOYMENT,
        field: brokerUrl,
        reason,
      });
    });
  });

  it('reads every resource, a ConfigMap as well as a workload', () => {
    expect(
      findingsOf(noSecretValues, (stack) => {
        new ConfigMapV1(stack, 'settings', {
          metadata: { name: 'settings', namespace: 'worker' },
          data: { 'app.properties': `db.user=fleet\ndb.password=${DB_PASSWORD}\n` },
        });
      }).map((f) => [f.path, f.message.slice(noSecretValues.fix.length + 1)]),
    ).toEqual([
      [
        'test/settings',
        "(data[\"app.properties\"]: a literal value for 'db.password' in the text ('db.password=…'))",
      ],
    ]);
  });

  it('finds nothing in the example environments', () => {
    expect(exampleFindings([noSecretValues])).toEqual([]);
  });
});

describe('findings about fields', () => {
  const rule: GuardrailRule = {
    id: 'GR-TEST-01',
    level: 'error',
    summary: 'A rule that reports two fields of every resource',
    fix: 'fix the field',
    appliesTo: ['kubernetes_config_map_v1'],
    evaluate: () =>
      fieldViolations([
        { field: 'data.a', detail: 'a is wrong' },
        { field: 'data.b', detail: 'b is wrong' },
      ]),
  };

  it('are one finding per field, each suppressed by naming its field', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new ConfigMapV1(stack, 'settings', { metadata: { name: 'settings' }, data: { a: '1' } });
    const views = resourceViews(stack);
    const reason = 'the value of a is what the test says it is';
    const { findings, unusedSuppressions } = evaluate([rule], views, [
      { rule: 'GR-TEST-01', resource: 'test/settings', field: 'data.a', reason },
    ]);
    expect(findings.map((f) => [f.message, f.suppressedBecause])).toEqual([
      ['fix the field (data.a: a is wrong)', reason],
      ['fix the field (data.b: b is wrong)', undefined],
    ]);
    expect(unusedSuppressions).toEqual([]);
  });
});

describe('the scan of every string of every example stack', () => {
  const outdir = tempDir('fleet-secret-values-examples');
  const loaded = loadFleet({ rootDir: ROOT });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const app = new App({ outdir });
  for (const environment of loaded.environments)
    new AgentFleet(app, environment.name, { environment });
  app.synth();
  const stacks = fs.readdirSync(path.join(outdir, 'stacks')).map((stack) => ({
    stack,
    json: JSON.parse(
      fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'),
    ) as object,
  }));

  it('covers every environment file', () => {
    for (const file of fs.readdirSync(path.join(ROOT, 'environments'))) {
      const name = file.replace(/\.ya?ml$/, '');
      expect(stacks.some(({ stack }) => stack.startsWith(`${name}-`))).toBe(true);
    }
  });

  it('finds nothing, well within a second', () => {
    // Processor time: a busy machine stretches the wall clock, not the work.
    const times: number[] = [];
    for (let run = 0; run < 3; run++) {
      const start = process.cpuUsage();
      const found = scanEach(stacks.map(({ json }) => json)).flatMap((findings, i) =>
        findings.map((f) => `${stacks[i].stack}: ${f.where}: ${f.what}`),
      );
      const { user, system } = process.cpuUsage(start);
      times.push((user + system) / 1000);
      expect(found).toEqual([]);
    }
    console.log(
      `secret scan of ${stacks.length} example stacks: ${times.map((t) => t.toFixed(0)).join(', ')} ms of processor time`,
    );
    expect(Math.min(...times)).toBeLessThan(1000);
  });
});
