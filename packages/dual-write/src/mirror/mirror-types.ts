import type { CapturedRows } from './outbox-captured';
import type { Statement } from '@switchyard/core';
import type { MirrorMetrics, MirrorStats } from './mirror-metrics';
import type { MirrorOp, MovedKeys } from './mirror-op';
import type { RowRef } from '../row-ref';

/** A write turned into what the primary runs, plus the operation that mirrors it. */
export interface PreparedWrite {
  /**
   * The statements to run on the primary in ONE `batch()` (or inside its transaction); a
   * single statement may be run with `execute()`, which is atomic on its own.
   */
  statements: Statement[];
  /**
   * How many of the results belong to the write: the first `resultCount` results are the
   * write's own, in its order; any after them are the mirror's.
   */
  resultCount: number;
  /** The operation carrying the write to the secondary. */
  op: MirrorOp;
}

/**
 * Where a dual-write adapter in `secondaryWrites: 'async'` mode sends writes instead of
 * running them on the secondary. The adapter calls `prepare()`, runs the returned
 * statements on the primary atomically, then `commit()`.
 *
 * @example
 * ```ts
 * const { statements, op } = await mirror.prepare(writeStatements);
 * await primary.batch(statements);
 * await mirror.commit(op);
 * ```
 */
export interface Mirror {
  readonly kind: 'outbox' | 'queue';
  /** Counters shared with whatever applies this mirror's operations in this process. */
  readonly stats: MirrorStats;
  /**
   * Gives the write an operation id and returns what the primary must run for it.
   * `statements` are what the secondary will run; `primaryStatements` (default: the same)
   * what the primary runs, when the two dialects got different SQL for one write. `rows`
   * names the rows the statements write, when the caller knows them (row images), for
   * per-row ordering on the secondary. `moves`: updates among `statements` that moved keys
   * (see `MirrorOp.moves`). `deleted`: rows the write deleted (see `MirrorOp.deleted`).
   */
  prepare(
    statements: readonly Statement[],
    primaryStatements?: readonly Statement[],
    rows?: RowRef[],
    captured?: CapturedRows[],
    moves?: MovedKeys[],
    deleted?: RowRef[],
  ): Promise<PreparedWrite>;
  /** Called after the primary committed the prepared statements. */
  commit(op: MirrorOp): Promise<void>;
  /** The figures as last measured (no round trip). */
  getMetrics(): MirrorMetrics;
  /** Measures depth and lag where the mirror can (the outbox table), then returns the figures. */
  sampleMetrics(): Promise<MirrorMetrics>;
  /** Sets the counters back to zero. */
  resetMetrics(): void;
}
