/**
 * A FIFO lock for the one connection better-sqlite3 has: while a transaction holds it,
 * statements from outside the transaction wait instead of landing inside it.
 */
export class TransactionLock {
  #tail: Promise<void> = Promise.resolve();
  #held = 0;

  /** Waits for the lock; resolves to the function that releases it. */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    this.#held++;
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held--;
      release();
    };
  }

  /** True when no one holds or waits for the lock: work that never yields may run now. */
  get free(): boolean {
    return this.#held === 0;
  }

  /** Resolves when no transaction holds or waits for the lock. */
  async idle(): Promise<void> {
    while (this.#held > 0) await this.#tail;
  }
}
