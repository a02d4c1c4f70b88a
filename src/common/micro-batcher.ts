import { inBackground } from './background.js';

export interface MicroBatcherOptions {
  /** The largest batch handed to `run`. */
  maxBatch?: number;
  /** Batches running at once; calls made meanwhile wait and join the next, larger batch. */
  maxConcurrent?: number;
}

/**
 * Collects the calls made within one turn of the event loop and hands them to `run` together: one
 * database round trip (or one commit) for many callers. Each caller gets the result for its own input.
 * A batch belongs to none of its callers: it runs outside their requests (see inBackground), so what it
 * logs carries no request id of theirs.
 */
export class MicroBatcher<Input, Output> {
  private waiting: Array<{ input: Input; resolve: (output: Output) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;
  private running = 0;
  private readonly maxBatch: number;
  private readonly maxConcurrent: number;

  constructor(
    private readonly run: (inputs: Input[]) => Promise<Output[]>,
    { maxBatch = 256, maxConcurrent = Infinity }: MicroBatcherOptions = {},
  ) {
    this.maxBatch = maxBatch;
    this.maxConcurrent = maxConcurrent;
  }

  submit(input: Input): Promise<Output> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (this.waiting.length >= this.maxBatch) this.flush();
      else this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    inBackground(() =>
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      }),
    );
  }

  private flush(): void {
    inBackground(() => this.startBatches());
  }

  private startBatches(): void {
    while (this.waiting.length && this.running < this.maxConcurrent) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.running++;
      this.run(batch.map((entry) => entry.input))
        .then(
          (outputs) => batch.forEach((entry, index) => entry.resolve(outputs[index])),
          (error: unknown) => batch.forEach((entry) => entry.reject(error)),
        )
        .finally(() => {
          this.running--;
          if (this.waiting.length) this.schedule();
        });
    }
  }
}
