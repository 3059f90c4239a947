import { Testing } from 'cdktf';
import { loadFleet } from '../../config';
import { Finding } from '../../guardrails';
import { AgentFleet, stackIds } from '../../stacks/agent-fleet';
import { editedProject, loadEdited, problemsOf } from '../support/edited-examples';
import { synthesizedChild, manifestsOf } from '../support/synthesized';

const AGENT = 'metadata-extraction';

/** Replaces the local example's `metadata-extraction: sites: dev: {}` entry. */
const localAgent = (entry: string) => (text: string) =>
  text.replace(/ {2}metadata-extraction:\n {4}sites:\n {6}dev: \{\}\n/, entry);

/** The local example synthesized after an edit: its guardrail findings and the agent's ScaledObject. */
function synthesizeLocal(edit?: (text: string) => string): {
  findings: readonly Finding[];
  unusedSuppressions: number;
  scaledObject: any;
} {
  const rootDir = editedProject(edit ? { 'environments/local.yaml': edit } : {});
  const loaded = loadFleet({ rootDir, environments: ['local'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
  const app = Testing.app();
  const fleet = new AgentFleet(app, 'local', { environment: loaded.environments[0] });
  const agents = synthesizedChild(app, stackIds('local', 'dev').agents);
  return {
    findings: fleet.guardrails.findings,
    unusedSuppressions: fleet.guardrails.unusedSuppressions.length,
    scaledObject: manifestsOf(agents, 'ScaledObject').find(
      (manifest: any) => manifest.metadata.name === AGENT,
    ),
  };
}

const ofAgent = (findings: readonly Finding[]) =>
  findings
    .filter((finding) => finding.path.includes(`/${AGENT}/`))
    .map((finding) => `${finding.rule} ${finding.path}`);

describe('an agent that scales to zero in the local example', () => {
  const before = synthesizeLocal();
  const zero = synthesizeLocal(
    localAgent(`  ${AGENT}:\n    scaling: { minReplicas: 0 }\n    sites:\n      dev: {}\n`),
  );

  it('keeps the fleet’s fallback, which KEDA 2.20 applies from zero', () => {
    expect(zero.scaledObject.spec.minReplicaCount).toBe(0);
    expect(zero.scaledObject.spec.fallback).toEqual({
      failureThreshold: 3,
      replicas: 1,
      behavior: 'currentReplicasIfHigher',
    });
  });

  it('synthesizes without a warning of the fleet’s own making', () => {
    expect(zero.findings.filter((finding) => finding.rule === 'GR-FLEET-05')).toEqual([]);
    // Nothing about the agent that the example did not already report at one replica.
    const added = ofAgent(zero.findings).filter((line) => !ofAgent(before.findings).includes(line));
    expect(added).toEqual([]);
    expect(zero.unusedSuppressions).toBe(0);
  });
});

describe('turning the fallback off in the environment file', () => {
  const reason = 'woken by its queue only; an outage of the broker API should not wake it';
  const off = synthesizeLocal(
    localAgent(
      `  ${AGENT}:\n    scaling:\n      minReplicas: 0\n      fallback: { enabled: false, reason: ${reason} }\n    sites:\n      dev: {}\n`,
    ),
  );

  it('renders the ScaledObject without a fallback', () => {
    expect(off.scaledObject.spec.minReplicaCount).toBe(0);
    expect(off.scaledObject.spec.fallback).toBeUndefined();
  });

  it('is the written exception to GR-AS-06 for that ScaledObject, listed with its reason', () => {
    const exceptions = off.findings.filter((finding) => finding.rule === 'GR-AS-06');
    expect(exceptions).toEqual([
      expect.objectContaining({
        path: `local-dev-agents/${AGENT}/Autoscaler`,
        suppressedBecause: `scaling.fallback is off: ${reason}`,
      }),
    ]);
    expect(off.findings.filter((f) => f.level === 'error' && !f.suppressedBecause)).toEqual([]);
    expect(off.unusedSuppressions).toBe(0);
  });

  it('needs the reason, reported at the file and line', () => {
    const loaded = loadEdited(['local'], {
      'environments/local.yaml': localAgent(
        `  ${AGENT}:\n    scaling:\n      minReplicas: 0\n      fallback: { enabled: false }\n    sites:\n      dev: {}\n`,
      ),
    });
    expect(problemsOf(loaded)).toEqual([
      expect.stringMatching(
        /^environments\/local\.yaml:\d+:\d+ agents\.metadata-extraction\.(sites\.dev\.)?scaling\.fallback(\.reason)?: turning the fallback off needs a written reason/,
      ),
    ]);
  });

  it('returns to the default with `fallback: null`, which drops earlier settings', () => {
    const reset = synthesizeLocal(
      localAgent(
        `  ${AGENT}:\n    scaling: { minReplicas: 0, fallback: null }\n    sites:\n      dev: {}\n`,
      ),
    );
    expect(reset.scaledObject.spec.fallback).toMatchObject({ replicas: 1 });
  });
});
