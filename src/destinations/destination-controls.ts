import type { Destination } from './entities/destination.entity.js';

export const RATE_LIMIT_MAX = 100_000;
export const MAX_IN_FLIGHT_LIMIT = 10_000;

/** The disabled_reason of a destination an operator disabled through the API. */
export const MANUAL_DISABLE_REASON = 'manual';

export interface ControlsInput {
  enabled?: boolean;
  rate_limit?: number | null;
  max_in_flight?: number | null;
  event_types?: string[] | null;
  retry_schedule?: string | null;
}

export type DestinationControls = Pick<
  Destination,
  'enabled' | 'disabledReason' | 'disabledAt' | 'failingSince' | 'rateLimit' | 'maxInFlight' | 'eventTypes' | 'retrySchedule'
>;

/**
 * The control columns an input changes, and only those: an update must not write back (and so undo) an
 * auto-disable that happened since the row was read. Only a change of `enabled` touches the disable state;
 * enabling again also restarts the failure clock, so auto-disable gives the destination a full period.
 */
export function controlChanges(current: Pick<Destination, 'enabled'>, input: ControlsInput, now: number): Partial<DestinationControls> {
  const changes: Partial<DestinationControls> = {};
  if (input.enabled !== undefined && input.enabled !== current.enabled) {
    changes.enabled = input.enabled;
    changes.disabledReason = input.enabled ? null : MANUAL_DISABLE_REASON;
    changes.disabledAt = input.enabled ? null : now;
    if (input.enabled) changes.failingSince = null;
  }
  if (input.rate_limit !== undefined) changes.rateLimit = input.rate_limit;
  if (input.max_in_flight !== undefined) changes.maxInFlight = input.max_in_flight;
  if (input.event_types !== undefined) changes.eventTypes = input.event_types;
  if (input.retry_schedule !== undefined) changes.retrySchedule = input.retry_schedule;
  return changes;
}
