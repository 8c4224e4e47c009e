import type { Ledger, RangeState } from './checkpoint-ledger';
import type { TableRun } from './copy-plan';
import type { ProgressReporter } from './progress-report';
import type { Retry } from './retry-policy';
import type { Batch } from './table-job';

/** What a range worker needs from the run it belongs to. */
export interface RangeContext {
  readonly ledger: Ledger;
  readonly retry: Retry;
  readonly signal: AbortSignal | undefined;
  /** True once another range failed and the run stops at the next batch boundary. */
  readonly stopping: () => boolean;
  readonly report: ProgressReporter;
}

/**
 * How a range ended: `done` (every row copied and the range finished in the ledger),
 * `aborted` (the signal fired; the claim is released), `stopped` (the run stops after
 * another range failed; the claim is released), or `handed-over` (another worker took
 * the range over and carries on from its checkpoint).
 */
export type RangeEnd = 'done' | 'aborted' | 'stopped' | 'handed-over';

/**
 * Copies one claimed key range batch by batch from its checkpoint: each batch is written
 * with its checkpoint advance in one transaction, and the next batch is read while the
 * current one is written.
 */
export async function copyRange(ctx: RangeContext, run: TableRun, range: RangeState): Promise<RangeEnd> {
  const { job } = run;
  const { ledger, retry } = ctx;
  const read = (after: unknown[] | null) => {
    const p = retry(() => job.readBatch(after, range.end));
    p.catch(() => {}); // awaited later; keeps a prefetch failure from surfacing as unhandled
    return p;
  };
  let after = range.lastKey ?? range.start;
  // The batch committed last may have missed its reconcile (the process died in between): do it again.
  if (run.resync && range.lastKey && range.batchStart !== undefined) {
    const [start, last] = [range.batchStart, range.lastKey];
    await retry(() => run.resync!(start, last));
  }
  let batch = await read(after);
  for (;;) {
    if (batch.count === 0 || !batch.lastKey) {
      await retry(() => ledger.finish(range));
      return 'done';
    }
    if (ctx.signal?.aborted || ctx.stopping()) {
      const end = ctx.signal?.aborted ? 'aborted' : 'stopped';
      await ledger.release(range).catch(() => {});
      return end;
    }
    const lastKey = batch.lastKey;
    const last = batch.count < job.plan.rowsPerBatch;
    // The next batch is read while this one is written: at once when the writer works
    // synchronously (SQLite, D1 batches), or once a COPY page is on the wire, so SQLite
    // renders the next page while Postgres parses this one.
    let next: Promise<Batch> | undefined;
    const readNext = () => {
      if (!last && !next) next = read(lastKey);
    };
    // With reconcile, a range is done only once its last batch is reconciled: a crash in
    // between leaves it running, and the next run reconciles that batch again.
    const advance = ledger.advance(range, after, lastKey, batch.count, last && !run.reconcile);
    const payload = batch.payload;
    if (job.writer.method === 'insert') readNext();
    const { written, claimed } = await retry(() => job.writer.write(payload, advance.statement, () => setImmediate(readNext)));
    readNext();
    advance.commit();
    if (run.reconcile) {
      const batchStart = after;
      const copied = batch;
      await retry(() => run.reconcile!(batchStart, lastKey, copied));
      if (last) await retry(() => ledger.finish(range));
    }
    after = lastKey;
    const sent = Array.isArray(payload) ? payload.length : payload.count;
    run.rowsCopied += batch.count;
    run.rowsWritten += written;
    run.rowsSkipped += batch.dropped + Math.max(0, sent - written);
    ctx.report(run);
    // Another worker took this range over (our heartbeat went stale): it carries on from the checkpoint.
    if (!claimed) return 'handed-over';
    if (!next) return 'done';
    batch = await next;
  }
}
