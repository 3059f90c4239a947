import { Fn, Token } from 'cdktf';

/**
 * A VM's boot script (EC2 user data, Azure custom data), base64-encoded: at
 * synth when it is plain text, by Terraform when it holds references (queue
 * URLs, ARNs), which Terraform resolves while keeping the rest of the script,
 * `${` and `%{` included, as written.
 */
export function base64BootScript(text: string): string {
  return Token.isUnresolved(text)
    ? Fn.base64encode(Fn.join('', literalsAndTokens(text)))
    : Buffer.from(text, 'utf8').toString('base64');
}

/** A string holding tokens as a list of raw literals and tokens. */
function literalsAndTokens(text: string): string[] {
  return text
    .split(/(\$\{TfToken\[[^\]]+\]\})/)
    .filter((part) => part.length > 0)
    .map((part) => (Token.isUnresolved(part) ? part : Fn.rawString(part)));
}
