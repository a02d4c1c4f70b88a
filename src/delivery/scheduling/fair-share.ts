/** A destination that has deliveries due now, as the scheduler sees it. */
export interface DueDestination {
  destinationId: string;
  accountId: string;
  /** How many more attempts to it this process may start now (its max_in_flight less those in flight). */
  room: number;
}

export interface ShareInput {
  /** Attempts that may start now (the worker's free active slots). */
  free: number;
  /** The worker's active slots in all (WORKER_CONCURRENCY). */
  capacity: number;
  /** Active attempts per account now. */
  activeByAccount: ReadonlyMap<string, number>;
  /** Due destinations in the order to serve them (the caller rotates it between rounds). */
  due: readonly DueDestination[];
}

/** Slots kept free for an account that becomes due, so it starts at once instead of after the slowest attempt. */
export function headroom(capacity: number): number {
  return capacity >= 16 ? Math.ceil(capacity / 16) : 0;
}

/**
 * Decides how many deliveries to claim for each due destination: round-robin over accounts, and within an
 * account over its destinations, one slot at a time. While several accounts have due work, none takes more
 * than an equal share of the worker's active slots; what the others leave unused goes to whoever can use
 * it, so a lone account still gets nearly the whole worker. A few slots (`headroom`) stay free for an
 * account that has just become due.
 */
export function shareSlots({ free, capacity, activeByAccount, due }: ShareInput): Map<string, number> {
  const claims = new Map<string, number>();
  if (free <= 0 || !due.length) return claims;

  const byAccount = new Map<string, DueDestination[]>();
  for (const destination of due) {
    if (destination.room <= 0) continue;
    const list = byAccount.get(destination.accountId);
    if (list) list.push(destination);
    else byAccount.set(destination.accountId, [destination]);
  }
  if (!byAccount.size) return claims;

  const usable = capacity - headroom(capacity);
  const share = Math.ceil(usable / byAccount.size);
  const taken = new Map<string, number>();
  const next = new Map<string, number>();
  // The headroom is for an account that becomes due while others are busy: it may start there at once.
  const activeNow = capacity - free;
  const mayUseHeadroom = (accountId: string) => activeNow > 0 && !(activeByAccount.get(accountId) ?? 0);
  let left = free;
  let withinUsable = Math.max(0, usable - activeNow);

  // One slot per account per pass: first within shares, then (work-conserving) beyond them.
  for (const withinShare of [true, false]) {
    let progress = true;
    while (left > 0 && progress) {
      progress = false;
      for (const [accountId, destinations] of byAccount) {
        if (left <= 0) break;
        const used = (activeByAccount.get(accountId) ?? 0) + (taken.get(accountId) ?? 0);
        if (withinShare && used >= share) continue;
        if (withinUsable <= 0 && !mayUseHeadroom(accountId)) continue;
        const destination = nextWithRoom(destinations, next, accountId, claims);
        if (!destination) continue;
        claims.set(destination.destinationId, (claims.get(destination.destinationId) ?? 0) + 1);
        taken.set(accountId, (taken.get(accountId) ?? 0) + 1);
        left--;
        withinUsable--;
        progress = true;
      }
    }
  }
  return claims;
}

/** The account's next destination in round-robin order that can still take an attempt, if any. */
function nextWithRoom(
  destinations: DueDestination[],
  next: Map<string, number>,
  accountId: string,
  claims: Map<string, number>,
): DueDestination | undefined {
  const start = next.get(accountId) ?? 0;
  for (let step = 0; step < destinations.length; step++) {
    const index = (start + step) % destinations.length;
    const destination = destinations[index];
    if ((claims.get(destination.destinationId) ?? 0) < destination.room) {
      next.set(accountId, index + 1);
      return destination;
    }
  }
  return undefined;
}
