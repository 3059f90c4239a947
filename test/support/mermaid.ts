import { spawnSync } from 'child_process';
import { REPO } from './typescript-process';

/** Mermaid's verdict on one diagram. */
export interface MermaidVerdict {
  /** Whether Mermaid parses the diagram. */
  readonly ok: boolean;
  /** The diagram type Mermaid detected, e.g. `flowchart-v2`. @default - none: it did not parse */
  readonly type?: string;
  /** Mermaid's error message. @default - none: it parsed */
  readonly error?: string;
}

/** What Mermaid says of a batch of diagrams, and the limits its configuration holds by default. */
export interface MermaidResult {
  readonly verdicts: readonly MermaidVerdict[];
  /** Mermaid's own defaults for `maxTextSize` and `maxEdges`. */
  readonly defaults: { readonly maxTextSize: number; readonly maxEdges: number };
}

/**
 * Run in a child process, since Mermaid is published as ES modules only and
 * Jest runs the tests as CommonJS. Mermaid sanitizes labels with DOMPurify,
 * which needs a DOM: a jsdom window stands in before Mermaid is imported.
 * Each diagram is parsed as `mermaid.parse` does for the page (the flowchart
 * grammar, and the edge limit `maxEdges`); the text limit `maxTextSize` is
 * checked only when rendering, so it is checked here against Mermaid's own
 * default, as `render` would.
 */
const RUNNER = `
import { JSDOM } from 'jsdom';
const { window } = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });
const config = mermaid.mermaidAPI.getConfig();
const defaults = { maxTextSize: config.maxTextSize, maxEdges: config.maxEdges };
let input = '';
for await (const chunk of process.stdin) input += chunk;
const verdicts = [];
for (const text of JSON.parse(input)) {
  if (text.length > defaults.maxTextSize) {
    verdicts.push({ ok: false, error: 'Maximum text size in diagram exceeded' });
    continue;
  }
  try {
    const parsed = await mermaid.parse(text);
    verdicts.push({ ok: true, type: parsed.diagramType });
  } catch (error) {
    verdicts.push({ ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify({ verdicts, defaults }));
`;

/**
 * Parses Mermaid diagrams (without their Markdown fence) with Mermaid itself
 * (the `mermaid` and `jsdom` packages of the devDependencies), in one Node
 * process for the whole batch.
 * @throws Error when the runner itself fails
 */
export function parseMermaid(diagrams: readonly string[]): MermaidResult {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', RUNNER], {
    cwd: REPO,
    input: JSON.stringify(diagrams),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`the Mermaid runner failed (${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as MermaidResult;
}
