/**
 * A scan of synthesized Terraform JSON for anything that looks like a secret.
 * The environment files hold no secrets: passwords are generated ephemerally
 * and reach resources as `${ephemeral...}` references, so a literal secret in
 * the output is a defect.
 *
 * What counts as a secret:
 * - an AWS access key id (`AKIA` and 16 upper-case letters or digits);
 * - a PEM private key header (`-----BEGIN ... PRIVATE KEY-----`);
 * - a field named like a password, secret or token (`password`,
 *   `client_secret`, `token`, `secret_key`, `adminPassword`, …), or an
 *   environment variable named so (`DB_PASSWORD`), holding a literal string
 *   rather than a `${...}` reference;
 * - a URL with user and a literal password (`amqp://user:hunter2@host`);
 * - a long high-entropy base64 string (40 characters or more, at least 4.5
 *   bits of entropy per character, with upper- and lower-case letters and
 *   digits).
 *
 * Allowlist, for the base64 check only (every other check applies everywhere):
 * - PEM CERTIFICATE blocks, wherever they are: CA certificates are public (the
 *   site's `kubernetesCaCertificate` and vault `caCertificate`, rendered to
 *   `kubernetes_ca_cert` and `ca.crt` config maps);
 * - SSH public keys (`ssh-rsa AAAA…`, `ssh-ed25519 AAAA…`);
 * - cdktf metadata: construct paths under `//` and stack traces under
 *   `annotations` in manifest.json, which name source files;
 * - ARNs (`arn:aws:…`), whose policy names are long mixed-case words.
 * Base64 user data (`user_data`, `custom_data`) is not allowlisted: a literal
 * value is decoded and the decoded text is scanned with every check.
 */

/** One finding: where, and what looks like a secret. */
export interface SecretFinding {
  readonly where: string;
  readonly what: string;
}

const AWS_ACCESS_KEY = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/;
const PRIVATE_KEY = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/;
// Field names of Terraform and API objects (snake_case or camelCase), not
// annotation keys such as vault.hashicorp.com/agent-inject-secret-db-password,
// whose values are paths and templates naming a secret held elsewhere.
const SECRET_FIELD =
  /^([A-Za-z0-9]*_)?(password|passwd|secret|token|secret_key|access_key|api_key|private_key|client_secret)$|^[a-z0-9]+(Password|Secret|Token|SecretKey|AccessKey|ApiKey|PrivateKey)$/i;
/** Names of environment variables that hold secrets. */
const SECRET_VARIABLE = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY/i;
const BASIC_AUTH_URL = /[a-z][a-z0-9+.-]*:\/\/[^\s:@/"'${}]+:([^\s@"']+)@/gi;
const BASE64_RUN = /[A-Za-z0-9+/]{40,}={0,2}/g;
const REFERENCE = /^\$\{[\s\S]*\}$/;
const USER_DATA_FIELD = /^(user_data|custom_data|user_data_base64)$/;

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const SSH_PUBLIC_KEY = /\b(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/]+={0,2}/g;
const ARN = /\barn:aws[a-z-]*:[^\s"]*/g;

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

/** Whether a path (of JSON keys) is cdktf metadata that names source files and constructs. */
function isMetadata(path: readonly string[]): boolean {
  return path.includes('//') || (path.includes('annotations') && path.at(-1) === 'stacktrace');
}

function decodeBase64(text: string): string | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** Scans one string found at `path`. */
export function scanString(text: string, path: readonly string[]): SecretFinding[] {
  const where = path.join('.');
  const found: SecretFinding[] = [];
  const field = path.at(-1) ?? '';
  if (AWS_ACCESS_KEY.test(text)) found.push({ where, what: 'an AWS access key id' });
  if (PRIVATE_KEY.test(text)) found.push({ where, what: 'a PEM private key' });
  if (SECRET_FIELD.test(field) && text !== '' && !REFERENCE.test(text)) {
    found.push({ where, what: `a literal value in the field '${field}'` });
  }
  for (const match of text.matchAll(BASIC_AUTH_URL)) {
    if (!match[1].startsWith('${')) found.push({ where, what: 'a URL with a literal password' });
  }
  if (USER_DATA_FIELD.test(field) && !REFERENCE.test(text)) {
    const decoded = decodeBase64(text);
    if (decoded !== undefined) {
      return [...found, ...scanString(decoded, [...path.slice(0, -1), `${field} (decoded)`])];
    }
  }
  if (!isMetadata(path)) {
    const stripped = text.replace(CERTIFICATE, '').replace(SSH_PUBLIC_KEY, '').replace(ARN, '');
    for (const [run] of stripped.matchAll(BASE64_RUN)) {
      if (looksLikeKeyMaterial(run)) {
        found.push({ where, what: `a high-entropy base64 string '${run.slice(0, 12)}…'` });
      }
    }
  }
  return found;
}

/** Scans every string of a JSON value, with the path of keys that leads to it. */
export function scanJson(value: unknown, path: readonly string[] = []): SecretFinding[] {
  if (typeof value === 'string') return scanString(value, path);
  if (Array.isArray(value)) return value.flatMap((item, i) => scanJson(item, [...path, String(i)]));
  if (value && typeof value === 'object') {
    const found = Object.entries(value).flatMap(([key, child]) => scanJson(child, [...path, key]));
    // An environment variable: { name: DB_PASSWORD, value: <literal> }.
    const { name, value: literal } = value as { name?: unknown; value?: unknown };
    if (
      typeof name === 'string' &&
      SECRET_VARIABLE.test(name) &&
      typeof literal === 'string' &&
      literal !== '' &&
      !REFERENCE.test(literal)
    ) {
      found.push({ where: path.join('.'), what: `a literal value of the variable '${name}'` });
    }
    return found;
  }
  return [];
}
