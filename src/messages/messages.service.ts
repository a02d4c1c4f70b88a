import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, MoreThan, Raw, type Repository } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service.js';
import { isoTime } from '../common/iso-time.js';
import { DEFAULT_PAGE_SIZE, type Page, toPage } from '../common/pagination.js';
import { chunks } from '../database/in-list.js';
import { DeliveryHistory } from '../delivery/delivery-history.js';
import { Destination } from '../destinations/entities/destination.entity.js';
import type { DeliveryQueryDto, MessageQueryDto, OperatorDeliveryQueryDto } from './dto/message-query.dto.js';
import {
  type DeliveryDto,
  MESSAGE_DELIVERIES_EMBEDDED,
  type MessageSummaryDto,
  type OperatorDeliveryDto,
} from './dto/message-response.dto.js';
import { DeliveryAttempt } from './entities/delivery-attempt.entity.js';
import { Delivery } from './entities/delivery.entity.js';
import { Message } from './entities/message.entity.js';

/** The delivery log: what was received, where it went, every attempt. */
@Injectable()
export class MessagesService {
  constructor(
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(Delivery) private readonly deliveries: Repository<Delivery>,
    @InjectRepository(DeliveryAttempt) private readonly attempts: Repository<DeliveryAttempt>,
    @InjectRepository(Destination) private readonly destinations: Repository<Destination>,
    private readonly accounts: AccountsService,
    private readonly history: DeliveryHistory,
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
        // Not a plain `status =`: a planner that knows little of the rows (new tables, stale statistics) could
        // then read the (status, id) index of GET /deliveries, every delivery of that status, and filter them by
        // message. Compared so, the status filters the message's deliveries read through (message_id, id).
        ...(query.status ? { status: Raw((column) => `${column} || '' = :status`, { status: query.status }) } : {}),
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
      // In the index's order, (delivery_id, attempt): no sort.
      const attempts = await this.attempts.find({ where: { deliveryId: In(chunk) }, order: { deliveryId: 'ASC', attempt: 'ASC' } });
      for (const attempt of attempts) {
        const list = byDelivery.get(attempt.deliveryId);
        if (list) list.push(attempt);
        else byDelivery.set(attempt.deliveryId, [attempt]);
      }
    }
    return byDelivery;
  }

  /**
   * Newest first, optionally of one status and event type: one page of messages read through an index, with
   * the delivery counts kept on each message (not counted from its deliveries).
   */
  async listForAccount(accountId: string, query: MessageQueryDto): Promise<Page<MessageSummaryDto>> {
    await this.accounts.assertExists(accountId);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.messages.find({
      select: {
        id: true,
        accountId: true,
        receivedAt: true,
        eventType: true,
        status: true,
        deliveriesPending: true,
        deliveriesSucceeded: true,
        deliveriesFailed: true,
      },
      where: {
        accountId,
        ...(query.status ? { status: query.status } : {}),
        ...(query.event_type ? { eventType: query.event_type } : {}),
        ...(query.cursor ? { id: LessThan(query.cursor) } : {}),
      },
      order: { id: 'DESC' },
      take: limit + 1,
    });
    return toPage(rows, limit, (message) => ({
      message_id: message.id,
      account_id: message.accountId,
      received_at: isoTime(message.receivedAt),
      event_type: message.eventType,
      status: message.status,
      destinations: message.deliveriesPending + message.deliveriesSucceeded + message.deliveriesFailed,
      succeeded: message.deliveriesSucceeded,
      failed: message.deliveriesFailed,
      pending: message.deliveriesPending,
    }));
  }

  /**
   * The deliveries of every account with one status, newest first: one page read through (status, id), then
   * the accounts of that page's messages by their ids, so the list costs a page however long the history.
   */
  async listAll(query: OperatorDeliveryQueryDto): Promise<Page<OperatorDeliveryDto>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.deliveries.find({
      select: { id: true, messageId: true, destinationId: true, status: true, attempts: true, lastStatusCode: true, lastError: true },
      where: { status: query.status ?? 'failed', ...(query.cursor ? { id: LessThan(query.cursor) } : {}) },
      order: { id: 'DESC' },
      take: limit + 1,
    });
    const accountOf = new Map<string, string>();
    for (const chunk of chunks([...new Set(rows.slice(0, limit).map((delivery) => delivery.messageId))])) {
      const messages = await this.messages.find({ select: { id: true, accountId: true }, where: { id: In(chunk) } });
      for (const message of messages) accountOf.set(message.id, message.accountId);
    }
    const page = toPage(rows, limit, (delivery) => ({
      delivery_id: delivery.id,
      message_id: delivery.messageId,
      account_id: accountOf.get(delivery.messageId) ?? '',
      destination_id: delivery.destinationId,
      status: delivery.status,
      attempts: delivery.attempts,
      last_status_code: delivery.lastStatusCode,
      last_error: delivery.lastError,
    }));
    // A message purged (or its account deleted) between the two reads took its deliveries with it: they are gone,
    // not shown without an account. The cursor stays the page's last id, which keeps its place all the same.
    return { ...page, data: page.data.filter((delivery) => delivery.account_id !== '') };
  }

  /**
   * Makes the message's failed deliveries pending and due now. Each gets one more attempt: if that fails
   * too, it is failed again (the retry schedule was already spent), and can be retried again.
   */
  async retry(id: string): Promise<number> {
    if (!(await this.messages.existsBy({ id }))) throw new NotFoundException(`Message ${id} not found`);
    return this.history.retryMessage(id);
  }

  /**
   * Every failed delivery of the destination whose message arrived at or after `since` becomes pending, due
   * now, with RETRY_SCHEDULE from its start (schedule_start marks where it starts; `attempts` and the history
   * go on counting). An outage can leave 100,000 of them: they are taken in short steps.
   */
  async recover(destinationId: string, since: number): Promise<number> {
    if (!(await this.destinations.existsBy({ id: destinationId }))) throw new NotFoundException(`Destination ${destinationId} not found`);
    return this.history.recover(destinationId, since);
  }

  /** How many deliveries `recover` would make pending now; nothing changes. */
  async countRecoverable(destinationId: string, since: number): Promise<number> {
    if (!(await this.destinations.existsBy({ id: destinationId }))) throw new NotFoundException(`Destination ${destinationId} not found`);
    return this.history.countRecoverable(destinationId, since);
  }
}
