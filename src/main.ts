import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { EnvironmentError, parseEnvironment } from './config/environment.js';
import { createHttpApp } from './http-app.js';

async function main(): Promise<void> {
  const config = parseEnvironment(process.env);
  const app = await createHttpApp(process.env);
  const logger = new Logger('Main');

  // Order matters on SIGTERM: first stop taking requests (in-flight ones are answered), then let the
  // scheduler finish its attempts and commit them (Nest's shutdown hooks), then exit.
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
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  await app.listen(config.port, config.host);
  logger.log(
    `Data Pusher (${config.role}) listening on ` +
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
