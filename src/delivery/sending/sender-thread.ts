import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parentPort, workerData } from 'node:worker_threads';
import { parseEnvironment } from '../../config/environment.js';
import type { AttemptResult, DeliveryJob } from '../delivery-job.js';
import { DeliveryDispatcher } from '../delivery-dispatcher.js';
import { attemptDelivery } from './delivery-sender.js';
import { SenderModule } from './sender.module.js';
import type { FromSender, ToSender } from './sender-messages.js';

/**
 * The sending thread of a delivering process: it only makes HTTP attempts (HttpService on undici, signing)
 * for the jobs its scheduler hands it and answers with their results; the database stays on the main thread.
 */
const port = parentPort;
if (!port) throw new Error('sender-thread.js runs only as a worker thread');
const { env } = workerData as { env: Record<string, string | undefined> };
const app = await NestFactory.createApplicationContext(SenderModule.forRoot(parseEnvironment(env)), { logger: false });
const dispatcher = app.get(DeliveryDispatcher);

let results: Array<{ deliveryId: string; result: AttemptResult }> = [];
let inFlight = 0;
let stopping = false;

// Results of attempts that end together go back in one message.
function answer(deliveryId: string, result: AttemptResult): void {
  if (!results.length) setImmediate(flush);
  results.push({ deliveryId, result });
}

function flush(): void {
  const batch = results;
  results = [];
  port!.postMessage({ type: 'results', results: batch } satisfies FromSender);
  if (stopping && inFlight === 0) void app.close().then(() => process.exit(0));
}

function attempt(job: DeliveryJob): void {
  inFlight++;
  void attemptDelivery(dispatcher, job).then((result) => {
    inFlight--;
    answer(job.deliveryId, result);
  });
}

port.on('message', (message: ToSender) => {
  if (message.type === 'send') {
    for (const job of message.jobs) attempt(job);
  } else if (message.type === 'stop') {
    stopping = true;
    // In a worker thread process.exit ends only the thread: idle keep-alive sockets cannot hold it open.
    if (inFlight === 0 && !results.length) void app.close().then(() => process.exit(0));
  }
});
port.postMessage({ type: 'ready' } satisfies FromSender);
