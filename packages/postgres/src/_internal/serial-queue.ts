/**
 * Runs async tasks one at a time, in the order they were queued. One pg connection
 * answers one query at a time: queueing here keeps concurrent callers from piling
 * queries onto pg's own (deprecated) queue, and lets a transaction hold the
 * connection so outside statements wait instead of landing inside it.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it has settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    // The next task waits for this one to settle, whatever its outcome.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
