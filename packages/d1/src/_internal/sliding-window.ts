/** How much later than its stamp a request may reach the server without the limit counting it in the wrong window. */
const ARRIVAL_SLACK_MS = 25;

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
      // A request leaves the window only once it is older than it by ARRIVAL_SLACK_MS: the
      // server counts arrivals, which come after the stamp here by however long the request
      // took to leave (more on a busy machine), and a request that left late must not let
      // the next one in early.
      const span = this.#windowMs + ARRIVAL_SLACK_MS;
      while (this.#sent.length > 0 && this.#sent[0]! <= now - span) this.#sent.shift();
      if (this.#sent.length < this.#limit) {
        this.#sent.push(now);
        return;
      }
      await sleep(this.#sent[0]! + span - now + 1);
    }
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
