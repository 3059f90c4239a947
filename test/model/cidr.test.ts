import { publicAddressCount, publicExposure } from '../../model';

describe('public exposure, by what a list of CIDRs covers together', () => {
  const everything = publicAddressCount(['0.0.0.0/0']);

  it('counts the union of the list, less the ranges the Internet cannot reach', () => {
    expect(publicAddressCount(['0.0.0.0/1', '128.0.0.0/1'])).toBe(everything);
    expect(publicAddressCount(['203.0.113.0/24', '203.0.113.128/25'])).toBe(256);
    expect(publicAddressCount(['10.0.0.0/8', '192.168.0.0/16', '100.64.0.0/10'])).toBe(0);
  });

  it('allows operator and CI ranges, up to a /8 of public addresses', () => {
    expect(publicExposure(['203.0.113.0/24', '198.51.100.7/32'])).toBeUndefined();
    expect(publicExposure(['11.0.0.0/8'])).toBeUndefined();
    expect(publicAddressCount(['11.0.0.0/8'])).toBe(16_777_216);
    expect(publicExposure(['10.0.0.0/8', '172.16.0.0/12'])).toBeUndefined();
  });

  it('refuses the whole Internet however it is split, and more than a /8', () => {
    expect(publicExposure(['0.0.0.0/1', '128.0.0.0/1'])).toBe(
      "'0.0.0.0/1', '128.0.0.0/1' together cover 3,702,390,784 public IPv4 addresses (the whole Internet), more than the 16,777,216 (a /8) allowed",
    );
    expect(publicExposure(['11.0.0.0/8', '12.0.0.0/8'])).toContain('(0.9 % of the Internet)');
  });

  it('refuses IPv6 ranges broader than a provider allocation', () => {
    expect(publicExposure(['::/0'])).toBe(
      "'::/0' is an IPv6 range broader than a /32, a whole provider's allocation",
    );
    expect(publicExposure(['::/1', '8000::/1'])).toContain('are IPv6 ranges broader than a /32');
    expect(publicExposure(['2001:db8::/48'])).toBeUndefined();
  });
});
