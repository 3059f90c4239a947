import { MqBroker } from '@cdktf/provider-aws/lib/mq-broker';
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { LocalBackend, S3Backend, TerraformStack, TerraformVariable } from 'cdktf';
import { oneAutoscaler } from '../../guardrails/rules/common/gr-as-02-one-autoscaler';
import { noPlaintextSecrets } from '../../guardrails/rules/common/gr-sec-01-no-plaintext-secrets';
import { stateBackend } from '../../guardrails/rules/common/gr-st-01-state-backend';
import { localState } from '../../guardrails/rules/common/gr-st-07-local-state';
import { findingsOf } from '../support/guardrail-findings';

const messages = (findings: { rule: string; message: string }[]) =>
  findings.map((f) => `${f.rule}: ${f.message}`);

describe('GR-ST-01 state backend', () => {
  const s3 = (stack: TerraformStack, lockfile: boolean) => {
    const backend = new S3Backend(stack, {
      bucket: 'state',
      key: 'test.tfstate',
      region: 'eu-west-1',
      encrypt: true,
      kmsKeyId: 'alias/state',
    });
    if (lockfile) backend.addOverride('use_lockfile', true);
  };

  it('accepts an encrypted, locked S3 backend', () => {
    expect(findingsOf(stateBackend, (stack) => s3(stack, true))).toEqual([]);
  });

  it('refuses an S3 backend without a lock file', () => {
    expect(messages(findingsOf(stateBackend, (stack) => s3(stack, false)))).toEqual([
      "GR-ST-01: no environment-file field: the fleet's s3 backend encrypts with `backend.s3.kmsKeyId` and locks with use_lockfile, and an azurerm backend signs in with Entra ID; a backend of your own needs encrypt, kms_key_id and use_lockfile, or use_azuread_auth (S3 backend without use_lockfile)",
    ]);
  });
});

describe('GR-ST-07 local state', () => {
  it('warns about local state files, and not about a remote backend', () => {
    const local = findingsOf(localState, (stack) => new LocalBackend(stack, { path: 'x' }));
    expect(local.map((f) => [f.rule, f.level, f.message])).toEqual([
      [
        'GR-ST-07',
        'warning',
        'name a `backend.s3` or `backend.azurerm` backend in the environment file instead of `backend.local` (or `sites.<site>.backend` for one site) (local state files)',
      ],
    ]);
    expect(
      findingsOf(
        localState,
        (stack) => new S3Backend(stack, { bucket: 'b', key: 'k', region: 'eu-west-1' }),
      ),
    ).toEqual([]);
  });
});

describe('GR-SEC-01 no plaintext secrets', () => {
  const broker = (stack: TerraformStack, password: string) =>
    new MqBroker(stack, 'broker', {
      brokerName: 'b',
      engineType: 'RabbitMQ',
      engineVersion: '3.13',
      hostInstanceType: 'mq.m5.large',
      user: [{ username: 'admin', password }],
    });

  it('accepts a password that is a reference', () => {
    expect(
      findingsOf(noPlaintextSecrets, (stack) => {
        const secret = new TerraformVariable(stack, 'password', { sensitive: true });
        broker(stack, secret.stringValue);
      }),
    ).toEqual([]);
  });

  it('refuses a literal password, naming where it is', () => {
    expect(messages(findingsOf(noPlaintextSecrets, (stack) => broker(stack, 'hunter22')))).toEqual([
      'GR-SEC-01: no environment-file field: the fleet generates secrets at apply time into write-only arguments and uses workload identity or Vault; do the same for a resource of your own (literal value in user.0.password)',
    ]);
  });
});

describe('GR-AS-02 one autoscaler per workload', () => {
  const workload = (stack: TerraformStack) =>
    new DeploymentV1(stack, 'worker', {
      metadata: { name: 'worker', namespace: 'work' },
      spec: {
        selector: { matchLabels: { app: 'worker' } },
        template: {
          metadata: { labels: { app: 'worker' } },
          spec: { container: [{ name: 'worker', image: 'worker:1.0.0' }] },
        },
      },
    });
  const scaledObject = (stack: TerraformStack) =>
    new Manifest(stack, 'scaled', {
      manifest: {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: 'worker', namespace: 'work' },
        spec: { scaleTargetRef: { name: 'worker' }, triggers: [] },
      },
    });

  it('accepts a workload with one ScaledObject', () => {
    expect(
      findingsOf(oneAutoscaler, (stack) => {
        workload(stack);
        scaledObject(stack);
      }),
    ).toEqual([]);
  });

  it('refuses an HPA next to a ScaledObject on one workload', () => {
    const found = findingsOf(oneAutoscaler, (stack) => {
      workload(stack);
      scaledObject(stack);
      new HorizontalPodAutoscalerV2(stack, 'hpa', {
        metadata: { name: 'worker', namespace: 'work' },
        spec: {
          maxReplicas: 4,
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
        },
      });
    });
    expect(found.map((f) => [f.rule, f.path])).toEqual([['GR-AS-02', 'test/worker']]);
    expect(found[0].message).toContain('2 autoscalers: test/hpa, test/scaled');
  });
});
