/**
 * A sliding-window rate limiter: at most `limit` acquisitions in any `windowMs`.
 * Callers are served in order, so a burst waits its turn instead of overtaking.
 */
export class SlidingWindowLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #sent: number[] = [];
  #queue: Promise<void> = Promise.resolve();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Resolves when one more request fits in the window, and counts it. */
  acquire(): Promise<void> {
    const turn = this.#queue.then(() => this.#take());
    this.#queue = turn.catch(() => {});
    return turn;
  }

  async #take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      // A request leaves the window only once it is strictly older than it: the clock counts
      // whole milliseconds, and the server counts arrivals, a little after the stamp here.
      while (this.#sent.length > 0 && this.#sent[0]! < now - this.#windowMs) this.#sent.shift();
      if (this.#sent.length < this.#limit) {
        this.#sent.push(now);
        return;
      }
      await sleep(this.#sent[0]! + this.#windowMs - now + 2);
    }
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
