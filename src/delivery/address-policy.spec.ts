import { isForbiddenAddress } from './address-policy.js';

// Pure string classification: nothing here resolves or connects anywhere.
describe('isForbiddenAddress', () => {
  describe('allowed public addresses', () => {
    it.each([
      '8.8.8.8',
      '1.1.1.1',
      '93.184.216.34',
      '9.255.255.255', // just below 10/8
      '11.0.0.0', // just above 10/8
      '100.63.255.255', // just below 100.64/10
      '100.128.0.0', // just above 100.64/10
      '126.255.255.255', // just below 127/8
      '128.0.0.0', // just above 127/8
      '169.253.255.255', // just below 169.254/16
      '169.255.0.0', // just above 169.254/16
      '172.15.255.255', // just below 172.16/12
      '172.32.0.0', // just above 172.16/12
      '192.167.255.255', // just below 192.168/16
      '192.169.0.0', // just above 192.168/16
      '223.255.255.255', // just below multicast
      '1.0.0.0', // just above 0/8
      '2606:4700::1111',
      '2001:4860:4860::8888',
      '2a00:1450:4001:81c::200e',
      '[2606:4700::1111]',
      '::ffff:8.8.8.8',
      '::ffff:808:808',
      '64:ff9b::8.8.8.8',
      '64:ff9b::101:101',
      '::8.8.8.8',
      '2002:808:808::1', // 6to4 to 8.8.8.8
      'fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', // just below fc00::/7
      'fec0::1', // just above fe80::/10 (deprecated site-local, but routable as far as we care)
      'feff::1', // just below ff00::/8
    ])('%s is allowed', (ip) => {
      expect(isForbiddenAddress(ip)).toBe(false);
    });
  });

  describe('forbidden IPv4', () => {
    it.each([
      ['unspecified 0/8', ['0.0.0.0', '0.0.0.1', '0.255.255.255']],
      ['private 10/8', ['10.0.0.0', '10.1.2.3', '10.255.255.255']],
      ['CGNAT 100.64/10', ['100.64.0.0', '100.100.100.100', '100.127.255.255']],
      ['loopback 127/8', ['127.0.0.1', '127.0.0.0', '127.1.2.3', '127.255.255.255']],
      ['link-local 169.254/16', ['169.254.0.0', '169.254.169.254', '169.254.255.255']],
      ['private 172.16/12', ['172.16.0.0', '172.20.10.5', '172.31.255.255']],
      ['private 192.168/16', ['192.168.0.0', '192.168.1.1', '192.168.255.255']],
      ['multicast 224/4', ['224.0.0.0', '224.0.0.251', '239.255.255.255']],
      ['reserved 240/4', ['240.0.0.0', '250.1.2.3', '255.255.255.254']],
      ['broadcast', ['255.255.255.255']],
    ])('%s', (_range, addresses) => {
      for (const ip of addresses) expect([ip, isForbiddenAddress(ip)]).toEqual([ip, true]);
    });
  });

  describe('forbidden IPv6', () => {
    it.each([
      ['loopback', ['::1', '0:0:0:0:0:0:0:1', '[::1]']],
      ['unspecified', ['::', '0:0:0:0:0:0:0:0']],
      ['unique local fc00::/7', ['fc00::', 'fc00::1', 'fd12:3456:789a::1', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']],
      ['link-local fe80::/10', ['fe80::', 'fe80::1', 'fe80::1%eth0', 'fe80::1%25eth0', '[fe80::1%eth0]', 'febf:ffff::1']],
      ['multicast ff00::/8', ['ff00::', 'ff02::1', 'ff05::1:3', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']],
      ['upper-case hex', ['FE80::1', 'FD00::1', '::FFFF:7F00:1']],
    ])('%s', (_range, addresses) => {
      for (const ip of addresses) expect([ip, isForbiddenAddress(ip)]).toEqual([ip, true]);
    });
  });

  describe('IPv6 carrying a forbidden IPv4', () => {
    it.each([
      ['IPv4-mapped dotted', ['::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::ffff:0.0.0.0']],
      ['IPv4-mapped hex', ['::ffff:7f00:1', '::ffff:a00:1', '::ffff:a9fe:a9fe', '::ffff:c0a8:101']],
      ['IPv4-mapped fully written', ['0:0:0:0:0:ffff:7f00:1', '0000:0000:0000:0000:0000:ffff:127.0.0.1']],
      ['NAT64 64:ff9b::/96', ['64:ff9b::127.0.0.1', '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '64:ff9b::192.168.0.1']],
      ['IPv4-compatible', ['::127.0.0.1', '::7f00:1', '::10.0.0.1', '::0.0.0.2']],
      ['6to4 2002::/16', ['2002:7f00:1::', '2002:a9fe:a9fe::1', '2002:c0a8:101::']],
    ])('%s', (_form, addresses) => {
      for (const ip of addresses) expect([ip, isForbiddenAddress(ip)]).toEqual([ip, true]);
    });
  });

  it('classifies 172.16/12 edges exactly', () => {
    expect(isForbiddenAddress('172.15.255.255')).toBe(false);
    expect(isForbiddenAddress('172.16.0.0')).toBe(true);
    expect(isForbiddenAddress('172.31.255.255')).toBe(true);
    expect(isForbiddenAddress('172.32.0.0')).toBe(false);
  });

  it('tolerates surrounding whitespace', () => {
    expect(isForbiddenAddress(' 127.0.0.1 ')).toBe(true);
    expect(isForbiddenAddress(' 8.8.8.8\n')).toBe(false);
  });

  // Not IP literals: a deny check must fail closed rather than let them through.
  it.each(['', 'localhost', 'example.com', '127.1', '0x7f.0.0.1', '2130706433', '010.0.0.1', '256.0.0.1', '1.2.3', ':::1', 'fe80::1::2', '[::1'])(
    'forbids the non-address %p',
    (text) => {
      expect(isForbiddenAddress(text)).toBe(true);
    },
  );
});
