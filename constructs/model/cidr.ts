import { Problem } from './problems';

/** An IPv4 CIDR as its address (a 32-bit number) and prefix length, or undefined. */
export function parseCidr(cidr: string): { address: number; prefix: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  return { address: octets.reduce((sum, octet) => sum * 256 + octet, 0), prefix };
}

/** A 32-bit number as a dotted IPv4 address. */
export function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

/**
 * Problems of a network's CIDR (a VPC's or a VNet's, at `cidr`): an IPv4
 * network address whose prefix length lies in the range.
 */
export function networkCidrProblems(
  cidr: string,
  range: { readonly min: number; readonly max: number },
  example: string,
): Problem[] {
  const parsed = parseCidr(cidr);
  if (!parsed) {
    return [
      {
        path: ['cidr'],
        message: `'${cidr}' is not an IPv4 CIDR: use a network address with a prefix length, e.g. '${example}'`,
      },
    ];
  }
  if (parsed.prefix < range.min || parsed.prefix > range.max) {
    return [
      {
        path: ['cidr'],
        message: `prefix length /${parsed.prefix} of '${cidr}' is not allowed: use /${range.min} to /${range.max}`,
      },
    ];
  }
  const hostBits = parsed.address % 2 ** (32 - parsed.prefix);
  if (hostBits !== 0) {
    return [
      {
        path: ['cidr'],
        message: `'${cidr}' has host bits set: the network address is '${formatAddress(parsed.address - hostBits)}/${parsed.prefix}'`,
      },
    ];
  }
  return [];
}
