import { EnvironmentError, parseEnvironment } from './environment.js';

describe('parseEnvironment', () => {
  it('applies the contract defaults to an empty environment', () => {
    expect(parseEnvironment({})).toEqual({
      port: 3000,
      host: '0.0.0.0',
      database: { kind: 'sqlite', path: 'data/data-pusher.sqlite' },
      redisUrl: null,
      queueUrl: null,
      role: 'all',
      adminApiKey: null,
      deliveryTimeoutMs: 10_000,
      retryScheduleMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      maxPayloadBytes: 1_048_576,
      allowPrivateDestinations: false,
      workerConcurrency: 64,
      logLevel: 'info',
      queuePrefix: 'data-pusher',
      deliveryThread: true,
      destinationMaxInFlight: 16,
      autoDisableAfterMs: 432_000_000,
      secretRotationOverlapMs: 86_400_000,
      ingestRateLimit: null,
      messageRetentionMs: 2_592_000_000,
    });
  });

  it('reads MESSAGE_RETENTION as a duration, 0 keeping everything', () => {
    expect(parseEnvironment({ MESSAGE_RETENTION: '7d' }).messageRetentionMs).toBe(604_800_000);
    expect(parseEnvironment({ MESSAGE_RETENTION: '60s' }).messageRetentionMs).toBe(60_000);
    expect(parseEnvironment({ MESSAGE_RETENTION: '0' }).messageRetentionMs).toBeNull();
    expect(() => parseEnvironment({ MESSAGE_RETENTION: '30' })).toThrow(/"MESSAGE_RETENTION"/);
  });

  it('reads a postgres url with an admin key', () => {
    const config = parseEnvironment({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      ADMIN_API_KEY: 'k'.repeat(32),
      ALLOW_PRIVATE_DESTINATIONS: 'true',
      RETRY_SCHEDULE: '100ms, 1s',
    });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test', poolSize: 20 });
    expect(config.allowPrivateDestinations).toBe(true);
    expect(config.retryScheduleMs).toEqual([100, 1_000]);
  });

  it.each([
    ['a "/" in the password', 'postgres://app:pa/ss@db:5432/app'],
    ['a "#" in the password', 'postgres://app:pa#ss@db:5432/app'],
    ['no host', 'postgres://:5432/app'],
  ])('refuses a postgres url with %s, naming DATABASE_URL and how to fix it', (_, url) => {
    const parse = () => parseEnvironment({ DATABASE_URL: url, ADMIN_API_KEY: 'k'.repeat(32) });
    expect(parse).toThrow(EnvironmentError);
    expect(parse).toThrow(/DATABASE_URL.*percent-encode.*PGPASSWORD/);
  });

  it('reads a postgres url whose password is percent-encoded, or that leaves it to PGPASSWORD', () => {
    for (const url of [`postgres://app:${encodeURIComponent('p/a@s:s#?')}@db:5432/app`, 'postgres://app@db/app']) {
      expect(parseEnvironment({ DATABASE_URL: url, ADMIN_API_KEY: 'k'.repeat(32) }).database).toMatchObject({ kind: 'postgres', url });
    }
  });

  it('accepts an empty retry schedule as "never retry"', () => {
    expect(parseEnvironment({ RETRY_SCHEDULE: '' }).retryScheduleMs).toEqual([]);
  });

  it('reads the destination defaults: in-flight cap and auto-disable (0 turns it off)', () => {
    expect(parseEnvironment({ DESTINATION_MAX_IN_FLIGHT: '4', AUTO_DISABLE_AFTER: '36h' })).toMatchObject({
      destinationMaxInFlight: 4,
      autoDisableAfterMs: 129_600_000,
    });
    expect(parseEnvironment({ AUTO_DISABLE_AFTER: '0' }).autoDisableAfterMs).toBeNull();
  });

  it('reads the secret rotation overlap (0: none) and the ingest rate limit (empty: unlimited)', () => {
    expect(parseEnvironment({ SECRET_ROTATION_OVERLAP: '90m', INGEST_RATE_LIMIT: '250' })).toMatchObject({
      secretRotationOverlapMs: 5_400_000,
      ingestRateLimit: 250,
    });
    expect(parseEnvironment({ SECRET_ROTATION_OVERLAP: '0', INGEST_RATE_LIMIT: '' })).toMatchObject({ secretRotationOverlapMs: 0, ingestRateLimit: null });
  });

  it('selects RabbitMQ with QUEUE_URL (amqp:// or amqps://)', () => {
    expect(parseEnvironment({ QUEUE_URL: 'amqp://guest:guest@127.0.0.1:5672/data-pusher' })).toMatchObject({
      queueUrl: 'amqp://guest:guest@127.0.0.1:5672/data-pusher',
      redisUrl: null,
    });
    expect(parseEnvironment({ QUEUE_URL: 'amqps://u:p@broker.example.com/' }).queueUrl).toBe('amqps://u:p@broker.example.com/');
  });

  it('refuses REDIS_URL and QUEUE_URL together with one line naming both', () => {
    expect(() => parseEnvironment({ QUEUE_URL: 'amqp://guest:guest@127.0.0.1:5672/', REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      /^Invalid environment: "REDIS_URL" and "QUEUE_URL" are both set/,
    );
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ ROLE: 'boss' }, 'ROLE'],
    [{ RETRY_SCHEDULE: '5s,5w' }, 'RETRY_SCHEDULE'],
    [{ DESTINATION_MAX_IN_FLIGHT: '0' }, 'DESTINATION_MAX_IN_FLIGHT'],
    [{ DESTINATION_MAX_IN_FLIGHT: '1.5' }, 'DESTINATION_MAX_IN_FLIGHT'],
    [{ AUTO_DISABLE_AFTER: '5' }, 'AUTO_DISABLE_AFTER'],
    [{ AUTO_DISABLE_AFTER: '-1d' }, 'AUTO_DISABLE_AFTER'],
    [{ SECRET_ROTATION_OVERLAP: '1 day' }, 'SECRET_ROTATION_OVERLAP'],
    [{ INGEST_RATE_LIMIT: '0' }, 'INGEST_RATE_LIMIT'],
    [{ INGEST_RATE_LIMIT: 'fast' }, 'INGEST_RATE_LIMIT'],
    [{ DELIVERY_TIMEOUT_MS: '0' }, 'DELIVERY_TIMEOUT_MS'],
    [{ ALLOW_PRIVATE_DESTINATIONS: 'maybe' }, 'ALLOW_PRIVATE_DESTINATIONS'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ QUEUE_URL: 'redis://127.0.0.1:6379' }, 'QUEUE_URL'],
    [{ QUEUE_URL: 'amqp://' }, 'QUEUE_URL'],
    [{ QUEUE_URL: 'amqp://guest:guest@127.0.0.1:5672/', REDIS_URL: 'redis://127.0.0.1:6379' }, 'QUEUE_URL'],
    [{ DATABASE_URL: 'postgres://postgres@127.0.0.1/test' }, 'ADMIN_API_KEY'],
  ])('rejects %p with one line naming %s', (env, variable) => {
    let caught: unknown;
    try {
      parseEnvironment(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvironmentError);
    const message = (caught as Error).message;
    expect(message).toContain(variable);
    expect(message).not.toContain('\n');
  });
});
