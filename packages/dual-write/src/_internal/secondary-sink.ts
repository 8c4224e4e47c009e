import type { DatabaseAdapter, ExecResult, Statement } from '@switchyard/core';
import type { DualWriteMetrics } from '../dual-write-metrics';
import type { ResolvedOptions } from '../dual-write-options';
import type { MetricsCollector } from './metrics-collector';
import { MirrorSink } from './mirror-sink';
import type { Replicator, TransactionRecord } from './replicator';
import type { TableCatalog } from './table-catalog';
import { ReplicatorSink } from './replicator-sink';

/** One write (`execute()` or `batch()`) as the sink receives it, with the roles as they stand for it. */
export interface SinkWrite {
  kind: 'execute' | 'batch' | 'transaction';
  primary: DatabaseAdapter;
  secondary: DatabaseAdapter;
  /** The statements in the primary's form. */
  own: Statement[];
  /** The same statements in the secondary's form. */
  forSecondary: Statement[];
  /** The SQL for messages and events. */
  label: string;
}

/** A sink's part of one `transaction(fn)`: inside the primary's transaction, then after its commit. */
export interface SinkTransaction {
  /** Inside the primary's transaction, after `fn` returned, before the commit. */
  beforeCommit(tx: DatabaseAdapter): Promise<void>;
  /** After the primary committed a transaction that wrote; `label` names its statements. */
  afterCommit(label: string): Promise<void>;
  /**
   * After the primary's transaction failed: one that lost its connection (at COMMIT, say)
   * may have committed all the same. Absent where the secondary's part commits with it.
   */
  afterFailure?(label: string, error: unknown): Promise<void>;
}

/**
 * Where the dual-write adapter sends what the secondary must receive: applied now, by
 * key (`secondaryWrites: 'sync'`), or handed to a mirror that carries it later
 * (`'async'`). Chosen once, when the adapter is made.
 */
export interface SecondarySink {
  /** Runs one write on the primary and carries it to the secondary; returns the primary's results. */
  write(write: SinkWrite): Promise<ExecResult[]>;
  /**
   * Runs the write at once, its primary part begun within this call, when the sink can
   * (an outbox in a better-sqlite3 primary), calling `settled` once it has committed or
   * failed, and resolving to `pick` of its results (one promise, not a chain of them, on
   * the hot path); `undefined`, having run nothing and not called `settled`, otherwise.
   */
  writeNow?<T>(write: SinkWrite, settled: () => void, pick: (results: ExecResult[]) => T): Promise<T> | undefined;
  /** Opens the sink's part of a transaction, before the primary's transaction begins. */
  openTransaction(primary: DatabaseAdapter, secondary: DatabaseAdapter, record: TransactionRecord): Promise<SinkTransaction>;
  /** Why `switchPrimary()` cannot run, or `undefined` when it can. */
  switchRefusal(primary: DatabaseAdapter, secondary: DatabaseAdapter): Error | undefined;
  /** The mirror's figures, for a sink that has a mirror. */
  mirrorMetrics(): DualWriteMetrics['mirror'];
  resetMetrics(): void;
}

/** What a sink uses of the adapter. */
export interface SinkParts {
  replicator: Replicator;
  /** Each side's tables, as last read. */
  catalog: TableCatalog;
  metrics: MetricsCollector;
  options: ResolvedOptions;
}

/**
 * The sink the options ask for: the mirror's in async mode, the replicator otherwise.
 * `primary` is the side that is primary at creation, where an outbox must live.
 */
export function createSecondarySink(parts: SinkParts, primary: DatabaseAdapter): SecondarySink {
  const mirror = parts.options.mirror;
  return mirror ? new MirrorSink(parts, mirror, primary) : new ReplicatorSink(parts);
}
