/** What a mirror reports: how far behind the secondary is, and what happened to operations. */
export interface MirrorMetrics {
  /** `'outbox'` or `'queue'`. */
  kind: 'outbox' | 'queue';
  /** Operations written to the mirror but not applied yet (as of `sampledAt`). */
  depth: number;
  /** Age in ms of the oldest operation not applied yet (as of `sampledAt`); 0 when none waits. */
  lagMs: number;
  /** Operations handed to the mirror by this process. */
  enqueued: number;
  /** Operations applied to the secondary. */
  applied: number;
  /** Deliveries of an operation already applied, recognised by its id and skipped. */
  duplicates: number;
  /** Deliveries that failed and were handed back for another attempt. */
  retried: number;
  /** Operations that failed their last attempt and went to the dead-letter queue. */
  deadLettered: number;
  /** Operations older than one already applied to the same row, skipped and recorded. */
  stale: number;
  /** Stale operations whose rows were re-read from the primary instead. */
  repaired: number;
  /**
   * Outbox entries the secondary refused whose rows were re-read from the primary instead
   * (a drain settles an entry that holds rows once the primary's current rows apply).
   */
  settled: number;
  /** Queue sends that failed after the primary write (see `MirrorSendError`). */
  sendFailures: number;
  /** When `depth` and `lagMs` were measured (ms since the epoch); 0 before the first sample. */
  sampledAt: number;
}

const COUNTERS = ['enqueued', 'applied', 'duplicates', 'retried', 'deadLettered', 'stale', 'repaired', 'settled', 'sendFailures'] as const;
type Counter = (typeof COUNTERS)[number];

/**
 * Counters shared by a mirror and whatever applies its operations (a drain or a queue
 * consumer in the same process), so one object reports the whole pipeline.
 *
 * @example
 * ```ts
 * const stats = new MirrorStats('queue');
 * stats.count('applied', 3);
 * stats.snapshot().applied; // 3
 * ```
 */
export class MirrorStats {
  readonly #metrics: MirrorMetrics;

  constructor(kind: MirrorMetrics['kind']) {
    this.#metrics = {
      kind,
      depth: 0,
      lagMs: 0,
      enqueued: 0,
      applied: 0,
      duplicates: 0,
      retried: 0,
      deadLettered: 0,
      stale: 0,
      repaired: 0,
      settled: 0,
      sendFailures: 0,
      sampledAt: 0,
    };
  }

  /** Adds `by` (default 1) to a counter. */
  count(counter: Counter, by = 1): void {
    this.#metrics[counter] += by;
  }

  /** Records a measurement of the backlog: how many wait, and since when the oldest. */
  sample(depth: number, oldestCreatedAt: number | undefined, now = Date.now()): void {
    this.#metrics.depth = depth;
    this.#metrics.lagMs = depth > 0 && oldestCreatedAt !== undefined ? Math.max(0, now - oldestCreatedAt) : 0;
    this.#metrics.sampledAt = now;
  }

  /** A copy of the current figures. */
  snapshot(): MirrorMetrics {
    return { ...this.#metrics };
  }

  /** Sets every counter back to zero (the backlog sample is kept). */
  reset(): void {
    for (const key of COUNTERS) {
      this.#metrics[key] = 0;
    }
  }
}
