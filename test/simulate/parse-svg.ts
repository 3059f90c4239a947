import { spawnSync } from 'child_process';
import { REPO } from '../support/typescript-process';

/** One element of a parsed document, in document order. */
export interface ParsedElement {
  /** The element's name as the parser read it, e.g. `polyline`. */
  readonly tag: string;
  /** The element's namespace URI. @default - none: null namespace */
  readonly namespace?: string;
  /** Its attributes, by name. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Its text content, that of its descendants included. */
  readonly text: string;
}

/** What the browser's XML parser makes of one document. */
export interface ParsedSvg {
  /** The text of each `parsererror` element: none for a well-formed document. */
  readonly errors: readonly string[];
  /** Every element, the root first. */
  readonly elements: readonly ParsedElement[];
}

/**
 * Run in a child process: jsdom depends on packages published as ES modules
 * only, which Jest's CommonJS module registry cannot load.
 */
const RUNNER = `
import { JSDOM } from 'jsdom';
const { DOMParser } = new JSDOM().window;
let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map((text) => {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const errors = [...doc.getElementsByTagName('parsererror')].map((e) => e.textContent);
  const elements = [doc.documentElement, ...doc.documentElement.querySelectorAll('*')].map((e) => ({
    tag: e.tagName,
    ...(e.namespaceURI ? { namespace: e.namespaceURI } : {}),
    attributes: Object.fromEntries([...e.attributes].map((a) => [a.name, a.value])),
    text: e.textContent,
  }));
  return { errors, elements };
});
process.stdout.write(JSON.stringify(results));
`;

/**
 * Parses documents with jsdom's `DOMParser` as `image/svg+xml` (strict XML,
 * as a browser reads a standalone SVG file), in one Node process for the
 * whole batch.
 * @throws Error when the runner itself fails
 */
export function parseSvgs(documents: readonly string[]): ParsedSvg[] {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', RUNNER], {
    cwd: REPO,
    input: JSON.stringify(documents),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`the SVG parser runner failed (${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as ParsedSvg[];
}
