import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { newId } from '../common/ids.js';
import { sha256Hex } from '../common/secrets.js';
import { sql, SqlRunner, type SqlWork } from '../database/sql.js';
import {
  abandonedIngestStep,
  COUNT_STEP_DELIVERIES,
  countRecoverableStep,
  type Deleted,
  deleteAccountMessagesStep,
  deleteDestinationDeliveriesStep,
  deleteDestinationRow,
  halfStoredMessageStep,
  purgeStep,
  recoverStep,
  retryMessageStep,
} from './delivery-history.sql.js';
import { DeliveryQueue } from './queue/delivery-queue.js';

/**
 * The operations whose size grows with the stored history (retry, recover, deleting an account or a
 * destination, the retention purge), each as a loop of short transactions: however many deliveries there
 * are, nothing else waits for more than one step. Every step is safe to stop after (a crash, a shutdown):
 * what it did is committed, and running the operation again finishes it.
 */
@Injectable()
export class DeliveryHistory {
  private readonly logger = new Logger(DeliveryHistory.name);

  constructor(
    private readonly sql: SqlRunner,
    private readonly queue: DeliveryQueue,
  ) {}

  /** Makes the message's failed deliveries pending and due now. Returns how many. */
  async retryMessage(messageId: string): Promise<number> {
    let after: string | null = null;
    let retried = 0;
    for (;;) {
      const start: string | null = after;
      const ids: string[] = await this.step(() => retryMessageStep(messageId, start, Date.now(), this.sql.dialect));
      if (!ids.length) return retried;
      this.wakeWorkers(ids, 'retried');
      retried += ids.length;
      after = ids[ids.length - 1];
    }
  }

  /** The destination's failed deliveries of messages since `since` become pending, with the whole schedule. */
  async recover(destinationId: string, since: number): Promise<number> {
    let after: string | null = null;
    let recovered = 0;
    for (;;) {
      const start: string | null = after;
      const step: { seen: string[]; recovered: string[] } = await this.step(() =>
        recoverStep(destinationId, since, start, Date.now(), this.sql.dialect),
      );
      this.wakeWorkers(step.recovered, 'recovered');
      recovered += step.recovered.length;
      if (!step.seen.length) return recovered;
      after = step.seen[step.seen.length - 1];
    }
  }

  /**
   * How many deliveries `recover` would make pending now, changing nothing: read in steps (each its own short
   * read), so an outage's 100,000 failed deliveries never hold the connection at once.
   */
  async countRecoverable(destinationId: string, since: number, stepSize = COUNT_STEP_DELIVERIES): Promise<number> {
    let after: string | null = null;
    let recoverable = 0;
    for (;;) {
      const start: string | null = after;
      const step: { last: string | null; read: number; recoverable: number } = await this.sql.run(() =>
        countRecoverableStep(destinationId, since, start, stepSize),
      );
      recoverable += step.recoverable;
      if (step.read < stepSize) return recoverable;
      after = step.last;
    }
  }

  /**
   * Disables the destination (no new deliveries, no new attempts), deletes its deliveries step by step, then
   * the destination. Returns false if there was none. Stopped half-way, the destination stays disabled with
   * the reason "deleting", and deleting it again finishes.
   */
  async deleteDestination(destinationId: string): Promise<boolean> {
    const now = Date.now();
    const { changes } = await this.sql.execute(
      sql`UPDATE destinations SET enabled = ${false}, disabled_reason = 'deleting', disabled_at = ${now}, updated_at = ${now}
           WHERE id = ${destinationId}`,
    );
    if (!changes) return false;
    while ((await this.step(() => deleteDestinationDeliveriesStep(destinationId, this.sql.dialect))) > 0);
    return this.step(() => deleteDestinationRow(destinationId, this.sql.dialect));
  }

  /**
   * Revokes the account's token (its ingest stops at once), deletes its messages step by step, then the
   * account with its destinations. Returns false if there was none.
   */
  async deleteAccount(accountId: string): Promise<boolean> {
    const unusableToken = sha256Hex(`deleted ${randomBytes(32).toString('base64url')}`);
    const { changes } = await this.sql.execute(sql`UPDATE accounts SET token_hash = ${unusableToken} WHERE id = ${accountId}`);
    if (!changes) return false;
    // Messages that arrive from now on (sent on the account's behalf) go with the account itself.
    const lastId = newId();
    for (;;) {
      const deleted = await this.step(() => deleteAccountMessagesStep(accountId, lastId, this.sql.dialect));
      if (!deleted.messages && !deleted.deliveries) break;
    }
    const { changes: gone } = await this.sql.execute(sql`DELETE FROM accounts WHERE id = ${accountId}`);
    return gone > 0;
  }

  /**
   * Deletes finished messages received before `cutoff`, with their deliveries and attempts, oldest first, until
   * none is left or `stop()` says so (shutdown). Null when another process is purging (Postgres).
   */
  purgeFinished(cutoff: number, stop: () => boolean = () => false): Promise<Deleted | null> {
    return this.deleteInSteps(() => purgeStep(cutoff, this.sql.dialect), stop);
  }

  /** Removes the messages whose ingest stopped half-way before `cutoff` (see abandonedIngestStep). */
  async removeAbandonedIngests(cutoff: number): Promise<Deleted> {
    return (await this.deleteInSteps(() => abandonedIngestStep(cutoff, this.sql.dialect), () => false)) ?? { messages: 0, deliveries: 0 };
  }

  /** Removes a message whose ingest failed before all its deliveries were written (its client got an error). */
  async removeHalfStored(messageId: string): Promise<void> {
    await this.deleteInSteps(() => halfStoredMessageStep(messageId, this.sql.dialect), () => false);
  }

  /** Runs deleting steps until one deletes nothing; null if the first step found another process at it. */
  private async deleteInSteps(step: () => SqlWork<Deleted | null>, stop: () => boolean): Promise<Deleted | null> {
    const total: Deleted = { messages: 0, deliveries: 0 };
    while (!stop()) {
      const deleted = await this.step(step);
      if (deleted === null) return total.messages || total.deliveries ? total : null;
      if (!deleted.messages && !deleted.deliveries) return total;
      total.messages += deleted.messages;
      total.deliveries += deleted.deliveries;
    }
    return total;
  }

  /** One step, in a transaction of its own. */
  private step<T>(work: () => SqlWork<T>): Promise<T> {
    return this.sql.transaction(work);
  }

  /**
   * Committed already: if the queue is unreachable now, the workers' poll finds them; the caller need not
   * wait for Redis to come back.
   */
  private wakeWorkers(ids: string[], what: string): void {
    if (!ids.length) return;
    this.queue.enqueue(ids).catch((error: unknown) => {
      this.logger.warn(`Could not enqueue ${ids.length} ${what} deliveries now; the workers' poll will find them: ${String(error)}`);
    });
  }
}
