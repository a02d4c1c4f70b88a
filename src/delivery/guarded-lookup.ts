import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { refusedRange } from './address-policy.js';

/** The error recorded on a delivery whose destination is a private address. */
export class ForbiddenDestinationError extends Error {
  readonly code = 'ERR_FORBIDDEN_DESTINATION';
  constructor(host: string, address: string, range: string) {
    super(
      `refused: ${host} resolves to ${address}, which is not a public address (${range}); ` +
        'set ALLOW_PRIVATE_DESTINATIONS=true to allow it',
    );
  }
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net.connect that refuses non-public addresses. The socket connects to the very address
 * checked here, so a DNS answer that changes between check and connect (rebinding) gains nothing. Any
 * forbidden address in the answer refuses the whole name: mixed answers are how rebinding is attempted.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    for (const { address } of addresses) {
      const range = refusedRange(address);
      if (range) return callback(new ForbiddenDestinationError(hostname, address, range), []);
    }
    if (addresses.length === 0) return callback(new Error(`${hostname} has no address`), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}
