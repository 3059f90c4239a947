import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Extractor, ExtractorConfig, ExtractorMessage } from '@microsoft/api-extractor';
import { tempDir } from '../support/temp-dir';
import { REPO } from '../support/typescript-process';

/*
 * The public API (what index.ts exports, as the build declares it) is the one
 * recorded in api/agent-fleet.api.md: a change to it shows in review as a
 * change to that file. The package is built into a temporary directory and
 * API Extractor compares its declarations with the committed report, as CI
 * does (not a local build: the report is never rewritten here).
 */

const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc');
const REPORT = 'api/agent-fleet.api.md';

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
    const out = tempDir('api-report');
    const build = spawnSync(
      process.execPath,
      [TSC, '-p', path.join(REPO, 'tsconfig.build.json'), '--outDir', out],
      { cwd: REPO, encoding: 'utf8' },
    );
    if (build.status !== 0) throw new Error(`npm run build fails:\n${build.stdout}${build.stderr}`);
    // The declarations import cdktf, constructs and the providers: resolved as from dist/.
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(out, 'node_modules'), 'dir');

    const configFile = path.join(REPO, 'api-extractor.json');
    const configObject = ExtractorConfig.loadFile(configFile);
    configObject.mainEntryPointFilePath = path.join(out, 'index.d.ts');
    configObject.apiReport = {
      ...configObject.apiReport!,
      reportTempFolder: path.join(out, 'api'),
    };
    const config = ExtractorConfig.prepare({
      configObject,
      configObjectFullPath: configFile,
      packageJsonFullPath: path.join(REPO, 'package.json'),
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
