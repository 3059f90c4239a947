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

/**
 * IPv4 ranges that are not reachable from the Internet: "this network",
 * private networks (RFC 1918), shared address space (RFC 6598), loopback,
 * link-local, multicast and the reserved block (RFC 6890's special-purpose
 * registry). A list of CIDRs that covers none of the rest is not public.
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/
 */
const NOT_PUBLIC: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
];

/**
 * Most public IPv4 addresses a list of CIDRs may cover together before it counts
 * as open to the Internet: a /8's worth (16,777,216). Operators' and CI runners'
 * ranges are far smaller; a list that covers more, split into any number of
 * pieces (`0.0.0.0/1` and `128.0.0.0/1`), exposes the endpoint to a large part
 * of the Internet.
 */
export const MAX_PUBLIC_ADDRESSES = 2 ** 24;

/**
 * Shortest IPv6 prefix a list may hold: a /32 is what a registry allocates to
 * a whole provider, so anything broader (`::/0`, `2000::/3`, a split of them)
 * reaches a large part of the Internet.
 */
const MAX_IPV6_PREFIX = 32;

/** The prefix length of an IPv6 CIDR, or undefined when it is not one. */
function ipv6PrefixOf(cidr: string): number | undefined {
  const match = /^([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)\/(\d{1,3})$/.exec(cidr.trim());
  return match && Number(match[2]) <= 128 ? Number(match[2]) : undefined;
}

/** A half-open range of 32-bit addresses. */
type Interval = readonly [start: number, end: number];

function intervalOf(cidr: string): Interval | undefined {
  const parsed = parseCidr(cidr);
  if (!parsed) return undefined;
  const size = 2 ** (32 - parsed.prefix);
  const start = parsed.address - (parsed.address % size);
  return [start, start + size];
}

/** The union of intervals, sorted and merged. */
function union(intervals: readonly Interval[]): Interval[] {
  const merged: [number, number][] = [];
  for (const [start, end] of [...intervals].sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

const NOT_PUBLIC_INTERVALS = union(NOT_PUBLIC.map((cidr) => intervalOf(cidr) as Interval));

/**
 * How many public IPv4 addresses a list of CIDRs covers together: the size of
 * their union, less the ranges that are not public. Entries that are not IPv4
 * CIDRs are ignored (they are reported on their own).
 */
export function publicAddressCount(cidrs: readonly string[]): number {
  const covered = union(cidrs.map(intervalOf).filter((i): i is Interval => i !== undefined));
  let count = 0;
  for (const [start, end] of covered) {
    count += end - start;
    for (const [xStart, xEnd] of NOT_PUBLIC_INTERVALS) {
      count -= Math.max(0, Math.min(end, xEnd) - Math.max(start, xStart));
    }
  }
  return count;
}

/**
 * What a list of CIDRs exposes to, when together it covers more than
 * {@link MAX_PUBLIC_ADDRESSES} public IPv4 addresses or holds an IPv6 range
 * broader than a /32, e.g. `'0.0.0.0/1', '128.0.0.0/1'
 * together cover 3,702,258,432 public IPv4 addresses (the whole Internet)`;
 * `undefined` when it stays within.
 */
export function publicExposure(cidrs: readonly string[]): string | undefined {
  if (cidrs.length === 0) return undefined;
  const broad = cidrs.filter((cidr) => (ipv6PrefixOf(cidr) ?? MAX_IPV6_PREFIX) < MAX_IPV6_PREFIX);
  if (broad.length > 0) {
    return `${broad.map((cidr) => `'${cidr}'`).join(', ')} ${broad.length === 1 ? 'is an IPv6 range' : 'are IPv6 ranges'} broader than a /${MAX_IPV6_PREFIX}, a whole provider's allocation`;
  }
  const count = publicAddressCount(cidrs);
  if (count <= MAX_PUBLIC_ADDRESSES) return undefined;
  const all = publicAddressCount(['0.0.0.0/0']);
  const share =
    count === all ? 'the whole Internet' : `${((100 * count) / all).toFixed(1)} % of the Internet`;
  const listed = cidrs.map((cidr) => `'${cidr}'`).join(', ');
  const subject = cidrs.length === 1 ? listed : `${listed} together`;
  return `${subject} cover${cidrs.length === 1 ? 's' : ''} ${count.toLocaleString('en-US')} public IPv4 addresses (${share}), more than the ${MAX_PUBLIC_ADDRESSES.toLocaleString('en-US')} (a /8) allowed`;
}
