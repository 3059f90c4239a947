import { X509Certificate } from 'crypto';
import { rules as secretlintPreset } from '@secretlint/secretlint-rule-preset-recommend';

/**
 * Credentials in strings: every string of a resource (or of any JSON) is
 * scanned for what a secret looks like, wherever it sits: env values, args,
 * annotations, labels, user data and cloud-init, Helm values, ConfigMaps.
 *
 * What counts as a secret:
 * - whatever secretlint's recommended rule set recognises
 *   (`@secretlint/secretlint-rule-preset-recommend`, pinned in package.json):
 *   AWS access key ids (AKIA/ASIA) and secret access keys in `aws_secret_access_key=` form,
 *   GCP service account key files, PEM private keys, basic-auth http(s) URLs,
 *   database connection strings with a password (MongoDB, MySQL, PostgreSQL), and
 *   the tokens of GitHub, GitLab, Slack, Stripe, npm, SendGrid, Shopify, OpenAI,
 *   Anthropic, Groq, Hugging Face, Linear, Notion, 1Password, HashiCorp Vault,
 *   Vercel, Databricks, Docker, Figma, Cloudflare, Tailscale and Grafana;
 * - what the rule set has no rule for ({@link PATTERNS}): a URL of any scheme
 *   with a literal password (`amqp://user:pw@host`), PEM private keys too
 *   short for its rule (Ed25519) or encrypted, Azure storage account keys,
 *   shared access keys and SAS signatures, Azure AD client secrets, Google
 *   API keys and JSON Web Tokens;
 * - a literal in a secret-like position: under a key, an env or Helm `name`,
 *   a `--flag` or a `key=`/`key:` inside text whose last word says it holds a
 *   secret (`password`, `secret`, `token`, `api_key`, `access_key`, …), when
 *   the value looks like a credential rather than a reference, a path or a
 *   keyword (see {@link looksLikeCredential});
 * - a long high-entropy base64 string anywhere (40 characters or more, at
 *   least 4.5 bits of entropy per character, upper- and lower-case letters
 *   and digits), except in PEM blocks (certificates and public keys are
 *   public, private keys are reported as such), base64 DER certificates (CA
 *   certificates as kubeconfigs carry them), SSH public keys, ARNs and
 *   subresource-integrity hashes, and except in cdktf's metadata (construct
 *   paths, stack traces).
 *
 * Terraform expressions are not values: in a template string the text outside
 * `${...}` is scanned with each interpolation read as a blank, and the quoted
 * strings inside an expression (`join("", ["#!/bin/bash\n...", ...])`) are
 * scanned as the literals they are. A string that is a JSON document (Helm
 * values) is scanned by its own keys; base64 that decodes to text (user data,
 * Secret data) is decoded and its text scanned too.
 *
 * Findings name the field (`spec.template.spec.container[0].env[2].value`)
 * and what was found, never the secret itself.
 */

/** One finding: where (the field path), and what looks like a secret there. */
export interface SecretFinding {
  readonly where: string;
  readonly what: string;
}

/** A key of a path: an object key or an array index. */
export type PathSegment = string | number;

/** The path segment that stands for "the base64-decoded text of the string". */
const DECODED = '(decoded)';

/** Shannon entropy, bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Whether a run of base64 characters looks like key material rather than words or paths. */
export function looksLikeKeyMaterial(run: string): boolean {
  return (
    run.length >= 40 &&
    /[A-Z]/.test(run) &&
    /[a-z]/.test(run) &&
    /[0-9]/.test(run) &&
    entropy(run) >= 4.5
  );
}

// ---------------------------------------------------------------------------
// The path of a field, as findings and suppressions name it.

/** `spec.template.spec.container[0].env[2].value`; keys that are not identifiers in `["..."]`. */
export function formatField(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (segment === DECODED) out += ` ${DECODED}`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Whether a path (of JSON keys) is cdktf metadata that names source files and constructs. */
function isMetadata(path: readonly PathSegment[]): boolean {
  return path.includes('//') || (path.includes('annotations') && path.at(-1) === 'stacktrace');
}

// ---------------------------------------------------------------------------
// Terraform templates: the literal text of a string, without its expressions.

/**
 * The pieces of a Terraform template string that reach the output as they
 * are: its text outside `${...}` and `%{...}` (each read as one blank), and
 * every quoted string inside those expressions, itself read the same way.
 * `$${` and `%%{` are the escapes for a literal `${` and `%{`.
 */
export function literalTexts(template: string): string[] {
  if (!template.includes('${') && !template.includes('%{')) return [template];
  const out: string[] = [];
  readTemplate(template, 0, false, out);
  return out.filter((text) => text.trim() !== '');
}

/** Reads template text from `i` to the end (or, quoted, to its closing quote); returns where it stopped. */
function readTemplate(s: string, start: number, quoted: boolean, out: string[]): number {
  let text = '';
  let i = start;
  while (i < s.length) {
    const c = s[i];
    if (quoted && c === '"') {
      i++;
      break;
    }
    if (quoted && c === '\\') {
      const [char, length] = unescapeAt(s, i);
      text += char;
      i += length;
      continue;
    }
    if ((c === '$' || c === '%') && s[i + 1] === c && s[i + 2] === '{') {
      text += `${c}{`;
      i += 3;
      continue;
    }
    if ((c === '$' || c === '%') && s[i + 1] === '{') {
      i = readExpression(s, i + 2, out);
      text += ' ';
      continue;
    }
    text += c;
    i++;
  }
  out.push(text);
  return i;
}

/** Skips an expression up to its closing brace, reading the quoted strings in it. */
function readExpression(s: string, start: number, out: string[]): number {
  let depth = 0;
  let i = start;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      i = readTemplate(s, i + 1, true, out);
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i + 1;
      depth--;
    }
    i++;
  }
  return i;
}

/** The character an HCL escape at `i` stands for, and the escape's length. */
function unescapeAt(s: string, i: number): [string, number] {
  const next = s[i + 1];
  const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
  if (next !== undefined && next in simple) return [simple[next], 2];
  const hex = next === 'u' ? s.slice(i + 2, i + 6) : next === 'U' ? s.slice(i + 2, i + 10) : '';
  if (hex !== '' && /^[0-9a-fA-F]+$/.test(hex)) {
    return [String.fromCodePoint(parseInt(hex, 16)), 2 + hex.length];
  }
  return ['\\', 1];
}

// ---------------------------------------------------------------------------
// secretlint's recommended rules, run synchronously on one text.

interface SecretlintMessage {
  readonly message: string;
  readonly messageId: string;
}
interface SecretlintReport {
  readonly message: SecretlintMessage;
  readonly range: readonly [number, number];
}
interface SecretlintContext {
  readonly sharedOptions: Record<string, unknown>;
  createTranslator(
    messages: Record<string, unknown>,
  ): (messageId: string, props?: unknown) => SecretlintMessage;
  report(descriptor: SecretlintReport): void;
  ignore(descriptor: unknown): void;
}
/** A rule as secretlint's rule API (`@secretlint/types` SecretLintRuleCreator) defines it. */
interface SecretlintRule {
  readonly meta: { readonly id: string };
  create(
    context: SecretlintContext,
    options: Record<string, unknown>,
  ): { file?(source: unknown): unknown };
}

/**
 * Options per rule. The AWS rule scans for access key ids only when asked;
 * its account id scan is dropped below (an account id is not a secret).
 */
const SECRETLINT_OPTIONS: Record<string, Record<string, unknown>> = {
  '@secretlint/secretlint-rule-aws': { enableIDScanRule: true },
};
/** `secretlint-disable` comments are for source files, not for values. */
const SECRETLINT_SKIPPED = new Set(['@secretlint/secretlint-rule-filter-comments']);

/** A report of a rule with the text it matched. */
interface Reported {
  readonly rule: string;
  readonly messageId: string;
  readonly match: string;
  /** Where the match starts in the text scanned. */
  readonly index: number;
}

let preset:
  | { readonly sink: Reported[]; readonly handlers: { rule: string; file(s: unknown): unknown }[] }
  | undefined;

/** The preset's rules, created once, each reporting into one sink. */
function secretlint() {
  if (preset) return preset;
  const sink: Reported[] = [];
  const handlers: { rule: string; file(s: unknown): unknown }[] = [];
  for (const rule of secretlintPreset as unknown as readonly SecretlintRule[]) {
    if (SECRETLINT_SKIPPED.has(rule.meta.id)) continue;
    let content = '';
    const context: SecretlintContext = {
      sharedOptions: {},
      createTranslator: (messages) => (messageId, props) => {
        const entry = messages[messageId] as
          ((p: unknown) => string) | Record<string, (p: unknown) => string>;
        const format = typeof entry === 'function' ? entry : entry.en;
        return { message: format(props), messageId };
      },
      report: ({ message, range }) =>
        sink.push({
          rule: rule.meta.id,
          messageId: message.messageId,
          match: content.slice(range[0], range[1]),
          index: range[0],
        }),
      ignore: () => undefined,
    };
    const handler = rule.create(context, SECRETLINT_OPTIONS[rule.meta.id] ?? {});
    const file = handler.file;
    if (!file) continue;
    handlers.push({
      rule: rule.meta.id,
      file(source) {
        content = (source as { content: string }).content;
        return file.call(handler, source);
      },
    });
  }
  preset = { sink, handlers };
  return preset;
}

/** AWS unique ids that are not keys: roles (AROA), users (AIDA), groups (AGPA), policies, … */
const AWS_KEY_PREFIX = /^(AKIA|ASIA|A3T)/;

/** What secretlint's recommended rules report in one text. */
function secretlintFindings(text: string, only?: string): Reported[] {
  const { sink, handlers } = secretlint();
  sink.length = 0;
  const source = {
    hasBOM: false,
    content: text,
    filePath: undefined,
    physicalFilePath: undefined,
    contentType: 'text',
    ext: /^\s*[[{]/.test(text) ? '.json' : '',
    getFilePath: () => undefined,
    getPhysicalFilePath: () => undefined,
  };
  for (const handler of handlers) {
    if (only && handler.rule !== only) continue;
    const result = handler.file(source);
    // A rule that works asynchronously (a .p12 file on disk) has nothing to read here.
    if (result instanceof Promise) result.catch(() => undefined);
  }
  return sink
    .splice(0)
    .filter(
      (found) =>
        found.messageId !== 'AWSAccountID' &&
        (found.messageId !== 'AWSAccessKeyID' || AWS_KEY_PREFIX.test(found.match)),
    );
}

// ---------------------------------------------------------------------------
// Patterns for what the rule set has no rule for.

interface Pattern {
  readonly what: string;
  readonly regex: RegExp;
  /**
   * What of the match may be shown.
   * @default - nothing of the match is shown
   */
  readonly hint?: (match: RegExpMatchArray) => string | undefined;
}

/**
 * The Azure patterns follow the formats Microsoft documents: a storage
 * connection string's `AccountKey=` is the 512-bit account key in base64
 * ("Configure Azure Storage connection strings"), a Service Bus or Event Hubs
 * connection string's `SharedAccessKey=` a 256-bit key, a SAS token's `sig=`
 * its signature. Three are gitleaks' rules, ported from RE2 unchanged
 * (gitleaks v8.30.1, config/gitleaks.toml, MIT licence): `azure-ad-client-secret`,
 * `gcp-api-key` and `jwt`.
 */
const PATTERNS: readonly Pattern[] = [
  {
    what: 'a URL with a literal password',
    regex: /\b([a-z][a-z0-9+.-]{1,20}):\/\/([^\s:@/"'<>{}]+):([^\s@/"'<>{}]+)@([^\s/"'<>?#]+)/gi,
    hint: (m) =>
      isPlaceholder(m[3]) || m[3] === 'x-oauth-basic' ? undefined : `${m[1]}://${m[2]}:…@${m[4]}`,
  },
  {
    // secretlint's private key rule wants 100 characters of key: Ed25519 keys are shorter.
    // A key is its header followed by its body (after any `Proc-Type:`-style
    // lines), so a script that writes the header around a key it makes is none.
    what: 'a PEM private key',
    regex:
      /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----\r?\n([A-Za-z-]+: [^\n]*\r?\n)*(\r?\n)?[A-Za-z0-9+/=]{4}/g,
  },
  {
    what: 'an Azure storage account key',
    regex: /\bAccountKey=[A-Za-z0-9+/]{86}==/g,
  },
  {
    what: 'an Azure shared access key',
    regex: /\bSharedAccessKey=[A-Za-z0-9+/]{43}=/g,
  },
  {
    what: 'an Azure SAS signature',
    regex: /[?&;]sig=[A-Za-z0-9%+/]{40,}/g,
  },
  {
    what: 'an Azure AD client secret',
    regex:
      /(?:^|[\\'"\x60\s>=:(,)])([a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34})(?:$|[\\'"\x60\s<),])/g,
  },
  {
    what: 'a Google API key',
    regex: /\b(AIza[\w-]{35})(?:[\x60'"\s;]|\\[nr]|$)/g,
  },
  {
    what: 'a JSON Web Token',
    regex:
      /\b(ey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/\\_-]{17,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?)(?:[\x60'"\s;]|\\[nr]|$)/g,
  },
];

// ---------------------------------------------------------------------------
// Secret-like positions.

/** Last words of a key that say its value is a secret. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'credential',
  'credentials',
]);
/** Last two words of a key that say its value is a secret. */
const SECRET_PAIRS = new Set([
  'api key',
  'access key',
  'secret key',
  'private key',
  'account key',
  'shared key',
  'signing key',
  'master key',
  'encryption key',
  'auth key',
  'secret string',
  'secret value',
  'connection string',
]);

/** The words of a key: `adminPassword`, `DB_PASSWORD`, `x-api-key` → admin password, db password, x api key. */
function wordsOf(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Whether a key names a secret by its last word (or two): `password`,
 * `DB_PASSWORD`, `--db-password`, `client_secret`, `AWS_SECRET_ACCESS_KEY`,
 * `apiKey`; a write-only `_wo` suffix is read through. Keys that name where a
 * secret is (`password_file`, `secretName`, `secretKeyRef`, `token_ttl`) do
 * not, nor do annotation and label keys with a `/` prefix, whose values are
 * Vault paths and templates.
 */
export function isSecretKey(key: string): boolean {
  let known = secretKeys.get(key);
  if (known === undefined) {
    known = judgeKey(key);
    secretKeys.set(key, known);
  }
  return known;
}
/** Keys judged so far: the same few hundred recur in every resource. */
const secretKeys = new Map<string, boolean>();

function judgeKey(key: string): boolean {
  if (key.includes('/')) return false;
  const words = wordsOf(key);
  if (words.at(-1) === 'wo') words.pop();
  const last = words.at(-1);
  if (last === undefined || words.includes('existing')) return false;
  // `passwordSecret`, `credentialsSecret`: the name of a Secret holding it.
  if (last === 'secret' && words.length > 1 && SECRET_WORDS.has(words[words.length - 2])) {
    return false;
  }
  return SECRET_WORDS.has(last) || SECRET_PAIRS.has(words.slice(-2).join(' '));
}

/** References, paths and templates: where a secret is, not the secret. */
const POINTER =
  /^(\$|<|\{\{|%|@|\/|\.\.?\/|~\/|file:|env:|vault:|secret:|secretref:|arn:|ref\+|projects\/)/i;
/** Words that configure a secret-named setting rather than being its value. */
const KEYWORD =
  /^(true|false|yes|no|on|off|null|nil|none|required|optional|enabled|disabled|auto|default|redacted|\*+|x+|\.+|…)$/i;

/** Whether a placeholder stands where a password would be (`<password>`, `$PASS`, `****`). */
function isPlaceholder(value: string): boolean {
  return POINTER.test(value) || KEYWORD.test(value) || /^\{.*\}$/.test(value);
}

/**
 * Whether a value in a secret-like position looks like a credential: at least
 * 6 characters without blanks, two or more kinds of character (lower, upper,
 * digit, other) and 2.5 bits of entropy per character, and neither a
 * reference, a path, a placeholder, a number nor a keyword (`true`,
 * `required`, `disabled`).
 */
export function looksLikeCredential(value: string): boolean {
  if (value.length < 6 || /\s/.test(value) || isPlaceholder(value)) return false;
  if (/^[0-9.:-]+$/.test(value)) return false;
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((kind) => kind.test(value));
  return kinds.length >= 2 && entropy(value) >= 2.5;
}

/**
 * `key=value`, `key: value`, `"key": "value"`, `--key=value` inside text (not
 * a URL's `scheme://`); the value ends at a blank, quote, `&`, `;` or `,`. The
 * value is read ahead, not consumed, so an assignment inside another's value
 * (`SETTING='--db-password=…'`) is read too.
 */
const TEXT_ASSIGNMENT =
  /(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*(?:=|:(?!\/\/))(?=[ \t]*["']?([^\s"'&;,]+))/g;
/** `--key value` inside text, the value read ahead as above. */
const TEXT_FLAG =
  /(?<![A-Za-z0-9_-])--?([A-Za-z][A-Za-z0-9_.-]*)(?=[ \t]+["']?([^\s"'-][^\s"']*))/g;
/** A flag alone in an argument list, whose value is the next argument. */
const FLAG = /^--?([A-Za-z][A-Za-z0-9_.-]*)$/;

/** A value shown in a finding: its first 4 characters of a long one, nothing of a short one. */
function mask(value: string): string {
  return value.length >= 16 ? `${value.slice(0, 4)}…` : '…';
}

// ---------------------------------------------------------------------------
// Certificates and other public key material.

/** PEM blocks: certificates and public keys are public, private keys are reported as such. */
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const SSH_PUBLIC_KEY = /\b(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/]+={0,2}/g;
const ARN = /\barn:aws[a-z-]*:[^\s"]*/g;
const INTEGRITY = /\bsha(256|384|512)-[A-Za-z0-9+/]+={0,2}/g;
const BASE64_RUN = /[A-Za-z0-9+/]{40,}={0,2}/g;

/** Whether base64 is a DER X.509 certificate (a CA certificate as kubeconfigs carry it). */
function isDerCertificate(base64: string): boolean {
  try {
    new X509Certificate(Buffer.from(base64, 'base64'));
    return true;
  } catch {
    return false;
  }
}

/** The text base64 stands for, if it is base64 of UTF-8 text (user data, Secret data). */
function decodeBase64Text(text: string): string | undefined {
  if (text.length < 16 || !/^[A-Za-z0-9+/=\s]+$/.test(text)) return undefined;
  const compact = text.replace(/\s+/g, '');
  if (compact.length < 16 || compact.length % 4 !== 0) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  const bytes = Buffer.from(compact, 'base64');
  const decoded = bytes.toString('utf8');
  if (!Buffer.from(decoded, 'utf8').equals(bytes)) return undefined;
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(decoded) ? undefined : decoded;
}

// ---------------------------------------------------------------------------
// The scan.

/** One literal text to scan, with where it sits and the name its position gives it. */
interface Piece {
  readonly text: string;
  readonly path: readonly PathSegment[];
  /** Object key, env or Helm `name`, or the flag before it in an argument list. */
  readonly key: string | undefined;
  /** Whether the text is base64 of text, scanned once decoded: not key material itself. */
  readonly encoded: boolean;
  /** Where its findings go. */
  readonly found: Findings;
}

/** Between pieces scanned as one text: no pattern crosses a NUL. */
const SEPARATOR = '\n\u0000\n';

/** The findings of one value, in the order of the strings they are about. */
class Findings {
  private readonly seen = new Set<string>();
  private readonly found: (SecretFinding & { readonly order: number })[] = [];

  /** Adds what was found at `path`, the `order`-th string scanned. */
  add(path: readonly PathSegment[], what: string, order: number): void {
    const where = formatField(path);
    const key = `${where}\n${what}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.found.push({ where, what, order });
  }

  get list(): SecretFinding[] {
    return [...this.found]
      .sort((a, b) => a.order - b.order)
      .map(({ where, what }) => ({ where, what }));
  }
}

/** A JSON document in a string (Helm values, policies), if it is one. */
function parseDocument(text: string): object | undefined {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function describe(reported: Reported): string {
  const rule = reported.rule.replace('@secretlint/secretlint-rule-', '');
  const shown = reported.match.length >= 16 ? ` '${mask(reported.match)}'` : '';
  return `${reported.messageId} (secretlint ${rule})${shown}`;
}

/** Collects the literal texts of a string at `path`: its JSON document's strings, its template's literals, its decoded base64. */
function collectString(
  text: string,
  path: readonly PathSegment[],
  key: string | undefined,
  pieces: Piece[],
  found: Findings,
): void {
  if (text.trim() === '') return;
  const document = parseDocument(text);
  if (document !== undefined) {
    // A GCP service account key file is recognised as a whole document.
    for (const reported of secretlintFindings(text, '@secretlint/secretlint-rule-gcp')) {
      found.add(path, describe(reported), pieces.length);
    }
    collect(document, path, undefined, pieces, found);
    return;
  }
  for (const literal of literalTexts(text)) {
    const decoded = decodeBase64Text(literal);
    pieces.push({ text: literal, path, key, encoded: decoded !== undefined, found });
    if (decoded !== undefined) collectString(decoded, [...path, DECODED], key, pieces, found);
  }
}

/** Collects the strings of a JSON value; `key` is the name the value's position gives it. */
function collect(
  value: unknown,
  path: readonly PathSegment[],
  key: string | undefined,
  pieces: Piece[],
  found: Findings,
): void {
  if (typeof value === 'string') {
    collectString(value, path, key, pieces, found);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      // An argument list: `--db-password`, `<value>`.
      const previous: unknown = value[i - 1];
      const flag = typeof previous === 'string' ? FLAG.exec(previous)?.[1] : undefined;
      const argument = typeof item === 'string' && !item.startsWith('-');
      collect(item, [...path, i], argument ? flag : undefined, pieces, found);
    });
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // A name and its value: env entries, Helm `set`, tags.
    const named = typeof record.name === 'string' ? record.name : record.key;
    for (const [child, item] of Object.entries(record)) {
      const position = child === 'value' && typeof named === 'string' ? named : child;
      collect(item, [...path, child], position, pieces, found);
    }
  }
}

/** Scans the pieces: each on its own for its position and key material, all at once for patterns. */
function scanPieces(pieces: readonly Piece[]): void {
  const starts: number[] = [];
  let offset = 0;
  for (const piece of pieces) {
    starts.push(offset);
    offset += piece.text.length + SEPARATOR.length;
  }
  const pieceAt = (index: number): number => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] <= index) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  const text = pieces.map((piece) => piece.text).join(SEPARATOR);

  pieces.forEach((piece, order) => {
    const value = piece.text.trim();
    if (piece.key !== undefined && isSecretKey(piece.key) && looksLikeCredential(value)) {
      const shown = value.length >= 16 ? ` '${mask(value)}'` : '';
      piece.found.add(piece.path, `a literal value for '${piece.key}'${shown}`, order);
    }
    if (!piece.encoded && !isMetadata(piece.path) && LONG_BASE64.test(piece.text)) {
      const stripped = piece.text
        .replace(PEM_BLOCK, '')
        .replace(SSH_PUBLIC_KEY, '')
        .replace(ARN, '')
        .replace(INTEGRITY, '');
      for (const [run] of stripped.matchAll(BASE64_RUN)) {
        if (looksLikeKeyMaterial(run) && !isDerCertificate(run)) {
          piece.found.add(piece.path, `a high-entropy base64 string '${mask(run)}'`, order);
        }
      }
    }
  });
  // Where secretlint found something: a URL it reported is not reported again by scheme.
  const reportedAt = new Set<number>();
  for (const reported of secretlintFindings(text)) {
    const order = pieceAt(reported.index);
    pieces[order].found.add(pieces[order].path, describe(reported), order);
    reportedAt.add(reported.index);
  }
  for (const pattern of PATTERNS) {
    for (const match of text.matchAll(pattern.regex)) {
      // Where the secret starts: some patterns begin with the character before it.
      const at = (match.index ?? 0) + (match[1] ? match[0].indexOf(match[1]) : 0);
      if (reportedAt.has(at)) continue;
      const hint = pattern.hint ? pattern.hint(match) : '';
      if (hint === undefined) continue;
      const order = pieceAt(at);
      const what = hint ? `${pattern.what} '${hint}'` : pattern.what;
      pieces[order].found.add(pieces[order].path, what, order);
    }
  }
  for (const regex of [TEXT_ASSIGNMENT, TEXT_FLAG]) {
    for (const match of text.matchAll(regex)) {
      const [, name, assigned] = match;
      if (isSecretKey(name) && looksLikeCredential(assigned)) {
        const order = pieceAt(match.index ?? 0);
        pieces[order].found.add(
          pieces[order].path,
          `a literal value for '${name}' in the text ('${name}=${mask(assigned)}')`,
          order,
        );
      }
    }
  }
}

/** A run of base64 long enough to be key material. */
const LONG_BASE64 = /[A-Za-z0-9+/]{40}/;

/** Scans one string found at `path` (its last key gives its position). */
export function scanString(text: string, path: readonly PathSegment[] = []): SecretFinding[] {
  const found = new Findings();
  const pieces: Piece[] = [];
  const last = path.at(-1);
  collectString(text, path, typeof last === 'string' ? last : undefined, pieces, found);
  scanPieces(pieces);
  return found.list;
}

/** Scans every string of a JSON value, with the path of keys that leads to it. */
export function scanJson(value: unknown, path: readonly PathSegment[] = []): SecretFinding[] {
  return scanEach([value], path)[0];
}

/**
 * Scans several JSON values (the resources of a stack) at once, each with
 * findings of its own: one pass of every pattern over all their strings.
 */
export function scanEach(
  values: readonly unknown[],
  path: readonly PathSegment[] = [],
): SecretFinding[][] {
  const pieces: Piece[] = [];
  const last = path.at(-1);
  const results = values.map((value) => {
    const found = new Findings();
    collect(value, path, typeof last === 'string' ? last : undefined, pieces, found);
    return found;
  });
  scanPieces(pieces);
  return results.map((found) => found.list);
}
