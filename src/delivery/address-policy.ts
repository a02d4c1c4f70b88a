import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/** IANA gives out global unicast IPv6 only from 2000::/3; ipaddr.js calls anything outside its special ranges "unicast". */
const GLOBAL_UNICAST_IPV6 = ipaddr.IPv6.parseCIDR('2000::/3');
/** RFC 6052 well-known NAT64 prefix: the only NAT64 form whose IPv4 address sits at a fixed place (the last 32 bits). */
const WELL_KNOWN_NAT64 = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/**
 * Why a delivery must not connect to this address, or null when it may: only global unicast addresses are
 * allowed. The answer names the range as ipaddr.js does ("loopback", "private", "reserved", "teredo"…).
 *
 * ipaddr.js decides the ranges (a well-kept list, RFC by RFC), so nothing here parses addresses by hand.
 * IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-translated, NAT64, 6to4, Teredo) are judged by
 * that IPv4 address, since that is where the packets end up. Anything that is not an IP literal in standard
 * notation (a name, `127.1`, `0x7f.0.0.1`) is refused: this is a deny check, so it fails closed.
 *
 * The one classification for both checks: IP literals in a destination URL (when it is created or changed,
 * and again before each attempt) and every address a host name resolves to (at connect time).
 */
export function refusedRange(text: string): string | null {
  const literal = stripDecorations(text.trim());
  if (isIP(literal) === 0) return 'not an IP address';
  return isIP(literal) === 4 ? refusedIpv4Range(ipaddr.IPv4.parse(literal)) : refusedIpv6Range(ipaddr.IPv6.parse(canonicalIpv6(literal)));
}

/**
 * The address as the URL parser that makes the request writes it (hex groups only). ipaddr.js reads the
 * deprecated `::a.b.c.d` as if it were `::ffff:a.b.c.d`, so `::8.8.8.8` and `::808:808` would be judged
 * differently; one spelling per address keeps the answer independent of how it was written.
 */
function canonicalIpv6(literal: string): string {
  return new URL(`http://[${literal}]/`).hostname.slice(1, -1);
}

function refusedIpv4Range(address: ipaddr.IPv4): string | null {
  const range = address.range();
  return range === 'unicast' ? null : range;
}

function refusedIpv6Range(address: ipaddr.IPv6): string | null {
  const range = address.range();
  const carried = carriedIpv4(address, range);
  if (carried === 'unknown') return `${range} (no fixed place for the IPv4 address it carries)`;
  if (carried) {
    for (const ipv4 of carried) {
      const refused = refusedIpv4Range(ipv4);
      if (refused) return `${range} form of ${ipv4.toString()} (${refused})`;
    }
    return null;
  }
  if (range !== 'unicast') return range;
  return address.match(GLOBAL_UNICAST_IPV6) ? null : 'reserved (outside 2000::/3, the global unicast space)';
}

/**
 * The IPv4 addresses an IPv6 form delivers to, null when the form carries none, or 'unknown' for the
 * local-use NAT64 prefix 64:ff9b:1::/48, whose IPv4 position each network chooses (RFC 8215): refused whole.
 */
function carriedIpv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4[] | null | 'unknown' {
  const [, g1, g2, g3, , , g6, g7] = address.parts;
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d, what a dual-stack socket connects to as plain IPv4
    case 'rfc6145': // ::ffff:0:a.b.c.d, IPv4-translated (SIIT)
      return [ipv4(g6, g7)];
    case 'rfc6052': // NAT64
      return address.match(WELL_KNOWN_NAT64) ? [ipv4(g6, g7)] : 'unknown';
    case '6to4': // 2002:AABB:CCDD::/48, the relay tunnels to AA.BB.CC.DD
      return [ipv4(g1, g2)];
    case 'teredo': // 2001:0:<server IPv4>:<flags>:<port>:<client IPv4, bits inverted>
      return [ipv4(g2, g3), ipv4(g6 ^ 0xffff, g7 ^ 0xffff)];
    default:
      return null;
  }
}

function ipv4(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

// URL hosts arrive as `[::1]` and link-local addresses may carry a zone (`fe80::1%eth0`); the zone says
// which interface, not which address, so the address alone is judged.
function stripDecorations(address: string): string {
  const unbracketed = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const zone = unbracketed.indexOf('%');
  return zone === -1 ? unbracketed : unbracketed.slice(0, zone);
}
