/** Latency percentiles in milliseconds. */
export interface LatencyPercentiles {
  p50: number;
  p95: number;
  p99: number;
}

const DEFAULT_CAPACITY = 2048;

/**
 * A bounded uniform sample of latencies (Vitter's algorithm R) plus an exact count and
 * sum: memory stays fixed however long the adapter runs, averages stay exact, and
 * percentiles come from a sample that represents the whole run.
 */
export class LatencyReservoir {
  readonly #capacity: number;
  #samples: number[] = [];
  #count = 0;
  #sum = 0;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  get count(): number {
    return this.#count;
  }

  record(ms: number): void {
    this.#count++;
    this.#sum += ms;
    if (this.#samples.length < this.#capacity) {
      this.#samples.push(ms);
      return;
    }
    const slot = Math.floor(Math.random() * this.#count);
    if (slot < this.#capacity) this.#samples[slot] = ms;
  }

  average(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  percentiles(): LatencyPercentiles {
    if (this.#samples.length === 0) return { p50: 0, p95: 0, p99: 0 };
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
  }

  reset(): void {
    this.#samples = [];
    this.#count = 0;
    this.#sum = 0;
  }
}
