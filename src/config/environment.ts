import Joi from 'joi';
import { parseDuration } from './duration.js';
import { parseRetrySchedule } from './retry-schedule.js';

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; poolSize: number };

export type Role = 'all' | 'api' | 'worker';

export interface AppConfig {
  port: number;
  host: string;
  database: DatabaseConfig;
  redisUrl: string | null;
  /** amqp:// URL of RabbitMQ, the other scale-out queue; never set together with redisUrl. */
  queueUrl: string | null;
  role: Role;
  /** Null means: generate one on first start and keep it beside the SQLite file. */
  adminApiKey: string | null;
  deliveryTimeoutMs: number;
  retryScheduleMs: number[];
  maxPayloadBytes: number;
  allowPrivateDestinations: boolean;
  workerConcurrency: number;
  logLevel: string;
  /** Redis key prefix of the BullMQ queue, or the RabbitMQ queue's name prefix: several deployments (or tests) can share one broker. */
  queuePrefix: string;
  /** A delivering process makes its HTTP attempts on a thread of their own, so database work and sending use two cores. */
  deliveryThread: boolean;
  /** Attempts in flight at once to one destination, per worker process, when the destination sets no max_in_flight. */
  destinationMaxInFlight: number;
  /** A destination failing (no success, a delivery failed for good) this long is disabled; null: never. */
  autoDisableAfterMs: number | null;
  /** How long the previous signing secret still signs after a rotation (0: not at all). */
  secretRotationOverlapMs: number;
  /** Ingest requests per second per account when the account sets no ingest_rate_limit; null: unlimited. */
  ingestRateLimit: number | null;
  /** How long a finished message (with its deliveries and attempts) is kept; null: for ever. */
  messageRetentionMs: number | null;
}

export class EnvironmentError extends Error {}

const durationList = Joi.string().custom((value: string) => {
  if (parseRetrySchedule(value) === null) {
    throw new Error('must be a comma-separated list of durations such as 5s,5m,2h (units ms, s, m, h, d)');
  }
  return value;
});

/** One duration such as 5d; `0` means off. */
const durationOrOff = Joi.string().custom((value: string) => {
  if (value.trim() === '0') return value;
  if (parseDuration(value) === null) throw new Error('must be a duration such as 12h or 5d (units ms, s, m, h, d), or 0 for off');
  return value;
});

/**
 * A postgres URL the driver can read. A password pasted in raw breaks it ("/", "#", "?") or is read as
 * something else: the message says so instead of the driver's "Invalid URL", which names no variable.
 */
function readablePostgresUrl(value: string): string {
  if (value.startsWith('sqlite:')) return value;
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!url?.hostname || url.hash || (url.port !== '' && !/^\d+$/.test(url.port))) {
    throw new Error(
      'must be a URL such as postgres://user:pass@host:5432/db; percent-encode "/", "@", ":", "#" and "?" in the ' +
        'user name or password (encodeURIComponent), or leave the password out and set PGPASSWORD',
    );
  }
  return value;
}

const schema = Joi.object({
  PORT: Joi.number().integer().min(0).max(65535).default(3000),
  HOST: Joi.string().default('0.0.0.0'),
  DATABASE_URL: Joi.string()
    .pattern(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/)
    .message('"DATABASE_URL" must be sqlite:<path> or postgres://user:pass@host:port/db')
    .custom(readablePostgresUrl)
    .default('sqlite:data/data-pusher.sqlite'),
  DATABASE_POOL_SIZE: Joi.number().integer().min(1).max(1000).default(20),
  REDIS_URL: Joi.string().uri({ scheme: ['redis', 'rediss'] }).empty(''),
  QUEUE_URL: Joi.string()
    .uri({ scheme: ['amqp', 'amqps'] })
    .message('"QUEUE_URL" must be amqp://user:pass@host:5672/vhost (RabbitMQ); for Redis set REDIS_URL instead')
    .empty(''),
  ROLE: Joi.string().valid('all', 'api', 'worker').default('all'),
  ADMIN_API_KEY: Joi.string().min(16).empty(''),
  DELIVERY_TIMEOUT_MS: Joi.number().integer().min(1).max(600_000).default(10_000),
  RETRY_SCHEDULE: durationList.allow('').default('5s,5m,30m,2h,5h,10h,10h'),
  MAX_PAYLOAD_BYTES: Joi.number().integer().min(2).max(100 * 1024 * 1024).default(1_048_576),
  ALLOW_PRIVATE_DESTINATIONS: Joi.boolean().default(false),
  WORKER_CONCURRENCY: Joi.number().integer().min(1).max(10_000).default(64),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
  QUEUE_PREFIX: Joi.string().pattern(/^[\w.-]{1,64}$/).default('data-pusher'),
  DELIVERY_THREAD: Joi.boolean().default(true),
  DESTINATION_MAX_IN_FLIGHT: Joi.number().integer().min(1).max(10_000).default(16),
  AUTO_DISABLE_AFTER: durationOrOff.default('5d'),
  SECRET_ROTATION_OVERLAP: durationOrOff.default('24h'),
  INGEST_RATE_LIMIT: Joi.number().integer().min(1).max(1_000_000).empty(''),
  MESSAGE_RETENTION: durationOrOff.default('30d'),
});

interface ValidatedEnvironment {
  PORT: number;
  HOST: string;
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
  REDIS_URL?: string;
  QUEUE_URL?: string;
  ROLE: Role;
  ADMIN_API_KEY?: string;
  DELIVERY_TIMEOUT_MS: number;
  RETRY_SCHEDULE: string;
  MAX_PAYLOAD_BYTES: number;
  ALLOW_PRIVATE_DESTINATIONS: boolean;
  WORKER_CONCURRENCY: number;
  LOG_LEVEL: string;
  QUEUE_PREFIX: string;
  DELIVERY_THREAD: boolean;
  DESTINATION_MAX_IN_FLIGHT: number;
  AUTO_DISABLE_AFTER: string;
  SECRET_ROTATION_OVERLAP: string;
  INGEST_RATE_LIMIT?: number;
  MESSAGE_RETENTION: string;
}

/**
 * Reads and validates the environment. Throws an EnvironmentError whose message is one line naming
 * the first offending variable, so start-up can print it and stop.
 */
export function parseEnvironment(env: Record<string, string | undefined>): AppConfig {
  const { value, error } = schema.validate(env, {
    abortEarly: true,
    allowUnknown: true,
    stripUnknown: true,
    convert: true,
  });
  if (error) {
    throw new EnvironmentError(`Invalid environment: ${error.message}`);
  }
  const validated = value as ValidatedEnvironment;
  const database: DatabaseConfig = validated.DATABASE_URL.startsWith('sqlite:')
    ? { kind: 'sqlite', path: validated.DATABASE_URL.slice('sqlite:'.length) }
    : { kind: 'postgres', url: validated.DATABASE_URL, poolSize: validated.DATABASE_POOL_SIZE };
  const adminApiKey = validated.ADMIN_API_KEY ?? null;
  if (database.kind === 'postgres' && adminApiKey === null) {
    throw new EnvironmentError(
      'Invalid environment: "ADMIN_API_KEY" must be set when DATABASE_URL is PostgreSQL (generate one with: openssl rand -base64 32)',
    );
  }
  if (validated.REDIS_URL && validated.QUEUE_URL) {
    throw new EnvironmentError(
      'Invalid environment: "REDIS_URL" and "QUEUE_URL" are both set; choose one queue: REDIS_URL for BullMQ or QUEUE_URL for RabbitMQ',
    );
  }
  return {
    port: validated.PORT,
    host: validated.HOST,
    database,
    redisUrl: validated.REDIS_URL ?? null,
    queueUrl: validated.QUEUE_URL ?? null,
    role: validated.ROLE,
    adminApiKey,
    deliveryTimeoutMs: validated.DELIVERY_TIMEOUT_MS,
    retryScheduleMs: parseRetrySchedule(validated.RETRY_SCHEDULE) as number[],
    maxPayloadBytes: validated.MAX_PAYLOAD_BYTES,
    allowPrivateDestinations: validated.ALLOW_PRIVATE_DESTINATIONS,
    workerConcurrency: validated.WORKER_CONCURRENCY,
    logLevel: validated.LOG_LEVEL,
    queuePrefix: validated.QUEUE_PREFIX,
    deliveryThread: validated.DELIVERY_THREAD,
    destinationMaxInFlight: validated.DESTINATION_MAX_IN_FLIGHT,
    autoDisableAfterMs: validated.AUTO_DISABLE_AFTER.trim() === '0' ? null : parseDuration(validated.AUTO_DISABLE_AFTER),
    secretRotationOverlapMs: validated.SECRET_ROTATION_OVERLAP.trim() === '0' ? 0 : (parseDuration(validated.SECRET_ROTATION_OVERLAP) as number),
    ingestRateLimit: validated.INGEST_RATE_LIMIT ?? null,
    messageRetentionMs: validated.MESSAGE_RETENTION.trim() === '0' ? null : parseDuration(validated.MESSAGE_RETENTION),
  };
}
