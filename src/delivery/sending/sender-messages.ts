import type { AttemptResult, DeliveryJob } from '../delivery-job.js';

/** From the scheduler to its sending thread. */
export type ToSender = { type: 'send'; jobs: DeliveryJob[] } | { type: 'stop' };

/** From the sending thread to its scheduler. */
export type FromSender = { type: 'ready' } | { type: 'results'; results: Array<{ deliveryId: string; result: AttemptResult }> };
