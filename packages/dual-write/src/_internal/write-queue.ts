/**
 * A FIFO queue that runs one task at a time. The dual-write adapter pushes every
 * "primary write + secondary write" pair through it, so the secondary sees writes in
 * the primary's order, and `switchPrimary()` takes its turn like a write: it runs
 * after the write in flight and before the writes issued after it.
 *
 * Enqueuing is synchronous: the position in the queue is the order of the calls.
 */
export class WriteQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it; its result or error is passed through. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    // The next task waits for this one to settle, whether it succeeded or not.
    this.#tail = result.catch(() => {});
    return result;
  }
}
