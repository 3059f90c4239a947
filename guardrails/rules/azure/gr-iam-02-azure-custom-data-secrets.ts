import { COMPLIANT, GuardrailRule, ResourceView, violation } from '../../engine/types';
import { block } from '../support/terraform';

/** The boot scripts of a scale set: name and value of each attribute that holds one. */
function bootData(scaleSet: ResourceView): [string, unknown][] {
  const attributes = scaleSet.attributes;
  if (scaleSet.type === 'azurerm_orchestrated_virtual_machine_scale_set') {
    return [
      ['os_profile.custom_data', block(attributes.os_profile)?.custom_data],
      ['user_data_base64', attributes.user_data_base64],
    ];
  }
  return [
    ['custom_data', attributes.custom_data],
    ['user_data', attributes.user_data],
  ];
}

/** Whether decoded bytes read as text: no replacement characters, no control characters but tab, CR, LF. */
function isText(decoded: string): boolean {
  for (const char of decoded) {
    const code = char.charCodeAt(0);
    if (code === 0xfffd || (code < 0x20 && char !== '\t' && char !== '\n' && char !== '\r')) {
      return false;
    }
  }
  return true;
}

/**
 * The text to scan and whether Terraform interpolates into it. A literal is
 * base64 (the provider wants it encoded) and decoded; an expression such as
 * `${base64encode(join("", ["...KEY=", ref, "..."]))}` is scanned as written,
 * each reference between two string parts read as a `${ref}` interpolation and
 * the string escapes undone.
 */
function readable(value: string): { text: string; expression: boolean } {
  if (value.includes('${')) {
    const text = value
      .replace(/(?<!\\)",\s*[^"]*?,\s*"/g, '${ref}')
      .replace(/\\n/g, '\n')
      .replace(/\\"/g, '"');
    return { text, expression: true };
  }
  const compact = value.replace(/\s+/g, '');
  if (compact.length > 0 && compact.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    const decoded = Buffer.from(compact, 'base64').toString('utf8');
    if (isText(decoded)) {
      return { text: decoded, expression: false };
    }
  }
  return { text: value, expression: false };
}

/** `API_KEY`, `db_password`, `clientSecret`, `SharedAccessKey`; not public keys, key lists or secret names. */
function secretLike(name: string): boolean {
  const lower = name.toLowerCase();
  if (/(public|pub)[_-]?key$|keys$|[_-]?(name|id|uri|url|path|file|ref)$/.test(lower)) return false;
  return /secret|password|passwd/.test(lower) || /(key|token|pwd)$/.test(lower);
}

const ASSIGNMENT =
  /([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*(?:=|:[ \t])[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s;,"']*)/g;
const HARMLESS = /^(true|false|yes|no|null|none|~|""|'')$/i;

/** Names assigned a secret-looking value in a boot script, with how. */
function secretAssignments(value: string): string[] {
  const { text, expression } = readable(value);
  const found: string[] = [];
  for (const match of text.matchAll(ASSIGNMENT)) {
    const [, name, raw] = match;
    if (!secretLike(name)) continue;
    if (raw === '' || HARMLESS.test(raw)) continue;
    if (raw.startsWith('${')) {
      if (expression) found.push(`${name} from Terraform, stored in state`);
      continue; // a literal's ${...} is the shell's, read at boot
    }
    if (raw.startsWith('$')) continue; // shell expansion at boot, e.g. $(az keyvault secret show ...)
    found.push(`${name} set to a literal`);
  }
  return found;
}

/**
 * GR-IAM-02 (Azure): scale set boot scripts (`custom_data`, `user_data`; an
 * orchestrated set's `os_profile.custom_data` and `user_data_base64`) carry no
 * secrets: they are stored in `cdk.tf.json` and in state, and readable from the
 * instance metadata service by every process on the VM. A base64 literal is
 * decoded first. An assignment (`NAME=value`, `name: value`) whose name looks
 * like a key, secret, password or token (`API_KEY`, `DB_PASSWORD`,
 * `client_secret`, `SharedAccessKey`, not `ssh_authorized_keys` or a public
 * key) is a finding when its value is a literal or comes from a Terraform
 * reference; shell expansions such as `$(az keyvault secret show ...)`, read at
 * boot, are not. Agents get secrets through their managed identity instead.
 * @see Trivy AZU-0037 (tfsec azure-compute-no-secrets-in-custom-data)
 * @see https://learn.microsoft.com/azure/virtual-machines/custom-data
 */
export const azureCustomDataSecrets: GuardrailRule = {
  id: 'GR-IAM-02',
  level: 'error',
  summary: 'VM scale set custom_data and user_data hold no keys, secrets, passwords or tokens',
  fix: "take the secret out of `agents.<agent>.container.env` and `agents.<agent>.container.args`, which the machines' boot data carries: fetch it at boot with the agent's managed identity (e.g. from Key Vault)",
  appliesTo: [
    'azurerm_linux_virtual_machine_scale_set',
    'azurerm_windows_virtual_machine_scale_set',
    'azurerm_orchestrated_virtual_machine_scale_set',
  ],
  evaluate(scaleSet) {
    const problems: string[] = [];
    let scripts = 0;
    for (const [attribute, value] of bootData(scaleSet)) {
      if (typeof value !== 'string' || value === '') continue;
      scripts++;
      const found = secretAssignments(value);
      if (found.length > 0) problems.push(`${attribute}: ${found.join(', ')}`);
    }
    if (scripts === 0) return 'not-applicable';
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};
