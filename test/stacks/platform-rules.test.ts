import { Testing } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { loadFleet } from '../../config';
import { addEnvironment } from '../../stacks/fleet';
import { promtoolAvailable, runPromtool } from '../monitoring/promtool';
import { tempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');

/** The Prometheus rules each example platform stack hands to kube-prometheus-stack. */
function synthesizedRuleFiles(): [string, object][] {
  const loaded = loadFleet({ rootDir: ROOT });
  if (!loaded.ok) throw new Error('example environments do not load');
  const app = Testing.app();
  loaded.environments.forEach((environment) => addEnvironment(app, environment));
  return app.node.children
    .filter((stack) => stack.node.id.endsWith('-platform'))
    .map((stack) => {
      const json = JSON.parse(Testing.synth(stack as never, true));
      const release = Object.values(json.resource.helm_release as Record<string, any>).find(
        (candidate) => candidate.name === 'kube-prometheus-stack',
      );
      const values = JSON.parse(release.values[0]);
      return [stack.node.id, values.additionalPrometheusRulesMap['agent-fleet']];
    });
}

(promtoolAvailable() ? describe : describe.skip)('rules of the example platform stacks', () => {
  it.each(synthesizedRuleFiles())('%s: promtool check rules passes', (_stack, rules) => {
    const dir = tempDir('fleet-rules');
    const file = path.join(dir, 'agent-fleet.rules.yml');
    fs.writeFileSync(file, stringify(rules));
    const result = runPromtool(['check', 'rules', file], dir);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status).toBe(0);
  });
});
