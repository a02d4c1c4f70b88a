import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DeliveryThread } from './delivery-thread.host.js';
import { EnvironmentError, parseEnvironment } from './config/environment.js';
import { createHttpApp } from './http-app.js';
import { MetricsService } from './metrics/metrics.service.js';

async function main(): Promise<void> {
  const config = parseEnvironment(process.env);
  // ROLE=all on the embedded queue: the main thread serves HTTP (as an api), a worker thread delivers.
  const threaded = config.role === 'all' && !config.redisUrl && config.deliveryThread;
  const app = await createHttpApp(threaded ? { ...process.env, ROLE: 'api' } : process.env);
  const logger = new Logger('Main');
  const deliveryThread = threaded ? await DeliveryThread.start(process.env) : null;
  if (deliveryThread) app.get(MetricsService).addSource(() => deliveryThread.metrics());

  // Order matters on SIGTERM: first stop taking requests (in-flight ones are answered), then let the
  // delivery worker finish its attempts and commit them (Nest's shutdown hooks), then exit.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: no new requests; finishing deliveries in flight`);
    const fastify = app.getHttpAdapter().getInstance();
    // Requests in flight get a few seconds to finish; a stalled client does not hold the shutdown.
    const deadline = setTimeout(() => fastify.server.closeAllConnections(), 5_000);
    await fastify.close();
    clearTimeout(deadline);
    await deliveryThread?.stop();
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  await app.listen(config.port, config.host);
  logger.log(
    `Data Pusher (${config.role}${deliveryThread ? ', delivering on a worker thread' : ''}) listening on ` +
      `http://${config.host}:${config.port} — API docs at /docs`,
  );
}

main().catch((error: unknown) => {
  // One line that says what to fix, not a stack trace, for the mistakes a user can make.
  if (error instanceof EnvironmentError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Data Pusher failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
