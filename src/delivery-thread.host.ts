import { Logger } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { Worker } from 'node:worker_threads';

type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** The main thread's handle on the delivery thread (see delivery-thread.ts). */
export class DeliveryThread {
  private readonly logger = new Logger(DeliveryThread.name);
  private nextRequest = 0;
  private exited = false;
  private stopping = false;
  private readonly pending = new Map<number, (values: MetricsJson) => void>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: { type: string; id?: number; values?: MetricsJson }) => {
      if (message.type === 'metrics' && message.id !== undefined) {
        this.pending.get(message.id)?.(message.values ?? []);
        this.pending.delete(message.id);
      }
    });
  }

  static async start(env: Record<string, string | undefined>): Promise<DeliveryThread> {
    const worker = new Worker(new URL('./delivery-thread.js', import.meta.url), { workerData: { env } });
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the delivery thread exited with ${code} while starting`)));
      worker.on('message', (message: { type: string }) => {
        if (message.type === 'ready') resolve();
      });
    });
    worker.removeAllListeners('error');
    worker.removeAllListeners('exit');
    const thread = new DeliveryThread(worker);
    // Without its delivery worker the process would take messages it never sends: better to stop and be
    // restarted by the supervisor.
    worker.on('error', (error) => {
      thread.logger.error(`The delivery thread failed: ${error.message}; stopping the process`);
      process.exit(1);
    });
    worker.on('exit', (code) => {
      thread.exited = true;
      for (const resolve of thread.pending.values()) resolve([]);
      thread.pending.clear();
      if (!thread.stopping) {
        thread.logger.error(`The delivery thread exited (code ${code}); stopping the process`);
        process.exit(1);
      }
    });
    return thread;
  }

  metrics(): Promise<MetricsJson> {
    if (this.exited) return Promise.resolve([]);
    const id = this.nextRequest++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve([]);
      }, 5_000);
      this.pending.set(id, (values) => {
        clearTimeout(timer);
        resolve(values);
      });
      this.worker.postMessage({ type: 'metrics', id });
    });
  }

  /** Resolves once the thread has finished its attempts in flight, committed them and exited. */
  stop(): Promise<void> {
    this.stopping = true;
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.worker.removeAllListeners('error');
      this.worker.on('error', (error) => this.logger.error(`The delivery thread failed while stopping: ${error.message}`));
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ type: 'stop' });
    });
  }
}
