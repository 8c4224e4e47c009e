import type { DualWriteMetrics } from '../dual-write-metrics';
import { LatencyReservoir } from './latency-reservoir';
import type { CircuitStatus } from './secondary-circuit';

/** The counters behind `getMetrics()`. */
export class MetricsCollector {
  readonly timed: boolean;
  since = new Date();
  totalWrites = 0;
  successfulDualWrites = 0;
  secondaryFailures = 0;
  secondaryConflictsResolved = 0;
  verificationFailures = 0;
  readsPrimary = 0;
  readsSecondary = 0;
  readFallbacks = 0;
  shadowReads = 0;
  shadowReadMismatches = 0;
  replicatedByRow = 0;
  replicatedByStatement = 0;
  secondaryTimeouts = 0;
  parentRowsCopied = 0;
  divergencesSettled = 0;
  primaryOutcomesUnknown = 0;
  circuitChanges = 0;
  readonly primary = new LatencyReservoir();
  readonly secondary = new LatencyReservoir();

  constructor(timed: boolean) {
    this.timed = timed;
  }

  /** A timestamp when latencies are collected; 0 otherwise, so no clock is read. */
  now(): number {
    return this.timed ? performance.now() : 0;
  }

  recordPrimary(started: number): void {
    if (this.timed) this.primary.record(performance.now() - started);
  }

  recordSecondary(started: number): void {
    if (this.timed) this.secondary.record(performance.now() - started);
  }

  reset(): void {
    this.since = new Date();
    this.totalWrites = this.successfulDualWrites = this.secondaryFailures = this.verificationFailures = 0;
    this.secondaryConflictsResolved = 0;
    this.replicatedByRow = this.replicatedByStatement = this.secondaryTimeouts = this.parentRowsCopied = 0;
    this.divergencesSettled = this.circuitChanges = this.primaryOutcomesUnknown = 0;
    this.readsPrimary = this.readsSecondary = this.readFallbacks = this.shadowReads = this.shadowReadMismatches = 0;
    this.primary.reset();
    this.secondary.reset();
  }

  snapshot(mode: string, journalDepth: number, oldest: Date | null, circuit: CircuitStatus): DualWriteMetrics {
    return {
      mode,
      since: this.since.toISOString(),
      totalWrites: this.totalWrites,
      successfulDualWrites: this.successfulDualWrites,
      secondaryFailures: this.secondaryFailures,
      secondaryConflictsResolved: this.secondaryConflictsResolved,
      verificationFailures: this.verificationFailures,
      averagePrimaryLatency: this.primary.average(),
      averageSecondaryLatency: this.secondary.average(),
      primaryLatency: this.primary.percentiles(),
      secondaryLatency: this.secondary.percentiles(),
      reads: { primary: this.readsPrimary, secondary: this.readsSecondary },
      readFallbacks: this.readFallbacks,
      shadowReads: this.shadowReads,
      shadowReadMismatches: this.shadowReadMismatches,
      journalDepth,
      journalOldestAgeMs: oldest ? Math.max(0, Date.now() - oldest.getTime()) : 0,
      replicatedByRow: this.replicatedByRow,
      replicatedByStatement: this.replicatedByStatement,
      secondaryTimeouts: this.secondaryTimeouts,
      parentRowsCopied: this.parentRowsCopied,
      divergencesSettled: this.divergencesSettled,
      primaryOutcomesUnknown: this.primaryOutcomesUnknown,
      secondaryCircuit: circuit.state,
    };
  }
}
