import { MicroBatcher } from './micro-batcher.js';

describe('MicroBatcher', () => {
  it('runs the calls of one event-loop turn as one batch and answers each caller', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher(async (inputs: number[]) => {
      batches.push(inputs);
      return inputs.map((n) => n * 2);
    });
    const results = await Promise.all([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(await batcher.submit(4)).toBe(8);
    expect(batches).toHaveLength(2);
  });

  it('splits at the maximum batch size', async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher(async (inputs: number[]) => {
      sizes.push(inputs.length);
      return inputs;
    }, { maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('rejects every caller of a failed batch', async () => {
    const batcher = new MicroBatcher(async () => {
      throw new Error('database down');
    });
    await expect(Promise.all([batcher.submit(1), batcher.submit(2)])).rejects.toThrow('database down');
  });

  it('runs at most maxConcurrent batches at once; calls made meanwhile form the next batch', async () => {
    const sizes: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new MicroBatcher(
      async (inputs: number[]) => {
        sizes.push(inputs.length);
        await gate;
        return inputs;
      },
      { maxConcurrent: 1 },
    );
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sizes).toEqual([1]);
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4]);
    expect(sizes).toEqual([1, 3]);
  });
});
