import { BlockList, isIP } from 'node:net';

// Ranges a webhook must never reach: anything that lands inside our own host or network (SSRF).
const FORBIDDEN_IPV4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches localhost on Linux
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT, often the cloud provider's internal network
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, includes the 169.254.169.254 cloud metadata endpoint
  ['172.16.0.0', 12], // private
  ['192.168.0.0', 16], // private
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
];

const FORBIDDEN_IPV6: readonly [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
];

const ipv4Blocks = new BlockList();
for (const [network, prefix] of FORBIDDEN_IPV4) ipv4Blocks.addSubnet(network, prefix, 'ipv4');
const ipv6Blocks = new BlockList();
for (const [network, prefix] of FORBIDDEN_IPV6) ipv6Blocks.addSubnet(network, prefix, 'ipv6');

/**
 * True when a delivery must not connect to this address (loopback, private, link-local,
 * multicast, reserved…). IPv6 forms that carry an IPv4 address are judged by that IPv4 address,
 * since that is where the packets end up.
 *
 * Anything that is not an IP literal is forbidden: this is a deny check, so it fails closed.
 */
export function isForbiddenAddress(ip: string): boolean {
  const address = stripDecorations(ip.trim());
  switch (isIP(address)) {
    case 4:
      return ipv4Blocks.check(address, 'ipv4');
    case 6: {
      const embedded = embeddedIpv4(parseIpv6(address));
      return embedded !== null ? ipv4Blocks.check(embedded, 'ipv4') : ipv6Blocks.check(address, 'ipv6');
    }
    default:
      return true;
  }
}

// URL hosts arrive as `[::1]` and link-local addresses may carry a zone (`fe80::1%eth0`);
// BlockList.check quietly answers false for a zoned address, which would let it through.
function stripDecorations(address: string): string {
  const unbracketed = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const zone = unbracketed.indexOf('%');
  return zone === -1 ? unbracketed : unbracketed.slice(0, zone);
}

/** Expands a valid IPv6 literal (as accepted by net.isIP) into its eight 16-bit groups. */
function parseIpv6(address: string): number[] {
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((piece) => {
      if (!piece.includes('.')) return [parseInt(piece, 16)];
      const [a, b, c, d] = piece.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const gap = address.indexOf('::');
  if (gap === -1) return toGroups(address);
  const head = toGroups(address.slice(0, gap));
  const tail = toGroups(address.slice(gap + 2));
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** Dotted IPv4 carried inside an IPv6 address, or null when the address does not carry one. */
function embeddedIpv4(groups: number[]): string | null {
  const zeros = (from: number, to: number): boolean => groups.slice(from, to).every((g) => g === 0);
  const lastTwo = (): string => formatIpv4(groups[6], groups[7]);

  // ::ffff:a.b.c.d, IPv4-mapped: what a dual-stack socket connects to as plain IPv4.
  if (zeros(0, 5) && groups[5] === 0xffff) return lastTwo();
  // ::a.b.c.d, IPv4-compatible (deprecated). Also covers :: and ::1, which map to 0.0.0.0/8.
  if (zeros(0, 6)) return lastTwo();
  // 64:ff9b::a.b.c.d, NAT64 well-known prefix: the gateway forwards to the embedded IPv4.
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return lastTwo();
  // 2002:AABB:CCDD::/48, 6to4: the relay tunnels to the IPv4 in bits 16–47.
  if (groups[0] === 0x2002) return formatIpv4(groups[1], groups[2]);
  return null;
}

function formatIpv4(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
