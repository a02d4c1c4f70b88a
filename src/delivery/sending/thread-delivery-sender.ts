import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AttemptResult, DeliveryJob } from '../delivery-job.js';
import { DeliverySender } from './delivery-sender.js';
import type { FromSender, ToSender } from './sender-messages.js';

/**
 * The compiled thread entry. Under ts-jest this module is TypeScript in src/, which a worker thread cannot
 * load, so tests use the build in dist/ (`npm test` builds first).
 */
function threadEntry(): URL {
  const compiled = new URL('./sender-thread.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return compiled;
  const built = new URL('../../../dist/src/delivery/sending/sender-thread.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error('dist/src/delivery/sending/sender-thread.js is missing: run `npm run build` first');
}

/** Sends on a worker thread of this process (the default): see sender-thread.ts. */
export class ThreadDeliverySender extends DeliverySender {
  private readonly logger = new Logger('DeliverySender');
  private readonly waiting = new Map<string, (result: AttemptResult) => void>();
  private outbox: DeliveryJob[] = [];
  private stopping = false;

  private constructor(private readonly worker: Worker) {
    super();
  }

  static async start(env: Record<string, string | undefined>): Promise<ThreadDeliverySender> {
    const worker = new Worker(threadEntry(), { workerData: { env } });
    let onError: (error: Error) => void = () => undefined;
    let onExit: (code: number) => void = () => undefined;
    let onReady: (message: FromSender) => void = () => undefined;
    await new Promise<void>((resolve, reject) => {
      onError = reject;
      onExit = (code) => reject(new Error(`the delivery sender thread exited with ${code} while starting`));
      onReady = (message) => (message.type === 'ready' ? resolve() : undefined);
      worker.on('error', onError).on('exit', onExit).on('message', onReady);
    });
    worker.off('error', onError).off('exit', onExit).off('message', onReady);
    const sender = new ThreadDeliverySender(worker);
    worker.on('message', (message: FromSender) => sender.receive(message));
    // Without its sender the process would take messages it never sends: better to stop and be restarted.
    worker.on('error', (error) => {
      sender.logger.error(`The delivery sender thread failed: ${error.message}; stopping the process`);
      process.exit(1);
    });
    worker.on('exit', (code) => {
      if (sender.stopping) return;
      sender.logger.error(`The delivery sender thread exited (code ${code}); stopping the process`);
      process.exit(1);
    });
    return sender;
  }

  send(job: DeliveryJob): Promise<AttemptResult> {
    // The jobs of one claim go over in one message.
    if (!this.outbox.length) queueMicrotask(() => this.post());
    this.outbox.push(job);
    return new Promise((resolve) => this.waiting.set(job.deliveryId, resolve));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ type: 'stop' } satisfies ToSender);
    });
  }

  private post(): void {
    const jobs = this.outbox;
    this.outbox = [];
    this.worker.postMessage({ type: 'send', jobs } satisfies ToSender);
  }

  private receive(message: FromSender): void {
    if (message.type !== 'results') return;
    for (const { deliveryId, result } of message.results) {
      this.waiting.get(deliveryId)?.(result);
      this.waiting.delete(deliveryId);
    }
  }
}
