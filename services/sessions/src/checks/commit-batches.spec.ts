import { CommitBatches } from './commit-batches';

/** A write that records its batches and finishes when told to. */
function controlledWrite() {
  const batches: number[][] = [];
  const finish: ((error?: Error) => void)[] = [];
  const write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(items);
      finish.push((error) => (error ? reject(error) : resolve()));
    });
  return { batches, finish, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('CommitBatches', () => {
  it('writes a lone item at once and settles it when its batch has committed', async () => {
    const { batches, finish, write } = controlledWrite();
    const batcher = new CommitBatches(write, 1);
    let settled = false;
    const done = batcher.add(1).then(() => (settled = true));
    await tick();
    expect(batches).toEqual([[1]]);
    expect(settled).toBe(false);
    finish[0]!();
    await done;
    expect(settled).toBe(true);
  });

  it('puts what arrives during a write into the next batch, up to the batch size, with the writers it is allowed', async () => {
    const { batches, finish, write } = controlledWrite();
    const batcher = new CommitBatches(write, 2, 3);
    const all = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => batcher.add(n));
    await tick();
    // Two writers: each takes what waits, at most 3.
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    finish[0]!();
    await tick();
    expect(batches[2]).toEqual([7, 8]);
    finish[1]!();
    finish[2]!();
    await Promise.all(all);
  });

  it('fails every item of a batch whose write failed, and goes on with the next', async () => {
    const { batches, finish, write } = controlledWrite();
    const batcher = new CommitBatches(write, 1, 2);
    const results = [1, 2, 3].map((n) =>
      batcher.add(n).then(
        () => 'ok',
        (error: Error) => error.message,
      ),
    );
    await tick();
    finish[0]!(new Error('deadlock'));
    await tick();
    expect(batches).toEqual([[1, 2], [3]]);
    finish[1]!();
    expect(await Promise.all(results)).toEqual(['deadlock', 'deadlock', 'ok']);
  });
});
