import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, MoreThan, type Repository } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service.js';
import { isoTime } from '../common/iso-time.js';
import { DEFAULT_PAGE_SIZE, type Page, toPage } from '../common/pagination.js';
import { chunks, MAX_LIST } from '../database/in-list.js';
import { DeliveryQueue } from '../delivery/queue/delivery-queue.js';
import { Destination } from '../destinations/entities/destination.entity.js';
import type { DeliveryQueryDto, MessageQueryDto } from './dto/message-query.dto.js';
import { type DeliveryDto, MESSAGE_DELIVERIES_EMBEDDED, type MessageSummaryDto } from './dto/message-response.dto.js';
import { DeliveryAttempt } from './entities/delivery-attempt.entity.js';
import { Delivery, type DeliveryStatus } from './entities/delivery.entity.js';
import { Message } from './entities/message.entity.js';

/** Deliveries one recover statement makes pending: short statements, however large the backlog. */
const RECOVER_BATCH = MAX_LIST;

const COUNT_PENDING = "SUM(CASE WHEN d.status = 'pending' THEN 1 ELSE 0 END)";
const COUNT_FAILED = "SUM(CASE WHEN d.status = 'failed' THEN 1 ELSE 0 END)";
const COUNT_SUCCEEDED = "SUM(CASE WHEN d.status = 'succeeded' THEN 1 ELSE 0 END)";

const STATUS_FILTER: Record<DeliveryStatus, string> = {
  pending: `${COUNT_PENDING} > 0`,
  failed: `${COUNT_PENDING} = 0 AND ${COUNT_FAILED} > 0`,
  succeeded: `${COUNT_PENDING} = 0 AND ${COUNT_FAILED} = 0`,
};

interface MessageSummaryRow {
  id: string;
  account_id: string;
  received_at: string | number;
  event_type: string | null;
  total: string | number;
  pending: string | number | null;
  failed: string | number | null;
  succeeded: string | number | null;
}

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
    @InjectRepository(Destination) private readonly destinations: Repository<Destination>,
    private readonly accounts: AccountsService,
    private readonly queue: DeliveryQueue,
  ) {}

  /**
   * The message with its first deliveries, as JSON text with the payload in it exactly as received: parsing
   * and serialising it again would change big numbers, key order and whitespace, and fail for deep nesting.
   */
  async get(id: string): Promise<string> {
    const message = await this.messages.findOneBy({ id });
    if (!message) throw new NotFoundException(`Message ${id} not found`);
    const deliveries = await this.deliveryPage(id, { limit: MESSAGE_DELIVERIES_EMBEDDED });
    const head = JSON.stringify({
      message_id: message.id,
      account_id: message.accountId,
      received_at: isoTime(message.receivedAt),
      event_type: message.eventType,
    });
    const tail = JSON.stringify({ deliveries: deliveries.data, deliveries_next_cursor: deliveries.next_cursor });
    // Both halves are objects: '{…}' + ',"payload":…,' + '{…}' without the braces where they meet.
    return `${head.slice(0, -1)},"payload":${message.payload},${tail.slice(1)}`;
  }

  async listDeliveries(messageId: string, query: DeliveryQueryDto): Promise<Page<DeliveryDto>> {
    if (!(await this.messages.existsBy({ id: messageId }))) throw new NotFoundException(`Message ${messageId} not found`);
    return this.deliveryPage(messageId, query);
  }

  /** Oldest first (ids are time-ordered), each with its attempts. */
  private async deliveryPage(messageId: string, query: DeliveryQueryDto): Promise<Page<DeliveryDto>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.deliveries.find({
      where: {
        messageId,
        ...(query.status ? { status: query.status } : {}),
        ...(query.cursor ? { id: MoreThan(query.cursor) } : {}),
      },
      order: { id: 'ASC' },
      take: limit + 1,
    });
    const history = await this.historyOf(rows.slice(0, limit).map((delivery) => delivery.id));
    return toPage(rows, limit, (delivery) => ({
      delivery_id: delivery.id,
      destination_id: delivery.destinationId,
      status: delivery.status,
      attempts: delivery.attempts,
      next_attempt_at: delivery.status === 'pending' ? isoTime(delivery.nextAttemptAt) : null,
      last_status_code: delivery.lastStatusCode,
      last_error: delivery.lastError,
      history: (history.get(delivery.id) ?? []).map((attempt) => ({
        attempt: attempt.attempt,
        at: isoTime(attempt.at),
        status_code: attempt.statusCode,
        duration_ms: attempt.durationMs,
        error: attempt.error,
        response_body: attempt.responseBody,
      })),
    }));
  }

  private async historyOf(deliveryIds: string[]): Promise<Map<string, DeliveryAttempt[]>> {
    const byDelivery = new Map<string, DeliveryAttempt[]>();
    for (const chunk of chunks(deliveryIds)) {
      const attempts = await this.attempts.find({ where: { deliveryId: In(chunk) }, order: { attempt: 'ASC' } });
      for (const attempt of attempts) {
        const list = byDelivery.get(attempt.deliveryId);
        if (list) list.push(attempt);
        else byDelivery.set(attempt.deliveryId, [attempt]);
      }
    }
    return byDelivery;
  }

  /** Newest first, optionally of one event type; the status of a message is derived from its deliveries'. */
  async listForAccount(accountId: string, query: MessageQueryDto): Promise<Page<MessageSummaryDto>> {
    await this.accounts.assertExists(accountId);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const select = this.messages
      .createQueryBuilder('m')
      .leftJoin('m.deliveries', 'd')
      .select('m.id', 'id')
      .addSelect('m.accountId', 'account_id')
      .addSelect('m.receivedAt', 'received_at')
      .addSelect('m.eventType', 'event_type')
      .addSelect('COUNT(d.id)', 'total')
      .addSelect(COUNT_PENDING, 'pending')
      .addSelect(COUNT_FAILED, 'failed')
      .addSelect(COUNT_SUCCEEDED, 'succeeded')
      .where('m.accountId = :accountId', { accountId })
      .groupBy('m.id')
      .addGroupBy('m.accountId')
      .addGroupBy('m.receivedAt')
      .addGroupBy('m.eventType')
      .orderBy('m.id', 'DESC')
      .limit(limit + 1);
    if (query.cursor) select.andWhere('m.id < :cursor', { cursor: query.cursor });
    if (query.event_type) select.andWhere('m.eventType = :eventType', { eventType: query.event_type });
    if (query.status) select.having(STATUS_FILTER[query.status]);
    const rows = await select.getRawMany<MessageSummaryRow>();
    return toPage(rows, limit, (row) => {
      const pending = Number(row.pending ?? 0);
      const failed = Number(row.failed ?? 0);
      return {
        message_id: row.id,
        account_id: row.account_id,
        received_at: isoTime(Number(row.received_at)),
        event_type: row.event_type,
        status: summaryStatus(pending, failed),
        destinations: Number(row.total),
        succeeded: Number(row.succeeded ?? 0),
        failed,
        pending,
      };
    });
  }

  /**
   * Makes the message's failed deliveries pending and due now. Each gets one more attempt: if that fails
   * too, it is failed again (the retry schedule was already spent), and can be retried again.
   */
  async retry(id: string): Promise<number> {
    if (!(await this.messages.existsBy({ id }))) throw new NotFoundException(`Message ${id} not found`);
    const failed = await this.deliveries.find({ select: { id: true }, where: { messageId: id, status: 'failed' } });
    const now = Date.now();
    const ids: string[] = [];
    for (const chunk of chunks(failed.map((delivery) => delivery.id))) {
      await this.deliveries.update(
        { id: In(chunk), status: 'failed' },
        { status: 'pending', nextAttemptAt: now, leasedUntil: null, updatedAt: now },
      );
      ids.push(...chunk);
    }
    this.wakeWorkers(ids, 'retried');
    return ids.length;
  }

  /**
   * Every failed delivery of the destination whose message arrived at or after `since` becomes pending, due
   * now, with RETRY_SCHEDULE from its start (schedule_start marks where it starts; `attempts` and the history
   * go on counting). An outage can leave 100,000 of them: they are taken in batches, each its own short
   * statement, walking the failed-deliveries index in id order so every delivery is seen once.
   */
  async recover(destinationId: string, since: number): Promise<number> {
    if (!(await this.destinations.existsBy({ id: destinationId }))) throw new NotFoundException(`Destination ${destinationId} not found`);
    let after: string | null = null;
    let recovered = 0;
    for (;;) {
      const select = this.deliveries
        .createQueryBuilder('d')
        .select('d.id', 'id')
        .innerJoin('d.message', 'm')
        .where('d.destinationId = :destinationId', { destinationId })
        .andWhere("d.status = 'failed'")
        .andWhere('m.receivedAt >= :since', { since })
        .orderBy('d.id', 'ASC')
        .limit(RECOVER_BATCH);
      if (after !== null) select.andWhere('d.id > :after', { after });
      const ids = (await select.getRawMany<{ id: string }>()).map((row) => row.id);
      if (!ids.length) break;
      const now = Date.now();
      const result = await this.deliveries.update(
        { id: In(ids), status: 'failed' },
        { status: 'pending', nextAttemptAt: now, leasedUntil: null, scheduleStart: () => 'attempts', updatedAt: now },
      );
      recovered += result.affected ?? 0;
      this.wakeWorkers(ids, 'recovered');
      after = ids[ids.length - 1];
      if (ids.length < RECOVER_BATCH) break;
    }
    return recovered;
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
