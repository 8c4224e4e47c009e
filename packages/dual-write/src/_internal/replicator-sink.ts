import type { DatabaseAdapter, ExecResult } from '@switchyard/core';
import type { DualWriteMetrics } from '../dual-write-metrics';
import type { TransactionRecord } from './replicator';
import type { SecondarySink, SinkParts, SinkTransaction, SinkWrite } from './secondary-sink';
import { withKeyMoves } from './key-move-rows';

/**
 * The synchronous secondary (`secondaryWrites: 'sync'`): each write runs on the primary
 * with its rows captured and returns once the secondary has those rows (or the journal
 * holds them); a transaction's rows are settled from the primary after it commits.
 */
export class ReplicatorSink implements SecondarySink {
  readonly #parts: SinkParts;

  constructor(parts: SinkParts) {
    this.#parts = parts;
  }

  async write(w: SinkWrite): Promise<ExecResult[]> {
    const replicator = this.#parts.replicator;
    const steps = await withKeyMoves(this.#parts.catalog, w.primary, await replicator.steps(w.primary, w.own, w.forSecondary));
    const results = await replicator.write(w.kind === 'execute' ? 'execute' : 'batch', w.primary, w.secondary, steps, w.label);
    const replayed = steps.flatMap((s) => (s.kind === 'replay' ? [s.primary] : []));
    if (replayed.length > 0) await replicator.refillGenerated(w.primary, w.secondary, replayed, w.label);
    return results;
  }

  async openTransaction(primary: DatabaseAdapter, secondary: DatabaseAdapter, record: TransactionRecord): Promise<SinkTransaction> {
    const replicator = this.#parts.replicator;
    return {
      // The rows are read from the primary once it committed, under their locks; until the
      // settle holds them, a write verifying one of them leaves it to that settle.
      beforeCommit: async () => {
        record.committing = replicator.markCommitting(record.refs);
      },
      afterCommit: async (label) => {
        try {
          await replicator.afterTransaction(primary, secondary, record, label);
        } finally {
          record.committing?.();
        }
        await replicator.refillGenerated(primary, secondary, record.untranslated ?? record.replays, label);
      },
      afterFailure: (label, error) => {
        record.committing?.();
        return replicator.transactionUnsure(primary, secondary, record, label, error);
      },
    };
  }

  switchRefusal(): Error | undefined {
    return undefined;
  }

  mirrorMetrics(): DualWriteMetrics['mirror'] {
    return undefined;
  }

  resetMetrics(): void {}
}
