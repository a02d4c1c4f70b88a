import { refusedRange } from './address-policy.js';

// Pure string classification: nothing here resolves or connects anywhere.
describe('refusedRange', () => {
  describe('allows global unicast addresses', () => {
    it.each([
      '8.8.8.8',
      '1.1.1.1',
      '93.184.216.34',
      '1.0.0.0', // just above 0/8
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
      '191.255.255.255', // just below 192.0.0/24
      '192.0.1.0', // between 192.0.0/24 and 192.0.2/24
      '192.0.3.0', // just above 192.0.2/24
      '192.167.255.255', // just below 192.168/16
      '192.169.0.0', // just above 192.168/16
      '198.17.255.255', // just below 198.18/15
      '198.20.0.0', // just above 198.18/15
      '198.51.99.255', // just below 198.51.100/24
      '198.51.101.0', // just above 198.51.100/24
      '203.0.112.255', // just below 203.0.113/24
      '203.0.114.0', // just above 203.0.113/24
      '223.255.255.255', // just below multicast
      '2606:4700::1111',
      '2001:4860:4860::8888',
      '2a00:1450:4001:81c::200e',
      '[2606:4700::1111]',
      '2001:200::1', // just above 2001::/23
      '2001:db7:ffff::1', // just below 2001:db8::/32
      '2001:db9::1', // just above 2001:db8::/32
      '3ffe:ffff::1', // just below 3fff::/20
    ])('%s', (ip) => {
      expect(refusedRange(ip)).toBeNull();
    });
  });

  describe('allows IPv6 forms that carry a global IPv4 address', () => {
    it.each([
      ['IPv4-mapped', ['::ffff:8.8.8.8', '::ffff:808:808']],
      ['IPv4-translated', ['::ffff:0:8.8.8.8', '::ffff:0:808:808']],
      ['NAT64 64:ff9b::/96', ['64:ff9b::8.8.8.8', '64:ff9b::101:101']],
      ['6to4 2002::/16', ['2002:808:808::1']],
      ['Teredo 2001::/32 (public server, public client)', ['2001:0:4136:e378:8000:63bf:f7f7:f7f7']],
    ])('%s', (_form, addresses) => {
      for (const ip of addresses) expect([ip, refusedRange(ip)]).toEqual([ip, null]);
    });
  });

  describe('refuses every IPv4 range that is not global unicast', () => {
    it.each([
      ['unspecified 0/8', 'unspecified', ['0.0.0.0', '0.0.0.1', '0.255.255.255']],
      ['private 10/8', 'private', ['10.0.0.0', '10.1.2.3', '10.255.255.255']],
      ['CGNAT 100.64/10', 'carrierGradeNat', ['100.64.0.0', '100.100.100.100', '100.127.255.255']],
      ['loopback 127/8', 'loopback', ['127.0.0.1', '127.0.0.0', '127.1.2.3', '127.255.255.255']],
      ['link-local 169.254/16, cloud metadata', 'linkLocal', ['169.254.0.0', '169.254.169.254', '169.254.255.255']],
      ['private 172.16/12', 'private', ['172.16.0.0', '172.20.10.5', '172.31.255.255']],
      ['IETF protocol assignments 192.0.0/24', 'reserved', ['192.0.0.0', '192.0.0.8', '192.0.0.170', '192.0.0.255']],
      ['documentation TEST-NET-1 192.0.2/24', 'reserved', ['192.0.2.0', '192.0.2.1', '192.0.2.255']],
      ['6to4 relay anycast 192.88.99/24', 'reserved', ['192.88.99.1']],
      ['private 192.168/16', 'private', ['192.168.0.0', '192.168.1.1', '192.168.255.255']],
      ['benchmarking 198.18/15', 'reserved', ['198.18.0.0', '198.18.0.1', '198.19.255.255']],
      ['documentation TEST-NET-2 198.51.100/24', 'reserved', ['198.51.100.0', '198.51.100.7', '198.51.100.255']],
      ['documentation TEST-NET-3 203.0.113/24', 'reserved', ['203.0.113.0', '203.0.113.9', '203.0.113.255']],
      ['multicast 224/4', 'multicast', ['224.0.0.0', '224.0.0.251', '239.255.255.255']],
      ['reserved 240/4', 'reserved', ['240.0.0.0', '250.1.2.3', '255.255.255.254']],
      ['broadcast', 'broadcast', ['255.255.255.255']],
      ['AS112 anycast', 'as112', ['192.175.48.1', '192.31.196.1']],
      ['AMT anycast', 'amt', ['192.52.193.1']],
    ])('%s', (_name, range, addresses) => {
      for (const ip of addresses) expect([ip, refusedRange(ip)]).toEqual([ip, range]);
    });
  });

  describe('refuses every IPv6 range that is not global unicast', () => {
    it.each([
      ['loopback', 'loopback', ['::1', '0:0:0:0:0:0:0:1', '[::1]']],
      ['unspecified', 'unspecified', ['::', '0:0:0:0:0:0:0:0']],
      ['unique local fc00::/7', 'uniqueLocal', ['fc00::', 'fc00::1', 'fd12:3456:789a::1', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']],
      ['link-local fe80::/10', 'linkLocal', ['fe80::', 'fe80::1', 'fe80::1%eth0', 'fe80::1%25eth0', '[fe80::1%eth0]', 'febf:ffff::1']],
      ['site-local fec0::/10 (deprecated)', 'deprecatedSiteLocal', ['fec0::', 'fec0::1', 'feff:ffff::1']],
      ['multicast ff00::/8', 'multicast', ['ff00::', 'ff02::1', 'ff05::1:3', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']],
      ['discard-only 100::/64', 'discard', ['100::', '100::1', '100::ffff:ffff:ffff:ffff']],
      ['documentation 2001:db8::/32', 'reserved', ['2001:db8::', '2001:db8::1', '2001:db8:ffff:ffff::1']],
      ['IETF protocol assignments 2001::/23', 'reserved', ['2001:1::1', '2001:100::1', '2001:1ff::1']],
      ['benchmarking 2001:2::/48', 'benchmarking', ['2001:2::1']],
      ['ORCHIDv2 2001:20::/28', 'orchid2', ['2001:20::1']],
      ['documentation 3fff::/20', 'reserved', ['3fff::1', '3fff:fff::1']],
      ['segment routing 5f00::/16', 'segmentRouting', ['5f00::1']],
      ['upper-case hex', 'linkLocal', ['FE80::1']],
    ])('%s', (_name, range, addresses) => {
      for (const ip of addresses) expect([ip, refusedRange(ip)]).toEqual([ip, range]);
    });

    // ::a.b.c.d is the deprecated IPv4-compatible form: refused however it is written.
    it.each(['4000::1', '::8.8.8.8', '::808:808', '::127.0.0.1', '::7f00:1', '::0.0.0.2', '1::1', 'e000::1'])(
      'refuses %s, outside the global unicast space 2000::/3',
      (ip) => {
        expect(refusedRange(ip)).toMatch(/outside 2000::\/3/);
      },
    );
  });

  describe('refuses IPv6 forms that carry a refused IPv4 address', () => {
    it.each([
      ['IPv4-mapped dotted ::ffff:a.b.c.d', ['::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::ffff:0.0.0.0', '::ffff:198.18.0.1']],
      ['IPv4-mapped hex', ['::ffff:7f00:1', '::ffff:a00:1', '::ffff:a9fe:a9fe', '::ffff:c0a8:101', '::FFFF:7F00:1']],
      ['IPv4-mapped fully written', ['0:0:0:0:0:ffff:7f00:1', '0000:0000:0000:0000:0000:ffff:127.0.0.1']],
      ['IPv4-translated ::ffff:0:a.b.c.d', ['::ffff:0:127.0.0.1', '::ffff:0:7f00:1', '::ffff:0:169.254.169.254', '::ffff:0:192.0.0.1']],
      ['NAT64 64:ff9b::/96', ['64:ff9b::127.0.0.1', '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '64:ff9b::192.168.0.1', '64:ff9b::203.0.113.1']],
      ['6to4 2002::/16', ['2002:7f00:1::', '2002:a9fe:a9fe::1', '2002:c0a8:101::', '2002:a00:1::1', '2002:c000:201::1']],
      ['Teredo 2001::/32, private client', ['2001:0:4136:e378:8000:63bf:80ff:fffe', '2001:0:4136:e378:8000:63bf:f5ff:fffe']],
      ['Teredo 2001::/32, private server', ['2001:0:a00:1:8000:63bf:f7f7:f7f7', '2001:0:7f00:1::f7f7:f7f7']],
    ])('%s', (_form, addresses) => {
      for (const ip of addresses) expect([ip, refusedRange(ip)]).toEqual([ip, expect.stringContaining(' form of ')]);
    });

    it('names the form, the IPv4 address and its range', () => {
      expect(refusedRange('::ffff:127.0.0.1')).toBe('ipv4Mapped form of 127.0.0.1 (loopback)');
      expect(refusedRange('2002:a9fe:a9fe::1')).toBe('6to4 form of 169.254.169.254 (linkLocal)');
      expect(refusedRange('64:ff9b::a00:1')).toBe('rfc6052 form of 10.0.0.1 (private)');
      expect(refusedRange('2001:0:4136:e378:8000:63bf:80ff:fffe')).toBe('teredo form of 127.0.0.1 (loopback)');
    });

    // RFC 8215: each network picks where the IPv4 address sits in 64:ff9b:1::/48, so none can be checked.
    it.each(['64:ff9b:1::8.8.8.8', '64:ff9b:1::7f00:1', '64:ff9b:1:ffff::1'])('refuses the local-use NAT64 address %s whole', (ip) => {
      expect(refusedRange(ip)).toMatch(/^rfc6052 /);
    });
  });

  it('tolerates surrounding whitespace', () => {
    expect(refusedRange(' 127.0.0.1 ')).toBe('loopback');
    expect(refusedRange(' 8.8.8.8\n')).toBeNull();
  });

  // Not IP literals: a deny check must fail closed rather than let them through.
  it.each(['', 'localhost', 'example.com', '127.1', '0x7f.0.0.1', '2130706433', '010.0.0.1', '256.0.0.1', '1.2.3', ':::1', 'fe80::1::2', '[::1'])(
    'refuses the non-address %p',
    (text) => {
      expect(refusedRange(text)).toBe('not an IP address');
    },
  );
});
