/** What the dual-write benchmarks share: the table they insert into, and how latencies are summed up. */

/** Warm-up inserts per case before any is timed. */
export const WARMUP = 200;

// Each case gets its own copy of this table (bench_dw_<case>).
export const SQLITE_DDL =
  'CREATE TABLE bench_dw (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, active BOOLEAN, created_at TIMESTAMP)';
export const PG_DDL =
  'CREATE TABLE bench_dw (id BIGINT PRIMARY KEY, name TEXT NOT NULL, score DOUBLE PRECISION, active BOOLEAN, created_at TIMESTAMPTZ)';

/** A case's latencies in ms, and its throughput over the time spent in its calls. */
export interface Figures {
  p50: number;
  p99: number;
  mean: number;
  opsPerSecond: number;
}

export function figures(latencies: number[], seconds: number): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { p50: at(0.5), p99: at(0.99), mean, opsPerSecond: latencies.length / seconds };
}

/** 0..n-1 in random order. */
export function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
