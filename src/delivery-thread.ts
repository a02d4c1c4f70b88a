import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { parentPort, workerData } from 'node:worker_threads';
import { AppModule } from './app.module.js';
import { MetricsService } from './metrics/metrics.service.js';

/**
 * The delivery worker of a ROLE=all process, on a thread of its own so that sending deliveries and
 * taking ingests use two cores. It is a Nest application context with the worker role: no HTTP, its own
 * database connection. The main thread wakes it for new deliveries over a BroadcastChannel, asks it for
 * its metrics, and stops it on shutdown (after which it has finished its attempts in flight).
 */
const { env } = workerData as { env: Record<string, string | undefined> };
const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...env, ROLE: 'worker' }), { bufferLogs: true });
app.useLogger(app.get(Logger));
const metrics = app.get(MetricsService);

const port = parentPort;
if (!port) throw new Error('delivery-thread.js runs only as a worker thread');
port.on('message', (message: { type: string; id?: number }) => {
  if (message.type === 'metrics') {
    // A failed scrape (the database away for a moment) answers empty rather than ending the thread.
    metrics.registry
      .getMetricsAsJSON()
      .catch(() => [])
      .then((values) => port.postMessage({ type: 'metrics', id: message.id, values }));
  } else if (message.type === 'stop') {
    // In a worker thread process.exit ends only the thread: idle keep-alive sockets cannot hold it open.
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  }
});
port.postMessage({ type: 'ready' });
