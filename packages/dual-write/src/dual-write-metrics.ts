import type { LatencyPercentiles } from './_internal/latency-reservoir';
import type { MirrorMetrics } from './mirror/mirror-metrics';

export type { LatencyPercentiles } from './_internal/latency-reservoir';

/**
 * What `getMetrics()` returns: counters since creation or the last `resetMetrics()`,
 * and latencies in milliseconds by role (the primary at the time of each write).
 *
 * @example
 * ```ts
 * app.get('/health/db', (c) => c.json(adapter.getMetrics()));
 * ```
 */
export interface DualWriteMetrics {
  /** `'primary-<name>'` of the current primary. */
  mode: string;
  /** When counting started: creation or the last `resetMetrics()` (ISO-8601). */
  since: string;
  /** Writes accepted by the primary (a batch or a transaction counts once). */
  totalWrites: number;
  /** Writes applied on both sides. */
  successfulDualWrites: number;
  /** Writes the secondary did not apply (failed, or deferred behind journal entries); each is in the journal. */
  secondaryFailures: number;
  /**
   * Writes the secondary refused with a constraint violation whose rows were copied from
   * the primary instead (`takePrimaryOnConflict`); also counted in `successfulDualWrites`.
   */
  secondaryConflictsResolved: number;
  /** Rows that differed between the sides after a write (`verifyWrites`), each settled from the primary. */
  verificationFailures: number;
  /** Mean primary write latency (ms). */
  averagePrimaryLatency: number;
  /** Mean secondary write latency (ms), successful or not. */
  averageSecondaryLatency: number;
  /** Primary write latency percentiles (ms), from a bounded uniform sample. */
  primaryLatency: LatencyPercentiles;
  /** Secondary write latency percentiles (ms), from a bounded uniform sample. */
  secondaryLatency: LatencyPercentiles;
  /** Reads served, by the side that answered. */
  reads: { primary: number; secondary: number };
  /** Reads routed to the secondary that failed there and were answered by the primary. */
  readFallbacks: number;
  /** Reads also run on the secondary for comparison (`shadowReads`). */
  shadowReads: number;
  /** Shadow reads whose rows differed from the primary's (secondary errors included). */
  shadowReadMismatches: number;
  /** Entries waiting in the journal. */
  journalDepth: number;
  /** Age in milliseconds of the oldest entry waiting in the journal; 0 when it is empty. */
  journalOldestAgeMs: number;
  /** Statements replicated as row images: the rows the primary left, applied by key. */
  replicatedByRow: number;
  /**
   * Statements replicated as text, because they cannot be captured as rows: schema
   * changes, tables without a primary key, `WITH … INSERT`, an UPDATE of a key. The
   * shapes are in `getMetadata().replicatedByStatement`.
   */
  replicatedByStatement: number;
  /** Writes the secondary did not answer within `secondaryTimeoutMs` (journaled). */
  secondaryTimeouts: number;
  /** Parent rows copied from the primary ahead of a child the secondary's foreign keys refused. */
  parentRowsCopied: number;
  /** Rows found different under `verifyWrites` and settled from the primary's current row. */
  divergencesSettled: number;
  /**
   * Writes the primary failed by losing its connection or timing out: they may have
   * committed all the same. The rows they name are journaled and settled from the primary;
   * the `primary-outcome-unknown` event names the tables to `repair` for the rest.
   */
  primaryOutcomesUnknown: number;
  /** The current secondary's circuit: `'open'` while writes skip it for the journal. */
  secondaryCircuit: 'closed' | 'open';
  /** With `secondaryWrites: 'async'`: the mirror's lag, depth and counts. */
  mirror?: MirrorMetrics;
  /** With the `control` option: the epoch followed and how this instance kept up with the record. */
  control?: ControlMetrics;
}

/**
 * The fleet control's figures in `getMetrics().control`.
 *
 * @example
 * ```ts
 * const { epoch, refreshAgeMs, longestPauseMs } = adapter.getMetrics().control!;
 * ```
 */
export interface ControlMetrics {
  /** The epoch this instance writes under. */
  epoch: number;
  /** Milliseconds since the record was last read. */
  refreshAgeMs: number;
  /** False while the store does not answer: the instance keeps its last mode. */
  reachable: boolean;
  /** Reads of the record that failed. */
  unreachableRefreshes: number;
  /** Times this instance held its writes for a switch. */
  pauses: number;
  /** Longest and last hold, in milliseconds. */
  longestPauseMs: number;
  lastPauseMs: number;
  /** Holds that ended because the switch never finished (the old mode was kept). */
  pauseTimeouts: number;
}
