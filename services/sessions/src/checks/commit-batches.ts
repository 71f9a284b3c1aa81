/**
 * Group commit for records that each need a transaction of their own: whatever arrives while
 * earlier batches are being written goes into the next one, so under load many records share
 * one transaction (one commit, one fsync) and a lone record is written at once, without a
 * timer. Each caller's promise settles when its batch has committed, or fails with it.
 */
export class CommitBatches<T> {
  private readonly waiting: { item: T; settle: (error?: unknown) => void }[] = [];
  private writing = 0;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    /** Batches written at the same time (each holds a database connection). */
    private readonly parallel = 2,
    private readonly maxBatch = 100,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      if (this.writing < this.parallel) {
        // A writer starts after this turn of the event loop's microtasks: what is added together goes together.
        this.writing++;
        queueMicrotask(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length) {
        const batch = this.waiting.splice(0, this.maxBatch);
        let failure: unknown;
        try {
          await this.write(batch.map((w) => w.item));
        } catch (error) {
          failure = error ?? new Error('batch write failed');
        }
        for (const w of batch) w.settle(failure);
      }
    } finally {
      this.writing--;
    }
  }
}
