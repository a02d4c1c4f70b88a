import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service.js';
import { isoTime } from '../common/iso-time.js';
import { DEFAULT_PAGE_SIZE, type Page, toPage } from '../common/pagination.js';
import { type Row, SqlRunner, type SqlWork, type StatementResult, statement } from '../database/sql.js';
import { DeliveryQueue } from '../delivery/queue/delivery-queue.js';
import type { MessageQueryDto } from './dto/message-query.dto.js';
import type { MessageDto, MessageSummaryDto } from './dto/message-response.dto.js';
import { DeliveryAttempt } from './entities/delivery-attempt.entity.js';
import { Delivery, type DeliveryStatus } from './entities/delivery.entity.js';
import { Message } from './entities/message.entity.js';

const STATUS_FILTER: Record<DeliveryStatus, string> = {
  pending: 'SUM(CASE WHEN d.status = \'pending\' THEN 1 ELSE 0 END) > 0',
  failed: "SUM(CASE WHEN d.status = 'pending' THEN 1 ELSE 0 END) = 0 AND SUM(CASE WHEN d.status = 'failed' THEN 1 ELSE 0 END) > 0",
  succeeded: "SUM(CASE WHEN d.status IN ('pending', 'failed') THEN 1 ELSE 0 END) = 0",
};

function summaryStatus(pending: number, failed: number): DeliveryStatus {
  if (pending > 0) return 'pending';
  return failed > 0 ? 'failed' : 'succeeded';
}

/** The delivery log: what was received, where it went, every attempt. */
@Injectable()
export class MessagesService {
  private readonly logger = new Logger(MessagesService.name);

  constructor(
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(Delivery) private readonly deliveries: Repository<Delivery>,
    @InjectRepository(DeliveryAttempt) private readonly attempts: Repository<DeliveryAttempt>,
    private readonly accounts: AccountsService,
    private readonly sql: SqlRunner,
    private readonly queue: DeliveryQueue,
  ) {}

  async get(id: string): Promise<MessageDto> {
    const message = await this.messages.findOneBy({ id });
    if (!message) throw new NotFoundException(`Message ${id} not found`);
    const deliveries = await this.deliveries.find({ where: { messageId: id }, order: { id: 'ASC' } });
    const attempts = deliveries.length
      ? await this.attempts.find({ where: { deliveryId: In(deliveries.map((d) => d.id)) }, order: { attempt: 'ASC' } })
      : [];
    return {
      message_id: message.id,
      account_id: message.accountId,
      received_at: isoTime(message.receivedAt),
      payload: JSON.parse(message.payload) as Record<string, unknown>,
      deliveries: deliveries.map((delivery) => ({
        delivery_id: delivery.id,
        destination_id: delivery.destinationId,
        status: delivery.status,
        attempts: delivery.attempts,
        next_attempt_at: delivery.status === 'pending' ? isoTime(delivery.nextAttemptAt) : null,
        last_status_code: delivery.lastStatusCode,
        last_error: delivery.lastError,
        history: attempts
          .filter((attempt) => attempt.deliveryId === delivery.id)
          .map((attempt) => ({
            attempt: attempt.attempt,
            at: isoTime(attempt.at),
            status_code: attempt.statusCode,
            duration_ms: attempt.durationMs,
            error: attempt.error,
            response_body: attempt.responseBody,
          })),
      })),
    };
  }

  /** Newest first; the status of a message is derived from its deliveries'. */
  async listForAccount(accountId: string, query: MessageQueryDto): Promise<Page<MessageSummaryDto>> {
    await this.accounts.assertExists(accountId);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const params: Array<string | number> = [accountId];
    let where = 'm.account_id = ?';
    if (query.cursor) {
      where += ' AND m.id < ?';
      params.push(query.cursor);
    }
    const having = query.status ? `HAVING ${STATUS_FILTER[query.status]}` : '';
    const { rows } = await this.sql.execute(
      statement(
        `SELECT m.id, m.account_id, m.received_at,
                COUNT(d.id) AS total,
                SUM(CASE WHEN d.status = 'pending' THEN 1 ELSE 0 END) AS pending,
                SUM(CASE WHEN d.status = 'failed' THEN 1 ELSE 0 END) AS failed,
                SUM(CASE WHEN d.status = 'succeeded' THEN 1 ELSE 0 END) AS succeeded
           FROM messages m LEFT JOIN deliveries d ON d.message_id = m.id
          WHERE ${where}
          GROUP BY m.id, m.account_id, m.received_at
          ${having}
          ORDER BY m.id DESC
          LIMIT ?`,
        [...params, limit + 1],
      ),
    );
    return toPage(
      rows.map((row) => ({ ...row, id: String(row.id) }) as Row & { id: string }),
      limit,
      (row) => {
        const pending = Number(row.pending ?? 0);
        const failed = Number(row.failed ?? 0);
        return {
          message_id: row.id,
          account_id: String(row.account_id),
          received_at: isoTime(Number(row.received_at)),
          status: summaryStatus(pending, failed),
          destinations: Number(row.total),
          succeeded: Number(row.succeeded ?? 0),
          failed,
          pending,
        };
      },
    );
  }

  /**
   * Makes the message's failed deliveries pending and due now. Each gets one more attempt: if that fails
   * too, it is failed again (the retry schedule was already spent), and can be retried again.
   */
  async retry(id: string): Promise<number> {
    if (!(await this.messages.existsBy({ id }))) throw new NotFoundException(`Message ${id} not found`);
    const now = Date.now();
    const { rows } = await this.sql.transaction(function* (): SqlWork<StatementResult> {
      return yield statement(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, leased_until = NULL, updated_at = ?
          WHERE message_id = ? AND status = 'failed' RETURNING id`,
        [now, now, id],
      );
    });
    const ids = rows.map((row) => String(row.id));
    // Committed already: if the queue is unreachable now, the worker's sweep finds them; the caller need
    // not wait for Redis to come back.
    if (ids.length) {
      this.queue.enqueue(ids).catch((error: unknown) => {
        this.logger.warn(`Could not enqueue ${ids.length} retried deliveries now; the sweep will pick them up: ${String(error)}`);
      });
    }
    return ids.length;
  }
}
