import type { AttemptResult, DeliveryJob } from '../delivery-job.js';
import { DeliveryAttemptError, type DeliveryDispatcher } from '../delivery-dispatcher.js';

/**
 * Sends deliveries for the scheduler: on this thread, or on a thread of their own (sender-thread.ts) so that
 * the HTTP work and the database work use two cores. Never throws: a failed attempt is a result.
 */
export abstract class DeliverySender {
  abstract send(job: DeliveryJob): Promise<AttemptResult>;
  /** Resolves once every attempt handed over has finished and the sender has stopped. */
  abstract stop(): Promise<void>;
}

/** One attempt through the dispatcher, with any failure turned into its result. */
export async function attemptDelivery(dispatcher: DeliveryDispatcher, job: DeliveryJob): Promise<AttemptResult> {
  const started = performance.now();
  try {
    return await dispatcher.send(job);
  } catch (error) {
    if (error instanceof DeliveryAttemptError) return error.result;
    return {
      statusCode: null,
      durationMs: Math.round(performance.now() - started),
      error: String(error),
      responseBody: null,
      retryAfterMs: null,
      permanent: false,
    };
  }
}

/** Sends on the calling thread (DELIVERY_THREAD=false). */
export class InlineDeliverySender extends DeliverySender {
  private readonly inFlight = new Set<Promise<AttemptResult>>();

  constructor(private readonly dispatcher: DeliveryDispatcher) {
    super();
  }

  send(job: DeliveryJob): Promise<AttemptResult> {
    const attempt = attemptDelivery(this.dispatcher, job).finally(() => this.inFlight.delete(attempt));
    this.inFlight.add(attempt);
    return attempt;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}
