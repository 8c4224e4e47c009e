import type { DualWriteMetrics } from '@switchyard/dual-write';

/**
 * Dual-write metrics summed over the requests this isolate served. A Worker builds its
 * adapters per request (a socket opened in one request cannot serve another), so each
 * adapter's `getMetrics()` covers one request; this adds them up. Counters and means
 * are exact for the isolate; percentiles are those of the latest request with writes.
 * Isolates come and go: export the totals (Workers Analytics Engine, a Durable Object)
 * when you need fleet-wide numbers.
 */
export class IsolateMetrics {
  #total: DualWriteMetrics | undefined;

  add(m: DualWriteMetrics): void {
    const t = this.#total;
    if (!t) {
      this.#total = structuredClone(m);
      return;
    }
    const mean = (a: number, wa: number, b: number, wb: number) => (wa + wb === 0 ? 0 : (a * wa + b * wb) / (wa + wb));
    t.averagePrimaryLatency = mean(t.averagePrimaryLatency, t.totalWrites, m.averagePrimaryLatency, m.totalWrites);
    t.averageSecondaryLatency = mean(t.averageSecondaryLatency, t.totalWrites, m.averageSecondaryLatency, m.totalWrites);
    if (m.totalWrites > 0) {
      t.primaryLatency = m.primaryLatency;
      t.secondaryLatency = m.secondaryLatency;
    }
    t.totalWrites += m.totalWrites;
    t.successfulDualWrites += m.successfulDualWrites;
    t.secondaryFailures += m.secondaryFailures;
    t.secondaryConflictsResolved += m.secondaryConflictsResolved;
    t.verificationFailures += m.verificationFailures;
    t.reads = { primary: t.reads.primary + m.reads.primary, secondary: t.reads.secondary + m.reads.secondary };
    t.readFallbacks += m.readFallbacks;
    t.shadowReads += m.shadowReads;
    t.shadowReadMismatches += m.shadowReadMismatches;
    t.journalDepth = m.journalDepth;
    t.mode = m.mode;
  }

  /** The totals, or `fallback` (an empty adapter's metrics) before any request. */
  get(fallback: DualWriteMetrics): DualWriteMetrics {
    return this.#total ? { ...this.#total, mode: fallback.mode } : fallback;
  }
}
