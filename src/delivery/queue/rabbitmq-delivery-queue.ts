import { type BeforeApplicationShutdown, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import { Gauge, type Registry } from 'prom-client';
import { DeliveryQueue, type DueDeliveriesJob } from './delivery-queue.js';

/** The first reconnect comes quickly (a broker restart or a dropped connection); failures then back off. */
const FIRST_RECONNECT_S = 0.5;
const MAX_RECONNECT_S = 30;
/** An enqueue not confirmed by then is given up: the workers' poll finds its deliveries anyway. */
const PUBLISH_TIMEOUT_MS = 5_000;
/** Health and metrics ask the broker about the queue; a broker that takes longer counts as down. */
const BROKER_ANSWER_MS = 2_000;
/**
 * Wake-ups are disposable (the database holds the deliveries), so a queue nobody consumes stays bounded:
 * past this length the broker drops the oldest.
 */
const MAX_QUEUE_LENGTH = 100_000;

export interface RabbitQueueOptions {
  url: string;
  /** The queue is `<prefix>.deliveries`, so deployments can share one vhost. */
  prefix: string;
  /** WORKER_CONCURRENCY: the prefetch of a delivering process. */
  capacity: number;
  /** Shown in the broker's connection list. */
  connectionName: string;
  /** Where the queue-depth gauge goes (the /metrics registry). */
  registry: Registry;
}

/** The URL without its password, for logs. */
export function redactedAmqpUrl(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString().replace(/:@/, '@');
}

/**
 * RabbitMQ through amqp-connection-manager (amqplib underneath): it reconnects, reopens the channels and
 * re-registers the consumer by itself; we add the backoff between failed reconnects.
 *
 * - One durable quorum queue; each committed batch publishes one persistent message `{deliveryIds}`, and
 *   `enqueue` resolves only once the broker confirmed it (publisher confirms). While the broker is away
 *   `enqueue` fails at once instead of piling messages up in memory: the deliveries are committed already
 *   and the workers' poll of the database finds them.
 * - A delivering process consumes with manual acks and a prefetch of WORKER_CONCURRENCY. A message wakes
 *   the scheduler and is acked once the claim round that followed has finished, i.e. once the database
 *   holds a lease for whatever this worker could take. A worker killed before that leaves the message
 *   unacked and the broker gives it to another worker. Retries and their delays are the database's
 *   (RETRY_SCHEDULE), never the broker's redelivery.
 */
export class RabbitDeliveryQueue extends DeliveryQueue implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(RabbitDeliveryQueue.name);
  readonly queueName: string;
  private readonly connection: AmqpConnectionManager;
  private readonly publisher: ChannelWrapper;
  private consumer: ChannelWrapper | undefined;
  /** The channel the consumer's messages arrive on now: an ack must go to the channel its message came from. */
  private consumerChannel: Channel | undefined;
  private lastError: string | null = null;
  private closing = false;

  constructor(private readonly options: RabbitQueueOptions) {
    super();
    this.queueName = `${options.prefix}.deliveries`;
    this.logger.log(`Delivery queue: RabbitMQ at ${redactedAmqpUrl(options.url)}, queue ${this.queueName}`);
    this.connection = amqp.connect([options.url], {
      heartbeatIntervalInSeconds: 5,
      reconnectTimeInSeconds: FIRST_RECONNECT_S,
      connectionOptions: { clientProperties: { connection_name: options.connectionName } },
    });
    this.connection.on('connect', () => {
      if (this.lastError !== null) this.logger.log('RabbitMQ connected again');
      this.lastError = null;
      this.connection.reconnectTimeInSeconds = FIRST_RECONNECT_S;
    });
    this.connection.on('disconnect', ({ err }) => {
      if (this.closing) return;
      this.lastError = err?.message ?? 'connection closed';
      this.logger.warn(`RabbitMQ connection lost, reconnecting: ${this.lastError}`);
    });
    this.connection.on('connectFailed', ({ err }) => {
      this.lastError = err.message;
      // The manager waits `reconnectTimeInSeconds` before its next try: double it, with jitter, up to the cap.
      const next = Math.min(MAX_RECONNECT_S, this.connection.reconnectTimeInSeconds * 2) * (0.8 + Math.random() * 0.4);
      this.connection.reconnectTimeInSeconds = next;
      this.logger.warn(`Cannot connect to RabbitMQ (QUEUE_URL), next try in ${next.toFixed(1)} s: ${err.message}`);
    });
    this.publisher = this.connection.createChannel({
      name: 'publish',
      confirm: true,
      publishTimeout: PUBLISH_TIMEOUT_MS,
      setup: (channel: ConfirmChannel) => this.declare(channel),
    });
    this.publisher.on('error', (error) => this.logger.warn(`RabbitMQ publish channel: ${error.message}`));
    const depthGauge: Gauge = new Gauge({
      name: 'data_pusher_queue_depth',
      help: 'Wake-ups waiting in the RabbitMQ queue for a worker (the deliveries themselves are in the database)',
      registers: [options.registry],
      aggregator: 'max',
      collect: async () => {
        // A scrape while the broker is away keeps the last value rather than failing the whole scrape.
        const depth = await this.depth().catch(() => null);
        if (depth !== null) depthGauge.set(depth);
      },
    });
  }

  async enqueue(deliveryIds: string[]): Promise<void> {
    if (!deliveryIds.length) return;
    if (!this.connection.isConnected()) throw new Error(`RabbitMQ is not connected (${this.lastError ?? 'connecting'})`);
    const job: DueDeliveriesJob = { deliveryIds };
    await this.publisher.sendToQueue(this.queueName, Buffer.from(JSON.stringify(job)), {
      persistent: true,
      contentType: 'application/json',
    });
  }

  async consume(listener: () => Promise<void>): Promise<void> {
    this.consumer = this.connection.createChannel({
      name: 'consume',
      setup: async (channel: Channel) => {
        await this.declare(channel);
        this.consumerChannel = channel;
      },
    });
    this.consumer.on('error', (error) => this.logger.warn(`RabbitMQ consume channel: ${error.message}`));
    // Not awaited: a broker that is away now is consumed from once it is back (the manager re-registers).
    this.consumer
      .consume(
      this.queueName,
        (message) => {
          const channel = this.consumerChannel;
          void listener().then(() => this.ack(channel, message));
        },
        { prefetch: this.options.capacity, noAck: false },
      )
      .catch((error: unknown) => this.logger.warn(`RabbitMQ consume: ${String(error)}; the workers' poll goes on`));
  }

  /** The queue answers within 2 s. */
  async ping(): Promise<void> {
    await this.depth();
  }

  /** Messages ready in the queue, as the broker counts them. */
  private async depth(): Promise<number> {
    if (!this.connection.isConnected()) throw new Error(`RabbitMQ is not connected (${this.lastError ?? 'connecting'})`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`RabbitMQ did not answer within ${BROKER_ANSWER_MS / 1000} s`)), BROKER_ANSWER_MS);
    });
    try {
      const { messageCount } = await Promise.race([this.publisher.checkQueue(this.queueName), timeout]);
      return messageCount;
    } finally {
      clearTimeout(timer);
    }
  }

  private async declare(channel: Channel): Promise<void> {
    await channel.assertQueue(this.queueName, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-max-length': MAX_QUEUE_LENGTH },
    });
    // The broker closed this channel (an operator deleted the queue, say) while the connection lives: the
    // manager would not reopen it, so reconnect, which reopens it and declares the queue again. Without
    // a listener amqplib would throw the error out of its frame handler.
    channel.on('error', (error: Error) => {
      if (this.closing) return;
      this.logger.warn(`RabbitMQ closed a channel, reconnecting: ${error.message}`);
      this.connection.reconnect();
    });
  }

  /** Acks on the message's own channel; if that channel is gone, the broker has requeued the message already. */
  private ack(channel: Channel | undefined, message: ConsumeMessage): void {
    if (!channel || channel !== this.consumerChannel) return;
    try {
      channel.ack(message);
    } catch {
      // The channel closed meanwhile: the same as above.
    }
  }

  /** Takes no more wake-ups while the scheduler drains; unacked ones go back to the queue for other workers. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.consumer?.cancelAll().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.consumer?.close().catch(() => undefined);
    await this.publisher.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
