import * as fs from 'fs';
import * as path from 'path';
import { Extractor, ExtractorConfig, ExtractorMessage } from '@microsoft/api-extractor';
import {
  buildAndRun,
  consumerProject,
  failure,
  PACKAGE,
  packLibrary,
  readmeApp,
  unpack,
} from '../support/packed-library';
import { REPO } from '../support/typescript-process';

/*
 * The package as `npm pack` makes it for a user (it builds first), packed once
 * for both parts of this file.
 *
 * Its public API (what index.ts exports, as the build declares it) is the one
 * recorded in api/agent-fleet.api.md: a change to it shows in review as a
 * change to that file. API Extractor compares the packed declarations with the
 * committed report, as CI does (not a local build: the report is never
 * rewritten here).
 *
 * Then the tarball is installed into a fresh project with only its declared
 * dependencies, and the README's "From TypeScript" app is type-checked against
 * the package's declarations and synthesized with the guardrails running.
 * Installing may use the npm cache and the registry the machine reaches;
 * without either that part skips with a message, except under CI=true, where
 * it fails.
 */

const REPORT = 'api/agent-fleet.api.md';
const packed = packLibrary();

/**
 * Where the report shows provider binding types taking part in input: the
 * interfaces and type aliases (props, specs, plans), and the parameters of
 * functions, constructors and methods. Outputs may expose them (a construct's
 * resource, as aws-cdk exposes its L1).
 */
function providerTypesInInput(report: string): string[] {
  const imported = [
    ...report.matchAll(/^import \{ (\w+)(?: as (\w+))? \} from '@cdktf\/provider-[^']+';$/gm),
  ].map((match) => match[2] ?? match[1]);
  if (imported.length === 0) return [];
  const binding = new RegExp(`\\b(${imported.join('|')})\\b`);
  const declarations = [
    ...report.matchAll(/^(?:export )?interface \w+[^\n]*\{\n[\s\S]*?^\}/gm),
    ...report.matchAll(/^(?:export )?type \w+[^;]*;/gm),
    ...report.matchAll(/\([^()]*\)/g),
  ].map((match) => match[0]);
  return declarations.filter((text) => binding.test(text));
}

describe('the API report', () => {
  it('takes no provider binding type as input', () => {
    const report = fs.readFileSync(path.join(REPO, REPORT), 'utf8');
    expect(report).toMatch(/^import \{ Release \} from '@cdktf\/provider-helm\/lib\/release';$/m);
    expect(providerTypesInInput(report)).toEqual([]);
    expect(
      providerTypesInInput(`${report}\ninterface Probe {\n    readonly release: Release;\n}\n`),
    ).toEqual(['interface Probe {\n    readonly release: Release;\n}']);
  });

  it(`matches ${REPORT}`, () => {
    const unpacked = unpack(packed);
    // The declarations import cdktf, constructs and the providers: resolved from the repository's.
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(unpacked, 'node_modules'), 'dir');

    const configFile = path.join(REPO, 'api-extractor.json');
    const configObject = ExtractorConfig.loadFile(configFile);
    configObject.mainEntryPointFilePath = path.join(unpacked, 'dist/index.d.ts');
    configObject.apiReport = {
      ...configObject.apiReport!,
      reportTempFolder: path.join(unpacked, 'api'),
    };
    const config = ExtractorConfig.prepare({
      configObject,
      configObjectFullPath: configFile,
      packageJsonFullPath: path.join(unpacked, 'package.json'),
    });
    const messages: string[] = [];
    const result = Extractor.invoke(config, {
      localBuild: false,
      messageCallback: (message: ExtractorMessage) => {
        if (message.logLevel === 'error' || message.logLevel === 'warning') {
          messages.push(message.formatMessageWithLocation(REPO));
        }
        message.handled = true;
      },
    });

    if (result.apiReportChanged) {
      throw new Error(
        `The public API differs from ${REPORT}: run \`npm run api\`, review the change to ${REPORT} and commit it.`,
      );
    }
    expect(fs.existsSync(path.join(REPO, REPORT))).toBe(true);
    expect(messages).toEqual([]);
    expect(result.succeeded).toBe(true);
  }, 120_000);
});

const project = consumerProject(packed);
const describeInstalled = 'dir' in project ? describe : describe.skip;
if ('unavailable' in project) {
  console.warn(`Skipping the packed-library test: ${project.unavailable}`);
}

describeInstalled('the packed library in a fresh project', () => {
  const dir = 'dir' in project ? project.dir : '';
  const app = readmeApp();

  it('holds only the built package and the declared dependencies', () => {
    const installed = path.join(dir, 'node_modules', PACKAGE);
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(fs.existsSync(path.join(installed, manifest.types))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'test'))).toBe(false);
    expect(fs.readdirSync(installed).filter((entry) => entry.endsWith('.ts'))).toEqual([]);
  });

  it("type-checks and synthesizes the README's app, with the guardrails running", () => {
    const { compiled, synth } = buildAndRun(dir, app);
    if (compiled.status !== 0) throw failure('tsc', compiled);
    if (synth?.status !== 0) throw failure('the app', synth!);
    const outdir = path.join(dir, 'cdktf.out');
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(['demo-dc1-agents', 'demo-dc1-platform']);
    const agents = JSON.parse(
      fs.readFileSync(path.join(outdir, 'stacks/demo-dc1-agents/cdk.tf.json'), 'utf8'),
    );
    const deployments = Object.values<{ metadata: { name: string } }>(
      agents.resource.kubernetes_deployment_v1,
    );
    expect(deployments.map((deployment) => deployment.metadata.name).sort()).toEqual([
      'indexer',
      'thumbnailer',
    ]);
    // The app prints the fleet's summary, then the guardrails' findings: the local state.
    expect(synth!.stdout).toMatch(
      /^ {2}thumbnailer +dc1 +general +2–8 +keda: queue depth 50\/replica$/m,
    );
    expect(synth!.stdout).toMatch(
      /^ {2}indexer +dc1 +general +2–4 +keda: queue depth 50\/replica$/m,
    );
    expect(synth!.stdout.match(/^\[GR-[A-Z]+-\d+\] .*$/gm)).toEqual([
      expect.stringMatching(/^\[GR-ST-07\] warning demo-dc1-platform\/backend: /),
      expect.stringMatching(/^\[GR-ST-07\] warning demo-dc1-agents\/backend: /),
    ]);
  });

  it('refuses the same app with a mistake, naming the construct path and the field', () => {
    const thumbnailer = "'registry.example.com/agent-fleet/thumbnailer:1.4.2',\n        8,";
    expect(app).toContain(thumbnailer);
    const broken = app.replace(thumbnailer, thumbnailer.replace('8,', '1,'));
    const { compiled, synth } = buildAndRun(dir, broken);
    if (compiled.status !== 0) throw failure('tsc', compiled);
    expect(synth?.status).not.toBe(0);
    expect(synth?.stderr).toContain(
      "ValidationError: demo: 1 problem(s)\n  - 'deployments.thumbnailer@dc1.scaling.minReplicas': (2) must be <= 'scaling.maxReplicas' (1)\n",
    );
    // cdktf's App makes the output directories; no file is written into them.
    const written = fs
      .readdirSync(path.join(dir, 'cdktf.out'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile());
    expect(written).toEqual([]);
  });
});
