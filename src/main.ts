import 'reflect-metadata';
import { EnvironmentError, parseEnvironment } from './config/environment.js';
import { checkListenAddress, listenFailureMessage } from './config/listen-address.js';
import { startUpFailureMessage } from './database/start-up-connection.js';

/** A failure whose message is the whole story for the user: printed as one line, without a stack. */
class StartUpError extends Error {}

async function main(): Promise<void> {
  const config = parseEnvironment(process.env);
  const unusable = await checkListenAddress(config.port, config.host);
  if (unusable) throw new StartUpError(unusable);
  // Loaded only once the cheap checks above have passed: loading the application takes seconds.
  const [{ Logger }, { createHttpApp }] = await Promise.all([import('@nestjs/common'), import('./http-app.js')]);
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

  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    const message = listenFailureMessage(error, config.port, config.host);
    throw message ? new StartUpError(message) : error;
  }
  const address = `http://${config.host}:${config.port}`;
  logger.log(
    config.role === 'worker'
      ? `Data Pusher (worker) serving /health and /metrics on ${address} (PORT=${config.port}); it delivers, it serves no API`
      : `Data Pusher (${config.role}) listening on ${address}, API docs at /docs, admin console at /console`,
  );
}

main().catch((error: unknown) => {
  // One line that says what to fix, not a stack trace, for the mistakes a user can make.
  if (error instanceof EnvironmentError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`Data Pusher failed to start: ${error instanceof StartUpError ? error.message : startUpFailureMessage(error)}\n`);
  process.exit(1);
});
